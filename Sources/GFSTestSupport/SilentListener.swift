import Foundation
import GFSClient

#if canImport(Glibc)
import Glibc
#endif

/// A TCP port on loopback that accepts connections (the kernel completes them into the backlog) and never
/// answers: a peer that hangs, for tests of what gives up or can be interrupted.
public final class SilentListener {
    private let descriptor: Int32
    /// `127.0.0.1:port`.
    public let address: String

    public init() throws {
        let socket = try LoopbackSocket.bind(listening: true)
        descriptor = socket.descriptor
        address = "127.0.0.1:\(socket.port)"
    }

    deinit { close(descriptor) }

    /// Whether someone has connected (a connection waits in the backlog, never accepted).
    public var hasBeenCalled: Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }
}
