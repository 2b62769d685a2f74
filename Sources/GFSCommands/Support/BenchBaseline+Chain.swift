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
    /// must, so this is what a plain chain of them costs here: no checksums, no protocol, one sync each. Each
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
            guard let link = LoopbackSocket.connect(to: listener.port) else { throw Self.failure("connect") }
            links.append(link)
        }
        // A relay's own failure is the cause; the ones it sets off before and after it are not.
        let failures = NIOLockedValueBox<(own: [String], knockOn: [String])>(([], []))
        let (accepting, incoming) = (listeners.map(\.descriptor), links)
        let seconds = Self.seconds {
            let finished = DispatchGroup()
            for index in 0..<3 {
                finished.enter()
                let relay = Relay(listener: accepting[index], incoming: incoming[index],
                                  next: index < 2 ? incoming[index + 1] : nil, path: file("replica-\(index)"))
                Thread.detachNewThread {
                    switch relay.run(bytes) {
                    case .done: break
                    case let .failed(failure): failures.withLockedValue { $0.own.append(failure) }
                    case let .cut(failure): failures.withLockedValue { $0.knockOn.append(failure) }
                    }
                    finished.leave()
                }
            }
            if !Self.repeatingData(bytes, { Self.sendAll(incoming[0], $0) }) {
                failures.withLockedValue { $0.knockOn.append("send: \(String(cString: strerror(errno)))") }
                shutdown(incoming[0], Int32(SHUT_RDWR))
            }
            finished.wait()
        }
        let failure = failures.withLockedValue { $0.own.first ?? $0.knockOn.first }
        if let failure { throw GFSError(.internal, "baseline: relay chain: \(failure)") }
        return BenchBound(what: "the same bytes relayed over loopback through 3 local files + fdatasync",
                          rate: Double(bytes) / 1e6 / seconds, unit: .megabytes)
    }
}

/// One writer of `BenchBaseline.chain`.
private struct Relay: Sendable {
    let listener: Int32
    /// The sending end of the connection into this relay: shut down when the relay ends, so a writer before it
    /// fails instead of waiting on a relay that has gone.
    let incoming: Int32
    let next: Int32?
    let path: String

    enum Outcome { case done, failed(String), cut(String) }

    /// Accepts the bytes, writes them to `path` and sends them on to `next`, then fdatasyncs. However it ends,
    /// it shuts down its links both ways, so no relay before or after it waits for it forever.
    func run(_ bytes: Int64) -> Outcome {
        defer {
            shutdown(incoming, Int32(SHUT_RDWR))
            if let next { shutdown(next, Int32(SHUT_WR)) }
        }
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return .failed("accept: \(String(cString: strerror(errno)))") }
        defer { close(connection) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return .failed("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        var left = bytes
        while left > 0 {
            let count = recv(connection, &buffer, Int(min(left, Int64(buffer.count))), 0)
            if count < 0, errno == EINTR { continue }
            if count < 0 { return .cut("recv: \(String(cString: strerror(errno)))") }
            guard count > 0 else { return .cut("the stream ended \(left) bytes early") }
            let outcome = buffer.withUnsafeBytes { raw -> Outcome in
                let received = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                guard BenchBaseline.writeAll(descriptor, received) else {
                    return .failed("write \(path): \(String(cString: strerror(errno)))")
                }
                if let next, !BenchBaseline.sendAll(next, received) { return .cut("send: \(String(cString: strerror(errno)))") }
                return .done
            }
            if case .done = outcome { left -= Int64(count) } else { return outcome }
        }
        guard fdatasync(descriptor) == 0 else { return .failed("fdatasync \(path): \(String(cString: strerror(errno)))") }
        return .done
    }
}
