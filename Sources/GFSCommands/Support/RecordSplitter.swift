import NIOCore

/// Cuts an input stream into records: at a delimiter (kept with its record, so records are the bytes that
/// went in), or every `size` bytes.
struct RecordSplitter {
    enum Rule {
        case delimiter(UInt8)
        case size(Int)
    }

    let rule: Rule
    private var pending = ByteBuffer()

    init(_ rule: Rule) { self.rule = rule }

    /// Adds input and returns the records it completed.
    mutating func feed(_ bytes: ByteBuffer) -> [ByteBuffer] {
        var input = bytes
        pending.writeBuffer(&input)
        var records: [ByteBuffer] = []
        switch rule {
        case let .delimiter(byte):
            while let index = pending.readableBytesView.firstIndex(of: byte),
                let record = pending.readSlice(length: index - pending.readerIndex + 1) {
                records.append(record)
            }
        case let .size(size):
            while pending.readableBytes >= size, let record = pending.readSlice(length: size) { records.append(record) }
        }
        pending.discardReadBytes()
        return records
    }

    /// The last record when the input did not end with a delimiter (or a whole record).
    mutating func finish() -> ByteBuffer? {
        defer { pending.clear() }
        return pending.readableBytes > 0 ? pending : nil
    }
}
