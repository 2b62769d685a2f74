import GFSProtocol

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP socket bound to a port of 127.0.0.1 chosen by the kernel: for free ports, a listener that never
/// answers, and the loopback baseline of `gfs bench`.
public struct LoopbackSocket: Sendable {
    public let descriptor: Int32
    public let port: Int

    /// Binds port 0 of loopback (and listens, when asked); the caller owns `descriptor`.
    public static func bind(listening: Bool) throws(GFSError) -> LoopbackSocket {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = descriptor >= 0 && withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, length) == 0 && (!listening || listen(descriptor, 64) == 0)
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            let reason = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            throw GFSError(.unavailable, "cannot bind a loopback port: \(reason)")
        }
        return LoopbackSocket(descriptor: descriptor, port: Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A port nothing listens on now (bound, read back, released): for a server whose address must be known
    /// before it starts. Another process could take it in between, and that server would then fail loudly.
    public static func freePort() throws(GFSError) -> Int {
        let socket = try bind(listening: false)
        close(socket.descriptor)
        return socket.port
    }

    /// Connects a new socket to `port` on loopback; nil when refused.
    public static func connect(to port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(descriptor)
            return nil
        }
        return descriptor
    }
}
