import Foundation
import GFSProtocol
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import GFSChunkServer

/// Group commit and checksums on a real chunk store in a temporary folder; only the thread pool hop is
/// replaced, by a gate the test opens, so "a sync is running" is a state the test controls.
@Suite struct GroupSyncTests {
    /// A stand-in for the disk thread pool that counts syncs and, until the test opens the gate, holds each
    /// one after its fdatasync as if the disk were still busy with it.
    final class Gate: Sendable {
        let state = NIOLockedValueBox<(runs: Int, open: Bool, parked: [CheckedContinuation<Void, Never>])>((0, false, []))

        func run(_ body: @escaping @Sendable () throws(GFSError) -> Void) async throws(GFSError) {
            try body()
            await withCheckedContinuation { continuation in
                let go = state.withLockedValue { state -> Bool in
                    state.runs += 1
                    if !state.open { state.parked.append(continuation) }
                    return state.open
                }
                if go { continuation.resume() }
            }
        }

        func open() {
            for parked in state.withLockedValue({ state in
                state.open = true
                defer { state.parked = [] }
                return state.parked
            }) { parked.resume() }
        }

        var runs: Int { state.withLockedValue { $0.runs } }
    }

    /// Yields until `condition` holds; false if it still does not after `limit`.
    static func eventually(within limit: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            await Task.yield()
        }
        return await condition()
    }

    static func temporaryStore() throws -> ChunkStore {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gfs-groupsync-\(UUID().uuidString)").path
        return try ChunkStore(directory: folder)
    }

    static func bytes(_ count: Int, seed: UInt8) -> ByteBuffer {
        ByteBuffer(bytes: (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
    }

    @Test func writersWaitingTogetherShareOneSync() async throws {
        let store = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: (store.folder as NSString).deletingLastPathComponent) }
        let handle = ChunkHandle(7)
        try store.create(handle, version: 1)
        let gate = Gate()
        let durability = GroupSync(store: store, onDisk: { body throws(GFSError) in try await gate.run(body) })

        _ = try store.write(handle, at: 0, Self.bytes(100, seed: 1))
        let first = Task { try await durability.sync(handle) }
        #expect(await Self.eventually { gate.runs == 1 })
        // While the first sync runs, five more mutations are applied and each asks for durability.
        var waiters: [Task<Void, any Error>] = []
        for index in 1...5 {
            _ = try store.write(handle, at: Int64(index * 100), Self.bytes(100, seed: UInt8(index)))
            waiters.append(Task { try await durability.sync(handle) })
        }
        #expect(await Self.eventually { await durability.waiters(for: handle) == 5 }, "all five wait on the running sync")
        #expect(gate.runs == 1, "no second sync starts while one runs")
        gate.open()
        try await first.value
        for waiter in waiters { try await waiter.value }
        #expect(gate.runs == 2, "the five waiters shared one sync")
        let done = try #require(store.replica(handle)?.state.withLockedValue { ($0.applied, $0.durable) })
        #expect(done == (6, 6))

        // Nothing new applied: no sync at all.
        try await durability.sync(handle)
        #expect(gate.runs == 2)
    }

    @Test func syncOfAReplicaNotHeldIsNotFound() async throws {
        let store = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: (store.folder as NSString).deletingLastPathComponent) }
        let durability = GroupSync(store: store, onDisk: { body throws(GFSError) in try body() })
        await #expect(throws: GFSError.self) { try await durability.sync(ChunkHandle(9)) }
    }

    @Test func checksumsSummedFromMemoryMatchTheFile() throws {
        let store = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: (store.folder as NSString).deletingLastPathComponent) }
        let handle = ChunkHandle(3)
        try store.create(handle, version: 1)
        let block = 64 << 10
        // Whole blocks, a write straddling two blocks, one past a gap, and a pad: every block must verify.
        _ = try store.write(handle, at: 0, Self.bytes(3 * block, seed: 1))
        _ = try store.write(handle, at: Int64(block - 10), Self.bytes(20, seed: 2))
        _ = try store.write(handle, at: Int64(5 * block + 7), Self.bytes(block + 100, seed: 3))
        try store.pad(handle, to: Int64(8 * block))
        let all = try store.read(handle, at: 0, length: 8 * block)
        #expect(all.readableBytes == 8 * block)
        var expected = Self.bytes(3 * block, seed: 1)
        expected.setBuffer(Self.bytes(20, seed: 2), at: block - 10)
        #expect(all.getSlice(at: 0, length: 3 * block) == expected)
        #expect(all.getSlice(at: 5 * block + 7, length: block + 100) == Self.bytes(block + 100, seed: 3))
        #expect(all.getBytes(at: 3 * block, length: 2 * block + 7) == [UInt8](repeating: 0, count: 2 * block + 7))
    }
}
