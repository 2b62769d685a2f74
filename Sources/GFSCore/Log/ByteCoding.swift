/// Little-endian binary writing for log records and checkpoints.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer.
    public init() {}

    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A length-prefixed UTF-8 string.
    public mutating func write(_ text: String) {
        write(UInt32(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    public mutating func write(_ path: GFSPath) { write(path.string) }

    public mutating func write(_ flag: Bool) { write(UInt8(flag ? 1 : 0)) }

    public mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }
}

/// Reading what `ByteWriter` wrote; every read checks bounds, so a damaged record is an error, never a crash.
public struct ByteReader {
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    /// A reader of `bytes[range]`.
    public init(_ bytes: [UInt8], _ range: Range<Int>? = nil) {
        self.bytes = bytes
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    /// Whether everything was read.
    public var isAtEnd: Bool { position == end }

    public mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws(LogFormatError) -> T {
        let size = MemoryLayout<T>.size
        guard end - position >= size else { throw LogFormatError("record ends early") }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { raw in
            for index in 0..<size { raw[index] = bytes[position + index] }
        }
        position += size
        return T(littleEndian: value)
    }

    public mutating func readString() throws(LogFormatError) -> String {
        let count = Int(try read(UInt32.self))
        guard end - position >= count else { throw LogFormatError("string ends early") }
        guard let text = String(validating: bytes[position..<position + count], as: UTF8.self) else {
            throw LogFormatError("string is not UTF-8")
        }
        position += count
        return text
    }

    public mutating func readPath() throws(LogFormatError) -> GFSPath {
        let text = try readString()
        guard let path = GFSPath(text), path.string == text else { throw LogFormatError("bad path \(text)") }
        return path
    }

    public mutating func readBool() throws(LogFormatError) -> Bool { try read(UInt8.self) != 0 }
}

/// A log record or checkpoint that does not decode.
public struct LogFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Frames: `length: UInt32` · `crc32c(payload): UInt32` · payload. A torn or damaged frame fails its length
/// or checksum, so a reader stops exactly at the last whole one.
public enum Frames {
    /// Bytes of framing before each payload.
    public static let headerBytes = 8
    /// Payloads larger than this are damage, not data.
    public static let maximumPayloadBytes = 64 << 20

    /// The framed form of `payload`.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(UInt32(payload.count))
        writer.write(CRC32C.checksum(payload))
        writer.append(payload)
        return writer.bytes
    }

    /// The payload of the one whole frame starting at `position`, if there is one there.
    public static func frame(in bytes: [UInt8], at position: Int) -> Range<Int>? {
        guard position >= 0, bytes.count - position >= headerBytes else { return nil }
        var header = ByteReader(bytes, position..<position + headerBytes)
        guard let length = try? Int(header.read(UInt32.self)), let crc = try? header.read(UInt32.self),
            length <= maximumPayloadBytes, bytes.count - position - headerBytes >= length
        else { return nil }
        let range = (position + headerBytes)..<(position + headerBytes + length)
        let actual = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[range])) }
        return actual == crc ? range : nil
    }

    /// The whole frames at the start of `bytes[from...]`: each payload's range, and where the whole frames
    /// end. Stops at the first frame that is short (of `bytes`, or of `limit`) or fails its checksum.
    public static func scan(_ bytes: [UInt8], from start: Int = 0, upTo limit: Int? = nil) -> (payloads: [Range<Int>], end: Int) {
        let limit = min(limit ?? bytes.count, bytes.count)
        var payloads: [Range<Int>] = []
        var position = start
        while limit - position >= headerBytes {
            var header = ByteReader(bytes, position..<position + headerBytes)
            guard let length = try? Int(header.read(UInt32.self)), let crc = try? header.read(UInt32.self),
                length <= maximumPayloadBytes, limit - position - headerBytes >= length
            else { break }
            let range = (position + headerBytes)..<(position + headerBytes + length)
            let actual = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[range])) }
            guard actual == crc else { break }
            payloads.append(range)
            position = range.upperBound
        }
        return (payloads, position)
    }
}
