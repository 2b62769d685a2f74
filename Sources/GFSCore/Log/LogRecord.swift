/// One operation-log record (GFS §2.6.3): a sequence number and the mutation it made durable.
public struct LogRecord: Equatable, Sendable {
    /// Log sequence number: 1, 2, 3… with no gaps, across log files.
    public var sequence: UInt64
    /// The change.
    public var mutation: Mutation

    /// Creates a record.
    public init(sequence: UInt64, mutation: Mutation) {
        self.sequence = sequence
        self.mutation = mutation
    }

    /// The framed bytes.
    public var framed: [UInt8] {
        var writer = ByteWriter()
        writer.write(sequence)
        mutation.encode(into: &writer)
        return Frames.frame(writer.bytes)
    }

    /// Decodes the whole records at the start of `bytes`; `end` is where they stop (a torn tail follows when
    /// `end < bytes.count`). Records numbered below `first` are checked (framing and checksum) but left out,
    /// their changes not decoded: a restart skips what its checkpoint holds, which took a fifth of its time.
    public static func decodeAll(_ bytes: [UInt8], from first: UInt64 = 0) -> (records: [LogRecord], end: Int, problem: String?) {
        var records: [LogRecord] = []
        let (end, problem) = decodeAll(bytes, from: first, inBatchesOf: 1 << 16) { records += $0 }
        return (records, end, problem)
    }

    /// `decodeAll`, handing the records to `each` in batches of `batch` as they are decoded, so a restart can
    /// apply them on another thread meanwhile.
    public static func decodeAll(_ bytes: [UInt8], from first: UInt64, inBatchesOf batch: Int,
                                 each: ([LogRecord]) -> Void) -> (end: Int, problem: String?) {
        decodeAll(bytes, in: 0..<bytes.count, from: first, inBatchesOf: batch, each: each)
    }

    /// `decodeAll` of the records in `bytes[range]`.
    public static func decodeAll(_ bytes: [UInt8], in range: Range<Int>, from first: UInt64, inBatchesOf batch: Int,
                                 each: ([LogRecord]) -> Void) -> (end: Int, problem: String?) {
        let (payloads, end) = Frames.scan(bytes, from: range.lowerBound, upTo: range.upperBound)
        var records: [LogRecord] = []
        var last: UInt64 = 0
        for payload in payloads {
            var reader = ByteReader(bytes, payload)
            do {
                let sequence = try reader.read(UInt64.self)
                if sequence < first { continue }
                let mutation = try Mutation.decode(from: &reader)
                guard reader.isAtEnd else { throw LogFormatError("trailing bytes") }
                records.append(LogRecord(sequence: sequence, mutation: mutation))
                last = sequence
                if records.count >= batch {
                    each(records)
                    records.removeAll(keepingCapacity: true)
                }
            } catch {
                if !records.isEmpty { each(records) }
                return (payload.lowerBound - Frames.headerBytes, "record after \(last): \(error)")
            }
        }
        if !records.isEmpty { each(records) }
        return (end, end < range.upperBound ? "\(range.upperBound - end) bytes after record \(last) are torn" : nil)
    }

    /// The first whole record numbered past `sequence` anywhere in `bytes` after `offset`. A torn tail (a
    /// write cut short) has none; damage with acknowledged records after it does, and must not be cut.
    public static func firstRecord(in bytes: [UInt8], after offset: Int, numberedPast sequence: UInt64) -> LogRecord? {
        var position = offset + 1
        while bytes.count - position >= Frames.headerBytes {
            // One frame per position (a run of zeros reads as empty frames, which hold no record).
            if let payload = Frames.frame(in: bytes, at: position), !payload.isEmpty {
                var reader = ByteReader(bytes, payload)
                if let number = try? reader.read(UInt64.self), number > sequence,
                    let mutation = try? Mutation.decode(from: &reader), reader.isAtEnd
                {
                    return LogRecord(sequence: number, mutation: mutation)
                }
            }
            position += 1
        }
        return nil
    }
}

extension Mutation {
    /// Appends the binary form (a tag byte, then the fields).
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case let .makeDirectory(path, modified):
            writer.write(UInt8(1)); writer.write(path); writer.write(modified)
        case let .createFile(path, replication, records, modified):
            writer.write(UInt8(2)); writer.write(path); writer.write(UInt8(replication)); writer.write(records)
            writer.write(modified)
        case let .remove(path, modified):
            writer.write(UInt8(3)); writer.write(path); writer.write(modified)
        case let .move(source, destination, modified):
            writer.write(UInt8(4)); writer.write(source); writer.write(destination); writer.write(modified)
        case let .addChunk(path, handle, version):
            writer.write(UInt8(5)); writer.write(path); writer.write(handle.rawValue); writer.write(version)
        case let .setVersion(handle, version):
            writer.write(UInt8(6)); writer.write(handle.rawValue); writer.write(version)
        case let .setLength(path, length, modified):
            writer.write(UInt8(7)); writer.write(path); writer.write(length); writer.write(modified)
        case let .snapshot(source, destination, modified):
            writer.write(UInt8(8)); writer.write(source); writer.write(destination); writer.write(modified)
        case let .replaceChunk(path, index, handle, version):
            writer.write(UInt8(9)); writer.write(path); writer.write(UInt32(index)); writer.write(handle.rawValue)
            writer.write(version)
        case let .issueVersion(handle, version):
            writer.write(UInt8(10)); writer.write(handle.rawValue); writer.write(version)
        case let .reserveVersion(handle, version):
            writer.write(UInt8(11)); writer.write(handle.rawValue); writer.write(version)
        case let .beginEpoch(epoch):
            writer.write(UInt8(12)); writer.write(epoch)
        case let .finishCall(call, at):
            writer.write(UInt8(13)); writer.write(call.high); writer.write(call.low); writer.write(at)
        case let .setReplication(path, replication):
            writer.write(UInt8(14)); writer.write(path); writer.write(UInt8(clamping: replication))
        case let .concat(destination, sources, replication, modified, padded):
            writer.write(UInt8(15)); writer.write(destination); writer.write(UInt32(clamping: sources.count))
            for source in sources { writer.write(source) }
            writer.write(UInt8(clamping: replication)); writer.write(modified)
            writer.write(UInt32(clamping: padded.count))
            for chunk in padded {
                writer.write(UInt32(clamping: chunk.source)); writer.write(chunk.handle.rawValue); writer.write(chunk.version)
            }
        case let .setQuota(path, files, bytes):
            writer.write(UInt8(16)); writer.write(path); writer.write(files ?? -1); writer.write(bytes ?? -1)
        case let .truncate(path, length, modified, replacing, version):
            writer.write(UInt8(17)); writer.write(path); writer.write(length); writer.write(modified)
            writer.write(replacing != nil); writer.write(replacing?.rawValue ?? 0); writer.write(version)
        }
    }

    /// Reads what `encode` wrote.
    public static func decode(from reader: inout ByteReader) throws(LogFormatError) -> Mutation {
        switch try reader.read(UInt8.self) {
        case 1: return .makeDirectory(try reader.readPath(), modified: try reader.read())
        case 2:
            return .createFile(try reader.readPath(), replication: Int(try reader.read(UInt8.self)),
                               records: try reader.readBool(), modified: try reader.read())
        case 3: return .remove(try reader.readPath(), modified: try reader.read())
        case 4: return .move(try reader.readPath(), to: try reader.readPath(), modified: try reader.read())
        case 5: return .addChunk(try reader.readPath(), ChunkHandle(try reader.read()), version: try reader.read())
        case 6: return .setVersion(ChunkHandle(try reader.read()), try reader.read())
        case 7: return .setLength(try reader.readPath(), try reader.read(), modified: try reader.read())
        case 8: return .snapshot(try reader.readPath(), to: try reader.readPath(), modified: try reader.read())
        case 9:
            return .replaceChunk(try reader.readPath(), index: Int(try reader.read(UInt32.self)), ChunkHandle(try reader.read()),
                                 version: try reader.read())
        case 10: return .issueVersion(ChunkHandle(try reader.read()), try reader.read())
        case 11: return .reserveVersion(ChunkHandle(try reader.read()), try reader.read())
        case 12: return .beginEpoch(try reader.read())
        case 13: return .finishCall(ClientCall(high: try reader.read(), low: try reader.read()), at: try reader.read())
        case 14: return .setReplication(try reader.readPath(), replication: Int(try reader.read(UInt8.self)))
        case 15:
            let destination = try reader.readPath()
            let count = try reader.read(UInt32.self)
            guard count <= 1 << 16 else { throw LogFormatError("concat of \(count) sources") }
            var sources: [GFSPath] = []
            for _ in 0..<count { sources.append(try reader.readPath()) }
            let replication = Int(try reader.read(UInt8.self))
            let modified: Int64 = try reader.read()
            let paddedCount = try reader.read(UInt32.self)
            guard paddedCount <= count else { throw LogFormatError("concat pads \(paddedCount) of \(count) sources") }
            var padded: [PaddedChunk] = []
            for _ in 0..<paddedCount {
                padded.append(PaddedChunk(source: Int(try reader.read(UInt32.self)), handle: ChunkHandle(try reader.read()),
                                          version: try reader.read()))
            }
            return .concat(destination, sources: sources, replication: replication, modified: modified, padded: padded)
        case 16:
            let path = try reader.readPath()
            let (files, bytes): (Int64, Int64) = (try reader.read(), try reader.read())
            return .setQuota(path, files: files < 0 ? nil : files, bytes: bytes < 0 ? nil : bytes)
        case 17:
            let (path, length, modified): (GFSPath, Int64, Int64) = (try reader.readPath(), try reader.read(), try reader.read())
            let (replaced, handle, version): (Bool, UInt64, ChunkVersion) = (try reader.readBool(), try reader.read(), try reader.read())
            return .truncate(path, length: length, modified: modified, replacing: replaced ? ChunkHandle(handle) : nil, version: version)
        case let tag: throw LogFormatError("unknown mutation tag \(tag)")
        }
    }
}
