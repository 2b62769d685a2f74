import GFSCore
import GFSProtocol

/// A shadow master as a log replica (ShadowFollower): it asks the primary for the records after its own
/// log's end, writes them to its disk, and asks again; the next TAIL's `from` is its confirmation. Its log
/// is what a promotion starts from, so it must hold every mutation the primary acknowledged.
final class SimulatedShadow: Role {
    /// The records on its disk, in order (what a crash keeps).
    private(set) var log: [Mutation] = []
    let address: ServerID
    let logDelay: Int64 = 1_000_000

    init(node: Int, address: ServerID, scheduler: Scheduler, network: Network<Int, Message>) {
        self.address = address
        super.init(node: node, scheduler: scheduler, network: network)
        follow()
    }

    override func restart() {
        super.restart()
        follow()
    }

    /// After a promotion the primary's log is this one: nothing to change, it goes on following.
    private func follow() {
        let from = UInt64(log.count) + 1
        call(0, timeout: 3_000_000_000, { [address] in .master(call: $0, .tail(from: from, shadow: address, waitMilliseconds: 1000), report: []) }) {
            [self] result in
            guard case let .success(.log(records)) = result else {
                return later(500_000_000) { [self] in follow() }
            }
            // Records that arrived after others did (a duplicate or a late reply) are taken only where they fit.
            guard UInt64(log.count) + 1 == from, !records.isEmpty else { return follow() }
            later(logDelay) { [self] in
                if UInt64(log.count) + 1 == from { log += records }
                follow()
            }
        }
    }
}
