import CDescriptors
import GFSCore
import GFSProtocol
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A chunkserver's descriptor socket, both ends: a Unix socket in Linux's abstract namespace (no file, so no
/// folder a reader must be let into), where a connection holds one `OPEN` line and its one reply line, which
/// carries the replica's files open (SCM_RIGHTS). Sequenced packets, so each line arrives whole or not at all.
/// Blocking calls with timeouts, off the event loops: the lines are GFSProtocol's, but no NIO channel carries
/// descriptors.
public enum DescriptorSocket {
    /// How long a reader waits for the chunkserver at each step; past it the read goes over the port.
    static let readerPatience = timeval(tv_sec: 1, tv_usec: 0)
    /// How long the chunkserver waits for a reader's line: a local peer sends it at once, and the server
    /// answers one connection at a time, so a silent peer must not hold the others up.
    public static let serverPatience = timeval(tv_sec: 0, tv_usec: 250_000)
    /// The longest line either end reads.
    public static let maximumLine = 1024

    /// A fresh random name in the abstract namespace, so no one can take it before the server binds it.
    public static func randomName() -> String { LocalReply.socketPrefix + RandomName.random().description }

    /// Runs `body` with the socket address of `name` in the abstract namespace (sun_path starts with a NUL).
    static func withAddress<T>(_ name: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path[0] = 0
            for (index, byte) in bytes.enumerated() { path[index + 1] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + 1 + bytes.count)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    private static func makeSocket() -> Int32 {
        socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    /// Makes every send and receive on `descriptor` give up after `patience`.
    public static func setPatience(_ patience: timeval, on descriptor: Int32) {
        var patience = patience
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            setsockopt(descriptor, SOL_SOCKET, option, &patience, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// A socket listening at `name`, or nil (errno says why).
    public static func listen(_ name: String) -> Int32? {
        let descriptor = makeSocket()
        guard descriptor >= 0 else { return nil }
        let bound = withAddress(name) { address, length in (bind(descriptor, address, length), errno) }
        let failure = bound.map { $0.0 == 0 ? (Glibc.listen(descriptor, 128) == 0 ? 0 : errno) : $0.1 } ?? ENAMETOOLONG
        guard failure == 0 else {
            close(descriptor)
            errno = failure
            return nil
        }
        return descriptor
    }

    /// The next connection to `listener`, close-on-exec, or -1 and errno.
    public static func accept(_ listener: Int32) -> Int32 { Int32(truncatingIfNeeded: gfs_accept_cloexec(listener)) }

    /// Sends `line` and its newline as one packet, with `files` attached; nil, or what went wrong.
    @discardableResult
    public static func send(_ line: Line, files: [Int32] = [], on descriptor: Int32) -> String? {
        guard files.count <= 4 else { return "at most 4 files go with a line" }
        var buffer = ByteBuffer()
        line.write(to: &buffer)
        var sent = -1
        repeat {
            sent = buffer.withUnsafeReadableBytes { raw in
                files.withUnsafeBufferPointer {
                    gfs_send_descriptors(descriptor, raw.baseAddress, UInt(raw.count), $0.baseAddress, Int32($0.count))
                }
            }
        } while sent < 0 && errno == EINTR
        if sent < 0 { return String(cString: strerror(errno)) }
        return sent == buffer.readableBytes ? nil : "sent \(sent) of \(buffer.readableBytes) bytes"
    }

    /// One packet's line and the files that came with it; nil when none came in time. The line is nil when the
    /// packet is not one line of at most `maximumLine` bytes. With `files` 0 none a peer attached is taken in;
    /// with `peek` the packet stays queued, to be received again.
    public static func receive(on descriptor: Int32, files capacity: Int, peek: Bool = false) -> (line: Line?, files: [Int32])? {
        guard (0...4).contains(capacity) else { return nil }
        var bytes = [UInt8](repeating: 0, count: maximumLine)
        var files = [Int32](repeating: -1, count: max(capacity, 1))
        var (count, cut): (Int32, Int32) = (0, 0)
        var received = -1
        repeat {
            received = bytes.withUnsafeMutableBytes { raw in
                files.withUnsafeMutableBufferPointer {
                    gfs_receive_descriptors(descriptor, raw.baseAddress, UInt(raw.count), $0.baseAddress, Int32(capacity), &count,
                                            peek ? 1 : 0, &cut)
                }
            }
        } while received < 0 && errno == EINTR
        let opened = Array(files.prefix(Int(max(0, min(count, Int32(capacity))))))
        guard received > 0 else {
            opened.forEach { close($0) }
            return nil
        }
        // One line, its newline last: nothing after it, and nothing cut off.
        guard cut == 0, bytes[received - 1] == UInt8(ascii: "\n"), bytes[..<(received - 1)].firstIndex(of: UInt8(ascii: "\n")) == nil
        else { return (nil, opened) }
        return ((try? Line(parsing: bytes[..<(received - 1)])), opened)
    }
}

extension DescriptorSocket {
    /// What redeeming a ticket came to.
    public enum Redeemed: Sendable {
        /// The replica's data and checksum files, open for reading; the caller closes them.
        case files(chunk: Int32, checksum: Int32)
        /// No such socket here: the chunkserver runs on another machine, or in another network namespace.
        case unreachable
    }

    /// Connects to the socket `name` and redeems `ticket` for the replica's files, which come with `proof`
    /// from the chunkserver itself. Throws the chunkserver's refusal, or UNAVAILABLE when the socket fails to
    /// answer, answers without the proof, or sends anything but two regular files.
    public static func redeem(_ ticket: LocalTickets.Ticket, proof: RandomName, at name: String) throws(GFSError) -> Redeemed {
        func failure(_ what: String) -> GFSError { GFSError(.unavailable, "descriptor socket \(name): \(what)") }
        let descriptor = makeSocket()
        guard descriptor >= 0 else { throw failure(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        setPatience(readerPatience, on: descriptor)
        var connected: (result: Int32, failure: Int32)? = (-1, EINTR)
        repeat {
            connected = withAddress(name) { address, length in (connect(descriptor, address, length), errno) }
        } while connected?.result == -1 && connected?.failure == EINTR
        guard let connected else { throw GFSError(.badRequest, "descriptor socket name \(name) is too long") }
        guard connected.result == 0 else {
            if connected.failure == ECONNREFUSED || connected.failure == ENOENT { return .unreachable }
            throw failure(String(cString: strerror(connected.failure)))
        }
        if let problem = send(ChunkRequest.open(ticket: ticket).line, on: descriptor) { throw failure(problem) }
        // The line first, with no file taken in: only the chunkserver's proof lets its files into this process
        // (closing another's could block, on a FUSE file).
        guard let (peeked, _) = receive(on: descriptor, files: 0, peek: true) else { throw failure("no answer") }
        guard let line = peeked else { throw failure("an unreadable line") }
        let reply = Reply(line: line)
        if let error = reply.error { throw error }
        guard (try? OpenReply(reply))?.proof == proof else {
            throw failure("an answer without LOCAL's proof (another process under the chunkserver's name?)")
        }
        guard let (_, files) = receive(on: descriptor, files: 2) else { throw failure("no answer") }
        guard files.count == 2, files.allSatisfy(isRegularFile) else {
            files.forEach { close($0) }
            throw failure("\(files.count) files, not 2 regular ones")
        }
        return .files(chunk: files[0], checksum: files[1])
    }

    private static func isRegularFile(_ descriptor: Int32) -> Bool {
        var status = stat()
        return fstat(descriptor, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
    }
}
