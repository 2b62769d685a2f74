import Foundation

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
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw ClusterError("cannot listen on loopback: \(String(cString: strerror(errno)))")
        }
        address = "127.0.0.1:\(UInt16(bigEndian: socketAddress.sin_port))"
    }

    deinit { close(descriptor) }

    /// Whether someone has connected (a connection waits in the backlog, never accepted).
    public var hasBeenCalled: Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }
}
