import Foundation
import GFSClient
import GFSProtocol
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// What this machine does for the same work without gfs, measured in the same run (`gfs bench --baseline`),
/// so results read as ratios of a bound rather than as absolute figures of a shared, noisy machine.
struct BenchBaseline {
    /// A folder on the disk the chunkservers use.
    let folder: URL

    /// The path of the bound's file `name` in `folder`.
    func file(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// How long `body` took.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        return max((ContinuousClock.now - start) / .seconds(1), 1e-9)
    }

    static func failure(_ what: String) -> GFSError {
        GFSError(.internal, "baseline: \(what): \(String(cString: strerror(errno)))")
    }

    /// `bytes` written to each of three files at once, by three threads, in 8 MiB writes, each file then
    /// fdatasync'ed: three replicas on one disk, written as a chunkserver chain writes them, together. One
    /// writer after another would bound nothing: gfs overlaps the three and beats that.
    func write(_ bytes: Int64) throws -> BenchBound {
        let files = (0..<3).map { file("replica-\($0)") }
        let failures = NIOLockedValueBox<[String]>([])
        let seconds = Self.seconds {
            let finished = DispatchGroup()
            for path in files {
                finished.enter()
                Thread.detachNewThread {
                    if let failure = Self.writeDurably(bytes, to: path) { failures.withLockedValue { $0.append(failure) } }
                    finished.leave()
                }
            }
            finished.wait()
        }
        if let failure = failures.withLockedValue({ $0.first }) { throw GFSError(.internal, "baseline: \(failure)") }
        return BenchBound(what: "the same bytes into 3 local files at once + fdatasync", rate: Double(bytes) / 1e6 / seconds,
                          unit: .megabytes)
    }

    /// Writes `bytes` of the bench data to `path` and fdatasyncs it; the failure, if any.
    private static func writeDurably(_ bytes: Int64, to path: String) -> String? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return "open \(path): \(String(cString: strerror(errno)))" }
        defer { close(descriptor) }
        guard repeatingData(bytes, { writeAll(descriptor, $0) }) else {
            return "write \(path): \(String(cString: strerror(errno)))"
        }
        guard fdatasync(descriptor) == 0 else { return "fdatasync \(path): \(String(cString: strerror(errno)))" }
        return nil
    }

    /// One of `write`'s files read back with read(2) in 4 MiB reads (from the page cache, as gfs reads are).
    func read(_ bytes: Int64) throws -> BenchBound {
        let descriptor = open(file("replica-0"), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure("open") }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        var total: Int64 = 0
        let seconds = try Self.seconds {
            while total < bytes {
                let count = Glibc.read(descriptor, &buffer, buffer.count)
                guard count >= 0 else { throw Self.failure("read") }
                if count == 0 { break }
                total += Int64(count)
            }
        }
        return BenchBound(what: "read(2) of the same bytes from a local file", rate: Double(total) / 1e6 / seconds, unit: .megabytes)
    }

    /// The same bytes sent over one loopback TCP connection, writer and reader on their own threads: the best
    /// of three runs. On two cores one run in two was measured at half the rate of the other (2.4 against
    /// 4.8 GB/s), as the scheduler put both threads on one core or not; a bound is what the machine can do.
    func socket(_ bytes: Int64) throws -> BenchBound {
        let rate = try Self.best(of: 3) { try stream(bytes, from: .memory) }
        return BenchBound(what: "one loopback TCP stream of the same bytes, best of 3", rate: rate, unit: .megabytes)
    }

    /// `write`'s first file served over one loopback TCP connection, as any file server must: its bytes taken
    /// out of the page cache (pread + send, or sendfile, whichever is faster here), then read by the other end.
    /// A stream from memory skips that step, so it bounds no server of files.
    func fileSocket(_ bytes: Int64) throws -> BenchBound {
        let rate = max(try Self.best(of: 3) { try stream(bytes, from: .pread) },
                       try Self.best(of: 3) { try stream(bytes, from: .sendfile) })
        return BenchBound(what: "one loopback TCP stream of the same file (pread + send or sendfile), best of 3",
                          rate: rate, unit: .megabytes)
    }

    private static func best(of runs: Int, _ run: () throws -> Double) rethrows -> Double {
        var best = 0.0
        for _ in 0..<runs { best = max(best, try run()) }
        return best
    }

    /// Where a stream's sender takes its bytes from.
    private enum Source { case memory, pread, sendfile }

    /// MB/s of one stream of `bytes`, sender and reader on their own threads.
    private func stream(_ bytes: Int64, from source: Source) throws -> Double {
        let listener = try LoopbackSocket.bind(listening: true)
        defer { close(listener.descriptor) }
        let path = file("replica-0")
        // Connected here, before `accept`, so a failed connect is an error rather than an `accept` forever.
        guard let descriptor = LoopbackSocket.connect(to: listener.port) else { throw Self.failure("connect") }
        let sender = Thread {
            defer { close(descriptor) }
            Self.send(bytes, from: source, file: path, to: descriptor)
        }
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        var total: Int64 = 0
        let seconds = try Self.seconds {
            sender.start()
            let connection = accept(listener.descriptor, nil, nil)
            guard connection >= 0 else { throw Self.failure("accept") }
            defer { close(connection) }
            while total < bytes {
                let count = recv(connection, &buffer, buffer.count, 0)
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                total += Int64(count)
            }
        }
        // A sender that failed (a file it could not read) ends the stream early; that rate would bound nothing.
        guard total == bytes else { throw GFSError(.internal, "baseline: a loopback stream ended after \(total) of \(bytes) bytes") }
        return Double(total) / 1e6 / seconds
    }

    /// The sender's side of `stream`; a failure shows as a short stream.
    private static func send(_ bytes: Int64, from source: Source, file path: String, to socket: Int32) {
        var left = bytes
        let descriptor = source == .memory ? -1 : open(path, O_RDONLY | O_CLOEXEC)
        defer { if descriptor >= 0 { close(descriptor) } }
        var buffer = [UInt8](repeating: 0, count: source == .pread ? 4 << 20 : 0)
        var offset: off_t = 0
        while left > 0 {
            let sent: Int
            switch source {
            case .memory:
                sent = BenchWorkloads.data.withUnsafeReadableBytes { raw in
                    Glibc.send(socket, raw.baseAddress, Int(min(left, Int64(raw.count))), Int32(MSG_NOSIGNAL))
                }
            case .pread:
                let count = pread(descriptor, &buffer, Int(min(left, Int64(buffer.count))), offset)
                guard count > 0 else { return }
                guard buffer.withUnsafeBytes({ sendAll(socket, UnsafeRawBufferPointer(rebasing: $0[0..<count])) }) else { return }
                offset += off_t(count)
                sent = count
            case .sendfile:
                sent = Glibc.sendfile(socket, descriptor, &offset, Int(min(left, 4 << 20)))
            }
            guard sent > 0 else { return }
            left -= Int64(sent)
        }
    }

    /// Hands `put` the benchmark's data over and over, `bytes` in all; false (errno set) once `put` fails.
    static func repeatingData(_ bytes: Int64, _ put: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        BenchWorkloads.data.withUnsafeReadableBytes { raw in
            var left = bytes
            while left > 0 {
                let count = Int(min(left, Int64(raw.count)))
                guard put(UnsafeRawBufferPointer(rebasing: raw[0..<count])) else { return false }
                left -= Int64(count)
            }
            return true
        }
    }

    /// Writes all of `bytes` to `descriptor`; false (errno set) when it cannot.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress.map { $0 + done }, bytes.count - done)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            done += count
        }
        return true
    }

    /// Sends all of `bytes` on `socket`; false (errno set) when it cannot.
    static func sendAll(_ socket: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let count = Glibc.send(socket, bytes.baseAddress.map { $0 + done }, bytes.count - done, Int32(MSG_NOSIGNAL))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            done += count
        }
        return true
    }

    /// `records` writes of `size` bytes to one local file, each followed by fdatasync: durable appends one at a
    /// time (at most 2,000 of them: the rate is what matters).
    func append(records: Int, size: Int) throws -> BenchBound {
        let descriptor = open(file("records"), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure("open") }
        defer { close(descriptor) }
        let count = min(records, 2000)
        let seconds = try Self.seconds {
            try BenchWorkloads.data.withUnsafeReadableBytes { raw in
                for _ in 0..<count {
                    guard Glibc.write(descriptor, raw.baseAddress, min(size, raw.count)) > 0, fdatasync(descriptor) == 0 else {
                        throw Self.failure("write")
                    }
                }
            }
        }
        return BenchBound(what: "write + fdatasync per record, one local file", rate: Double(count) / seconds, unit: .records)
    }

    /// The local file system doing each metadata phase on up to 2,000 files, one at a time; creates and
    /// deletes are made durable with an fsync of the directory, as the master's log makes them.
    func meta(files: Int) throws -> [String: BenchBound] {
        let count = min(files, 2000)
        let directory = file("meta")
        mkdir(directory, 0o755)
        let folder = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { throw Self.failure("open") }
        defer { close(folder) }
        // 100 files to a folder, as the master benchmark lays them out.
        for folder in stride(from: 0, to: count, by: 100) { mkdir("\(directory)/d\(folder / 100)", 0o755) }
        let names = (0..<count).map { "\(directory)/d\($0 / 100)/f\($0)" }
        var bounds: [String: BenchBound] = [:]
        bounds["create"] = BenchBound(what: "open(O_CREAT) + close + fsync of the folder", rate: Double(count) / (try Self.seconds {
            for name in names {
                let descriptor = open(name, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else { throw Self.failure("create") }
                close(descriptor)
                fsync(folder)
            }
        }), unit: .operations)
        var info = stat()
        bounds["stat"] = BenchBound(what: "stat(2)", rate: Double(count) / Self.seconds {
            for name in names { _ = stat(name, &info) }
        }, unit: .operations)
        bounds["ls"] = BenchBound(what: "readdir of a folder of 100 files", rate: 100 / Self.seconds {
            for _ in 0..<100 { _ = try? FileManager.default.contentsOfDirectory(atPath: directory + "/d0") }
        }, unit: .operations)
        bounds["delete"] = BenchBound(what: "unlink + fsync of the folder", rate: Double(count) / Self.seconds {
            for name in names {
                unlink(name)
                fsync(folder)
            }
        }, unit: .operations)
        return bounds
    }

    /// Removes the files the bounds wrote.
    func clean() {
        for name in ["replica-0", "replica-1", "replica-2", "records", "meta"] {
            try? FileManager.default.removeItem(atPath: file(name))
        }
    }
}
