import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking TCP socket, for wire tests that send exactly the bytes a person would type into `nc`.
public final class RawSocket {
    private let descriptor: Int32
    /// Bytes received but not yet returned.
    private var pending: [UInt8] = []

    /// Connects to `host:port` on loopback, with reads that give up after `timeout` seconds.
    public init(_ address: String, timeout: Double = 5) throws {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw ClusterError("bad address \(address)")
        }
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var seconds = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr.s_addr = inet_addr(String(address[..<colon]))
        let result = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw ClusterError("connect to \(address) failed: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// Sends all of `bytes`.
    public func send(_ bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let sent = bytes[done...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            done += sent
        }
    }

    /// Sends text as UTF-8.
    public func send(_ text: String) { send(Array(text.utf8)) }

    /// Reads until `count` lines have arrived, the peer closes, or the read times out; bytes after the last
    /// line stay for the next read.
    public func readLines(_ count: Int) -> [String] {
        var lines: [String] = []
        while lines.count < count {
            if let newline = pending.firstIndex(of: 10) {
                lines.append(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            } else if !receive() {
                break
            }
        }
        return lines
    }

    /// Reads exactly `count` bytes (fewer if the peer closes or the read times out).
    public func readBytes(_ count: Int) -> [UInt8] {
        while pending.count < count, receive() {}
        let bytes = Array(pending.prefix(count))
        pending.removeFirst(bytes.count)
        return bytes
    }

    private func receive() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let got = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard got > 0 else { return false }
        pending += chunk[..<got]
        return true
    }

    /// Whether the peer has closed the connection (a read returns end of file).
    public func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, 0) == 0
    }

    /// Closes our side completely.
    public func shutdown() { Glibc.shutdown(descriptor, Int32(SHUT_RDWR)) }
}
