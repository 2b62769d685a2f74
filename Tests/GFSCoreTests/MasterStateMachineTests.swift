// Goal: the master's decisions — namespace rules, allocation, leases, versions, liveness — without sockets.
// Method: a MasterStateMachine on a ManualClock; "chunkservers" are just register/heartbeat calls.
import GFSCore
import GFSTestSupport
import Testing

@Suite final class MasterStateMachineTests {
    let clock = ManualClock()
    var master: MasterStateMachine

    init() {
        var configuration = MasterConfiguration()
        configuration.chunkSize = 1 << 20
        configuration.leaseDuration = .seconds(60)
        configuration.heartbeatTimeout = .seconds(120)
        master = MasterStateMachine(configuration: configuration, clock: clock, firstHandle: 100, seed: 42)
    }

    static func server(_ port: Int) -> ServerID { ServerID(host: "127.0.0.1", port: port) }
    static func path(_ text: String) -> GFSPath { GFSPath(text)! }

    func registerServers(_ count: Int) {
        for port in 1...count {
            _ = master.register(Self.server(port), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39, report: [])
        }
    }

    /// Creates /f and its chunk 0 on three servers, confirmed by all.
    func fileWithOneChunk() throws -> ChunkHandle {
        registerServers(3)
        _ = try master.createFile(Self.path("/f"), replication: 3)
        guard case let .create(index, handle, version, servers) = try master.allocate(Self.path("/f"), index: 0) else {
            Issue.record("expected a creation plan")
            return ChunkHandle(0)
        }
        _ = try master.chunkCreated(Self.path("/f"), index: index, handle: handle, version: version, confirmed: servers)
        return handle
    }

    /// Grants, confirms and records a lease on `handle` with every replica; returns its primary.
    func grantedLease(_ handle: ChunkHandle) throws -> ServerID {
        guard case let .grant(_, version, primary, replicas, _) = try master.requestLease(handle) else {
            throw GFSError(.internal, "expected a lease grant")
        }
        _ = try master.leaseGrantFinished(handle, version: version, confirmed: replicas, primaryNeverReached: false)
        master.leaseRecorded(handle, version: version)
        return primary
    }

    // MARK: - Namespace

    /// Pages of a directory cover every name once, in order, with its entry, whatever the page size (23 and 24
    /// are the edges of a directory that fits in one page, the trash counted); the trash stays hidden.
    @Test(arguments: [1, 2, 7, 23, 24, 50]) func listingsPageThroughEveryName(pageSize: Int) throws {
        let names = (0..<23).map { "n\($0 * 37 % 23)" }
        for name in names { _ = try master.createFile(Self.path("/" + name), replication: 1) }
        _ = try master.createFile(Self.path("/gone"), replication: 1)
        _ = try master.remove(Self.path("/gone"), recursive: false)
        var seen: [String] = []
        var after: String?
        for _ in 0...names.count {
            let page = try master.list(.root, after: after, limit: pageSize)
            #expect(page.entries.count <= pageSize)
            #expect(!page.entries.isEmpty || page.next == nil, "only the last page may be empty")
            seen += page.entries.map(\.path.name)
            for (path, entry) in page.entries { #expect(try master.stat(path) == entry) }
            guard let next = page.next else { break }
            after = next
        }
        #expect(seen == names.sorted())
        #expect(try master.list(Self.path("/n3"), after: nil, limit: 1).entries.map(\.path) == [Self.path("/n3")])
    }

    /// Pages of fsck visit every path below the top once, in tree order (a directory, then what it holds, by
    /// name), whatever the page size; their totals add up to one pass's; the trash stays out; a page ends
    /// without a cursor exactly when nothing follows, and a path deleted between pages does not lose the rest.
    @Test(arguments: [1, 2, 3, 5, 8, 100]) func fsckPagesVisitTheTreeInOrder(pageSize: Int) throws {
        for directory in ["/a", "/a/b", "/a/b/c", "/a-c", "/a/e", "/z", "/z/empty"] {
            _ = try master.makeDirectory(Self.path(directory), parents: false)
        }
        for file in ["/a/b/c/f1", "/a/b/f2", "/a/f3", "/a-c/f4", "/f5", "/a/e/f6", "/a/e/f7", "/gone"] {
            _ = try master.createFile(Self.path(file), replication: 1)
        }
        _ = try master.remove(Self.path("/gone"), recursive: false)
        var whole: [GFSPath] = []
        #expect(try master.namespace.walk(.root) { path, _ in whole.append(path) } == nil)
        #expect(whole.map(\.string) == ["/", "/a", "/a/b", "/a/b/c", "/a/b/c/f1", "/a/b/f2", "/a/e", "/a/e/f6", "/a/e/f7",
                                        "/a/f3", "/a-c", "/a-c/f4", "/f5", "/z", "/z/empty"])
        for top in [GFSPath.root, Self.path("/a"), Self.path("/a/b/c/f1")] {
            var all: [GFSPath] = []
            _ = try master.namespace.walk(top) { path, _ in all.append(path) }
            let one = try master.fsck(top) { _, _, _ in }
            var paged: [GFSPath] = []
            var totals = FsckSummary()
            var after: GFSPath?
            for _ in 0...all.count {
                var page: [GFSPath] = []
                let next = try master.namespace.walk(top, after: after, limit: pageSize) { path, _ in page.append(path) }
                #expect(page.count <= pageSize && !page.isEmpty)
                #expect(next == nil || next == page.last)
                totals.add(try master.fsck(top, after: after, limit: pageSize) { _, _, _ in }.summary)
                paged += page
                guard let next else { break }
                after = next
            }
            #expect(paged == all, "top \(top)")
            #expect(totals == one && one.files + one.directories == all.count)
            #expect(all.allSatisfy { $0 == top || $0.isDescendant(of: top) } && !all.contains { $0.isInTrash })
        }
        // The cursor's own directory is deleted between pages: the walk goes on with what followed it.
        _ = try master.remove(Self.path("/a/e"), recursive: true)
        var rest: [GFSPath] = []
        _ = try master.namespace.walk(.root, after: Self.path("/a/e/f6"), limit: 100) { path, _ in rest.append(path) }
        #expect(rest.map(\.string) == ["/a/f3", "/a-c", "/a-c/f4", "/f5", "/z", "/z/empty"])
        #expect(throws: GFSError.self) { try master.fsck(Self.path("/a"), after: Self.path("/z"), limit: 1) { _, _, _ in } }
        #expect(throws: GFSError.self, "a cursor cannot lead into the trash") {
            try master.namespace.walk(.root, after: Trash.folder.appending("x"), limit: 5) { _, _ in }
        }
    }

    /// A checkpoint restores every entry, whether a directory's children come together (as written) or
    /// scattered among others' (any parents-first order).
    @Test func checkpointsRestoreTheNamespaceInAnyParentsFirstOrder() throws {
        for directory in ["/a", "/a/b", "/b", "/b/a", "/c"] { _ = try master.makeDirectory(Self.path(directory), parents: false) }
        for file in ["/a/x", "/a/b/y", "/b/z", "/b/a/w", "/f", "/a/b/longer-than-fifteen-bytes"] {
            _ = try master.createFile(Self.path(file), replication: 2)
        }
        var bytes: [UInt8] = []
        Checkpoint.encode(master, sequence: 1) { bytes += $0 }
        var contents = try Checkpoint.decode(bytes)
        var original: [String] = []
        _ = try master.namespace.walk(.root) { path, entry in original.append("\(path) \(entry)") }
        for scatter in [false, true] {
            if scatter {
                contents.entries.sort { ($0.path.components.count, $1.path.name) < ($1.path.components.count, $0.path.name) }
            }
            var restored = MasterStateMachine(configuration: master.configuration, clock: clock, firstHandle: 100)
            restored.restore(contents)
            var walked: [String] = []
            _ = try restored.namespace.walk(.root) { path, entry in walked.append("\(path) \(entry)") }
            #expect(walked == original, "scattered: \(scatter)")
            #expect(restored.namespace.count == master.namespace.count)
        }
        let child = Self.path("/a/b")
        #expect(child.isChild(of: Self.path("/a")) && !child.isChild(of: .root) && !child.isChild(of: Self.path("/a/b")))
        #expect(Self.path("/a").isChild(of: .root) && !GFSPath.root.isChild(of: .root) && !Self.path("/ab/c").isChild(of: Self.path("/a")))
    }

    @Test func namespaceRules() throws {
        #expect(try master.makeDirectory(Self.path("/a/b"), parents: true).count == 2)
        #expect(throws: GFSError(.exists, "/a: already exists")) { try master.makeDirectory(Self.path("/a"), parents: false) }
        #expect(throws: GFSError(.notFound, "/x: no such directory")) { try master.createFile(Self.path("/x/f"), replication: nil) }
        _ = try master.createFile(Self.path("/a/f"), replication: nil)
        #expect(throws: GFSError(.notDirectory, "/a/f: not a directory")) { try master.createFile(Self.path("/a/f/g"), replication: nil) }
        #expect(try master.list(Self.path("/a")).map(\.path.name) == ["b", "f"])
        #expect(throws: GFSError(.notEmpty, "/a: directory not empty")) { try master.remove(Self.path("/a"), recursive: false) }
        #expect(throws: (any Error).self) { try master.move(Self.path("/a"), to: Self.path("/a/b/c")) }
        _ = try master.move(Self.path("/a"), to: Self.path("/z"))
        #expect(master.namespace[Self.path("/z/f")]?.kind == .file)
        #expect(master.namespace[Self.path("/a/f")] == nil)
        #expect(master.namespace[Self.path("/z/b")]?.kind == .directory)
        #expect(master.namespace.subtree(Self.path("/z")).map(\.string) == ["/z", "/z/b", "/z/f"])
        #expect(master.namespace.count == 4)
        _ = try master.remove(Self.path("/z"), recursive: true)
        #expect(master.namespace.count == 1)
    }

    /// Every durable change is a Mutation; replaying them on a fresh machine yields the same namespace.
    @Test func mutationsReplayToTheSameState() throws {
        var log: [Mutation] = []
        log += try master.makeDirectory(Self.path("/d"), parents: false)
        log.append(try master.createFile(Self.path("/d/f"), replication: 2))
        log.append(try master.move(Self.path("/d/f"), to: Self.path("/g")))
        var replay = MasterStateMachine(configuration: master.configuration, clock: clock)
        for mutation in log { replay.apply(mutation) }
        #expect(replay.namespace.subtree(.root) == master.namespace.subtree(.root))
        #expect(replay.namespace[Self.path("/g")] == master.namespace[Self.path("/g")])
    }

    // MARK: - Allocation and placement

    /// Reference: GFS §4.2 — three replicas on distinct chunkservers.
    @Test func allocationPlacesDistinctReplicas() throws {
        let handle = try fileWithOneChunk()
        #expect(master.liveReplicas(handle).count == 3)
        let again = try master.allocate(Self.path("/f"), index: 0)
        #expect(again == .existing(ChunkLocation(index: 0, handle: handle, version: 1, replicas: master.liveReplicas(handle))))
        #expect(throws: GFSError.self) { try master.allocate(Self.path("/f"), index: 5) }
    }

    /// Issue 17: with fewer live servers than the goal, a chunk goes to those there are, as long as writes
    /// can reach --min-replicas (2 by default); repair brings it to its goal later.
    @Test func allocationGoesOnWithFewerServersDownToTheMinimum() throws {
        registerServers(2)
        _ = try master.createFile(Self.path("/f"), replication: 3)
        guard case let .create(_, _, _, servers) = try master.allocate(Self.path("/f"), index: 0) else {
            Issue.record("expected a creation plan")
            return
        }
        #expect(servers.count == 2)
        _ = try master.createFile(Self.path("/g"), replication: 3)
        clock.advance(by: .seconds(130))
        _ = try master.heartbeat(Self.server(1), freeBytes: 1 << 39, extendLeases: [])  // 2 died
        #expect(throws: GFSError(.unavailable, "/g needs 2 live chunkservers to write (its goal is 3), only 1 alive")) {
            try master.allocate(Self.path("/g"), index: 0)
        }
    }

    /// Creates /f (goal 3) and its chunk 0 with only two servers registered.
    func chunkOnTwoOfThree() throws -> ChunkHandle {
        registerServers(2)
        _ = try master.createFile(Self.path("/f"), replication: 3)
        guard case let .create(index, handle, version, servers) = try master.allocate(Self.path("/f"), index: 0) else {
            throw GFSError(.internal, "expected a creation plan")
        }
        _ = try master.chunkCreated(Self.path("/f"), index: index, handle: handle, version: version, confirmed: servers)
        return handle
    }

    /// Issue 17: a chunk written at fewer replicas than its goal reaches the goal under steady appends. A copy
    /// needs the chunk unleased, so once a target exists its lease is not extended, and a new lease waits for
    /// the copy (at most `longestRepairHold`), rather than the chunk staying at two replicas for good.
    @Test func aChunkShortOfItsGoalIsCopiedBetweenLeases() throws {
        let handle = try chunkOnTwoOfThree()
        let primary = try grantedLease(handle)  // no third server yet: writes go on at two replicas
        _ = master.register(Self.server(3), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39, report: [])
        let extended = try master.heartbeat(primary, freeBytes: 1 << 39, extendLeases: [handle])
        #expect(extended.extended.isEmpty, "a copy to the new server waits for this lease to end")
        clock.advance(by: .seconds(61))
        for port in 1...3 { _ = try master.heartbeat(Self.server(port), freeBytes: 1 << 39, extendLeases: []) }
        let held = #expect(throws: GFSError.self) { try master.requestLease(handle, of: Self.path("/f")) }
        #expect(held?.code == .lease)
        #expect(held?.retryAfter.map { $0 > .zero && $0 <= MasterStateMachine.longestRepairHold } == true,
                "it says when the hold ends")
        let orders = master.planReplication()
        let order = try #require(orders.first { $0.handle == handle })
        #expect(order.target == Self.server(3))
        master.cloneFinished(order, succeeded: true)
        guard case let .grant(_, _, _, replicas, _) = try master.requestLease(handle, of: Self.path("/f")) else {
            Issue.record("a lease once the chunk is back at its goal")
            return
        }
        #expect(replicas.count == 3)
    }

    /// Writers are held back for a copy only so long: a copy that cannot finish does not stop writes.
    @Test func aLeaseWaitsForACopyOnlySoLong() throws {
        let handle = try chunkOnTwoOfThree()
        _ = master.register(Self.server(3), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39, report: [])
        #expect(throws: GFSError.self) { try master.requestLease(handle, of: Self.path("/f")) }
        clock.advance(by: MasterStateMachine.longestRepairHold + .seconds(1))
        for port in 1...3 { _ = try master.heartbeat(Self.server(port), freeBytes: 1 << 39, extendLeases: []) }
        guard case .grant = try master.requestLease(handle, of: Self.path("/f")) else {
            Issue.record("the hold ends")
            return
        }
    }

    /// Issue 17: after a restart a chunk waits out the lease fence only until a replica at its version
    /// registers reporting no lease; one whose primary reports a lease waits for that lease's end.
    @Test func theLeaseFenceLiftsPerChunkAsReplicasReport() throws {
        let handle = try fileWithOneChunk()
        let primary = try grantedLease(handle)
        let version = try #require(master.chunks[handle]?.version)
        master.leaseRevoked(handle)  // as a restarted master, which knows no lease and fences them all
        master.fenceLeasesAfterRestart()
        #expect(throws: GFSError.self) { try master.requestLease(handle) }
        let others = (1...3).map(Self.server).filter { $0 != primary }
        _ = master.register(others[0], rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39,
                            report: [ReportedChunk(handle: handle, version: version - 1, length: 0)])
        #expect(throws: GFSError.self, "a stale replica proves nothing") { try master.requestLease(handle) }
        _ = master.register(primary, rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39,
                            report: [ReportedChunk(handle: handle, version: version, length: 0, leaseMilliseconds: 5000)])
        #expect(throws: GFSError.self, "its primary still holds a lease") { try master.requestLease(handle) }
        _ = master.register(others[1], rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39,
                            report: [ReportedChunk(handle: handle, version: version, length: 0)])
        let fenced = #expect(throws: GFSError.self, "until the reported lease ends") { try master.requestLease(handle) }
        #expect(fenced?.retryAfter.map { $0 >= .seconds(5) && $0 <= .milliseconds(5800) } == true,
                "it says when: the reported lease's end, with a margin for clock drift")
        clock.advance(by: .milliseconds(5800))
        for server in [primary, others[1]] { _ = try master.heartbeat(server, freeBytes: 1 << 39, extendLeases: []) }
        guard case let .grant(_, granted, _, replicas, _) = try master.requestLease(handle) else {
            Issue.record("a lease once the reported one ended, long before the fence")
            return
        }
        _ = try master.leaseGrantFinished(handle, version: granted, confirmed: replicas, primaryNeverReached: false)
        // A promoted shadow's replica locations predate its promotion: registrations lift nothing there.
        master.leaseRevoked(handle)
        master.fenceLeasesAfterPromotion()
        _ = master.register(others[1], rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39,
                            report: [ReportedChunk(handle: handle, version: granted, length: 0)])
        #expect(throws: GFSError.self, "the whole fence after a promotion") { try master.requestLease(handle) }
    }

    /// A reported lease that ended while its primary died leaves the chunk fenced, and the refusal names the
    /// fence's end, never a time already past.
    @Test func theFenceNamesItsEndOnceAReportedLeaseHasEnded() throws {
        let handle = try fileWithOneChunk()
        let primary = try grantedLease(handle)
        let version = try #require(master.chunks[handle]?.version)
        master.leaseRevoked(handle)
        master.fenceLeasesAfterRestart()
        _ = master.register(primary, rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39,
                            report: [ReportedChunk(handle: handle, version: version, length: 0, leaseMilliseconds: 5000)])
        master.serverDisconnected(primary)
        clock.advance(by: .seconds(10))
        let refusal = #expect(throws: GFSError.self) { try master.requestLease(handle) }
        #expect(refusal?.retryAfter == .seconds(50), "the 60 s fence, 10 s in")
    }

    @Test func silentServersDieAfterTheHeartbeatTimeout() throws {
        registerServers(3)
        clock.advance(by: .seconds(100))
        _ = try master.heartbeat(Self.server(1), freeBytes: 1000, extendLeases: [])
        clock.advance(by: .seconds(30))
        #expect(master.isAlive(Self.server(1)))
        #expect(!master.isAlive(Self.server(2)))
        master.serverDisconnected(Self.server(1))
        #expect(!master.isAlive(Self.server(1)))
        #expect(throws: GFSError.self) { try master.heartbeat(Self.server(1), freeBytes: 1, extendLeases: []) }
    }

    // MARK: - Leases and versions

    /// Reference: GFS §3.1, §4.5 — a new lease bumps the version; a replica that misses it keeps the lease from
    /// being handed out, is left out when it is re-issued, and is stale once that one is.
    @Test func leaseGrantBumpsTheVersion() throws {
        let handle = try fileWithOneChunk()
        guard case let .grant(_, version, primary, replicas, duration) = try master.requestLease(handle) else {
            Issue.record("expected a grant")
            return
        }
        #expect(version == 2)
        #expect(duration == .seconds(60))
        let missing = try #require(replicas.last { $0 != primary })
        let confirmed = replicas.filter { $0 != missing }
        let (outcome, log) = master.grantFinished(handle, version: version, confirmed: confirmed, primaryNeverReached: false)
        #expect(throws: GFSError.self) { try outcome.get() }
        #expect(log == [.issueVersion(handle, 2)])
        #expect(master.liveCompleteReplicas(handle).contains(missing), "no mutation can have happened at version 2")
        clock.advance(by: .seconds(10))
        guard case let .grant(_, reissued, samePrimary, kept, left) = try master.requestLease(handle) else {
            Issue.record("expected the lease re-issued")
            return
        }
        #expect(reissued == 3 && samePrimary == primary && Set(kept) == Set(confirmed))
        #expect(left == .seconds(50), "a lease no client was handed is not lengthened by re-issuing it")
        let (lease, mutation) = try master.leaseGrantFinished(handle, version: reissued, confirmed: kept,
                                                              primaryNeverReached: false)
        #expect(mutation == .setVersion(handle, 3))
        #expect(lease.primary == primary)
        #expect(master.liveReplicas(handle).count == 2)
        #expect(!master.liveCompleteReplicas(handle).contains(missing))
    }

    /// A grant that only its primary took moves no acknowledged data: the replicas it left behind still hold
    /// everything, serve reads if the primary's copy is lost, and are brought to the new version once no lease
    /// stands (found by make chaos, seed 107: such a chunk's one current replica was on the flipping disk).
    @Test func replicasBehindAnUnusedVersionAreCaughtUp() throws {
        let handle = try fileWithOneChunk()
        guard case let .grant(_, version, primary, replicas, _) = try master.requestLease(handle) else {
            Issue.record("expected a grant")
            return
        }
        let (outcome, log) = master.grantFinished(handle, version: version, confirmed: [primary], primaryNeverReached: false)
        #expect(throws: GFSError.self) { try outcome.get() }
        #expect(log == [.issueVersion(handle, version)])
        let behind = replicas.filter { $0 != primary }
        #expect(master.planCatchUps().isEmpty, "not while the unused lease stands")
        // The primary's replica fails its checksum (which also ends its lease).
        master.replicaCorrupt(handle, on: primary)
        let read = try #require(master.lookup(Self.path("/f")).chunks.first)
        #expect(read.version == 1 && read.replicas == behind)
        clock.advance(by: .seconds(61))
        for server in behind { _ = try master.heartbeat(server, freeBytes: 1 << 39, extendLeases: []) }
        let plans = master.planCatchUps()
        #expect(plans == [.init(handle: handle, version: version, servers: behind)])
        #expect(master.planCatchUps().isEmpty, "one at a time")
        master.catchUpFinished(plans[0], confirmed: behind)
        #expect(master.liveReplicas(handle) == behind)
        #expect(master.check(index: 0, handle: handle).status != .staleOnly)
    }

    /// Reference: GFS §3.1 — no second lease before the first expires, even with the primary unreachable.
    @Test func noSecondLeaseBeforeExpiry() throws {
        let handle = try fileWithOneChunk()
        guard case let .grant(_, version, primary, replicas, _) = try master.requestLease(handle) else {
            Issue.record("expected a lease grant")
            return
        }
        _ = try master.leaseGrantFinished(handle, version: version, confirmed: replicas, primaryNeverReached: false)
        master.leaseRecorded(handle, version: version)
        #expect(try master.requestLease(handle) == .current(
            LeaseInfo(handle: handle, version: 2, primary: primary, secondaries: replicas.filter { $0 != primary },
                      remaining: .seconds(60))))
        master.serverDisconnected(primary)
        clock.advance(by: .seconds(59))
        let refusal = #expect(throws: GFSError.self) { try master.requestLease(handle) }
        #expect(refusal?.code == .lease)
        #expect(refusal?.retryAfter == .seconds(1), "the refusal says when the lease ends")
        clock.advance(by: .seconds(2))
        guard case let .grant(_, newVersion, newPrimary, _, _) = try master.requestLease(handle) else {
            Issue.record("expected a new grant after expiry")
            return
        }
        #expect(newVersion == 3)
        #expect(newPrimary != primary)
    }

    /// Reference: GFS §3.1 — the primary's lease is extended through heartbeats while it mutates.
    @Test func heartbeatsExtendTheLease() throws {
        let handle = try fileWithOneChunk()
        let primary = try grantedLease(handle)
        clock.advance(by: .seconds(50))
        let outcome = try master.heartbeat(primary, freeBytes: 1000, extendLeases: [handle])
        #expect(outcome.extended.map(\.0) == [handle])
        clock.advance(by: .seconds(50))
        guard case let .current(lease) = try master.requestLease(handle) else {
            Issue.record("the extended lease should still hold")
            return
        }
        #expect(lease.remaining == .seconds(10))
        let other = try #require(lease.secondaries.first)
        #expect(try master.heartbeat(other, freeBytes: 1000, extendLeases: [handle]).extended.isEmpty)
    }

    @Test func undeliveredGrantIsWithdrawn() throws {
        let handle = try fileWithOneChunk()
        guard case let .grant(_, version, _, _, _) = try master.requestLease(handle) else {
            Issue.record("expected a lease grant")
            return
        }
        #expect(throws: GFSError.self) {
            try master.leaseGrantFinished(handle, version: version, confirmed: [], primaryNeverReached: true)
        }
        guard case .grant = try master.requestLease(handle) else {
            Issue.record("a lease never delivered must not block a new one")
            return
        }
    }

    // MARK: - Reports

    /// Reference: GFS §4.5, §4.4 — unknown chunks in a report are deleted; a stale version is remembered as
    /// stale (never handed out, never the last copy deleted); a version a grant or two ahead is adopted, one
    /// no grant could have made is not.
    @Test func registrationSortsOutStaleOrphanAndNewerReplicas() throws {
        let handle = try fileWithOneChunk()
        let orphan = ChunkHandle(9)
        let (deletions, adopted) = master.register(Self.server(1), rack: "", capacityBytes: 1, freeBytes: 1, report: [
            ReportedChunk(handle: handle, version: 1, length: 0), ReportedChunk(handle: orphan, version: 1, length: 0),
        ])
        #expect(deletions == [orphan])
        #expect(adopted.isEmpty)
        let (staleDeletions, _) = master.register(Self.server(2), rack: "", capacityBytes: 1, freeBytes: 1, report: [
            ReportedChunk(handle: handle, version: 0, length: 0),
        ])
        #expect(staleDeletions.isEmpty)
        #expect(master.health(handle).stale.map(\.server) == [Self.server(2)])
        let (_, forged) = master.register(Self.server(4), rack: "", capacityBytes: 1, freeBytes: 1, report: [
            ReportedChunk(handle: handle, version: 1_000_000, length: 0),
        ])
        #expect(forged.isEmpty)
        #expect(master.chunks[handle]?.version == 1)
        let (_, newer) = master.register(Self.server(3), rack: "", capacityBytes: 1, freeBytes: 1, report: [
            ReportedChunk(handle: handle, version: 4, length: 0),
        ])
        #expect(newer == [.setVersion(handle, 4)])
        #expect(master.liveReplicas(handle) == [Self.server(3)])
    }

    /// A chunk being created is not an orphan, whatever a registration says (it is not in the table yet).
    @Test func registrationSparesChunksBeingCreated() throws {
        registerServers(3)
        _ = try master.createFile(Self.path("/f"), replication: 3)
        guard case let .create(_, handle, _, _) = try master.allocate(Self.path("/f"), index: 0) else {
            Issue.record("expected a creation plan")
            return
        }
        let (deletions, _) = master.register(Self.server(1), rack: "", capacityBytes: 1, freeBytes: 1,
                                             report: [ReportedChunk(handle: handle, version: 1, length: 0)])
        #expect(deletions.isEmpty)
    }

    /// Reference: DESIGN.md §6, HDFS's generation stamps — a secondary that falls silent during a lease is
    /// dropped from it, and the version moves on for the replicas left, so when the silent one comes back
    /// (here by heartbeating again, as after SIGSTOP/SIGCONT) it is stale and never handed out again.
    @Test func secondaryLeftOutOfALeaseBecomesStale() throws {
        master = MasterStateMachine(configuration: { var c = master.configuration; c.heartbeatTimeout = .seconds(2); return c }(),
                                    clock: clock, firstHandle: 100, seed: 42)
        let handle = try fileWithOneChunk()
        guard case let .grant(_, version, primary, replicas, _) = try master.requestLease(handle) else {
            Issue.record("expected a grant")
            return
        }
        let (lease, _) = try master.leaseGrantFinished(handle, version: version, confirmed: replicas, primaryNeverReached: false)
        #expect(lease.secondaries.count == 2)
        let silent = lease.secondaries[0]
        let others = replicas.filter { $0 != silent }
        clock.advance(by: .seconds(3))
        for server in others { _ = try master.heartbeat(server, freeBytes: 1, extendLeases: []) }
        guard case let .grant(_, bumped, samePrimary, kept, _) = try master.requestLease(handle) else {
            Issue.record("losing a secondary must re-issue the lease at a new version")
            return
        }
        #expect(bumped == version + 1 && samePrimary == primary && kept.sorted() == others.sorted())
        let (renewed, mutation) = try master.leaseGrantFinished(handle, version: bumped, confirmed: kept,
                                                                primaryNeverReached: false)
        master.leaseRecorded(handle, version: bumped)
        #expect(mutation == .setVersion(handle, bumped))
        #expect(renewed.secondaries == others.filter { $0 != primary })
        // The silent server wakes up and heartbeats: it holds the old version, so it is stale.
        _ = try master.heartbeat(silent, freeBytes: 1, extendLeases: [])
        #expect(!master.liveReplicas(handle).contains(silent))
        #expect(master.health(handle).stale.map(\.server) == [silent])
        // Once the lease is current with its smaller set, clients are told exactly that set.
        guard case let .current(info) = try master.requestLease(handle) else {
            Issue.record("the re-issued lease stands")
            return
        }
        #expect(info.version == bumped && info.secondaries == renewed.secondaries)
    }

    /// Replicas that are alive but cannot take a version (a disk that fails the version's fsync, say) do not
    /// hold their chunk back: the next lease leaves them out, and repair copies the chunk elsewhere.
    @Test func replicasThatCannotTakeAVersionAreWorkedAround() throws {
        let handle = try fileWithOneChunk()
        for port in 4...5 {
            _ = master.register(Self.server(port), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39, report: [])
        }
        guard case let .grant(_, version, primary, replicas, _) = try master.requestLease(handle) else {
            Issue.record("expected a grant")
            return
        }
        let broken = replicas.filter { $0 != primary }
        _ = master.grantFinished(handle, version: version, confirmed: [primary], primaryNeverReached: false)
        clock.advance(by: .seconds(61))
        for port in 1...5 { _ = try master.heartbeat(Self.server(port), freeBytes: 1 << 39, extendLeases: []) }
        #expect(throws: GFSError.self, "one replica that can take versions is too few to write") {
            try master.requestLease(handle)
        }
        #expect(master.planCatchUps().isEmpty, "the broken ones were just tried")
        let copies = master.planReplication().filter { $0.handle == handle }
        #expect(copies.count == 2 && copies.allSatisfy { $0.source == primary && !broken.contains($0.target) })
    }

    /// A version is logged as reserved before any replica hears of it, so a master restarted from its log never
    /// issues it again, and a replica found holding it after the restart leaves the others complete (found by
    /// the simulation, seeds 2540 and 2212: a restarted master re-issued a version a replica had taken from a
    /// grant the crash cut short, and that replica, missing the writes made under the new grant, counted as
    /// current; or adopted such a version as settled and left the chunk only stale replicas).
    @Test func reservedVersionsSurviveARestart() throws {
        let handle = try fileWithOneChunk()
        guard case let .grant(_, version, primary, _, _) = try master.requestLease(handle) else {
            Issue.record("expected a grant")
            return
        }
        var log: [Mutation] = [.createFile(Self.path("/f"), replication: 3, records: false, modified: 0),
                               .addChunk(Self.path("/f"), handle, version: 1), .reserveVersion(handle, version)]
        // The master crashes before the grant finishes; the primary took the version.
        var restarted = MasterStateMachine(configuration: master.configuration, clock: clock, firstHandle: 100, seed: 7)
        for mutation in log { restarted.apply(mutation) }
        for port in 1...3 where Self.server(port) != primary {
            _ = restarted.register(Self.server(port), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39,
                                   report: [ReportedChunk(handle: handle, version: 1, length: 0)])
        }
        guard case let .grant(_, next, _, _, _) = try restarted.requestLease(handle) else {
            Issue.record("expected a grant")
            return
        }
        #expect(next > version, "version \(version) went out before the crash")
        log.append(.reserveVersion(handle, next))
        let (_, adopted) = restarted.register(primary, rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39,
                                               report: [ReportedChunk(handle: handle, version: version, length: 0)])
        #expect(adopted == [.issueVersion(handle, version)], "no lease at a reserved version reached a client")
        #expect(restarted.liveCompleteReplicas(handle).count == 3)
    }

    /// A grant whose primary did not answer still moved the secondaries to the new version: that bump must be
    /// logged, or a restarted master finds them too far ahead to adopt and loses the chunk (found by the
    /// simulation, seed 139, after a run of such grants and a master crash).
    @Test func aFailedGrantStillLogsItsVersionBump() throws {
        let handle = try fileWithOneChunk()
        guard case let .grant(_, version, primary, replicas, _) = try master.requestLease(handle) else {
            Issue.record("expected a grant")
            return
        }
        let others = replicas.filter { $0 != primary }
        let (outcome, log) = master.grantFinished(handle, version: version, confirmed: others, primaryNeverReached: false)
        #expect(log == [.issueVersion(handle, version)])
        #expect(throws: GFSError.self) { try outcome.get() }
    }

    /// No write is acknowledged by fewer than `minReplicas` replicas (found by make chaos: a lease re-issued
    /// down to its primary alone, whose disk then flipped a byte, lost acknowledged writes). A chunk with one
    /// live current replica gets no lease until repair copies it.
    @Test func leasesNeedTheMinimumOfReplicas() throws {
        master = MasterStateMachine(configuration: { var c = master.configuration; c.heartbeatTimeout = .seconds(2); return c }(),
                                    clock: clock, firstHandle: 100, seed: 42)
        let handle = try fileWithOneChunk()
        let primary = try grantedLease(handle)
        // Both secondaries go silent: re-issuing to the primary alone would acknowledge with one copy.
        clock.advance(by: .seconds(3))
        _ = try master.heartbeat(primary, freeBytes: 1, extendLeases: [])
        #expect(throws: GFSError.self) { try master.requestLease(handle) }
        // Nor is the lease extended: it runs out, so repair may copy the chunk.
        let outcome = try master.heartbeat(primary, freeBytes: 1, extendLeases: [handle])
        #expect(outcome.extended.isEmpty)
        clock.advance(by: .seconds(61))
        _ = try master.heartbeat(primary, freeBytes: 1, extendLeases: [])
        #expect(throws: GFSError.self) { try master.requestLease(handle) }
        _ = master.register(Self.server(4), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39, report: [])
        #expect(master.planReplication().contains { $0.handle == handle }, "the chunk is copied instead")
    }

    /// A copy-on-write that fewer than `minReplicas` replicas made is not taken: the file keeps the shared
    /// chunk (its acknowledged bytes must not come to rest on one disk).
    @Test func copyOnWriteNeedsTheMinimumOfReplicas() throws {
        let handle = try fileWithOneChunk()
        _ = try master.snapshot(Self.path("/f"), to: Self.path("/g"))
        guard case let .copyOnWrite(index, old, new, version, servers) = try master.allocate(Self.path("/f"), index: 0) else {
            Issue.record("a shared chunk is copied before a write")
            return
        }
        #expect(old == handle && servers.count == 3)
        #expect(throws: GFSError.self) {
            try master.chunkCloned(Self.path("/f"), index: index, from: old, to: new, version: version, confirmed: [servers[0]])
        }
        #expect(try master.stat(Self.path("/f")).chunks == [handle])
    }

    /// A grant whose primary answered too late is never handed out (the master never recorded its version):
    /// the next request re-issues it at a version never used before, and only that one, once recorded, is
    /// current.
    @Test func unconfirmedGrantIsReissuedNeverHandedOut() throws {
        let handle = try fileWithOneChunk()
        guard case let .grant(_, first, primary, replicas, _) = try master.requestLease(handle) else {
            Issue.record("expected a grant")
            return
        }
        #expect(throws: GFSError.self) {
            try master.leaseGrantFinished(handle, version: first, confirmed: [], primaryNeverReached: false)
        }
        guard case let .grant(_, second, samePrimary, _, _) = try master.requestLease(handle) else {
            Issue.record("an unconfirmed lease must not be handed out as current")
            return
        }
        #expect(second > first && samePrimary == primary)
        _ = try master.leaseGrantFinished(handle, version: second, confirmed: replicas, primaryNeverReached: false)
        guard case .grant = try master.requestLease(handle) else {
            Issue.record("a confirmed lease is handed out only once its version is on disk")
            return
        }
        guard case let .grant(_, third, _, _, _) = try master.requestLease(handle) else {
            Issue.record("expected a lease grant")
            return
        }
        _ = try master.leaseGrantFinished(handle, version: third, confirmed: replicas, primaryNeverReached: false)
        master.leaseRecorded(handle, version: third)
        guard case let .current(info) = try master.requestLease(handle) else {
            Issue.record("a recorded lease is current")
            return
        }
        #expect(info.version == third && third > second)
    }

    /// A replica that re-registers during a lease it was granted with holds every acknowledged mutation (the
    /// primary could not acknowledge one without it), so it counts again at once.
    @Test func grantedReplicaReturningDuringItsLeaseCounts() throws {
        let handle = try fileWithOneChunk()
        guard case let .grant(_, version, primary, replicas, _) = try master.requestLease(handle) else {
            Issue.record("expected a lease grant")
            return
        }
        _ = try master.leaseGrantFinished(handle, version: version, confirmed: replicas, primaryNeverReached: false)
        master.leaseRecorded(handle, version: version)
        let returning = try #require(replicas.first { $0 != primary })
        master.serverDisconnected(returning)
        _ = master.register(returning, rack: "", capacityBytes: 1, freeBytes: 1,
                            report: [ReportedChunk(handle: handle, version: version, length: 0)])
        #expect(master.liveReplicas(handle).contains(returning))
    }

    /// A late extension of a lease names its version; the heartbeat reply carries it.
    @Test func extensionsCarryTheLeaseVersion() throws {
        let handle = try fileWithOneChunk()
        guard case let .grant(_, version, primary, replicas, _) = try master.requestLease(handle) else {
            Issue.record("expected a lease grant")
            return
        }
        _ = try master.leaseGrantFinished(handle, version: version, confirmed: replicas, primaryNeverReached: false)
        master.leaseRecorded(handle, version: version)
        let outcome = try master.heartbeat(primary, freeBytes: 1, extendLeases: [handle])
        #expect(outcome.extended.map(\.1) == [version])
    }

    @Test func removedFilesQueueTheirReplicasForDeletion() throws {
        let handle = try fileWithOneChunk()
        _ = try master.remove(Self.path("/f"), recursive: false)
        #expect(master.chunks[handle] == nil)
        #expect(try master.heartbeat(Self.server(1), freeBytes: 1, extendLeases: []).deletions == [handle])
        #expect(try master.heartbeat(Self.server(1), freeBytes: 1, extendLeases: []).deletions.isEmpty)
    }

    /// A primary that reports its own replica corrupt loses its lease at once: it holds the chunk no more.
    @Test func corruptPrimaryLosesItsLease() throws {
        let handle = try fileWithOneChunk()
        guard case let .grant(_, version, primary, replicas, _) = try master.requestLease(handle) else {
            Issue.record("expected a lease grant")
            return
        }
        _ = try master.leaseGrantFinished(handle, version: version, confirmed: replicas, primaryNeverReached: false)
        master.leaseRecorded(handle, version: version)
        master.replicaCorrupt(handle, on: primary)
        // The chunk is short of its goal with somewhere to go: the next lease waits for that copy a while.
        #expect(throws: GFSError.self) { try master.requestLease(handle) }
        clock.advance(by: MasterStateMachine.longestRepairHold)
        guard case let .grant(_, next, newPrimary, _, _) = try master.requestLease(handle) else {
            Issue.record("a new lease must be granted without the corrupt primary")
            return
        }
        #expect(next > version && newPrimary != primary)
    }

    @Test func corruptReplicasStopBeingHandedOut() throws {
        let handle = try fileWithOneChunk()
        master.replicaCorrupt(handle, on: Self.server(2))
        #expect(!master.liveReplicas(handle).contains(Self.server(2)))
        #expect(try master.heartbeat(Self.server(2), freeBytes: 1, extendLeases: []).deletions == [handle])
    }

    @Test func lengthsOnlyGrowAndStayWithinTheChunks() throws {
        _ = try fileWithOneChunk()
        #expect(try master.extendLength(Self.path("/f"), to: 100) != nil)
        #expect(try master.extendLength(Self.path("/f"), to: 50) == nil)
        #expect(try master.stat(Self.path("/f")).length == 100)
        #expect(throws: GFSError.self) { try master.extendLength(Self.path("/f"), to: 2 << 20) }
    }
}
