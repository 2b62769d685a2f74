import DequeModule
import Foundation
import GFSProtocol
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// The operation log (GFS §2.6.3) with group commit: `append` numbers records and queues them at once;
/// one flusher writes everything queued and fdatasyncs once, then wakes every waiter the fsync covered.
/// While it syncs, new records queue up for the next batch, so concurrent mutations share fsyncs. Each batch
/// is framed as one (`LogFileFormat`), over zeros written ahead, so an fdatasync writes data and no inode.
final class OperationLog: Sendable {
    /// The flusher is a thread of its own, not a task handing each write to a thread pool: that cost two more
    /// thread switches between one fsync and the next, and a create waits for the fsync under way, then its own.
    private enum Flusher {
        /// No thread: the next append starts one.
        case none
        /// The thread waits on `wake`: the next append signals it.
        case idle
        /// The thread is writing, or about to look for records: records appended now are found.
        case busy
    }

    private struct State {
        var pending: [(sequence: UInt64, bytes: [UInt8])] = []
        var lastAssigned: UInt64
        var durable: UInt64
        var waiters: [(sequence: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var flusher = Flusher.none
        /// Set after a failed write: nothing more is accepted until the master reloads its state.
        var failure: GFSError?
        /// Whether that failed write was cut back off the file, so the log ends at its last durable record.
        var cutBack = true
        var descriptor: Int32
        var fileName: String
        /// Where the file's records end.
        var fileBytes: Int64
        /// Where the zeros written ahead of them end.
        var allocated: Int64
        /// Records after this sequence go to a new log file.
        var rolloverAfter: UInt64?
        /// The size of the newest checkpoint: a log a quarter of it asks for the next one.
        var checkpointedBytes: Int64 = 0
        /// The newest durable records, for shadows tailing the log without reading files (older ones are read
        /// back from the log files). A deque, since every commit drops the oldest.
        var recent: Deque<(sequence: UInt64, bytes: [UInt8])> = []
        var recentBytes = 0
        /// Shadows waiting for records past a sequence.
        var tailWaiters: [(after: UInt64, wake: OneShot)] = []
    }

    /// Most bytes of recent records kept in memory for shadows: one `TAIL` reply's worth, so a shadow that
    /// keeps up never reads files, and the master's memory stays in its namespace.
    static let recentLimitBytes = 4 << 20

    let folder: String
    /// When the current file asks for a checkpoint.
    let checkpoints: CheckpointPolicy
    private let state: NIOLockedValueBox<State>
    private let flushObserver = NIOLockedValueBox<(@Sendable (Duration) -> Void)?>(nil)
    /// Signalled once for each change of the flusher from `idle` to `busy`.
    private let wake = DispatchSemaphore(value: 0)
    /// How long an idle flusher thread waits for records before it ends (a master at rest holds no thread).
    private static let idleThreadLifetime = DispatchTimeInterval.milliseconds(500)

    /// Told how long each write-and-fdatasync of a batch took (`/metrics`).
    var onFlush: (@Sendable (Duration) -> Void)? {
        get { flushObserver.withLockedValue { $0 } }
        set { flushObserver.withLockedValue { $0 = newValue } }
    }

    /// Continues the log in `folder` after record `lastSequence`, writing to `fileName` (created if missing)
    /// from byte `end`, where recovery found its records end. A file written before batches is left as it is,
    /// and the log goes on in a new one.
    init(folder: String, fileName: String, end: Int64, lastSequence: UInt64, checkpointBytes: Int64,
         checkpointedBytes: Int64 = 0) throws(GFSError) {
        self.folder = folder
        checkpoints = CheckpointPolicy(largestLog: checkpointBytes)
        var (name, path) = (fileName, folder + "/" + fileName)
        var descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LogFiles.failure(path) }
        var (records, allocated) = (Int64(0), Int64(lseek(descriptor, 0, SEEK_END)))
        if allocated > 0 {
            if LogFiles.prefix(descriptor, count: LogFileFormat.marker.count) == LogFileFormat.marker {
                guard end >= Int64(LogFileFormat.marker.count), end <= allocated else {
                    close(descriptor)
                    throw GFSError(.internal, "\(path): its records end at byte \(end) of \(allocated)")
                }
                records = end
            } else {
                close(descriptor)
                (name, path) = (LogFiles.logName(lastSequence + 1), folder + "/" + LogFiles.logName(lastSequence + 1))
                descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else { throw LogFiles.failure(path) }
                allocated = 0
            }
        }
        LogFiles.syncFolder(folder)
        state = NIOLockedValueBox(State(lastAssigned: lastSequence, durable: lastSequence, descriptor: descriptor,
                                        fileName: name, fileBytes: records, allocated: allocated,
                                        checkpointedBytes: checkpointedBytes))
    }

    deinit { _ = state.withLockedValue { close($0.descriptor) } }

    /// The last sequence number handed out.
    var lastAssigned: UInt64 { state.withLockedValue { $0.lastAssigned } }

    /// The last sequence number handed out, read with the failure flag in one step: a failed flush sets both
    /// at once (numbers handed out are taken back), so read apart, a wait could be for a number the failure
    /// already took back, and end at once.
    func lastAssignedUnlessFailed() throws(GFSError) -> UInt64 {
        try state.withLockedValue { state -> Result<UInt64, GFSError> in
            state.failure.map { .failure($0) } ?? .success(state.lastAssigned)
        }.get()
    }

    /// Whether the current file has grown enough to be checkpointed (`CheckpointPolicy`).
    var wantsCheckpoint: Bool {
        state.withLockedValue { state in
            state.rolloverAfter == nil
                && checkpoints.wantsCheckpoint(logBytes: state.fileBytes, checkpointBytes: state.checkpointedBytes)
        }
    }

    /// Notes the size of a checkpoint just written or installed.
    func noteCheckpoint(bytes: Int64) { state.withLockedValue { $0.checkpointedBytes = bytes } }

    /// Numbers `mutations` and queues them for the next flush; returns the last sequence number. Fails with
    /// the earlier write error after a failed flush, until `recovered()`.
    func append(_ mutations: [Mutation]) throws(GFSError) -> UInt64 {
        let outcome = state.withLockedValue { (state) -> Result<(UInt64, Flusher), GFSError> in
            if let failure = state.failure { return .failure(failure) }
            for mutation in mutations {
                state.lastAssigned += 1
                state.pending.append((state.lastAssigned, LogRecord(sequence: state.lastAssigned, mutation: mutation).framed))
            }
            let before = state.flusher
            if !state.pending.isEmpty { state.flusher = .busy }
            return .success((state.lastAssigned, state.pending.isEmpty ? .busy : before))
        }
        let (last, flusher) = try outcome.get()
        switch flusher {
        case .none: Thread.detachNewThread { self.flushLoop() }
        case .idle: wake.signal()
        case .busy: break
        }
        return last
    }

    /// Waits until record `sequence` is on disk.
    func waitDurable(_ sequence: UInt64) async throws(GFSError) {
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let result: Result<Void, GFSError>? = state.withLockedValue { state in
                    if state.durable >= sequence { return .success(()) }
                    if let failure = state.failure { return .failure(failure) }
                    state.waiters.append((sequence, continuation))
                    return nil
                }
                if let result { continuation.resume(with: result) }
            }
        } catch {
            throw error as? GFSError ?? GFSError(.internal, "\(error)")
        }
    }

    /// Makes the next records go to a new log file; returns the last sequence of the old one.
    func rollover() -> UInt64 {
        state.withLockedValue { state in
            state.rolloverAfter = state.lastAssigned
            return state.lastAssigned
        }
    }

    /// Whether a failed flush is waiting for the master to reload its state.
    var hasFailed: Bool { state.withLockedValue { $0.failure != nil } }

    /// Whether a failed flush left the file ending at its last durable record: then a state holding only
    /// durable records may go on without a reload. A failed cut leaves the batch's bytes, perhaps whole: only a restart may replay them.
    var failedCleanly: Bool { state.withLockedValue { $0.failure != nil && $0.cutBack } }

    /// After the master reloaded its durable state: accept records again.
    func recovered() { state.withLockedValue { $0.failure = nil } }

    /// The flusher thread: writes whatever is queued, with one fdatasync, until nothing is; then waits for
    /// the next append, and ends once none comes for a while.
    private func flushLoop() {
        Thread.current.name = "gfs-log-flush"
        while true {
            let job = state.withLockedValue { state -> (batch: [(UInt64, [UInt8])], file: File, rollover: UInt64?)? in
                guard !state.pending.isEmpty, state.failure == nil else {
                    state.flusher = .idle
                    return nil
                }
                let batch = state.pending
                state.pending.removeAll()
                return (batch.map { ($0.sequence, $0.bytes) },
                        (state.descriptor, state.fileName, state.fileBytes, state.allocated, false), state.rolloverAfter)
            }
            if let job {
                flush(job.batch, file: job.file, rollover: job.rollover)
                continue
            }
            if wake.wait(timeout: .now() + Self.idleThreadLifetime) == .success { continue }
            let ends = state.withLockedValue { state -> Bool in
                guard state.flusher == .idle else { return false }
                state.flusher = .none
                return true
            }
            if ends { return }
            wake.wait()  // an append made the flusher busy just now, and signals
        }
    }

    private func flush(_ batch: [(UInt64, [UInt8])], file: File, rollover: UInt64?) {
        let started = ContinuousClock.now
        defer { onFlush?(ContinuousClock.now - started) }
        do throws(WriteFailure) {
            let written = try Self.write(batch, to: file, folder: folder, rolloverAfter: rollover)
            finish(batch.last?.0 ?? 0, written, batch)
        } catch {
            // What reached the disk before the failure (the old file, at a rollover) is durable: its records
            // keep their numbers, and only the rest fail.
            if let synced = error.synced {
                finish(synced.sequence, synced.file, Array(batch.prefix { $0.0 <= synced.sequence }))
            }
            fail(error.error, file: error.current)
        }
    }

    /// A log file being written: its descriptor, name, where its records end and its zeros, and whether it is
    /// a new one.
    typealias File = (descriptor: Int32, name: String, size: Int64, allocated: Int64, switched: Bool)

    /// A failed batch write: the error, the file to cut back to its last whole record, and what of the batch
    /// was synced before the failure.
    struct WriteFailure: Error {
        var error: GFSError
        var current: File
        var synced: (sequence: UInt64, file: File)?
    }

    /// Writes a batch, switching files at the rollover point; returns the file now current and its size.
    private static func write(_ batch: [(UInt64, [UInt8])], to start: File, folder: String,
                              rolloverAfter: UInt64?) throws(WriteFailure) -> File {
        var file = start
        var synced: (sequence: UInt64, file: File)?
        var bytes: [UInt8] = []
        var (first, last): (UInt64, UInt64) = (0, 0)
        for (sequence, record) in batch {
            if let rolloverAfter, sequence == rolloverAfter + 1, !file.switched {
                do { try append(bytes, first: first, to: &file, folder: folder) } catch {
                    throw WriteFailure(error: error, current: file, synced: nil)
                }
                if last > 0 { synced = (last, file) }
                bytes.removeAll()
                let nextName = LogFiles.logName(sequence)
                // Records numbered from here were never durable: any such file is a failed write's.
                let next = open(folder + "/" + nextName, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                guard next >= 0 else {
                    throw WriteFailure(error: LogFiles.failure(folder + "/" + nextName), current: file, synced: synced)
                }
                LogFiles.syncFolder(folder)
                _ = ftruncate(file.descriptor, off_t(file.size))  // its zeros are of no more use
                close(file.descriptor)
                file = (next, nextName, 0, 0, true)
            }
            if bytes.isEmpty { first = sequence }
            bytes += record
            last = sequence
        }
        do { try append(bytes, first: first, to: &file, folder: folder) } catch {
            throw WriteFailure(error: error, current: file, synced: synced)
        }
        return file
    }

    /// Writes `records` (framed, the first numbered `first`) as one batch after the file's records, and
    /// fdatasyncs. `file` changes only once the batch is durable.
    private static func append(_ records: [UInt8], first: UInt64, to file: inout File, folder: String) throws(GFSError) {
        guard !records.isEmpty else { return }
        let path = folder + "/" + file.name
        let bytes: [UInt8]
        do { bytes = try LogFileFormat.batch(records, first: first) } catch {
            throw GFSError(.internal, "\(path): \(error)")
        }
        var (size, allocated) = (file.size, file.allocated)
        if size == 0 {
            // On its own, before any batch: a torn first batch must read as a batched file's torn tail, never
            // as a file from before batches.
            try LogFiles.writeAll(file.descriptor, LogFileFormat.marker, at: 0, path: path)
            size = Int64(LogFileFormat.marker.count)
        }
        if size + Int64(bytes.count) + 512 > allocated {
            // Zeros from the records' end, synced before the batch goes over them: a sector the batch never
            // wrote then reads as zeros, which recovery takes for a torn write, and not as whatever a cut or a
            // failed write left there (which it would take for damage, and refuse to start). Never within a
            // sector of their end: synced zeros just past the records keep a crash during the next fill (whose
            // new blocks may read back stale) a torn tail.
            allocated = writeZeros(file.descriptor, from: size, covering: size + Int64(bytes.count), keeping: allocated)
            guard fdatasync(file.descriptor) == 0 else { throw LogFiles.failure(path) }
        }
        try LogFiles.writeAll(file.descriptor, bytes, at: size, path: path)
        guard fdatasync(file.descriptor) == 0 else { throw LogFiles.failure(path) }
        file.size = size + Int64(bytes.count)
        file.allocated = max(allocated, file.size)
    }

    /// Writes zeros from byte `start` past `end` (to `end` exactly, without `grow`), so the batches that follow
    /// overwrite blocks already written and synced; returns where they end. Without room for them, only the
    /// zeros already synced up to `allocated` are kept, and a batch past them grows the file itself.
    private static func writeZeros(_ descriptor: Int32, from start: Int64, covering end: Int64, keeping allocated: Int64,
                                   grow: Bool = true) -> Int64 {
        let target = grow ? end + min(max(end, 1 << 20), 8 << 20) : end
        guard LogFiles.zero(descriptor, from: start, upTo: target) >= target else {
            let kept = max(start, allocated)
            _ = ftruncate(descriptor, off_t(kept))
            return kept
        }
        return target
    }

    /// The durable sequence number.
    var durable: UInt64 { state.withLockedValue { $0.durable } }

    /// Framed records from `first` on (at most about `maximumBytes`), if they are still in memory.
    func recentRecords(from first: UInt64, maximumBytes: Int) -> [UInt8]? {
        state.withLockedValue { state in
            if first > state.durable { return [] }
            guard let oldest = state.recent.first?.sequence, oldest <= first else { return nil }
            var bytes: [UInt8] = []
            for record in state.recent[Int(first - oldest)...] {
                bytes += record.bytes
                if bytes.count >= maximumBytes { break }
            }
            return bytes
        }
    }

    /// Waits until a record after `sequence` is durable, or `timeout` passes.
    func waitForRecords(after sequence: UInt64, timeout: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let wake = OneShot(continuation)
            let ready = state.withLockedValue { state in
                if state.durable > sequence { return true }
                state.tailWaiters.append((sequence, wake))
                return false
            }
            if ready { wake.fire() } else { Task { try? await Task.sleep(for: timeout); wake.fire() } }
        }
    }

    /// Starts over after record `sequence` in a new log file (a shadow that installed a checkpoint).
    func restart(after sequence: UInt64) throws(GFSError) {
        let name = LogFiles.logName(sequence + 1)
        let path = folder + "/" + name
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LogFiles.failure(path) }
        do { try LogFiles.syncFolderChecked(folder) } catch {
            close(descriptor)
            throw error
        }
        state.withLockedValue { state in
            close(state.descriptor)
            state.descriptor = descriptor
            state.fileName = name
            state.fileBytes = 0
            state.allocated = 0
            state.lastAssigned = sequence
            state.durable = sequence
            state.pending.removeAll()
            state.recent.removeAll()
            state.recentBytes = 0
            // A new file already: a rollover still pending would wait for a record that may never come
            // (numbered before `sequence`), and no checkpoint would be wanted again.
            state.rolloverAfter = nil
        }
    }

    private func finish(_ durable: UInt64, _ written: File, _ batch: [(UInt64, [UInt8])]) {
        // The records TAIL serves and the mark of what is durable change in one step. Apart, a TAIL between the
        // two handed a shadow records past the mark, and the shadow's next TAIL, checked against the old mark,
        // was taken for a diverged log: the shadow started again from a checkpoint and writes waiting on it as
        // a log replica timed out (seen under load with pipelined creates).
        let (tails, ready) = state.withLockedValue { state -> ([OneShot], [CheckedContinuation<Void, any Error>]) in
            state.recent += batch.map { (sequence: $0.0, bytes: $0.1) }
            state.recentBytes += batch.reduce(0) { $0 + $1.1.count }
            var drop = 0
            while state.recentBytes > Self.recentLimitBytes, drop < state.recent.count - 1 {
                state.recentBytes -= state.recent[drop].bytes.count
                drop += 1
            }
            if drop > 0 { state.recent.removeFirst(drop) }
            state.durable = durable
            state.descriptor = written.descriptor
            state.fileName = written.name
            state.fileBytes = written.size
            state.allocated = written.allocated
            if written.switched { state.rolloverAfter = nil }
            let woken = state.tailWaiters.filter { $0.after < durable }.map(\.wake)
            state.tailWaiters.removeAll { $0.after < durable }
            let ready = state.waiters.filter { $0.sequence <= durable }.map(\.continuation)
            state.waiters.removeAll { $0.sequence <= durable }
            return (woken, ready)
        }
        for wake in tails { wake.fire() }
        for continuation in ready { continuation.resume() }
    }

    /// Cuts a failed batch off the file: zeroes everything after the records in place and syncs, so the next
    /// batch lands on synced zeros as after any other; failing that, truncates the file to its records.
    /// Returns where synced zeros end, or nil if neither worked.
    private static func cut(_ file: File) -> Int64? {
        let end = Int64(lseek(file.descriptor, 0, SEEK_END))
        if end > file.size, writeZeros(file.descriptor, from: file.size, covering: end, keeping: file.size, grow: false) == end,
            fdatasync(file.descriptor) == 0
        {
            return end
        }
        return ftruncate(file.descriptor, off_t(file.size)) == 0 ? file.size : nil
    }

    /// A write failed: cut the file being written back to its last whole batch, fail every record not yet
    /// durable, and refuse new ones until the master has reloaded its state from disk. Numbers are handed out
    /// again from the last durable one, which the cut makes the end of the log.
    private func fail(_ error: GFSError, file: File) {
        let zeros = file.descriptor < 0 ? file.size : Self.cut(file)
        let waiting = state.withLockedValue { state -> [CheckedContinuation<Void, any Error>] in
            state.cutBack = zeros != nil
            if file.descriptor >= 0 {
                state.descriptor = file.descriptor
                state.fileName = file.name
                state.fileBytes = file.size
                state.allocated = zeros ?? file.size
                if file.switched { state.rolloverAfter = nil }
            }
            state.failure = error
            state.pending.removeAll()
            state.lastAssigned = state.durable
            let waiting = state.waiters.map(\.continuation)
            state.waiters.removeAll()
            return waiting
        }
        for continuation in waiting { continuation.resume(throwing: error) }
    }
}

/// A continuation resumed exactly once, by whichever comes first: the event or the timeout.
final class OneShot: Sendable {
    private let continuation: NIOLockedValueBox<CheckedContinuation<Void, Never>?>

    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = NIOLockedValueBox(continuation) }

    func fire() {
        let taken = continuation.withLockedValue { value -> CheckedContinuation<Void, Never>? in
            defer { value = nil }
            return value
        }
        taken?.resume()
    }
}
