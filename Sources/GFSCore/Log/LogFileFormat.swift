/// The operation log's file format. A file starts with `marker`; then comes one batch per fdatasync, each
/// `magic: UInt32` · `length: UInt32` · `first sequence: UInt64` · `crc32c(payload): UInt32` ·
/// `crc32c(the 20 header bytes before): UInt32` · payload (framed records, as `LogRecord.framed`) · `magic`
/// again; then zeros the master wrote ahead of the log and synced before writing a batch over them.
///
/// The zeros are why: overwriting blocks already written and synced makes an fdatasync write only data, where
/// a growing file also writes its inode each time. The batches are what make them safe. The master writes a
/// batch only after the one before it was synced, so a batch that does not check is either torn (the last
/// write, never acknowledged) or damage. A whole batch after it proves damage; so does a bad batch none of
/// whose 512-byte sectors is still zero, since a torn write leaves some sector of the batch unwritten (etcd's
/// write-ahead log tells the two apart the same way). The header checks on its own, so a damaged length
/// cannot claim zeros past the batch as its own; the magic at both ends puts a nonzero byte in a batch's
/// first and last sectors however few of its bytes they hold. Recovery cuts only a torn write.
///
/// Files without the marker were written before batches, one record after another to the end of the file,
/// and are read that way.
public enum LogFileFormat {
    /// The first bytes of a batched log file. Read as an unbatched file's first frame header, they give a
    /// length far past `Frames.maximumPayloadBytes`, so neither format is taken for the other.
    public static let marker: [UInt8] = Array("GFS-LOG batches\n".utf8)
    static let batchMagic: UInt32 = 0x4754_4142  // "BATG" in little-endian bytes
    /// Bytes of header before each batch's payload.
    public static let batchHeaderBytes = 24
    /// Bytes after it: the magic again.
    static let batchTrailerBytes = 4

    /// Whether `bytes` is a batched log file.
    public static func isBatched(_ bytes: [UInt8]) -> Bool {
        bytes.count >= marker.count && bytes[..<marker.count].elementsEqual(marker)
    }

    /// One batch: the header and the framed records `records`, the first numbered `first`.
    public static func batch(_ records: [UInt8], first: UInt64) throws(LogFormatError) -> [UInt8] {
        guard let length = UInt32(exactly: records.count) else { throw LogFormatError("a batch of \(records.count) bytes") }
        var writer = ByteWriter()
        writer.write(batchMagic)
        writer.write(length)
        writer.write(first)
        writer.write(CRC32C.checksum(records))
        writer.write(CRC32C.checksum(writer.bytes))
        writer.append(records)
        writer.write(batchMagic)
        return writer.bytes
    }

    /// The header at `position`, if it is whole and checks: the first sequence, and the payload's length
    /// and CRC32C.
    static func header(in bytes: [UInt8], at position: Int) -> (first: UInt64, length: Int, crc: UInt32)? {
        guard position >= 0, bytes.count - position >= batchHeaderBytes else { return nil }
        var header = ByteReader(bytes, position..<position + batchHeaderBytes)
        guard let magic = try? header.read(UInt32.self), magic == batchMagic,
            let length = try? Int(header.read(UInt32.self)), let first = try? header.read(UInt64.self),
            let crc = try? header.read(UInt32.self), let headerCRC = try? header.read(UInt32.self),
            bytes.withUnsafeBytes({ CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[position..<(position + 20)])) }) == headerCRC
        else { return nil }
        return (first, length, crc)
    }

    /// The whole, checking batch at `position`: its first sequence and payload range.
    static func batch(in bytes: [UInt8], at position: Int) -> (first: UInt64, payload: Range<Int>)? {
        guard let (first, length, crc) = header(in: bytes, at: position),
            bytes.count - position - batchHeaderBytes - batchTrailerBytes >= length
        else { return nil }
        let payload = (position + batchHeaderBytes)..<(position + batchHeaderBytes + length)
        var trailer = ByteReader(bytes, payload.upperBound..<(payload.upperBound + batchTrailerBytes))
        guard (try? trailer.read(UInt32.self)) == batchMagic else { return nil }
        let actual = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[payload])) }
        return actual == crc ? (first, payload) : nil
    }

    /// What reading a log file found.
    public struct Scan: Equatable, Sendable {
        /// Where the log's whole records end: the writer goes on from here.
        public var end: Int
        /// Why the records stop before the end of the file, when anything but zeros follows them.
        public var problem: String?
        /// Whether what follows is surely damage, never a torn write (cutting it could lose acknowledged
        /// records): a whole batch that does not decode, or a bad one with no sector left unwritten.
        public var damaged = false

        public init(end: Int, problem: String? = nil, damaged: Bool = false) {
            (self.end, self.problem, self.damaged) = (end, problem, damaged)
        }
    }

    /// Decodes the records of a log file in either format, as `LogRecord.decodeAll` does: records numbered
    /// below `first` are checked but left out, and the rest go to `each` in batches of `batchSize`.
    public static func decodeAll(_ bytes: [UInt8], from first: UInt64, inBatchesOf batchSize: Int,
                                 each: ([LogRecord]) -> Void) -> Scan {
        guard isBatched(bytes) else {
            let (end, problem) = LogRecord.decodeAll(bytes, in: 0..<bytes.count, from: first, inBatchesOf: batchSize, each: each)
            return Scan(end: end, problem: problem)
        }
        var position = marker.count
        var last: UInt64?
        // Records go on in batches of `batchSize` across the file's batches: a lightly loaded master writes
        // one record per batch, and a hand-off per record would slow a restart down.
        var decoded: [LogRecord] = []
        defer { if !decoded.isEmpty { each(decoded) } }
        while let (number, payload) = batch(in: bytes, at: position) {
            let (end, problem) = LogRecord.decodeAll(bytes, in: payload, from: first, inBatchesOf: batchSize) { records in
                decoded += records
                if decoded.count >= batchSize {
                    each(decoded)
                    decoded.removeAll(keepingCapacity: true)
                }
            }
            if let problem {
                return Scan(end: position, problem: "the batch at byte \(position) checks but does not decode (\(problem), at byte \(end))",
                            damaged: true)
            }
            last = number
            position = payload.upperBound + batchTrailerBytes
        }
        if bytes[position...].allSatisfy({ $0 == 0 }) { return Scan(end: position) }
        let after = last.map { "the batch from record \($0)" } ?? "the start"
        if isTorn(bytes, at: position) {
            return Scan(end: position, problem: "\(bytes.count - position) bytes after \(after) are a torn batch")
        }
        return Scan(end: position, problem: "the batch after \(after), at byte \(position), is damaged: every sector of it was written",
                    damaged: true)
    }

    /// Whether the bad batch at `position` is a torn write: some 512-byte sector of the bytes its header
    /// claims (just the header, if that does not check) is all zeros, or lies past the end of the file.
    static func isTorn(_ bytes: [UInt8], at position: Int) -> Bool {
        let end = position + batchHeaderBytes + (header(in: bytes, at: position).map { $0.length + batchTrailerBytes } ?? 0)
        if end > bytes.count { return true }
        var start = position
        while start < end {
            let next = min((start / 512 + 1) * 512, end)
            if bytes[start..<next].allSatisfy({ $0 == 0 }) { return true }
            start = next
        }
        return false
    }

    /// The first sequence of a whole record or batch numbered past `sequence` after byte `offset`. A torn tail
    /// (the last write, cut short) has none; damage with acknowledged records after it does.
    public static func recordAfterDamage(in bytes: [UInt8], after offset: Int, numberedPast sequence: UInt64) -> UInt64? {
        guard isBatched(bytes) else { return LogRecord.firstRecord(in: bytes, after: offset, numberedPast: sequence)?.sequence }
        var position = offset + 1
        while bytes.count - position >= batchHeaderBytes {
            if bytes[position] == 0x42, let (first, _) = batch(in: bytes, at: position), first > sequence { return first }
            position += 1
        }
        return nil
    }

    /// The records of a log file in either format, in order, as far as they are whole.
    public static func records(in bytes: [UInt8]) -> [LogRecord] {
        var records: [LogRecord] = []
        _ = decodeAll(bytes, from: 0, inBatchesOf: 1 << 16) { records += $0 }
        return records
    }
}
