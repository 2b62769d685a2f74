// Goal: the chunk table's per-server index and change set, which the repair planner relies on instead of
// walking every chunk, stay exact under any mix of writes and removals.
// Method: seeded random writes through the table's subscript and removals, checked after each against the
// index recomputed from scratch.
import GFSCore
import Testing

@Suite struct ChunkTableTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func indexMatchesTheTable(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var table = ChunkTable()
        let servers = (1...6).map { ServerID(host: "10.0.0.\($0)", port: 7701) }
        for _ in 0..<3000 {
            let handle = ChunkHandle(UInt64.random(in: 1...40, using: &random))
            let server = servers[Int.random(in: 0..<servers.count, using: &random)]
            switch Int.random(in: 0..<6, using: &random) {
            case 0: table[handle] = ChunkInfo(version: 1)
            case 1: table[handle]?.replicas[server] = UInt64.random(in: 1...3, using: &random)
            case 2: table[handle]?.replicas[server] = nil
            case 3: table.removeValue(forKey: handle)
            case 4: table[handle]?.replicas = [:]
            default: table[handle]?.version += 1
            }
            var expected: [ServerID: Set<ChunkHandle>] = [:]
            for (handle, info) in table {
                for server in info.replicas.keys { expected[server, default: []].insert(handle) }
            }
            for server in servers {
                #expect(table.handles(on: server) == expected[server] ?? [])
                #expect(table.replicaCount(on: server) == expected[server]?.count ?? 0)
            }
        }
    }
}
