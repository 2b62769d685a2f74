import GFSCore
import GFSProtocol

/// A client taking snapshots of the files being appended to and written, now and then (GFS §3.4): each
/// acknowledged one must hold every record acknowledged before it was asked for.
final class SimulatedSnapshotter: Role {
    let sources: [GFSPath]
    let oracle: Oracle
    var working = true
    private var taken = 0
    private(set) var liveness = Liveness()
    let callTimeout: Int64 = 30_000_000_000

    init(node: Int, sources: [GFSPath], scheduler: Scheduler, network: Network<Int, Message>, oracle: Oracle) {
        self.sources = sources
        self.oracle = oracle
        super.init(node: node, scheduler: scheduler, network: network)
        next()
    }

    private func next() {
        later(scheduler.draw(20_000_000_000...60_000_000_000)) { [self] in
            guard working, !sources.isEmpty else { return }
            taken += 1
            let source = sources[Int(scheduler.draw(0...Int64(sources.count - 1)))]
            let destination = GFSPath("/snaps/s\(taken)") ?? .root
            let asked = scheduler.now
            liveness.started(at: asked)
            // Not retried: a timed-out snapshot may or may not exist, and the next one gets a new name.
            call(0, timeout: callTimeout, { .master(call: $0, .snapshot(source, to: destination), report: []) }) { [self] result in
                if case .success = result { oracle.snapshotted(source, to: destination, asked: asked, done: scheduler.now) }
                liveness.finished()
                next()
            }
        }
    }
}
