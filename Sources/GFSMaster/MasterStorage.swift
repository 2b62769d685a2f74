import CMalloc
import Foundation
import GFSProtocol
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Recovery and checkpoints (GFS §2.6.3): load the newest good checkpoint, replay the log after it, cut a
/// torn tail; write checkpoints aside and swap them in; drop what no checkpoint needs any more.
enum MasterStorage {
    /// What recovery found.
    struct Recovered {
        var state: MasterStateMachine
        /// The last record replayed (or the checkpoint's sequence).
        var lastSequence: UInt64
        /// The log file to keep appending to.
        var logFile: String
        /// Where its records end (a batched file has zeros after them).
        var logEnd: Int64
        var checkpoint: UInt64?
        /// The size of that checkpoint (0 without one).
        var checkpointBytes: Int64
        var replayed: Int
    }

    /// Rebuilds the durable state in `folder` on top of `fresh` (an empty state machine).
    static func recover(_ folder: String, into fresh: MasterStateMachine, logger: Logger) throws(GFSError) -> Recovered {
        let recovered = try recoverState(folder, into: fresh, logger: logger)
        // The files read, and the batches decoded on another thread (another malloc arena), are freed by
        // now; without a trim the process keeps their pages (about 10 MB of 150 after loading 1M files).
        // That matters at startup; a reload after a log failure or a promotion still holds the old state.
        gfs_malloc_trim()
        return recovered
    }

    private static func recoverState(_ folder: String, into fresh: MasterStateMachine,
                                     logger: Logger) throws(GFSError) -> Recovered {
        var state = fresh
        removeIncompleteCheckpoints(folder, logger: logger)
        var base: UInt64 = 0
        var used: UInt64?
        var usedBytes: Int64 = 0
        for checkpoint in try LogFiles.checkpoints(in: folder) {
            do {
                let bytes = try LogFiles.read(folder + "/" + checkpoint.name)
                let contents = try restore(bytes, into: &state)
                base = contents.sequence
                used = contents.sequence
                usedBytes = Int64(bytes.count)
                break
            } catch {
                logger.error("skipping damaged checkpoint \(checkpoint.name): \(error); falling back to an older one")
            }
        }
        let logs = try LogFiles.logs(in: folder)
        var expected = base + 1
        var replayed = 0
        var logEnd: Int64 = 0
        for (index, log) in logs.enumerated() {
            let last = index + 1 < logs.count ? logs[index + 1].first - 1 : UInt64.max
            guard last >= expected else { continue }
            let path = folder + "/" + log.name
            let bytes = try LogFiles.read(path)
            let from = expected
            // Decoded on a thread of its own while this one applies.
            let scan = try Handoff<[LogRecord], LogFileFormat.Scan>.pipeline({ put in
                LogFileFormat.decodeAll(bytes, from: from, inBatchesOf: 1 << 14, each: put)
            }, consume: { (records) throws(GFSError) in
                for record in records where record.sequence >= expected {
                    guard record.sequence == expected else {
                        throw GFSError(.internal, "\(path): record \(record.sequence) follows \(expected - 1); the log has a gap")
                    }
                    do throws(GFSError) { try state.applyChecked(record.mutation) } catch {
                        throw GFSError(.internal, "\(path): record \(record.sequence) does not apply: \(error.message)")
                    }
                    expected += 1
                    replayed += 1
                }
            })
            if let problem = scan.problem {
                guard index == logs.count - 1 else {
                    throw GFSError(.internal, "\(path) is damaged before its end (\(problem)); later logs cannot be replayed")
                }
                let later = scan.damaged
                    ? "a whole batch is there"
                    : LogFileFormat.recordAfterDamage(in: bytes, after: scan.end, numberedPast: expected - 1)
                        .map { "record \($0) follows the damage" }
                if let later {
                    throw GFSError(.internal, "\(path) is damaged at byte \(scan.end) (\(problem)), and \(later): this is not a "
                        + "torn tail, and cutting it would lose acknowledged records; restore the file from a shadow's log, "
                        + "or move it aside to start from what precedes it")
                }
                logger.warning("\(path): \(problem); cutting the torn tail (a write the master never acknowledged)")
                if LogFileFormat.isBatched(bytes) {
                    // Zeroed in place and synced, not truncated: the next batch then lands on synced zeros,
                    // and no fill of new blocks (which a power loss may leave stale) comes right after the records.
                    try LogFiles.writeZeros(path, from: Int64(scan.end), upTo: Int64(bytes.count))
                } else {
                    guard truncate(path, off_t(scan.end)) == 0 else { throw LogFiles.failure(path) }
                }
            }
            if index == logs.count - 1 { logEnd = Int64(scan.end) }
        }
        let logFile = logs.last.map(\.name) ?? LogFiles.logName(expected)
        return Recovered(state: state, lastSequence: expected - 1, logFile: logFile, logEnd: logEnd, checkpoint: used,
                         checkpointBytes: usedBytes, replayed: replayed)
    }

    /// Loads a checkpoint into `state`, decoding on a thread of its own while this one restores what is
    /// decoded: the two halves of a restart take about as long each, and a master has more than one core.
    /// `state` is unchanged if the checkpoint turns out damaged.
    static func restore(_ bytes: [UInt8], into state: inout MasterStateMachine) throws(LogFormatError) -> Checkpoint.Contents {
        var restoring = state.beginRestore()
        let decoded = Handoff<[Checkpoint.Listed], Result<Checkpoint.Contents, LogFormatError>>.pipeline({ put in
            Result { () throws(LogFormatError) in try Checkpoint.decode(bytes, entriesInBatchesOf: 1 << 14, each: put) }
        }, consume: { (entries) throws(Never) in restoring.add(entries) })
        let contents = try decoded.get()
        state.finishRestore(restoring, contents)
        return contents
    }

    /// A `.tmp` checkpoint is one a crash interrupted; it was never swapped in.
    private static func removeIncompleteCheckpoints(_ folder: String, logger: Logger) {
        guard let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix("checkpoint-"), name.hasSuffix(".tmp") {
                logger.notice("removing incomplete checkpoint \(name)")
                unlink(folder + "/" + name)
            }
        }
    }

    /// Framed records from `first` on, read from the log files (at most about `maximumBytes`); nil when
    /// `first` is older than every log file (a checkpoint replaced those records). None past `last`: a file
    /// may hold a batch written but not yet synced.
    static func records(_ folder: String, from first: UInt64, through last: UInt64 = .max,
                        maximumBytes: Int) throws(GFSError) -> [UInt8]? {
        let logs = try LogFiles.logs(in: folder)
        guard let start = logs.lastIndex(where: { $0.first <= first }) else { return nil }
        var bytes: [UInt8] = []
        var expected = first
        for log in logs[start...] {
            for record in LogFileFormat.records(in: try LogFiles.read(folder + "/" + log.name))
            where record.sequence >= expected {
                guard record.sequence <= last else { return bytes }
                guard record.sequence == expected else { return bytes.isEmpty ? nil : bytes }
                bytes += record.framed
                expected += 1
                if bytes.count >= maximumBytes { return bytes }
            }
        }
        return bytes
    }

    /// Moves every log and checkpoint into a `diverged-<ms>` folder (kept for an operator, never read again),
    /// so a shadow starting again from the primary's checkpoint replays none of its own records.
    static func setAside(_ folder: String, stamp: Int64) throws(GFSError) {
        let aside = folder + "/diverged-\(stamp)"
        guard mkdir(aside, 0o700) == 0 || errno == EEXIST else { throw LogFiles.failure(aside) }
        let names = try LogFiles.logs(in: folder).map(\.name) + LogFiles.checkpoints(in: folder).map(\.name)
        for name in names where rename(folder + "/" + name, aside + "/" + name) != 0 { throw LogFiles.failure(name) }
        try LogFiles.syncFolderChecked(aside)
        try LogFiles.syncFolderChecked(folder)
    }

    /// Stores a checkpoint received from the primary as this master's own.
    static func installCheckpoint(_ bytes: [UInt8], sequence: UInt64, folder: String) throws(GFSError) {
        let name = LogFiles.checkpointName(sequence)
        let temporary = folder + "/" + name + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LogFiles.failure(temporary) }
        defer { close(descriptor) }
        try LogFiles.writeAll(descriptor, bytes, path: temporary)
        guard fsync(descriptor) == 0, rename(temporary, folder + "/" + name) == 0 else { throw LogFiles.failure(temporary) }
        try LogFiles.syncFolderChecked(folder)
    }

    /// Writes a checkpoint of `state` at `sequence` aside, then renames it into place; returns its size.
    /// Blocking: run it on a thread pool, never on the master's actor.
    @discardableResult
    static func writeCheckpoint(_ state: MasterStateMachine, sequence: UInt64, folder: String) throws(GFSError) -> Int64 {
        let name = LogFiles.checkpointName(sequence)
        let temporary = folder + "/" + name + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LogFiles.failure(temporary) }
        var written: Int64 = 0
        do {
            try Checkpoint.encode(state, sequence: sequence) { (piece) throws(GFSError) in
                try LogFiles.writeAll(descriptor, piece, path: temporary)
                written += Int64(piece.count)
            }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error as? GFSError ?? GFSError(.internal, "\(error)")
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard synced, rename(temporary, folder + "/" + name) == 0 else {
            let failure = LogFiles.failure(temporary)
            unlink(temporary)
            throw failure
        }
        try LogFiles.syncFolderChecked(folder)  // before `prune` drops what this one replaces
        return written
    }

    /// Keeps the two newest checkpoints (the older is the fallback if the newer turns out damaged) and the
    /// logs replay needs after the older one; removes the rest.
    static func prune(_ folder: String) throws(GFSError) {
        let checkpoints = try LogFiles.checkpoints(in: folder)
        guard checkpoints.count >= 2 else { return }
        let keepFrom = checkpoints[1].sequence
        for old in checkpoints.dropFirst(2) { unlink(folder + "/" + old.name) }
        let logs = try LogFiles.logs(in: folder)
        for (index, log) in logs.enumerated() where index + 1 < logs.count && logs[index + 1].first - 1 <= keepFrom {
            unlink(folder + "/" + log.name)
        }
    }
}
