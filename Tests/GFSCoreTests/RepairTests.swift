// Goal: the master's repair decisions (GFS §4.3, §4.4) — which chunks are copied first, within what limits,
// what is deleted, what waits — and lazy deletion through the trash, without sockets or sleeps.
// Method: a MasterStateMachine on a ManualClock; chunkservers are register/heartbeat/report calls.
import GFSCore
import GFSTestSupport
import Testing

@Suite final class RepairTests {
    let clock = ManualClock()
    var master: MasterStateMachine

    init() {
        var configuration = MasterConfiguration()
        configuration.chunkSize = 1 << 20
        configuration.heartbeatTimeout = .seconds(10)
        configuration.leaseDuration = .seconds(5)
        configuration.restartGrace = .seconds(60)
        configuration.deletedGrace = .seconds(3600)
        configuration.clonesPerServer = 2
        configuration.clonesTotal = 8
        master = MasterStateMachine(configuration: configuration, clock: clock, firstHandle: 100, seed: 7)
    }

    static func server(_ port: Int) -> ServerID { ServerID(host: "127.0.0.1", port: port) }
    static func path(_ text: String) -> GFSPath { GFSPath(text)! }

    func register(_ ports: ClosedRange<Int>) {
        for port in ports {
            _ = master.register(Self.server(port), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39, report: [])
        }
    }

    /// Keeps `ports` alive across a clock step.
    func beat(_ ports: [Int]) throws {
        for port in ports { _ = try master.heartbeat(Self.server(port), freeBytes: 1 << 39, extendLeases: []) }
    }

    /// A file of `chunks` chunks whose replicas sit on exactly `on`.
    func file(_ name: String, chunks: Int, on ports: [Int], replication: Int = 3) throws -> [ChunkHandle] {
        _ = try master.createFile(Self.path(name), replication: replication)
        var handles: [ChunkHandle] = []
        for index in 0..<chunks {
            guard case let .create(_, handle, version, _) = try master.allocate(Self.path(name), index: index) else {
                Issue.record("expected a creation plan")
                return []
            }
            _ = try master.chunkCreated(Self.path(name), index: index, handle: handle, version: version,
                                        confirmed: ports.map(Self.server))
            handles.append(handle)
        }
        return handles
    }

    /// The servers placement picks for the first chunk of a new file `name`.
    func placement(_ name: String) throws -> [ServerID] {
        _ = try master.createFile(Self.path(name), replication: 3)
        guard case let .create(_, _, _, servers) = try master.allocate(Self.path(name), index: 0) else {
            Issue.record("expected a creation plan")
            return []
        }
        return servers
    }

    /// Reference: GFS §4.3 — a chunk that lost two replicas is copied before one that lost one; limits hold.
    @Test func furthestFromGoalFirstWithinLimits() throws {
        register(1...5)
        let oneLeft = try file("/a", chunks: 1, on: [1, 2, 3])[0]
        let twoLeft = try file("/b", chunks: 1, on: [1, 4, 5])[0]
        master.tune(clonesPerServer: 2, clonesTotal: 1, cloneBytesPerSecond: nil)
        clock.advance(by: .seconds(11))
        try beat([1, 4, 5])  // 2 and 3 are dead: /a has one replica left, /b all three
        let first = master.planReplication()
        #expect(first.map(\.handle) == [oneLeft])
        #expect(first.first?.source == Self.server(1))
        #expect(first.first.map { [4, 5].map(Self.server).contains($0.target) } == true)
        #expect(master.planReplication().isEmpty, "the cluster-wide limit of 1 copy is taken")
        master.cloneFinished(try #require(first.first), succeeded: true)
        master.tune(clonesPerServer: nil, clonesTotal: 8, cloneBytesPerSecond: nil)
        let second = master.planReplication()
        #expect(second.count == 1 && second[0].handle == oneLeft)
        master.cloneFinished(second[0], succeeded: true)
        #expect(master.health(oneLeft).live.count == 3)
        #expect(master.planReplication().isEmpty)
        #expect(master.health(twoLeft).live.count == 3)
    }

    /// Healthy chunks cost a planning pass nothing: it looks only at chunks with work left or changed since,
    /// and at every chunk only when a server's standing changes. Repair still reaches every chunk.
    @Test func healthyChunksAreNotWalked() throws {
        register(1...3)
        let handles = try file("/big", chunks: 200, on: [1, 2, 3])
        #expect(master.planReplication().isEmpty)
        #expect(master.chunksPlannedLastPass == 200, "the first pass looks at everything")
        #expect(master.planReplication().isEmpty)
        #expect(master.chunksPlannedLastPass == 0)
        master.replicaCorrupt(handles[7], on: Self.server(2))
        // The only other server is the one that quarantined it: a copy there waits until it was told to delete
        // the bad replica, or the DELETE could take the new copy.
        #expect(master.planReplication().isEmpty)
        #expect(try master.heartbeat(Self.server(2), freeBytes: 1 << 39, extendLeases: []).deletions == [handles[7]])
        let copy = master.planReplication()
        #expect(master.chunksPlannedLastPass == 1 && copy.map(\.handle) == [handles[7]])
        #expect(master.planReplication().isEmpty)
        #expect(master.chunksPlannedLastPass == 1, "it stays queued while its copy is under way")
        for order in copy { master.cloneFinished(order, succeeded: true) }
        clock.advance(by: .seconds(11))
        try beat([1, 2])  // 3 died, 4 joined: every chunk is short, and has somewhere to go
        register(4...4)
        var passes = 0
        while passes < 500 {
            let orders = master.planReplication()
            if passes == 0 { #expect(master.chunksPlannedLastPass == 200) }
            if orders.isEmpty { break }
            for order in orders { master.cloneFinished(order, succeeded: true) }
            passes += 1
        }
        #expect(handles.allSatisfy { master.health($0).live.count == 3 })
        _ = master.planReplication()
        #expect(master.chunksPlannedLastPass == 0, "all settled again")
    }

    /// A chunk a writer waits on jumps ahead of others equally short; deleted files come last.
    @Test func blockedChunksFirstDeletedFilesLast() throws {
        register(1...4)
        let deleted = try file("/old", chunks: 1, on: [1, 2, 3])[0]
        let plain = try file("/plain", chunks: 1, on: [1, 2, 3])[0]
        let wanted = try file("/wanted", chunks: 1, on: [1, 2, 3])[0]
        _ = try master.delete(Self.path("/old"), recursive: false)
        master.tune(clonesPerServer: 8, clonesTotal: 1, cloneBytesPerSecond: nil)
        clock.advance(by: .seconds(11))
        try beat([1, 2, 4])
        // The writer finds it short of replicas with somewhere to copy it: its lease waits for that copy.
        #expect(throws: GFSError.self) { try master.requestLease(wanted) }
        #expect(master.planReplication().map(\.handle) == [wanted])
        master.tune(clonesPerServer: nil, clonesTotal: 3, cloneBytesPerSecond: nil)
        #expect(master.planReplication().map(\.handle) == [plain, deleted])
    }

    /// Reference: GFS §4.5 — a replica at an old version is never handed out, the chunk is re-copied at the
    /// current version, and the stale replica is deleted only once the goal is met without it.
    @Test func staleReplicasAreDeletedAndReplaced() throws {
        register(1...4)
        let handle = try file("/f", chunks: 1, on: [1, 2, 3])[0]
        clock.advance(by: .seconds(11))
        try beat([1, 2, 4])
        // Short of its goal with server 4 to copy to, a lease waits a while for that copy, then goes ahead.
        #expect(throws: GFSError.self) { try master.requestLease(handle) }
        clock.advance(by: MasterStateMachine.longestRepairHold)
        try beat([1, 2, 4])
        guard case let .grant(_, version, _, replicas, _) = try master.requestLease(handle) else {
            Issue.record("expected a grant")
            return
        }
        _ = try master.leaseGrantFinished(handle, version: version, confirmed: replicas, primaryNeverReached: false)
        master.leaseRecorded(handle, version: version)
        clock.advance(by: .seconds(6))  // the lease ends: a leased chunk is not copied
        try beat([1, 2, 4])
        let (deletions, _) = master.register(Self.server(3), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39,
                                             report: [ReportedChunk(handle: handle, version: 1, length: 10)])
        #expect(deletions.isEmpty)
        #expect(!master.liveReplicas(handle).contains(Self.server(3)))
        let orders = master.planReplication()
        #expect(orders.count == 1 && orders[0].version == version && orders[0].source != Self.server(3))
        #expect(try master.heartbeat(Self.server(3), freeBytes: 1 << 39, extendLeases: []).deletions.isEmpty,
                "the stale copy is kept while the chunk is short of current ones")
        let order = try #require(orders.first)
        master.cloneFinished(order, succeeded: true)
        _ = master.planReplication()
        if order.target != Self.server(3) {
            #expect(try master.heartbeat(Self.server(3), freeBytes: 1 << 39, extendLeases: []).deletions == [handle])
        }
        #expect(master.health(handle).live.count == 3)
    }

    /// Never the last copy: a chunk whose only live replicas are stale keeps them, and fsck says stale-only.
    @Test func staleOnlyChunksAreKept() throws {
        register(1...3)
        let handle = try file("/f", chunks: 1, on: [1, 2, 3])[0]
        // Server 3 is down: the lease goes to the other two, and writes at version 2 leave it stale.
        master.serverDisconnected(Self.server(3))
        guard case let .grant(_, version, _, replicas, _) = try master.requestLease(handle) else {
            Issue.record("expected a grant")
            return
        }
        #expect(replicas.count == 2)
        _ = try master.leaseGrantFinished(handle, version: version, confirmed: replicas, primaryNeverReached: false)
        master.leaseRecorded(handle, version: version)
        // Both current replicas die; server 3 comes back with the old version.
        clock.advance(by: .seconds(11))
        let others = [3]
        for port in others {
            _ = master.register(Self.server(port), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39,
                                report: [ReportedChunk(handle: handle, version: 1, length: 10)])
        }
        #expect(master.planReplication().isEmpty)
        for port in others {
            #expect(try master.heartbeat(Self.server(port), freeBytes: 1, extendLeases: []).deletions.isEmpty)
        }
        #expect(master.check(index: 0, handle: handle).status == .staleOnly)
        #expect(throws: GFSError.self) { try master.lookup(Self.path("/f")) }
        let stale = try master.lookup(Self.path("/f"), allowingStale: true).chunks
        #expect(stale.map(\.version) == [1] && stale.first?.replicas == others.map(Self.server))
    }

    /// Reference: DESIGN.md §6 — a copy made while the chunk was leased may miss mutations made during it,
    /// so a leased chunk is not copied, and a copy that finishes under a lease is discarded.
    @Test func leasedChunksAreNotCopied() throws {
        register(1...4)
        let handle = try file("/f", chunks: 1, on: [1, 2, 3])[0]
        master.tune(clonesPerServer: 8, clonesTotal: 8, cloneBytesPerSecond: nil)
        clock.advance(by: .seconds(11))
        try beat([1, 2, 4])
        let order = try #require(master.planReplication().first)
        // A lease waits a while for the copy under way, then goes ahead (writes are not held up for good).
        #expect(throws: GFSError.self) { try master.requestLease(handle) }
        clock.advance(by: MasterStateMachine.longestRepairHold)
        try beat([1, 2, 4])
        guard case let .grant(_, version, _, replicas, _) = try master.requestLease(handle) else {
            Issue.record("expected a grant")
            return
        }
        #expect(master.planReplication().isEmpty, "a leased chunk waits for its lease to end")
        master.cloneFinished(order, succeeded: true)
        #expect(!master.liveReplicas(handle).contains(order.target))
        _ = try master.leaseGrantFinished(handle, version: version, confirmed: replicas, primaryNeverReached: false)
        master.leaseRecorded(handle, version: version)
        #expect(try master.heartbeat(order.target, freeBytes: 1 << 39, extendLeases: []).deletions == [handle])
    }

    /// After a restart the master cannot know which chunks the previous run leased: a copy made now could miss
    /// writes made under such a lease, so nothing is copied until a lease period has passed.
    @Test func nothingIsCopiedWhileLeasesOfAPreviousRunMayStand() throws {
        register(1...4)
        _ = try file("/f", chunks: 1, on: [1, 2, 3])
        clock.advance(by: .seconds(11))
        try beat([1, 2, 4])
        master.fenceLeasesAfterRestart()  // server 3 is dead, and the master has just restarted
        #expect(master.planReplication().isEmpty)
        clock.advance(by: .seconds(6))
        try beat([1, 2, 4])
        #expect(master.planReplication().count == 1)
    }

    /// A chunkserver stopped for a restart gets its grace period; past it, its chunks are copied.
    @Test func restartGraceDefersRepair() throws {
        register(1...4)
        _ = try file("/f", chunks: 2, on: [1, 2, 3])
        master.serverLeaving(Self.server(3))
        clock.advance(by: .seconds(30))
        try beat([1, 2, 4])
        #expect(master.planReplication().isEmpty)
        #expect(master.serverSummaries().first { $0.server == Self.server(3) }?.state == "resting")
        clock.advance(by: .seconds(31))
        try beat([1, 2, 4])
        #expect(master.planReplication().count == 2)
    }

    /// Draining copies every replica off a server, then deletes them there; no new chunk goes to it.
    @Test func drainingEmptiesAServer() throws {
        register(1...4)
        let handles = try file("/f", chunks: 2, on: [1, 2, 3])
        try master.drain(Self.server(3), true)
        let orders = master.planReplication()
        #expect(Set(orders.map(\.handle)) == Set(handles) && orders.allSatisfy { $0.target == Self.server(4) })
        for order in orders { master.cloneFinished(order, succeeded: true) }
        #expect(master.planReplication().isEmpty)
        #expect(handles.allSatisfy { !master.health($0).draining.contains(Self.server(3)) })
        #expect(Set(try master.heartbeat(Self.server(3), freeBytes: 1 << 39, extendLeases: []).deletions) == Set(handles))
        #expect(!(try placement("/g")).contains(Self.server(3)))
    }

    /// A new, empty chunkserver is filled one copy at a time; the copied replica leaves the fullest server.
    @Test func rebalancingFillsANewServerGradually() throws {
        register(1...3)
        let handles = try file("/f", chunks: 6, on: [1, 2, 3])
        register(4...4)
        let order = try #require(master.planReplication().first)
        #expect(order.reason == .rebalance && order.target == Self.server(4) && handles.contains(order.handle))
        #expect(master.planReplication().isEmpty, "one rebalancing copy at a time")
        master.cloneFinished(order, succeeded: true)
        _ = master.planReplication()
        #expect(master.health(order.handle).live.count == 3 && !master.health(order.handle).live.contains(order.source))
    }

    /// A new server whose disk is full is not filled: each copy would fail, again at every pass.
    @Test func rebalancingSkipsFullServers() throws {
        register(1...3)
        _ = try file("/f", chunks: 6, on: [1, 2, 3])
        _ = master.register(Self.server(4), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 10, report: [])
        #expect(master.planReplication().isEmpty)
    }

    /// Reference: GFS §4.4.1 — rm hides, undelete restores, the scan purges after the grace, rm again purges.
    @Test func trashUndeleteAndCollection() throws {
        register(1...3)
        let handle = try file("/logs", chunks: 1, on: [1, 2, 3])[0]
        _ = try master.delete(Self.path("/logs"), recursive: false)
        #expect(try master.list(.root).isEmpty, "the trash is hidden")
        #expect(master.deleted(under: .root).map(\.original) == [Self.path("/logs")])
        _ = try master.undelete(Self.path("/logs"))
        #expect(try master.stat(Self.path("/logs")).chunks == [handle])
        _ = try master.delete(Self.path("/logs"), recursive: false)
        clock.advance(by: .seconds(1800))
        #expect(master.collectGarbage(everything: false).summary.purged == 0)
        clock.advance(by: .seconds(1801))
        let (mutations, summary) = master.collectGarbage(everything: false)
        #expect(mutations.count == 1 && summary.purged == 1 && summary.chunks == 1)
        #expect(master.chunks[handle] == nil)
        #expect(throws: GFSError.self) { try master.undelete(Self.path("/logs")) }
        _ = try file("/again", chunks: 0, on: [])
        #expect(try master.delete(Self.path("/again"), recursive: false).purged == 0)
        #expect(try master.delete(Self.path("/again"), recursive: false).purged == 1, "deleting again purges")
        #expect(master.deleted(under: .root).isEmpty)
        #expect(throws: GFSError.self) { try master.createFile(Self.path("/.trash/x"), replication: nil) }
    }

    /// Reference: GFS §4.4.2 — a full report's unknown chunks are orphans to delete, but not one being created.
    @Test func reportsFindOrphansButSpareChunksInFlight() throws {
        register(1...3)
        let kept = try file("/f", chunks: 1, on: [1, 2, 3])[0]
        guard case let .create(_, creating, _, _) = try master.allocate(Self.path("/f"), index: 1) else {
            Issue.record("expected a creation plan")
            return
        }
        let report = [kept, creating, ChunkHandle(5)].map { ReportedChunk(handle: $0, version: 1, length: 0) }
        #expect(try master.report(Self.server(1), chunks: report) == [ChunkHandle(5)])
        // A replica the server no longer has (its disk was wiped) is forgotten once the report says so.
        clock.advance(by: .seconds(6))
        _ = try master.report(Self.server(2), chunks: [])
        #expect(master.health(kept).live == [Self.server(1), Self.server(3)])
    }

    /// A replica removed as surplus is not counted again before its server has been told to delete it: a full
    /// report sent before the DELETE reached the server still lists it. Counted again, the next pass removed a
    /// second replica, and the chunk was left below its goal (chaos seed 3 lost a chunk this way: goal 2, three
    /// replicas, two deleted within a second, the third then found corrupt).
    @Test func aReplicaRemovedAsSurplusIsNotCountedAgainBeforeItGoes() throws {
        register(1...3)
        let handle = try file("/f", chunks: 1, on: [1, 2, 3])[0]
        let version = master.check(index: 0, handle: handle).version
        _ = try master.setReplication(Self.path("/f"), to: 2, recursive: false)
        _ = master.planReplication()
        let kept = master.health(handle).live
        #expect(kept.count == 2)
        let removed = try #require(Set((1...3).map(Self.server)).subtracting(kept).first)
        // The kept servers come to hold more replicas, so a second removal would pick one of them.
        _ = try file("/g", chunks: 2, on: kept.map { Int($0.port) })
        _ = try master.report(removed, chunks: [ReportedChunk(handle: handle, version: version, length: 0)])
        #expect(master.health(handle).live == kept)
        _ = master.planReplication()
        var deleting: [ServerID] = []
        for port in 1...3 where try master.heartbeat(Self.server(port), freeBytes: 1 << 39, extendLeases: []).deletions.contains(handle) {
            deleting.append(Self.server(port))
        }
        #expect(deleting == [removed])
        #expect(master.health(handle).live == kept)
    }

    /// A server a copy is going to keeps its stale replica until the copy is done: deleting it then would
    /// take the new copy too, once the DELETE lands after it, while the master counts the copy live.
    @Test func aCopyTargetsStaleReplicaIsNotDeletedUnderIt() throws {
        register(1...3)
        let handle = try file("/f", chunks: 1, on: [1, 2], replication: 2)[0]
        // Servers 1 and 2 hold more chunks, so a surplus removal would pick one of them rather than 3.
        _ = try file("/g", chunks: 2, on: [1, 2], replication: 2)
        _ = master.register(Self.server(3), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39,
                            report: [ReportedChunk(handle: handle, version: 0, length: 0)])
        // Server 2 falls silent: the copy to the goal can only go to server 3, which holds the stale replica.
        clock.advance(by: .seconds(11))
        try beat([1, 3])
        let order = try #require(master.planReplication().first)
        #expect(order.handle == handle && order.target == Self.server(3))
        // Server 2 comes back before the copy is done: two current replicas meet the goal again.
        let version = master.check(index: 0, handle: handle).version
        _ = master.register(Self.server(2), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39,
                            report: [ReportedChunk(handle: handle, version: version, length: 0)])
        _ = master.planReplication()
        master.cloneFinished(order, succeeded: true)
        _ = master.planReplication()
        var deleting: Set<ServerID> = []
        for port in 1...3 where try master.heartbeat(Self.server(port), freeBytes: 1 << 39, extendLeases: []).deletions.contains(handle) {
            deleting.insert(Self.server(port))
        }
        let counted = Set(master.health(handle).live)
        #expect(counted.isDisjoint(with: deleting), "counted \(counted), deleting \(deleting)")
        #expect(counted.count >= 2)
    }

    /// A chunkserver whose disk is full gets no new replicas, neither for new chunks nor for copies.
    @Test func fullDisksAreAvoided() throws {
        register(1...3)
        _ = master.register(Self.server(4), rack: "", capacityBytes: 1 << 40, freeBytes: 1000, report: [])
        for index in 0..<10 { #expect(!(try placement("/f\(index)")).contains(Self.server(4))) }
        // Server 3 dies: the chunk needs a copy, and the only other server is the full one.
        let handle = try file("/data", chunks: 1, on: [1, 2, 3])[0]
        clock.advance(by: .seconds(11))
        try beat([1, 2])
        _ = try master.heartbeat(Self.server(4), freeBytes: 1000, extendLeases: [])
        #expect(master.health(handle).counted == 2)
        #expect(master.planReplication().isEmpty)
        _ = master.register(Self.server(5), rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39, report: [])
        #expect(master.planReplication().map(\.target) == [Self.server(5)])
    }

    /// Trash names keep the original path exactly, whatever characters it has.
    @Test func trashNamesRoundTrip() throws {
        register(1...3)
        _ = try master.makeDirectory(Self.path("/a%2Fb"), parents: false)
        _ = try master.delete(Self.path("/a%2Fb"), recursive: false)
        #expect(master.deleted(under: .root).map(\.original) == [Self.path("/a%2Fb")])
    }
}
