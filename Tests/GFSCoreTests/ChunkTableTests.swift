// Goal: the chunk table gives back exactly what was stored, whether a chunk fits its packed form or not
// (more than three replicas, replicas far from the chunk's version), and its replica counts and per-server
// lookups, which the repair planner relies on instead of walking every chunk, stay exact under any mix of
// writes and removals.
// Method: seeded random writes through the table's subscript and removals, mirrored in a plain dictionary,
// checked after each against it and against the per-server sets recomputed from scratch.
import GFSCore
import Testing

@Suite struct ChunkTableTests {
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func tableMatchesAPlainDictionary(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var table = ChunkTable()
        var model: [ChunkHandle: ChunkInfo] = [:]
        let servers = (1...6).map { ServerID(host: "10.0.0.\($0)", port: 7701) }
        // Handles within one page, either side of page edges, and at the very end of the handle space.
        let handles = (1...30).map(ChunkHandle.init) + [511, 512, 513, 1023, 70_000, .max].map(ChunkHandle.init)
        for _ in 0..<3000 {
            let handle = handles[Int.random(in: 0..<handles.count, using: &random)]
            let server = servers[Int.random(in: 0..<servers.count, using: &random)]
            let version = model[handle]?.version ?? 1
            switch Int.random(in: 0..<9, using: &random) {
            case 0: model[handle] = ChunkInfo(version: UInt64.random(in: 1...300, using: &random))
            case 1: model[handle]?.replicas[server] = version + UInt64.random(in: 0...3, using: &random)
            case 2: model[handle]?.replicas[server] = UInt64.random(in: 0...version, using: &random)
            case 3: model[handle]?.replicas[server] = nil
            case 4: model.removeValue(forKey: handle)
            case 5: model[handle]?.replicas = [:]
            case 6: model[handle]?.version += UInt64.random(in: 1...200, using: &random)
            case 7: model[handle]?.goal = Int.random(in: 1...300, using: &random)
            default:
                model[handle]?.references = Int.random(in: 1...3, using: &random)
                model[handle]?.trashed.toggle()
            }
            if let info = model[handle] { table[handle] = info } else { table.removeValue(forKey: handle) }

            #expect(table.count == model.count)
            #expect(Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0.value) }) == model)
            #expect(Set(table.keys) == Set(model.keys))
            #expect(table.version(handle) == model[handle]?.version)
            // What STAT's shared= reads: exactly the chunks with more than one reference.
            #expect(Dictionary(uniqueKeysWithValues: table.shared.map { ($0.key, $0.value) })
                == model.compactMapValues { $0.references > 1 ? $0.references : nil })
            var expected: [ServerID: Set<ChunkHandle>] = [:]
            for (handle, info) in model {
                for server in info.replicas.keys { expected[server, default: []].insert(handle) }
            }
            #expect(table.handles(on: [servers[0], servers[1]]) == (expected[servers[0]] ?? []).union(expected[servers[1]] ?? []))
            for server in servers {
                #expect(table.holds(handle, on: server) == (model[handle]?.replicas[server] != nil))
                #expect(table.handles(on: server) == expected[server] ?? [])
                #expect(table.replicaCount(on: server) == expected[server]?.count ?? 0)
            }
        }
    }

    /// Changes through the table's subscript, as the master makes them, land as they would in a dictionary.
    @Test func changesInPlaceLand() {
        let (a, b) = (ServerID(host: "10.0.0.1", port: 7701), ServerID(host: "10.0.0.2", port: 7701))
        var table: ChunkTable = [ChunkHandle(7): ChunkInfo(version: 5, replicas: [a: 5])]
        table[ChunkHandle(7)]?.replicas[b] = 4
        table[ChunkHandle(7)]?.version = 1000
        #expect(table[ChunkHandle(7)] == ChunkInfo(version: 1000, replicas: [a: 5, b: 4]))
        table[ChunkHandle(7)]?.version = 6
        table[ChunkHandle(7)]?.replicas[a] = nil
        #expect(table[ChunkHandle(7)] == ChunkInfo(version: 6, replicas: [b: 4]))
        #expect(table.replicaCounts == [b: 1])
        table.removeValue(forKey: ChunkHandle(7))
        #expect(table.isEmpty && table.replicaCounts.isEmpty)
    }
}
