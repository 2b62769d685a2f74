import GFSProtocol
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Blocking reads and writes on file descriptors: the CLI's only I/O with the terminal, pipes and local files.
enum StandardStreams {
    /// Whether `descriptor` is a terminal a person reads (aligned columns, progress bars) rather than a pipe.
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) != 0 }

    /// Writes a line to stdout.
    static func output(_ text: String) {
        _ = try? write(ByteBuffer(string: text + "\n"), to: 1)
    }

    /// Writes text as it is (no newline added), ignoring failures: for progress lines.
    static func write(text: String, to descriptor: Int32) {
        _ = try? write(ByteBuffer(string: text), to: descriptor)
    }

    /// Redraws one status line on stderr (`\r`, cleared to the end); nil erases it.
    static func progress(_ text: String?) {
        write(text: "\r" + (text ?? "") + "\u{1B}[K", to: 2)
    }

    /// Writes a line to stderr.
    static func error(_ text: String) {
        _ = try? write(ByteBuffer(string: text + "\n"), to: 2)
    }

    /// Writes all of `bytes` to `descriptor`; a closed pipe (EPIPE) ends the program quietly, as `cat` does.
    static func write(_ bytes: ByteBuffer, to descriptor: Int32) throws(GFSError) {
        try bytes.withUnsafeReadableBytes { (raw) throws(GFSError) in
            guard let base = raw.baseAddress else { return }
            var done = 0
            while done < raw.count {
                let count = Glibc.write(descriptor, base + done, raw.count - done)
                if count < 0 {
                    if errno == EINTR { continue }
                    if errno == EPIPE { exit(141) }
                    throw GFSError(.internal, "write failed: \(String(cString: strerror(errno)))")
                }
                done += count
            }
        }
    }

    /// Reads whatever is available now, up to `count` bytes, waiting only when nothing is; nil at end of
    /// input. For streams whose records should not wait for a full buffer (`tail -f | gfs append`).
    static func readAvailable(_ descriptor: Int32, upTo count: Int) throws(GFSError) -> ByteBuffer? {
        var buffer = ByteBuffer()
        _ = try readOnce(descriptor, into: &buffer, upTo: count)
        return buffer.readableBytes > 0 ? buffer : nil
    }

    /// Reads up to `count` bytes from `descriptor` (fewer only at end of input); nil at end of input.
    /// Each read lands in the one buffer returned: a put moves every byte through here, and reading into a
    /// second buffer to copy it over cost a copy and a fresh buffer per piece.
    static func read(_ descriptor: Int32, upTo count: Int) throws(GFSError) -> ByteBuffer? {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count)
        while buffer.readableBytes < count, try readOnce(descriptor, into: &buffer, upTo: count - buffer.readableBytes) > 0 {}
        return buffer.readableBytes > 0 ? buffer : nil
    }

    /// One read(2) of up to `count` bytes onto the end of `buffer`, retried on EINTR; the bytes read, 0 at end
    /// of input.
    private static func readOnce(_ descriptor: Int32, into buffer: inout ByteBuffer, upTo count: Int) throws(GFSError) -> Int {
        var failure: Int32 = 0
        let got = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            while true {
                let result = Glibc.read(descriptor, raw.baseAddress, count)
                if result >= 0 { return result }
                if errno != EINTR {
                    failure = errno
                    return 0
                }
            }
        }
        if failure != 0 { throw GFSError(.internal, "read failed: \(String(cString: strerror(failure)))") }
        return got
    }

    /// Opens a local file for reading; NOTFOUND with the reason when it cannot be.
    static func openForReading(_ path: String) throws(GFSError) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw GFSError(.notFound, "\(path): \(String(cString: strerror(errno)))") }
        return descriptor
    }
}
