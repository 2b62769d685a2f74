import GFSProtocol

#if canImport(Glibc)
import Glibc
#endif

/// The master's files: `log-<first sequence>` operation logs and `checkpoint-<sequence>` checkpoints, with
/// sequence numbers zero-padded so names sort in order.
enum LogFiles {
    static func logName(_ first: UInt64) -> String { "log-" + padded(first) }
    static func checkpointName(_ sequence: UInt64) -> String { "checkpoint-" + padded(sequence) }

    private static func padded(_ value: UInt64) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The logs in `folder`, by first sequence.
    static func logs(in folder: String) throws(GFSError) -> [(first: UInt64, name: String)] {
        try list(folder, prefix: "log-").map { ($0.0, $0.1) }
    }

    /// The finished checkpoints in `folder`, newest first.
    static func checkpoints(in folder: String) throws(GFSError) -> [(sequence: UInt64, name: String)] {
        try list(folder, prefix: "checkpoint-").reversed().map { ($0.0, $0.1) }
    }

    private static func list(_ folder: String, prefix: String) throws(GFSError) -> [(UInt64, String)] {
        guard let directory = opendir(folder) else { throw failure(folder) }
        defer { closedir(directory) }
        var found: [(UInt64, String)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(prefix), let value = UInt64(name.dropFirst(prefix.count)) { found.append((value, name)) }
        }
        return found.sorted { $0.0 < $1.0 }
    }

    /// Reads a whole file.
    static func read(_ path: String) throws(GFSError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw failure(path) }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }

    /// Writes all of `bytes` to `descriptor`.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(GFSError) {
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + done, $0.count - done) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw failure(path) }
            done += count
        }
    }

    /// Writes all of `bytes` to `descriptor` at `offset`.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], at offset: Int64, path: String) throws(GFSError) {
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes {
                pwrite(descriptor, $0.baseAddress! + done, $0.count - done, off_t(offset) + off_t(done))
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw failure(path) }
            done += count
        }
    }

    /// Overwrites bytes `start..<end` of the file at `path` with zeros, and fdatasyncs.
    static func writeZeros(_ path: String, from start: Int64, upTo end: Int64) throws(GFSError) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path) }
        defer { close(descriptor) }
        guard zero(descriptor, from: start, upTo: end) >= end else { throw failure(path) }
        guard fdatasync(descriptor) == 0 else { throw failure(path) }
    }

    /// Writes zeros over bytes `start..<end` of an open file, 1 MiB at a time; returns how far it got (less than
    /// `end` when a write failed, with `errno` set by it).
    static func zero(_ descriptor: Int32, from start: Int64, upTo end: Int64) -> Int64 {
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var position = start
        while position < end {
            let count = Int(min(Int64(zeros.count), end - position))
            let written = zeros.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, count, off_t(position)) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return position }
            position += Int64(written)
        }
        return position
    }

    /// The first `count` bytes of an open file (fewer if it is shorter).
    static func prefix(_ descriptor: Int32, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, 0) }
        return Array(bytes.prefix(max(read, 0)))
    }

    /// Flushes a folder's entries (after a create or rename in it).
    static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// Flushes a folder's entries where durability is claimed: a failed fsync is an error (DESIGN §6).
    static func syncFolderChecked(_ folder: String) throws(GFSError) {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(folder) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure(folder) }
    }

    /// The error for the current `errno`; a full disk or file-size limit is NOSPACE.
    static func failure(_ path: String) -> GFSError {
        let code = errno
        let reason = String(cString: strerror(code))
        if code == ENOSPC || code == EDQUOT || code == EFBIG { return GFSError(.noSpace, "\(path): \(reason)") }
        return GFSError(.internal, "\(path): \(reason)")
    }
}
