// Goal: the reader yields every record exactly once whatever surrounds it (GFS §2.7.2, §3.3).
// Method: build byte streams with padding, torn attempts and duplicates; feed them in every piece size.
import GFSCore
import Testing

@Suite struct RecordFormatTests {
    static func record(_ text: String, writer: UInt64 = 1, sequence: UInt64) -> [UInt8] {
        RecordFormat.encode(Array(text.utf8), id: .init(writer: writer, sequence: sequence))
    }

    static func decode(_ bytes: [UInt8], piece: Int) -> ([String], RecordDecoder) {
        var decoder = RecordDecoder(maximumPayloadBytes: 1 << 16)
        var out: [String] = []
        var index = 0
        while index < bytes.count {
            let end = min(index + piece, bytes.count)
            out += decoder.feed(bytes[index..<end]).map { String(decoding: $0, as: UTF8.self) }
            index = end
        }
        return (out, decoder)
    }

    @Test(arguments: [1, 3, 28, 29, 100, 100_000])
    func paddingTornAttemptsAndDuplicatesAreSkipped(piece: Int) {
        let first = Self.record("one\n", sequence: 1)
        let second = Self.record("two\n", sequence: 2)
        var stream = first
        stream += Array(second.prefix(17))                           // a torn attempt of record 2
        stream += [UInt8](repeating: 0, count: 300)                    // padding to a chunk's end
        stream += second                                               // the retry
        stream += second                                               // a duplicate from another retry
        stream += Self.record("other\n", writer: 2, sequence: 1)       // a second writer
        stream += Self.record("", sequence: 3)                         // an empty record
        let (records, decoder) = Self.decode(stream, piece: piece)
        #expect(records == ["one\n", "two\n", "other\n", ""])
        #expect(decoder.duplicates == 1)
        #expect(decoder.unconsumedBytes == 0)
    }

    @Test func corruptedRecordsAreDropped() {
        var bad = Self.record("hello", sequence: 1)
        bad[bad.count - 1] ^= 1
        let (records, decoder) = Self.decode(bad + Self.record("ok", sequence: 2), piece: 7)
        #expect(records == ["ok"])
        #expect(decoder.skippedBytes >= bad.count - 4)
    }

    @Test func anIncompleteTailIsLeftUnconsumed() {
        let (records, decoder) = Self.decode(Array(Self.record("abc", sequence: 1).dropLast()), piece: 5)
        #expect(records.isEmpty)
        #expect(decoder.unconsumedBytes > 0)
    }

    @Test func headerLayoutIsStable() {
        let bytes = Self.record("x", writer: 0x0102, sequence: 7)
        #expect(bytes.count == RecordFormat.headerBytes + 1)
        #expect(Array(bytes.prefix(8)) == Array("GFSr".utf8) + [1, 0, 0, 0])
        #expect(bytes[12] == 0x02 && bytes[13] == 0x01 && bytes[20] == 7)
    }
}
