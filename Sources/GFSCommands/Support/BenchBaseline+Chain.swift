import Foundation
import GFSClient
import GFSProtocol
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

extension BenchBaseline {
    /// `bytes` relayed over loopback TCP through three writers, as a replication chain moves them: a sender
    /// streams to the first, and each writes what it receives to its own file and passes it on to the next,
    /// then fdatasyncs. The three-writer bound moves no bytes between replicas; three replicas on one machine
    /// must, so this is the least a chain of them costs here: no checksums, no protocol, one sync each. Each
    /// relay takes the bytes into its own memory, as a replica that checksums what it stores must (relays that
    /// only splice sockets to files, never seeing the bytes, went 5-45% faster on this machine).
    func chain(_ bytes: Int64) throws -> BenchBound {
        var listeners: [LoopbackSocket] = []
        var links: [Int32] = []  // links[i] carries the bytes into relay i
        defer { for socket in listeners.map(\.descriptor) + links { close(socket) } }
        for _ in 0..<3 {
            let listener = try LoopbackSocket.bind(listening: true)
            listeners.append(listener)
            // Connected before any `accept`, so a refused connect fails here instead of leaving a relay waiting.
            guard let link = LoopbackSocket.connect(to: listener.port) else { throw GFSError(.internal, "baseline: connect refused") }
            links.append(link)
        }
        let failures = NIOLockedValueBox<[String]>([])
        let (accepting, outgoing) = (listeners.map(\.descriptor), links)
        let seconds = Self.seconds {
            let finished = DispatchGroup()
            for index in 0..<3 {
                finished.enter()
                let path = file("chain-\(index)")
                Thread.detachNewThread {
                    let next = index < 2 ? outgoing[index + 1] : nil
                    if let failure = Self.relay(bytes, from: accepting[index], to: next, into: path) {
                        failures.withLockedValue { $0.append(failure) }
                    }
                    finished.leave()
                }
            }
            let sent = BenchWorkloads.data.withUnsafeReadableBytes { raw -> Bool in
                var left = bytes
                while left > 0 {
                    let count = Int(min(left, Int64(raw.count)))
                    guard Self.sendAll(outgoing[0], UnsafeRawBufferPointer(rebasing: raw[0..<count])) else { return false }
                    left -= Int64(count)
                }
                return true
            }
            if !sent { failures.withLockedValue { $0.append("send: \(String(cString: strerror(errno)))") } }
            finished.wait()
        }
        if let failure = failures.withLockedValue({ $0.first }) { throw GFSError(.internal, "baseline: \(failure)") }
        return BenchBound(what: "the same bytes relayed over loopback through 3 local files + fdatasync",
                          rate: Double(bytes) / 1e6 / seconds, unit: .megabytes)
    }

    /// One relay of `chain`: accepts on `listener`, writes the `bytes` it receives to `path` and sends them on
    /// to `next`, then fdatasyncs; the failure, if any. A relay that fails closes its connections, so the
    /// ones before and after it fail too rather than wait.
    private static func relay(_ bytes: Int64, from listener: Int32, to next: Int32?, into path: String) -> String? {
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return "accept: \(String(cString: strerror(errno)))" }
        defer { close(connection) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return "open \(path): \(String(cString: strerror(errno)))" }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        var left = bytes
        while left > 0 {
            let count = recv(connection, &buffer, Int(min(left, Int64(buffer.count))), 0)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return "recv: the stream ended \(left) bytes early" }
            let failure = buffer.withUnsafeBytes { raw -> String? in
                let received = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                guard writeAll(descriptor, received) else { return "write \(path): \(String(cString: strerror(errno)))" }
                if let next, !sendAll(next, received) { return "send: \(String(cString: strerror(errno)))" }
                return nil
            }
            if let failure {
                if let next { shutdown(next, Int32(SHUT_RDWR)) }
                return failure
            }
            left -= Int64(count)
        }
        guard fdatasync(descriptor) == 0 else { return "fdatasync \(path): \(String(cString: strerror(errno)))" }
        return nil
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress.map { $0 + done }, bytes.count - done)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            done += count
        }
        return true
    }

    private static func sendAll(_ socket: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let count = send(socket, bytes.baseAddress.map { $0 + done }, bytes.count - done, Int32(MSG_NOSIGNAL))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            done += count
        }
        return true
    }
}
