// Goal: snapshots share chunks with reference counts, copy on write, and collect chunks only when no file
// refers to them (GFS §3.4); namespace locks serialize what must be (GFS §4.1).
// Method: the state machine on a manual clock; PathLocks on its own.
import GFSCore
import GFSTestSupport
import Testing

@Suite final class SnapshotTests {
    let clock = ManualClock()
    var master: MasterStateMachine

    init() {
        master = MasterStateMachine(configuration: MasterConfiguration(), clock: clock, firstHandle: 100)
        for port in 1...3 {
            _ = master.register(ServerID(host: "127.0.0.1", port: port), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39, report: [])
        }
    }

    static func path(_ text: String) -> GFSPath { GFSPath(text)! }

    func fileWithChunks(_ text: String, count: Int) throws -> [ChunkHandle] {
        _ = try master.createFile(Self.path(text), replication: 3)
        var handles: [ChunkHandle] = []
        for index in 0..<count {
            guard case let .create(_, handle, version, servers) = try master.allocate(Self.path(text), index: index) else {
                throw GFSError(.internal, "expected a creation")
            }
            _ = try master.chunkCreated(Self.path(text), index: index, handle: handle, version: version, confirmed: servers)
            handles.append(handle)
        }
        return handles
    }

    /// Reference: GFS §3.4 — the snapshot shares chunks; the first write copies only the touched chunk.
    @Test func snapshotSharesChunksUntilTheFirstWrite() throws {
        let handles = try fileWithChunks("/src", count: 3)
        guard case let .grant(_, version, _, replicas, _) = try master.requestLease(handles[1]) else {
            Issue.record("expected a lease grant")
            return
        }
        _ = try master.leaseGrantFinished(handles[1], version: version, confirmed: replicas, primaryNeverReached: false)
        master.leaseRecorded(handles[1], version: version)
        let leased = try master.prepareSnapshot(Self.path("/src"), to: Self.path("/snap"))
        #expect(leased.map(\.0) == [handles[1]])
        #expect(throws: GFSError.self) { try master.requestLease(handles[0]) }
        master.leaseRevoked(handles[1])
        _ = try master.snapshot(Self.path("/src"), to: Self.path("/snap"))
        #expect(master.namespace[Self.path("/snap")]?.chunks == handles)
        #expect(master.sharing(Self.path("/src")) == 2)
        guard case let .copyOnWrite(index, old, new, _, servers) = try master.allocate(Self.path("/src"), index: 2) else {
            Issue.record("a shared chunk must be copied before a write")
            return
        }
        #expect(index == 2 && old == handles[2] && servers.count == 3)
        _ = try master.chunkCloned(Self.path("/src"), index: 2, from: old, to: new, version: 1, confirmed: servers)
        #expect(master.namespace[Self.path("/src")]?.chunks == [handles[0], handles[1], new])
        #expect(master.namespace[Self.path("/snap")]?.chunks == handles)
        #expect(master.chunks[handles[2]]?.references == 1)
        guard case .existing = try master.allocate(Self.path("/snap"), index: 2) else {
            Issue.record("the snapshot's copy is no longer shared")
            return
        }
        // A chunk still shared gets no lease (a cached writer would change the snapshot too, GFS §3.4); one
        // that is no longer shared does, now that the snapshot is done.
        #expect(throws: GFSError.self) { try master.requestLease(handles[0]) }
        // A writer of /src still holding the old handle (its cached lease ran out) must not lease the chunk now
        // only the snapshot holds: it is told to allocate again (found by the simulation, seed 34, once its
        // appenders kept handles as `gfs append` does).
        let stale = #expect(throws: GFSError.self) { try master.requestLease(handles[2], of: Self.path("/src")) }
        #expect(stale?.code == .stale)
        guard case .grant = try master.requestLease(handles[2], of: Self.path("/snap")) else {
            Issue.record("leases are unblocked after the snapshot")
            return
        }
    }

    /// Chunks are collected only when the last file referring to them is removed.
    /// Right after a restart, a primary of the previous run may hold a lease this master never heard of and so
    /// cannot revoke: a snapshot waits out the fence (found by the simulation, seed 6: a snapshot taken two
    /// seconds after a master restart went on changing under appends to its source).
    @Test func snapshotsAfterARestartWaitOutUnknownLeases() throws {
        let handles = try fileWithChunks("/f", count: 1)
        master.fenceLeasesAfterRestart()
        #expect(try master.prepareSnapshotChunks(Self.path("/f"), to: Self.path("/s")).isEmpty, "no lease is known")
        let wait = try #require(master.latestLeaseExpiry([]))
        #expect(wait.duration(since: clock.now) == master.configuration.leaseDuration)
        clock.advance(by: master.configuration.leaseDuration)
        #expect(master.latestLeaseExpiry(handles) == nil)
    }

    @Test func chunksAreCollectedWithTheirLastReference() throws {
        _ = try master.makeDirectory(Self.path("/d"), parents: false)
        let handles = try fileWithChunks("/d/f", count: 2)
        _ = try master.prepareSnapshot(Self.path("/d"), to: Self.path("/e"))
        _ = try master.snapshot(Self.path("/d"), to: Self.path("/e"))
        _ = try master.remove(Self.path("/d"), recursive: true)
        #expect(handles.allSatisfy { master.chunks[$0]?.references == 1 })
        #expect(try master.heartbeat(ServerID(host: "127.0.0.1", port: 1), freeBytes: 1, extendLeases: []).deletions.isEmpty)
        _ = try master.remove(Self.path("/e"), recursive: true)
        #expect(handles.allSatisfy { master.chunks[$0] == nil })
        #expect(try master.heartbeat(ServerID(host: "127.0.0.1", port: 1), freeBytes: 1, extendLeases: []).deletions == handles.sorted())
    }

    @Test func snapshotRulesAreChecked() throws {
        _ = try master.makeDirectory(Self.path("/a/b"), parents: true)
        #expect(throws: GFSError.self) { try master.prepareSnapshot(Self.path("/a"), to: Self.path("/a/b/c")) }
        #expect(throws: GFSError.self) { try master.prepareSnapshot(Self.path("/nope"), to: Self.path("/x")) }
        #expect(throws: GFSError.self) { try master.prepareSnapshot(Self.path("/a"), to: Self.path("/a/b")) }
        // Applying checks them too, whoever skipped the preparation: a snapshot to /.trash made the trash
        // folder a file, and the next delete and snapshot of / broke the namespace (found by FuzzMaster).
        _ = try master.createFile(Self.path("/f"), replication: 3)
        for (source, destination) in [("/f", "/.trash"), ("/f", "/.trash/x"), ("/a", "/a/b/c"), ("/", "/r")] {
            #expect(throws: GFSError.self, "\(source) to \(destination)") {
                try master.snapshot(Self.path(source), to: Self.path(destination))
            }
        }
        _ = try master.delete(Self.path("/f"), recursive: false)
        #expect(master.namespace[Trash.folder]?.kind == .directory)
    }

    /// Reference: GFS §4.1 — a snapshot and a create inside it serialize; creates side by side do not.
    @Test func pathLocksSerializeWhatConflicts() {
        var locks = PathLocks()
        let snapshot = PathLocks.Request(writing: [Self.path("/home/u"), Self.path("/save/u")])
        locks.acquire(snapshot)
        #expect(!locks.canAcquire(PathLocks.Request(writing: [Self.path("/home/u/f")])))
        #expect(locks.canAcquire(PathLocks.Request(writing: [Self.path("/home/v/f")])))
        locks.release(snapshot)
        let first = PathLocks.Request(writing: [Self.path("/home/u/f")])
        let second = PathLocks.Request(writing: [Self.path("/home/u/g")])
        locks.acquire(first)
        #expect(locks.canAcquire(second))
        #expect(!locks.canAcquire(PathLocks.Request(writing: [Self.path("/home/u")])))
        locks.release(first)
        #expect(locks.isEmpty)
    }

    /// Chunk allocation reads the file: allocations run together, a snapshot of the file or a folder above it
    /// waits for them and keeps them out (else a copy-on-write could slip into a snapshot in progress).
    @Test func allocationsShareTheFileAndSnapshotsExcludeThem() {
        var locks = PathLocks()
        let allocation = PathLocks.Request(reading: [Self.path("/home/u/f")])
        locks.acquire(allocation)
        #expect(locks.canAcquire(PathLocks.Request(reading: [Self.path("/home/u/f")])))
        #expect(!locks.canAcquire(PathLocks.Request(writing: [Self.path("/home/u/f"), Self.path("/save/f")])))
        #expect(!locks.canAcquire(PathLocks.Request(writing: [Self.path("/home"), Self.path("/save/home")])))
        locks.release(allocation)
        let snapshot = PathLocks.Request(writing: [Self.path("/home"), Self.path("/save/home")])
        locks.acquire(snapshot)
        #expect(!locks.canAcquire(allocation))
        #expect(locks.canAcquire(PathLocks.Request(reading: [Self.path("/other/f")])))
    }
}

@Suite final class ConcatTests {
    let clock = ManualClock()
    var master: MasterStateMachine

    init() { master = .withThreeServers(chunkSize: 1000, clock: clock) }

    static func path(_ text: String) -> GFSPath { GFSPath(text)! }

    func file(_ text: String, length: Int64, replication: Int = 3) throws -> [ChunkHandle] {
        var log = [try master.createFile(Self.path(text), replication: replication)]
        var handles: [ChunkHandle] = []
        for index in 0..<Int((length + 999) / 1000) {
            guard case let .create(_, handle, version, servers) = try master.allocate(Self.path(text), index: index) else {
                throw GFSError(.internal, "expected a creation")
            }
            if let mutation = try master.chunkCreated(Self.path(text), index: index, handle: handle, version: version,
                                                      confirmed: servers).1 { log.append(mutation) }
            handles.append(handle)
        }
        if let mutation = try master.extendLength(Self.path(text), to: length) { log.append(mutation) }
        return handles
    }

    /// The destination shares the sources' chunks (reference counts, as snapshots do); it is logged and
    /// replays to the same state; removing a source keeps the shared chunks alive.
    @Test func concatSharesWholeChunksAndReplays() throws {
        let a = try file("/a", length: 2000)
        let b = try file("/b", length: 1500, replication: 2)
        let before = master
        _ = try master.prepareConcat(Self.path("/d"), sources: [Self.path("/a"), Self.path("/b")])
        let mutation = try master.concat(Self.path("/d"), sources: [Self.path("/a"), Self.path("/b")], replication: 2)
        let made = try #require(master.namespace[Self.path("/d")])
        #expect(made.chunks == a + b && made.length == 3500 && made.replication == 2)
        #expect((a + b).allSatisfy { master.chunks[$0]?.references == 2 })
        #expect(a.allSatisfy { master.chunks[$0]?.goal == 3 }, "a shared chunk keeps its highest goal")
        var replayed = before
        try replayed.applyChecked(mutation)
        #expect(replayed.namespace[Self.path("/d")] == made)
        #expect((a + b).allSatisfy { replayed.chunks[$0]?.references == 2 && replayed.chunks[$0]?.goal == master.chunks[$0]?.goal })
        var bytes: [UInt8] = []
        Checkpoint.encode(master, sequence: 1) { bytes += $0 }
        var restored = before
        restored.restore(try Checkpoint.decode(bytes))
        #expect(restored.namespace[Self.path("/d")] == made)
        #expect((a + b).allSatisfy { restored.chunks[$0]?.references == 2 && restored.chunks[$0]?.goal == master.chunks[$0]?.goal })
        _ = try master.delete(Self.path("/a"), recursive: false)
        #expect(a.allSatisfy { master.chunks[$0] != nil })
    }

    /// Whole chunks only: a source that ends mid-chunk may only come last; the destination must end on a
    /// boundary; nothing changes when refused.
    @Test func concatRefusesPartialChunks() throws {
        _ = try file("/a", length: 1500)
        _ = try file("/b", length: 1000)
        _ = try file("/e", length: 2000)
        let before = master.namespace.subtree(.root)
        #expect(throws: GFSError.self) { try master.prepareConcat(Self.path("/d"), sources: [Self.path("/a"), Self.path("/b")]) }
        #expect(throws: GFSError.self) { try master.prepareConcat(Self.path("/a"), sources: [Self.path("/b")]) }
        #expect(throws: GFSError.self) { try master.prepareConcat(Self.path("/b"), sources: [Self.path("/b")]) }
        #expect(throws: GFSError.self) { try master.prepareConcat(Self.path("/d"), sources: [Self.path("/missing")]) }
        #expect(throws: GFSError.self) { try master.prepareConcat(Self.path("/d"), sources: [Self.path("/b"), Self.path("/b")]) }
        #expect(master.namespace.subtree(.root) == before)
        _ = try master.prepareConcat(Self.path("/e"), sources: [Self.path("/b"), Self.path("/a")])
        _ = try master.concat(Self.path("/e"), sources: [Self.path("/b"), Self.path("/a")], replication: nil)
        #expect(master.namespace[Self.path("/e")]?.length == 4500)
    }

    /// With --pad, a source ending mid-chunk contributes a padded copy of its last chunk (a new chunk, not
    /// shared); the destination's length counts the padding; replay and restore agree.
    @Test func paddedConcatUsesCopiesOfCutChunks() throws {
        let a = try file("/a", length: 1500)
        let b = try file("/b", length: 700)
        let before = master
        #expect(throws: GFSError.self) { try master.prepareConcat(Self.path("/d"), sources: [Self.path("/a"), Self.path("/b")]) }
        _ = try master.prepareConcat(Self.path("/d"), sources: [Self.path("/a"), Self.path("/b")], pad: true)
        let copies = try master.planPadCopies([Self.path("/a"), Self.path("/b")])
        #expect(copies.count == 1 && copies[0].old == a[1] && copies[0].keep == 500)
        let mutation = try master.concat(Self.path("/d"), sources: [Self.path("/a"), Self.path("/b")], replication: nil,
                                         padded: copies.map { ($0, $0.servers) })
        let made = try #require(master.namespace[Self.path("/d")])
        #expect(made.length == 2700 && made.chunks == [a[0], copies[0].new, b[0]])
        #expect(master.chunks[a[1]]?.references == 1 && master.chunks[copies[0].new]?.references == 1)
        #expect(master.chunks[a[0]]?.references == 2)
        var replayed = before
        try replayed.applyChecked(mutation)
        #expect(replayed.namespace[Self.path("/d")] == made && replayed.chunks[copies[0].new]?.version == copies[0].version)
    }
}
