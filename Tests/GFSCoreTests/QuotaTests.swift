// Goal: directory quotas count what is under them as mutations apply (never by walking the tree per request),
// refuse what would pass them with nothing changed, and survive the log and checkpoints.
// Method: the state machine on a manual clock.
import GFSCore
import GFSTestSupport
import Testing

@Suite final class QuotaTests {
    let clock = ManualClock()
    var master: MasterStateMachine
    var log: [Mutation] = []

    init() { master = .withThreeServers(chunkSize: 1000, clock: clock) }

    static func path(_ text: String) -> GFSPath { GFSPath(text)! }

    func run(_ body: (inout MasterStateMachine) throws -> [Mutation]) throws {
        log += try body(&master)
    }

    /// Expects QUOTA from `body`.
    func expectQuota(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: GFSError.self, sourceLocation: sourceLocation) { try body() }
        #expect(error?.code == .quota, sourceLocation: sourceLocation)
    }

    @Test func filesQuotaCountsEntriesAndRefusesWithNothingChanged() throws {
        try run { try $0.makeDirectory(Self.path("/q"), parents: false) }
        try run { [try $0.setQuota(Self.path("/q"), files: 3, bytes: nil)] }
        try run { [try $0.createFile(Self.path("/q/a"), replication: 1)] }
        try run { try $0.makeDirectory(Self.path("/q/d"), parents: false) }
        #expect(master.quotas[Self.path("/q")]?.usedFiles == 2)
        let before = master.namespace.subtree(.root)
        expectQuota { _ = try master.makeDirectory(Self.path("/q/d/x/y"), parents: true) }
        #expect(master.namespace.subtree(.root) == before, "a refused mkdir -p makes no parent either")
        try run { [try $0.createFile(Self.path("/q/d/b"), replication: 1)] }
        expectQuota { _ = try master.createFile(Self.path("/q/c"), replication: 1) }
        // A rename inside the directory needs no room; moving out frees it.
        try run { [try $0.move(Self.path("/q/a"), to: Self.path("/q/d/a"))] }
        #expect(master.quotas[Self.path("/q")]?.usedFiles == 3)
        try run { [try $0.move(Self.path("/q/d/a"), to: Self.path("/a"))] }
        #expect(master.quotas[Self.path("/q")]?.usedFiles == 2)
        try run { [try $0.createFile(Self.path("/q/c"), replication: 1)] }
        expectQuota { _ = try master.move(Self.path("/a"), to: Self.path("/q/a")) }
    }

    @Test func bytesQuotaCountsReplicasAndChargesNewChunksWhole() throws {
        try run { try $0.makeDirectory(Self.path("/q"), parents: false) }
        try run { [try $0.setQuota(Self.path("/q"), files: nil, bytes: 5000)] }
        try run { [try $0.createFile(Self.path("/q/f"), replication: 2)] }
        for index in 0..<2 {
            guard case let .create(_, handle, version, servers) = try master.allocate(Self.path("/q/f"), index: index) else {
                Issue.record("expected a new chunk")
                return
            }
            let (_, mutation) = try master.chunkCreated(Self.path("/q/f"), index: index, handle: handle, version: version, confirmed: servers)
            log += mutation.map { [$0] } ?? []
            try run { [try #require(try $0.extendLength(Self.path("/q/f"), to: Int64(index + 1) * 1000))] }
        }
        #expect(master.quotas[Self.path("/q")]?.usedBytes == 4000)
        // A third chunk would be charged 1000 bytes times 2 replicas: past 5000.
        expectQuota { _ = try master.allocate(Self.path("/q/f"), index: 2) }
        expectQuota { _ = try master.setReplication(Self.path("/q/f"), to: 3, recursive: false) }
        #expect(master.namespace[Self.path("/q/f")]?.replication == 2, "a refused setrep changes nothing")
        try run { try $0.setReplication(Self.path("/q"), to: 1, recursive: true) }
        #expect(master.quotas[Self.path("/q")]?.usedBytes == 2000)
    }

    /// An undelete counts like any move in; the trash folder the first delete makes counts for a quota on /,
    /// the same live and after a restore.
    @Test func undeleteAndTheTrashAreCounted() throws {
        try run { try $0.makeDirectory(Self.path("/q"), parents: false) }
        try run { [try $0.createFile(Self.path("/q/a"), replication: 1)] }
        try run { [try $0.setQuota(Self.path("/q"), files: 1, bytes: nil)] }
        try run { [try $0.setQuota(.root, files: 100, bytes: nil)] }
        try run { try $0.delete(Self.path("/q/a"), recursive: false).0 }
        try run { [try $0.createFile(Self.path("/q/b"), replication: 1)] }
        expectQuota { _ = try master.undelete(Self.path("/q/a")) }
        var bytes: [UInt8] = []
        Checkpoint.encode(master, sequence: 1) { bytes += $0 }
        var restored = master
        restored.restore(try Checkpoint.decode(bytes))
        #expect(restored.quotas == master.quotas)
    }

    /// The log replayed and a checkpoint restored give the same limits and the same use.
    @Test func quotasSurviveTheLogAndCheckpoints() throws {
        let fresh = master
        try run { try $0.makeDirectory(Self.path("/q/r"), parents: true) }
        try run { [try $0.setQuota(Self.path("/q"), files: 10, bytes: 1 << 20)] }
        try run { [try $0.createFile(Self.path("/q/r/f"), replication: 3)] }
        try run { [try $0.snapshot(Self.path("/q/r"), to: Self.path("/q/s"))] }
        try run { [try $0.move(Self.path("/q"), to: Self.path("/p"))] }
        let quota = try #require(master.quotas[Self.path("/p")])
        #expect(quota.usedFiles == 4 && quota.files == 10 && master.quotas[Self.path("/q")] == nil)
        var replayed = fresh
        for mutation in log { try replayed.applyChecked(mutation) }
        #expect(replayed.quotas == master.quotas)
        var bytes: [UInt8] = []
        Checkpoint.encode(master, sequence: 1) { bytes += $0 }
        var restored = fresh
        restored.restore(try Checkpoint.decode(bytes))
        #expect(restored.quotas == master.quotas)
    }
}
