import GFSCore
import NIOCore

/// A complete reply: `OK …` or `ERR CODE text`, then either `n` body lines or a `len=` payload.
public struct Reply: Sendable, Equatable {
    /// The first line, verb `OK` or `ERR`; its `n=` and `len=` fields are added when encoding.
    public var line: Line
    /// The lines a listing reply carries.
    public var body: [Line]
    /// The bytes a data reply carries.
    public var payload: ByteBuffer?

    /// Creates a reply from its parts.
    public init(line: Line, body: [Line] = [], payload: ByteBuffer? = nil) {
        self.line = line
        self.body = body
        self.payload = payload
    }

    /// `OK` with `fields`, optional body lines and an optional payload.
    public static func ok(_ fields: [Line.Field] = [], body: [Line] = [], payload: ByteBuffer? = nil) -> Reply {
        Reply(line: Line("OK", [], fields), body: body, payload: payload)
    }

    /// `ERR CODE [retry_ms=N] text`.
    public static func error(_ error: GFSError) -> Reply {
        let retry = error.retryAfter.flatMap { $0.milliseconds > 0 ? String($0.milliseconds) : nil }
        return Reply(line: Line("ERR", [error.code.rawValue, error.message], fields: ["retry_ms": retry]))
    }

    /// The error this reply reports, or nil for `OK`. A `retry_ms=` that is not a count of milliseconds is
    /// left out rather than failing the reply: it is only a hint, and `Patience` caps what it promises.
    public var error: GFSError? {
        guard line.verb == "ERR" else { return nil }
        let code = line.arguments.first.flatMap(GFSError.Code.init(rawValue:)) ?? .internal
        let milliseconds = line["retry_ms"].flatMap { Int64($0) }.flatMap { $0 >= 0 ? $0 : nil }
        let retryAfter = milliseconds.map { Duration.milliseconds(min($0, Patience.longestPromise.milliseconds)) }
        return GFSError(code, line.arguments.dropFirst().first ?? "", retryAfter: retryAfter)
    }

    /// Appends the wire form of the reply to `buffer`.
    public func write(to buffer: inout ByteBuffer) {
        writeHead(to: &buffer)
        if var payload, payload.readableBytes > 0 { buffer.writeBuffer(&payload) }
    }

    /// Appends everything but the payload bytes (the line with its `n=` or `len=`, and the body lines), so a
    /// server can send a large payload as its own buffer without copying it.
    public func writeHead(to buffer: inout ByteBuffer) {
        var head = line
        if !body.isEmpty { head.fields.append(.init("n", String(body.count))) }
        if let payload, payload.readableBytes > 0 { head.fields.append(.init("len", String(payload.readableBytes))) }
        head.write(to: &buffer)
        for bodyLine in body { bodyLine.write(to: &buffer) }
    }
}
