// Goal: an LS reply written straight into a buffer is byte for byte the reply built from EntryInfo lines.
// Method: table of directories (the root, escaped names), files and records, with and without a next page.
import GFSCore
import GFSProtocol
import NIOCore
import Testing

@Suite struct ListingReplyTests {
    static let entries: [(name: String, entry: Namespace.Entry)] = [
        ("a", Namespace.Entry(kind: .directory, modified: 1_700_000_000_123)),
        ("b c=%\n", Namespace.Entry(kind: .file, chunks: [ChunkHandle(7), ChunkHandle(9)], length: 67_108_865,
                                     replication: 3, records: true, modified: -5)),
        ("ünï", Namespace.Entry(kind: .file, replication: 255, modified: 0)),
        ("9", Namespace.Entry(kind: .file, length: .max, modified: .min)),
        ("10", Namespace.Entry(kind: .directory, length: 10, modified: 999_999_999_999_999_999)),
        // The most a line takes: every byte of the longest name escaped, every number at its widest.
        (String(repeating: "é", count: 127), Namespace.Entry(kind: .directory, length: .min, replication: 255,
                                                              records: true, modified: .min)),
    ]

    @Test(arguments: ["/", "/d", "/with space/ü%", "/a/b/c"], [nil, "b c=%\n"])
    func listingsMatchTheRepliesBuiltFromLines(directory: String, next: String?) throws {
        let directory = try #require(GFSPath(directory))
        for count in 0...Self.entries.count {
            let children = Array(Self.entries.prefix(count))
            var written = ByteBuffer()
            ListingReply.write(directory: directory, children: children, next: next, to: &written)
            let lines = children.map { EntryInfo(path: directory.appending($0.name), entry: $0.entry).line }
            var built = ByteBuffer()
            Reply.ok(next.map { [Line.Field("next", $0)] } ?? [], body: lines).writeHead(to: &built)
            #expect(String(buffer: written) == String(buffer: built))
        }
    }
}
