import GFSCore
import GFSTestSupport

extension MasterStateMachine {
    /// A master with small chunks and three live chunkservers, for tests of namespace operations.
    static func withThreeServers(chunkSize: Int64, clock: ManualClock) -> MasterStateMachine {
        var configuration = MasterConfiguration()
        configuration.chunkSize = chunkSize
        var master = MasterStateMachine(configuration: configuration, clock: clock, firstHandle: 100)
        for port in 1...3 {
            _ = master.register(ServerID(host: "127.0.0.1", port: port), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39, report: [])
        }
        return master
    }
}
