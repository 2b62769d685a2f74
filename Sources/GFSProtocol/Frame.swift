import GFSCore
import NIOCore

/// What the decoder hands up: a line, or a line with a payload that follows in parts as it arrives, so a
/// chunkserver can forward pushed bytes down the chain before the whole payload is in (GFS §3.2).
public enum Frame: Sendable, Equatable {
    /// A line that carries no payload.
    case line(Line)
    /// A line with `len=length`; `length` bytes follow as `.part`s.
    case head(Line, length: Int)
    /// Payload bytes; `last` on the final part.
    case part(ByteBuffer, last: Bool)
    /// A line that could not be parsed; the framing is intact, so the connection stays usable.
    case invalid(GFSError)
}

/// Splits a byte stream into `Frame`s: lines ended by `\n` (a `\r` before it is dropped), and after a line
/// with `len=N`, exactly N raw bytes.
///
/// Throws only when framing is lost (a line over the limit, a bad or oversize `len=`, a connection closed
/// mid-payload); the peer then gets one `ERR` and the connection closes.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = Frame

    let limits: Limits
    /// Payload bytes of the current frame still to come.
    private var remaining = 0
    /// How far the current buffer was already searched for a newline.
    private var scanned = 0

    /// A decoder enforcing `limits`.
    public init(limits: Limits = Limits()) { self.limits = limits }

    public mutating func decode(buffer: inout ByteBuffer) throws -> Frame? {
        if remaining > 0 {
            guard buffer.readableBytes > 0, let part = buffer.readSlice(length: min(remaining, buffer.readableBytes))
            else { return nil }
            remaining -= part.readableBytes
            return .part(part, last: remaining == 0)
        }
        while true {
            // Lines are scanned and parsed through a raw pointer: slicing a ByteBufferView costs reference
            // counting per token, which was most of a client's time reading a long listing. A line is split
            // once; only one that cannot be parsed is scanned again for its `len=`.
            let newline = buffer.withUnsafeReadableBytes { raw in
                raw[scanned...].firstIndex(of: UInt8(ascii: "\n"))
            }
            guard let length = newline else {
                guard buffer.readableBytes <= limits.maximumLineBytes else { throw lineTooLong() }
                scanned = buffer.readableBytes
                return nil
            }
            guard length <= limits.maximumLineBytes else { throw lineTooLong() }
            scanned = 0
            defer { buffer.moveReaderIndex(forwardBy: length + 1) }
            let limits = self.limits
            let parsed = try buffer.withUnsafeReadableBytes { raw throws -> (Result<Line, GFSError>, Int)? in
                var line = UnsafeRawBufferPointer(rebasing: raw[..<length])
                if line.last == UInt8(ascii: "\r") { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
                if line.allSatisfy({ $0 == UInt8(ascii: " ") }) { return nil }
                let parsed: Line
                do throws(GFSError) { parsed = try Line(parsing: line) } catch {
                    return (.failure(error), try Self.payloadLength(line, limits: limits))
                }
                return (.success(parsed), try parsed["len"].map { try Self.payloadLength(digits: $0.utf8, limits: limits) } ?? 0)
            }
            guard let (line, payloadLength) = parsed else { continue }
            switch line {
            case let .success(line):
                guard payloadLength > 0 else { return .line(line) }
                remaining = payloadLength
                return .head(line, length: payloadLength)
            case let .failure(error):
                // The line is unreadable but its payload (if any) still has to be skipped to stay in frame.
                remaining = payloadLength
                return .invalid(error)
            }
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Frame? {
        if let frame = try decode(buffer: &buffer) { return frame }
        if remaining > 0 {
            throw GFSError(.badRequest, "connection closed with \(remaining) payload bytes missing")
        }
        return nil
    }

    private func lineTooLong() -> GFSError {
        GFSError(.tooLarge, "line longer than \(limits.maximumLineBytes) bytes")
    }

    /// Finds `len=N` in a line that could not be parsed, so even its payload is skipped.
    static func payloadLength(_ bytes: some Collection<UInt8>, limits: Limits) throws(GFSError) -> Int {
        for token in bytes.split(separator: UInt8(ascii: " ")) where token.starts(with: "len=".utf8) {
            return try payloadLength(digits: token.dropFirst(4), limits: limits)
        }
        return 0
    }

    /// The value of `len=`: decimal digits, at most the payload limit.
    static func payloadLength(digits: some Collection<UInt8>, limits: Limits) throws(GFSError) -> Int {
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ (48...57).contains($0) }),
            let value = Int(String(decoding: digits, as: UTF8.self))
        else { throw GFSError(.badRequest, "bad len=\(String(decoding: digits, as: UTF8.self))") }
        guard value <= limits.maximumPayloadBytes else {
            throw GFSError(.tooLarge, "payload of \(value) bytes exceeds \(limits.maximumPayloadBytes)")
        }
        return value
    }
}
