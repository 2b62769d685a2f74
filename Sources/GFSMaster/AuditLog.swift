import Foundation
import GFSProtocol
import NIOCore

/// The master's audit log (`--audit-log`): one line per namespace change, administrative order and refusal,
/// with the time, the principal, its address and the outcome. Each line is the request's own protocol line
/// with those fields added first, so it parses like any other:
///
///     RM /logs/a time=2026-12-04T10:00:00.123Z principal=alice addr=127.0.0.1 result=OK recursive=1
final class AuditLog: Sendable {
    private let descriptor: Int32

    init(path: String) throws(GFSError) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw GFSError(.unavailable, "audit log \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// Appends one entry; a failing write is not the client's problem, so it is dropped (as syslog would).
    func record(_ request: Line, principal: String, address: String, result: GFSError.Code?, at time: Date) {
        var entry = request
        entry.fields = [.init("time", time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))),
                        .init("principal", principal), .init("addr", address),
                        .init("result", result?.rawValue ?? "OK")]
            + request.fields.filter { $0.key != CallField.field }
        var buffer = ByteBuffer()
        entry.write(to: &buffer)
        let bytes = buffer.readableBytesView
        _ = bytes.withContiguousStorageIfAvailable { write(descriptor, $0.baseAddress, $0.count) }
    }
}
