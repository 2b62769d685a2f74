import Foundation
import GFSProtocol
import NIOConcurrencyHelpers
import NIOCore

/// The master's audit log (`--audit-log`): one line per namespace change, administrative order and refusal,
/// with the time, the principal, its address and the outcome. Each line is the request's own protocol line
/// with those fields added first, so it parses like any other:
///
///     RM /logs/a time=2026-12-04T10:00:00.123Z principal=alice addr=127.0.0.1 result=OK recursive=1
///
/// Lines are gathered and written in batches (within a second, or at 64 KiB) off the request path: a
/// write(2) and a date formatting per request cost a busy master a tenth of its creates.
final class AuditLog: Sendable {
    private let descriptor: Int32
    /// Lines not yet written, and the formatted second they were last stamped in.
    private let pending = NIOLockedValueBox<(buffer: ByteBuffer, second: Int64, stamp: String)>((ByteBuffer(), -1, ""))
    private static let batchBytes = 64 << 10

    init(path: String) throws(GFSError) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw GFSError(.unavailable, "audit log \(path): \(String(cString: strerror(errno)))")
        }
        let flusher = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let self else { return }
                self.flush()
            }
        }
        _ = flusher
    }

    deinit {
        flush()
        close(descriptor)
    }

    /// Adds one entry at wall-clock `milliseconds`.
    func record(_ request: Line, principal: String, address: String, result: GFSError.Code?, milliseconds: Int64) {
        var entry = request
        let full = pending.withLockedValue { state -> Bool in
            let second = milliseconds / 1000
            if second != state.second {
                let date = Date(timeIntervalSince1970: Double(second))
                state.stamp = String(date.formatted(.iso8601).dropLast())  // no "Z": milliseconds follow
                state.second = second
            }
            let fraction = String(milliseconds % 1000 + 1000).dropFirst()
            entry.fields = [.init("time", "\(state.stamp).\(fraction)Z"), .init("principal", principal),
                            .init("addr", address), .init("result", result?.rawValue ?? "OK")]
                + request.fields.filter { $0.key != CallField.field }
            entry.write(to: &state.buffer)
            return state.buffer.readableBytes >= Self.batchBytes
        }
        if full { flush() }
    }

    /// Writes what has gathered; a failing write is dropped (as syslog would), never the client's problem.
    func flush() {
        pending.withLockedValue { state in
            guard state.buffer.readableBytes > 0 else { return }
            _ = state.buffer.readableBytesView.withContiguousStorageIfAvailable { write(descriptor, $0.baseAddress, $0.count) }
            state.buffer.clear()
        }
    }
}
