// Goal: the operation log and checkpoints round-trip every mutation, and damage is detected, never replayed.
// Method: encode, cut and flip bytes, decode.
import GFSCore
import GFSTestSupport
import Testing

@Suite struct LogFormatTests {
    static let mutations: [Mutation] = [
        .makeDirectory(GFSPath("/a b")!, modified: 1), .createFile(GFSPath("/a b/f")!, replication: 3, records: true, modified: 2),
        .remove(GFSPath("/x")!, modified: 3), .move(GFSPath("/a")!, to: GFSPath("/ü")!, modified: -4),
        .addChunk(GFSPath("/f")!, ChunkHandle(.max), version: 1), .setVersion(ChunkHandle(7), 9),
        .snapshot(GFSPath("/a")!, to: GFSPath("/b")!, modified: 6), .replaceChunk(GFSPath("/f")!, index: 3, ChunkHandle(8), version: 2),
        .setLength(GFSPath("/f")!, 123_456_789, modified: 5), .issueVersion(ChunkHandle(7), 10),
        .reserveVersion(ChunkHandle(7), 11), .beginEpoch(42),
        .finishCall(ClientCall(high: .max, low: 1), at: 1_700_000_000_000),
        .setReplication(GFSPath("/f")!, replication: 16),
        .concat(GFSPath("/d")!, sources: [GFSPath("/a")!, GFSPath("/b c")!], replication: 2, modified: 7),
        .concat(GFSPath("/d")!, sources: [GFSPath("/a")!, GFSPath("/b")!], replication: 3, modified: 9,
                padded: [PaddedChunk(source: 0, handle: ChunkHandle(77), version: 5)]),
        .setQuota(GFSPath("/q")!, files: 10, bytes: nil), .setQuota(GFSPath("/q")!, files: nil, bytes: 1 << 40),
        .setQuota(GFSPath("/q")!, files: nil, bytes: nil), .truncate(GFSPath("/f")!, length: 65_537, modified: 8),
        .truncate(GFSPath("/g")!, length: 3, modified: 9, replacing: ChunkHandle(12), version: 4),
    ]

    @Test func everyMutationRoundTrips() {
        let bytes = Self.mutations.enumerated().flatMap { LogRecord(sequence: UInt64($0.offset + 1), mutation: $0.element).framed }
        let (records, end, problem) = LogRecord.decodeAll(bytes)
        #expect(records.map(\.mutation) == Self.mutations)
        #expect(records.map(\.sequence) == Array(1...UInt64(Self.mutations.count)))
        #expect(end == bytes.count && problem == nil)
    }

    /// A restart skips what its checkpoint holds: records below `from` are left out, the rest and the end are
    /// as a full decode gives them, and a torn tail is still found.
    @Test func recordsBelowTheStartAreSkipped() {
        let bytes = Self.mutations.enumerated().flatMap { LogRecord(sequence: UInt64($0.offset + 1), mutation: $0.element).framed }
        let full = LogRecord.decodeAll(bytes)
        for first in [0, 1, 2, 7, UInt64(Self.mutations.count), UInt64(Self.mutations.count) + 5] {
            let (records, end, problem) = LogRecord.decodeAll(bytes, from: first)
            #expect(records == full.records.filter { $0.sequence >= first }, "from \(first)")
            #expect(end == bytes.count && problem == nil)
        }
        let torn = Array(bytes.dropLast(3))
        let (records, end, problem) = LogRecord.decodeAll(torn, from: 4)
        #expect(records.first?.sequence == 4 && records.last?.sequence == UInt64(Self.mutations.count - 1))
        #expect(end < torn.count && problem != nil)
        // In batches, as a restart applies them while decoding: the same records, the same end and problem.
        for batch in [1, 3] {
            var batches: [[LogRecord]] = []
            let outcome = LogRecord.decodeAll(torn, from: 4, inBatchesOf: batch) { batches.append($0) }
            #expect(batches.allSatisfy { !$0.isEmpty && $0.count <= batch } && Array(batches.joined()) == records)
            #expect(outcome.end == end && outcome.problem == problem)
        }
    }

    /// A crash mid-write leaves a torn last record: it is reported and excluded.
    @Test(arguments: [1, 5, 9, 20])
    func tornTailsAreCut(missing: Int) {
        let whole = Self.mutations.prefix(3).enumerated().flatMap { LogRecord(sequence: UInt64($0.offset + 1), mutation: $0.element).framed }
        let torn = Array(whole.dropLast(missing))
        let (records, end, problem) = LogRecord.decodeAll(torn)
        #expect(records.count == 2)
        #expect(end < torn.count)
        #expect(problem != nil)
        #expect(LogRecord.firstRecord(in: torn, after: end, numberedPast: 2) == nil, "a torn tail has nothing after it")
    }

    /// Damage with whole records after it is not a torn tail: recovery must find them and refuse to cut.
    @Test func damageBeforeLaterRecordsIsFound() {
        var bytes = Self.mutations.prefix(3).enumerated().flatMap { LogRecord(sequence: UInt64($0.offset + 1), mutation: $0.element).framed }
        let second = LogRecord(sequence: 1, mutation: Self.mutations[0]).framed.count
        bytes[second + 10] ^= 0x40
        let (_, end, _) = LogRecord.decodeAll(bytes)
        #expect(LogRecord.firstRecord(in: bytes, after: end, numberedPast: 1)?.sequence == 3)
    }

    /// A tail of zeros (a torn write of a preallocated page) is no record, and is scanned in linear time.
    @Test func zeroTailsHoldNoRecord() {
        let whole = Self.mutations.prefix(2).enumerated().flatMap { LogRecord(sequence: UInt64($0.offset + 1), mutation: $0.element).framed }
        let bytes = whole + [UInt8](repeating: 0, count: 1 << 20)
        let (records, end, _) = LogRecord.decodeAll(bytes)
        #expect(records.count == 2)
        #expect(LogRecord.firstRecord(in: bytes, after: end, numberedPast: 2) == nil)
    }

    @Test func aFlippedByteStopsReplayBeforeIt() {
        var bytes = Self.mutations.prefix(3).enumerated().flatMap { LogRecord(sequence: UInt64($0.offset + 1), mutation: $0.element).framed }
        let second = LogRecord(sequence: 1, mutation: Self.mutations[0]).framed.count
        bytes[second + 10] ^= 0x40
        let (records, end, _) = LogRecord.decodeAll(bytes)
        #expect(records.count == 1)
        #expect(end == second)
    }

    // MARK: Batched files

    /// A batched file: the marker, a batch of records 1–3 and one of the rest, then the zeros written ahead.
    static func batchedFile(zeros: Int = 1 << 16) throws -> (bytes: [UInt8], batches: [Int], end: Int) {
        let framed = mutations.enumerated().map { LogRecord(sequence: UInt64($0.offset + 1), mutation: $0.element).framed }
        var bytes = LogFileFormat.marker
        var batches: [Int] = []
        for (first, records) in [(1, framed[..<3]), (4, framed[3...])] {
            batches.append(bytes.count)
            bytes += try LogFileFormat.batch(Array(records.joined()), first: UInt64(first))
        }
        return (bytes + [UInt8](repeating: 0, count: zeros), batches, bytes.count)
    }

    static func decoded(_ bytes: [UInt8], from first: UInt64 = 0) -> ([LogRecord], LogFileFormat.Scan) {
        var records: [LogRecord] = []
        let scan = LogFileFormat.decodeAll(bytes, from: first, inBatchesOf: 4) { records += $0 }
        return (records, scan)
    }

    /// Every record comes back, the zeros written ahead are no problem, and the writer goes on where the
    /// records end.
    @Test func batchedFilesRoundTrip() throws {
        let (bytes, _, end) = try Self.batchedFile()
        let (records, scan) = Self.decoded(bytes)
        #expect(records.map(\.mutation) == Self.mutations)
        #expect(records.map(\.sequence) == Array(1...UInt64(Self.mutations.count)))
        #expect(scan == LogFileFormat.Scan(end: end))
        #expect(Self.decoded(bytes, from: 5).0 == records.filter { $0.sequence >= 5 })
        #expect(LogFileFormat.records(in: bytes) == records)
        #expect(Self.decoded(LogFileFormat.marker).1 == LogFileFormat.Scan(end: LogFileFormat.marker.count))
    }

    /// A torn last batch (a 512-byte sector of it never written, so still zero, or past the end of the file)
    /// is cut, with nothing after it.
    @Test(arguments: [(0, 512), (512, 1024), (-1, 1024)])
    func aTornLastBatchIsCut(zeroed: (from: Int, to: Int)) throws {
        let (whole, batches, end) = try Self.batchedFile()
        var bytes = whole
        try #require(batches[1] < 512 && end > 512, "the last batch spans a sector boundary")
        if zeroed.from < 0 {
            bytes = Array(bytes[..<(end - 1)])  // the file ends within the batch
        } else {
            for index in max(zeroed.from, batches[1])..<min(zeroed.to, end) { bytes[index] = 0 }
        }
        let (records, scan) = Self.decoded(bytes)
        #expect(records.map(\.sequence) == [1, 2, 3])
        #expect(scan.end == batches[1] && scan.problem != nil && !scan.damaged, "\(scan)")
        #expect(LogFileFormat.recordAfterDamage(in: bytes, after: scan.end, numberedPast: 3) == nil)
    }

    /// A bad last batch every sector of which was written is damage, not a torn write: a flipped byte in its
    /// header or records, or a few zeros short of a sector.
    @Test(arguments: [0, 5, 30, -12])
    func aBadLastBatchWithEverySectorWrittenIsDamage(at offset: Int) throws {
        let (whole, batches, end) = try Self.batchedFile()
        var bytes = whole
        let index = offset < 0 ? end + offset : batches[1] + offset
        if offset < 0 {
            for zeroed in index..<(index + 8) { bytes[zeroed] = 0 }
        } else {
            bytes[index] ^= 0x40
        }
        let scan = Self.decoded(bytes).1
        #expect(scan.end == batches[1] && scan.damaged, "\(scan)")
    }

    /// A last batch none of whose bytes were written is no problem at all.
    @Test func anUnwrittenLastBatchIsNoProblem() throws {
        let (whole, batches, end) = try Self.batchedFile()
        let bytes = Array(whole[..<batches[1]]) + [UInt8](repeating: 0, count: whole.count - batches[1])
        #expect(end > batches[1])
        #expect(Self.decoded(bytes).1 == LogFileFormat.Scan(end: batches[1]))
    }

    /// Damage to a batch with a whole batch after it is not a torn write: recovery finds the later batch.
    @Test func damageBeforeALaterBatchIsFound() throws {
        let (whole, batches, _) = try Self.batchedFile()
        var bytes = whole
        bytes[batches[0] + 30] ^= 0x40
        let (records, scan) = Self.decoded(bytes)
        #expect(records.isEmpty && scan.end == batches[0] && scan.problem != nil)
        #expect(LogFileFormat.recordAfterDamage(in: bytes, after: scan.end, numberedPast: 0) == 4)
        #expect(LogFileFormat.recordAfterDamage(in: bytes, after: scan.end, numberedPast: 4) == nil, "only batches past it count")
    }

    /// A batch that checks was written whole, perhaps synced and acknowledged: if its records do not decode,
    /// that is damage, never a tail to cut.
    @Test func aWholeBatchThatDoesNotDecodeIsDamage() throws {
        let good = LogRecord(sequence: 1, mutation: Self.mutations[0]).framed
        let bytes = LogFileFormat.marker + (try LogFileFormat.batch(good + [1, 2, 3, 4, 5, 6, 7, 8, 9], first: 1))
        let scan = Self.decoded(bytes).1
        #expect(scan.damaged && scan.end == LogFileFormat.marker.count && scan.problem != nil)
    }

    /// Files written before batches are read as they always were, and neither format reads as the other.
    @Test func unbatchedFilesAreReadAsBefore() throws {
        let bytes = Self.mutations.enumerated().flatMap { LogRecord(sequence: UInt64($0.offset + 1), mutation: $0.element).framed }
        #expect(!LogFileFormat.isBatched(bytes))
        #expect(LogFileFormat.records(in: bytes) == LogRecord.decodeAll(bytes).records)
        let torn = Array(bytes.dropLast(3))
        #expect(Self.decoded(torn).1.end == LogRecord.decodeAll(torn).end)
        #expect(Frames.scan(try Self.batchedFile().bytes).payloads.isEmpty, "the marker is no frame")
    }

    static func sampleState() throws -> MasterStateMachine {
        var master = MasterStateMachine(configuration: MasterConfiguration(), clock: ManualClock(), firstHandle: 500)
        _ = try master.makeDirectory(GFSPath("/d/e")!, parents: true)
        _ = try master.createFile(GFSPath("/d/f")!, replication: 2, records: true)
        master.apply(.addChunk(GFSPath("/d/f")!, ChunkHandle(600), version: 1))
        master.apply(.addChunk(GFSPath("/d/f")!, ChunkHandle(601), version: 1))
        master.apply(.setVersion(ChunkHandle(601), 4))
        master.apply(.issueVersion(ChunkHandle(600), 3))
        master.apply(.reserveVersion(ChunkHandle(600), 5))
        master.apply(.setLength(GFSPath("/d/f")!, 70_000, modified: 77))
        master.apply(.finishCall(ClientCall(high: 7, low: 8), at: 1_000))
        master.apply(.finishCall(ClientCall(high: 9, low: 10), at: 2_000))
        return master
    }

    @Test func checkpointsRestoreTheSameState() throws {
        let master = try Self.sampleState()
        var bytes: [UInt8] = []
        Checkpoint.encode(master, sequence: 42, pieceBytes: 10) { bytes += $0 }
        let contents = try Checkpoint.decode(bytes)
        #expect(contents.sequence == 42)
        var restored = MasterStateMachine(configuration: MasterConfiguration(), clock: ManualClock())
        restored.restore(contents)
        #expect(restored.namespace.subtree(.root) == master.namespace.subtree(.root))
        for path in master.namespace.subtree(.root) { #expect(restored.namespace[path] == master.namespace[path]) }
        #expect(restored.chunks[ChunkHandle(601)]?.version == 4)
        #expect(restored.settledVersion(ChunkHandle(601)) == 4)
        #expect(restored.chunks[ChunkHandle(600)]?.version == 3)
        #expect(restored.settledVersion(ChunkHandle(600)) == 1, "a version no client was handed is not settled")
        #expect(restored.reservedVersion(ChunkHandle(600)) == 5, "a version sent out is never issued again")
        #expect(restored.chunks[ChunkHandle(600)]?.references == 1)
        #expect(restored.calls.contains(ClientCall(high: 7, low: 8)) && restored.calls.contains(ClientCall(high: 9, low: 10)),
                "a retry across a checkpoint is still known")
        var next = restored
        _ = next.register(ServerID("127.0.0.1:1")!, rack: "", capacityBytes: 1 << 40, freeBytes: 1 << 39, report: [])
        _ = try next.createFile(GFSPath("/g")!, replication: 1)
        guard case let .create(_, handle, _, _) = try next.allocate(GFSPath("/g")!, index: 0) else {
            Issue.record("expected a creation plan")
            return
        }
        #expect(handle.rawValue >= 602, "handles continue after the checkpoint's")

        // In batches, as a restart restores them while decoding: the same entries, in the same order.
        for batch in [1, 2, 1000] {
            var batches: [[Checkpoint.Listed]] = []
            let rest = try Checkpoint.decode(bytes, entriesInBatchesOf: batch) { batches.append($0) }
            #expect(rest.entries.isEmpty && batches.allSatisfy { !$0.isEmpty && $0.count <= batch })
            #expect(batches.joined().map(\.path) == contents.entries.map(\.path))
            var restoring = MasterStateMachine(configuration: MasterConfiguration(), clock: ManualClock()).beginRestore()
            for entries in batches { restoring.add(entries) }
            var batched = MasterStateMachine(configuration: MasterConfiguration(), clock: ManualClock())
            batched.finishRestore(restoring, rest)
            #expect(batched.namespace.subtree(.root) == master.namespace.subtree(.root))
            #expect(batched.chunks[ChunkHandle(600)]?.references == 1 && batched.reservedVersion(ChunkHandle(600)) == 5)
        }
    }

    @Test func incompleteOrDamagedCheckpointsAreRejected() throws {
        var bytes: [UInt8] = []
        Checkpoint.encode(try Self.sampleState(), sequence: 1) { bytes += $0 }
        #expect(throws: LogFormatError.self) { try Checkpoint.decode(Array(bytes.dropLast(3))) }
        var damaged = bytes
        damaged[bytes.count / 2] ^= 1
        #expect(throws: LogFormatError.self) { try Checkpoint.decode(damaged) }
        #expect(throws: LogFormatError.self) { try Checkpoint.decode([]) }
    }

    /// A log is checkpointed at a quarter of the newest checkpoint, never below 4 MiB nor past the limit.
    @Test func checkpointsComeAtAQuarterOfTheState() {
        let policy = CheckpointPolicy(largestLog: 64 << 20)
        #expect(!policy.wantsCheckpoint(logBytes: (4 << 20) - 1, checkpointBytes: 0))
        #expect(policy.wantsCheckpoint(logBytes: 4 << 20, checkpointBytes: 0))
        #expect(!policy.wantsCheckpoint(logBytes: 12 << 20, checkpointBytes: 50 << 20))
        #expect(policy.wantsCheckpoint(logBytes: 13 << 20, checkpointBytes: 50 << 20))
        #expect(policy.wantsCheckpoint(logBytes: 64 << 20, checkpointBytes: 1 << 40), "the limit holds for any state")
        #expect(CheckpointPolicy(largestLog: 4096).wantsCheckpoint(logBytes: 4096, checkpointBytes: 1 << 20), "a small limit wins")
    }
}
