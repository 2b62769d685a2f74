// Goal: truncation drops the chunks past the new end and replaces a chunk it cuts with a shortened copy, so a
// snapshot sharing the old chunk keeps every byte; it replays from the log and survives a checkpoint.
// Method: the state machine on a manual clock.
import GFSCore
import GFSTestSupport
import Testing

@Suite final class TruncateTests {
    let clock = ManualClock()
    var master: MasterStateMachine

    init() { master = .withThreeServers(chunkSize: 1000, clock: clock) }

    static func path(_ text: String) -> GFSPath { GFSPath(text)! }

    func file(_ text: String, length: Int64) throws -> [ChunkHandle] {
        _ = try master.createFile(Self.path(text), replication: 3)
        var handles: [ChunkHandle] = []
        for index in 0..<Int((length + 999) / 1000) {
            guard case let .create(_, handle, version, servers) = try master.allocate(Self.path(text), index: index) else {
                throw GFSError(.internal, "expected a creation")
            }
            _ = try master.chunkCreated(Self.path(text), index: index, handle: handle, version: version, confirmed: servers)
            handles.append(handle)
        }
        _ = try master.extendLength(Self.path(text), to: length)
        return handles
    }

    func truncate(_ text: String, to length: Int64, confirming: Int = 3) throws -> [Mutation] {
        let (_, blocked) = try master.prepareTruncate(Self.path(text), to: length)
        defer { master.finishTruncate(blocked) }
        let copy = try master.planTruncateCopy(Self.path(text), to: length)
        return try master.truncate(Self.path(text), to: length, copy: copy,
                                   confirmed: Array((copy?.servers ?? []).prefix(confirming)))
    }

    @Test func cutsInsideAChunkWithACopyAndKeepsTheSnapshot() throws {
        let handles = try file("/f", length: 3500)
        _ = try master.snapshot(Self.path("/f"), to: Self.path("/s"))
        let before = master
        let log = try truncate("/f", to: 1200)
        let entry = try #require(master.namespace[Self.path("/f")])
        #expect(entry.length == 1200 && entry.chunks.count == 2)
        #expect(entry.chunks[0] == handles[0] && entry.chunks[1] != handles[1], "the cut chunk is a new copy")
        #expect(master.namespace[Self.path("/s")]?.chunks == handles && master.namespace[Self.path("/s")]?.length == 3500)
        #expect(handles.allSatisfy { master.chunks[$0]?.references == ($0 == handles[0] ? 2 : 1) })
        var replayed = before
        for mutation in log { try replayed.applyChecked(mutation) }
        #expect(replayed.namespace[Self.path("/f")]?.chunks == entry.chunks && replayed.namespace[Self.path("/f")]?.length == 1200)
        var bytes: [UInt8] = []
        Checkpoint.encode(master, sequence: 1) { bytes += $0 }
        var restored = before
        restored.restore(try Checkpoint.decode(bytes))
        #expect(restored.namespace[Self.path("/f")] == entry)
    }

    @Test func cutsOnABoundaryWithoutACopyAndDropsWhatIsPast() throws {
        let handles = try file("/f", length: 3500)
        #expect(try master.planTruncateCopy(Self.path("/f"), to: 2000) == nil)
        _ = try truncate("/f", to: 2000)
        #expect(master.namespace[Self.path("/f")]?.chunks == Array(handles.prefix(2)))
        #expect(master.chunks[handles[2]] == nil && master.chunks[handles[3]] == nil, "dropped chunks are forgotten")
        _ = try truncate("/f", to: 0)
        #expect(master.namespace[Self.path("/f")]?.chunks == [] && master.namespace[Self.path("/f")]?.length == 0)
    }

    @Test func refusesGrowingAndTooFewCopies() throws {
        _ = try file("/f", length: 1500)
        #expect(throws: GFSError.self) { try master.prepareTruncate(Self.path("/f"), to: 1501) }
        let untouched = master.namespace[Self.path("/f")]
        #expect(throws: GFSError.self) { try truncate("/f", to: 1200, confirming: 0) }
        #expect(master.namespace[Self.path("/f")] == untouched)
        // Leases are unblocked after a failure: a lease may be asked for again.
        let chunk = try #require(untouched?.chunks[1])
        #expect(throws: Never.self) { _ = try master.requestLease(chunk) }
    }

    /// A writer's size reported late, for a chunk the truncation replaced, does not grow the file past the
    /// bytes its new chunk holds; the same size for the new chunk does.
    @Test func aLateSizeForAReplacedChunkIsStale() throws {
        let handles = try file("/f", length: 1800)
        _ = try truncate("/f", to: 1200)
        let error = #expect(throws: GFSError.self) { try master.extendLength(Self.path("/f"), to: 1800, writtenTo: handles[1]) }
        #expect(error?.code == .stale && master.namespace[Self.path("/f")]?.length == 1200)
        let replaced = try #require(master.namespace[Self.path("/f")]?.chunks[1])
        #expect(try master.extendLength(Self.path("/f"), to: 1300, writtenTo: replaced) != nil)
    }

    /// A chunk copied on write after a snapshot still holds the writer's bytes: its late size counts.
    @Test func aLateSizeForACopiedOnWriteChunkCounts() throws {
        let handles = try file("/f", length: 1500)
        _ = try master.snapshot(Self.path("/f"), to: Self.path("/s"))
        guard case let .copyOnWrite(index, old, new, version, servers) = try master.allocate(Self.path("/f"), index: 1) else {
            Issue.record("a shared chunk is copied before a write")
            return
        }
        _ = try master.chunkCloned(Self.path("/f"), index: index, from: old, to: new, version: version, confirmed: servers)
        #expect(try master.extendLength(Self.path("/f"), to: 1900, writtenTo: handles[1]) != nil)
    }
}
