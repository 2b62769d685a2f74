/// The record framing GFS §2.7.2 advises for record-append files: each record carries a magic word, its
/// length, a checksum and a unique id, so a reader can skip padding, torn attempts and duplicates.
///
/// Layout (little-endian): `magic "GFSr"` · `length: UInt32` (payload bytes) · `crc: UInt32` (CRC32C of the
/// id and payload) · `writer: UInt64` · `sequence: UInt64` · payload.
public enum RecordFormat {
    /// Bytes before the payload.
    public static let headerBytes = 28
    static let magic: [UInt8] = Array("GFSr".utf8)

    /// A record's identity: which writer, and its position in that writer's stream.
    public struct ID: Hashable, Sendable {
        /// Random per writer process.
        public var writer: UInt64
        /// 1, 2, 3… within the writer.
        public var sequence: UInt64

        /// Creates an id.
        public init(writer: UInt64, sequence: UInt64) {
            self.writer = writer
            self.sequence = sequence
        }
    }

    /// The framed bytes of one record.
    public static func encode(_ payload: some Collection<UInt8>, id: ID) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(headerBytes + payload.count)
        append(UInt32(payload.count), to: &bytes)
        var body: [UInt8] = []
        body.reserveCapacity(16 + payload.count)
        append(id.writer, to: &body)
        append(id.sequence, to: &body)
        body.append(contentsOf: payload)
        append(CRC32C.checksum(body), to: &bytes)
        bytes.append(contentsOf: body)
        return bytes
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func integer<T: FixedWidthInteger>(_ bytes: ArraySlice<UInt8>, at offset: Int, as: T.Type) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { raw in
            for index in 0..<MemoryLayout<T>.size { raw[index] = bytes[bytes.startIndex + offset + index] }
        }
        return T(littleEndian: value)
    }
}

/// Reads records back from a file's bytes in order, fed in pieces of any size. It yields each record once:
/// padding and torn attempts fail the magic or checksum and are skipped byte by byte; a record whose id was
/// already seen (a retried append, GFS §3.3) is a duplicate and skipped. Writers append one record at a time,
/// so a writer's sequence numbers only rise in file order and remembering the highest per writer suffices.
public struct RecordDecoder: Sendable {
    private var pending: [UInt8] = []
    private var start = 0
    private var highest: [UInt64: UInt64] = [:]
    /// Largest payload accepted; anything claiming more is garbage.
    let maximumPayloadBytes: Int
    /// Bytes skipped as padding, torn data or duplicates, for `--raw` comparisons and statistics.
    public private(set) var skippedBytes = 0
    /// Records skipped because their id was seen before.
    public private(set) var duplicates = 0

    /// A decoder that rejects records longer than `maximumPayloadBytes`.
    public init(maximumPayloadBytes: Int) { self.maximumPayloadBytes = maximumPayloadBytes }

    /// Adds bytes and returns the payloads of every record now complete.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [ArraySlice<UInt8>] {
        pending.append(contentsOf: bytes)
        var records: [ArraySlice<UInt8>] = []
        while pending.count - start >= RecordFormat.headerBytes {
            guard let (payload, total, id) = recordAt(start) else {
                if pending.count - start < RecordFormat.headerBytes + 1 { break }
                // Not a record here (or not complete yet: wait for more bytes before deciding).
                if waitingForMore(at: start) { break }
                // Skip to the next byte that could begin a magic word: padding is long runs of zeros.
                let next = pending[(start + 1)...].firstIndex(of: RecordFormat.magic[0]) ?? pending.count
                skippedBytes += next - start
                start = next
                continue
            }
            start += total
            if let last = highest[id.writer], id.sequence <= last {
                duplicates += 1
                skippedBytes += total
                continue
            }
            highest[id.writer] = id.sequence
            records.append(payload)
        }
        if start > 1 << 20 || start == pending.count {
            pending.removeFirst(start)
            start = 0
        }
        return records
    }

    /// Bytes left over at the end of the file that never formed a record.
    public var unconsumedBytes: Int { pending.count - start }

    private func waitingForMore(at offset: Int) -> Bool {
        let available = pending.count - offset
        guard pending[offset..<offset + 4].elementsEqual(RecordFormat.magic) else { return false }
        let length = Int(RecordFormat.integer(pending[offset...], at: 4, as: UInt32.self))
        return length <= maximumPayloadBytes && available < RecordFormat.headerBytes + length
    }

    private func recordAt(_ offset: Int) -> (ArraySlice<UInt8>, Int, RecordFormat.ID)? {
        let slice = pending[offset...]
        guard slice.count >= RecordFormat.headerBytes, slice.prefix(4).elementsEqual(RecordFormat.magic) else { return nil }
        let length = Int(RecordFormat.integer(slice, at: 4, as: UInt32.self))
        guard length <= maximumPayloadBytes, slice.count >= RecordFormat.headerBytes + length else { return nil }
        let crc = RecordFormat.integer(slice, at: 8, as: UInt32.self)
        let body = pending[(offset + 12)..<(offset + RecordFormat.headerBytes + length)]
        let actual = body.withContiguousStorageIfAvailable { CRC32C.checksum(UnsafeRawBufferPointer($0)) }
            ?? CRC32C.checksum(Array(body))
        guard actual == crc else { return nil }
        let id = RecordFormat.ID(writer: RecordFormat.integer(slice, at: 12, as: UInt64.self),
                                 sequence: RecordFormat.integer(slice, at: 20, as: UInt64.self))
        return (pending[(offset + RecordFormat.headerBytes)..<(offset + RecordFormat.headerBytes + length)],
                RecordFormat.headerBytes + length, id)
    }
}
