import GFSCore
import Synchronization
import GFSProtocol

/// `gfs bench memory`: the master's state machine alone, in this process, with no server and no disk. It
/// creates `files` files (1,000 to a folder) and gives them `chunks` chunks in all, 3 replicas each on 3 of
/// 12 chunkservers, and reports the resident memory each file and each chunk adds: what a master holding that
/// namespace needs, without the connections, buffers and log of a running one.
enum BenchMemory {
    static func run(files: Int, chunks: Int) throws(GFSError) -> [BenchPhase] {
        var configuration = MasterConfiguration()
        configuration.defaultReplication = 3
        let clock = ProbeClock()
        var state = MasterStateMachine(configuration: configuration, clock: clock)
        let servers = (0..<12).map { ServerID(host: "10.0.\($0 / 3).\($0 % 3 + 1)", port: 7701) }
        for (number, server) in servers.enumerated() {
            _ = state.register(server, rack: "rack\(number % 3)", capacityBytes: 1 << 50, freeBytes: 1 << 50, report: [])
        }
        // Every 1,000 allocations, 10 s pass and every server sends a heartbeat, as on a live master: the
        // servers stay alive and the placement's record of recent creations is pruned.
        func tick() throws(GFSError) {
            clock.advance(by: 10)
            for server in servers { _ = try state.heartbeat(server, freeBytes: 1 << 50, extendLeases: []) }
        }
        let folders = (files + 999) / 1000
        var paths: [GFSPath] = []
        paths.reserveCapacity(files)
        for folder in 0..<folders {
            let directory = GFSPath.root.appending("d\(folder)")
            _ = try state.makeDirectory(directory, parents: false)
            for file in 0..<min(1000, files - folder * 1000) { paths.append(directory.appending("f\(file)")) }
        }
        let beforeFiles = heapBytes()
        var started = ContinuousClock.now
        for path in paths { _ = try state.createFile(path, replication: 3, records: false) }
        var phases = [phase("create", files, since: started)]
        phases[0].notes["bytes_per_file"] = Double(heapBytes() - beforeFiles) / Double(max(files, 1))

        let beforeChunks = heapBytes()
        started = ContinuousClock.now
        var made = 0
        for (number, path) in paths.enumerated() {
            // An even spread: the first `chunks % files` files get one chunk more.
            let count = chunks / max(files, 1) + (number < chunks % max(files, 1) ? 1 : 0)
            for index in 0..<count {
                guard case let .create(index, handle, version, servers) = try state.allocate(path, index: index) else {
                    throw GFSError(.internal, "allocate of \(path) chunk \(index) made no chunk")
                }
                _ = try state.chunkCreated(path, index: index, handle: handle, version: version, confirmed: servers)
                made += 1
                if made % 1000 == 0 { try tick() }
            }
        }
        // What a live master has forgotten by now: the planner's list of chunks written since its last pass,
        // and (at a chunkserver's next full report, a lease after the last change) when each chunk's
        // replicas last changed. Kept, they would count as the chunks' own cost.
        clock.advance(by: 60)
        for server in servers { _ = try state.heartbeat(server, freeBytes: 1 << 50, extendLeases: []) }
        let held = state.chunks.handles(on: servers[0]).compactMap { handle in
            state.chunks[handle].map { ReportedChunk(handle: handle, version: $0.version, length: 0) }
        }
        _ = try state.report(servers[0], chunks: held)
        _ = state.planReplication()
        phases.append(phase("allocate", made, since: started))
        phases[1].notes["bytes_per_chunk"] = Double(heapBytes() - beforeChunks) / Double(max(made, 1))
        withExtendedLifetime(state) {}
        return phases
    }

    private static func phase(_ name: String, _ operations: Int, since start: ContinuousClock.Instant) -> BenchPhase {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return BenchPhase(name: name, clients: 1, operations: operations, bytes: 0,
                          seconds: Double(seconds) + Double(attoseconds) / 1e18, latencies: Latencies(),
                          perSecond: .operations)
    }

    /// Time moves only when the probe moves it, so the servers stay alive however long the probe takes.
    final class ProbeClock: GFSClock {
        private let seconds = Atomic<Int64>(0)
        var now: Instant { Instant(sinceStart: .seconds(seconds.load(ordering: .relaxed))) }
        var wallMilliseconds: Int64 { 1_700_000_000_000 + seconds.load(ordering: .relaxed) * 1000 }
        func advance(by step: Int64) { seconds.add(step, ordering: .relaxed) }
    }

    private static func heapBytes() -> Int64 { LocalCluster.residentBytes(of: "self") ?? 0 }
}
