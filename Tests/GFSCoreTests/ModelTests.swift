// Goal: the value types every role relies on parse and print one way. Method: table-driven cases.
import GFSCore
import Testing

@Suite struct ModelTests {
    /// The standard CRC32C check value, and incremental use with a seed.
    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        let whole = CRC32C.checksum(Array("hello, world".utf8))
        let first = CRC32C.checksum(Array("hello, ".utf8))
        let continued = Array("world".utf8).withUnsafeBytes { CRC32C.checksum($0, seed: first) }
        #expect(continued == whole)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test(arguments: [
        ("/", "/"), ("/a/b", "/a/b"), ("/a//b/", "/a/b"), ("/a/./b/../c", "/a/c"), ("/..", "/"), ("a b", "/a b"),
        ("//", "/"), ("/a/", "/a"), ("/.", "/"), ("/a/..", "/"), ("/...", "/..."), ("/a/.b/..c", "/a/.b/..c"), ("/a/b/.", "/a/b"),
    ])
    func pathsNormalise(input: String, expected: String) {
        #expect(GFSPath(input)?.string == expected)
    }

    /// An address prints back as it was read; anything but a plain host is refused (the fuzzer found a
    /// combining mark after `[` that made the brackets one Character with it).
    @Test func serverAddressesParseOneWay() throws {
        for (text, host, port) in [("127.0.0.1:7700", "127.0.0.1", 7700), ("[::1]:9", "::1", 9), ("fe80::1%eth0:1", "fe80::1%eth0", 1),
                                   ("host-a.example:0", "host-a.example", 0)] {
            let address = try #require(ServerID(text))
            #expect(address.host == host && address.port == port)
            #expect(ServerID(address.description) == address)
        }
        for bad in ["127.0.0.1", ":1", "a:65536", "a:+1", "a:-1", "a b:1", "[[a]]:1", "[\u{06DC}a]:1", "\u{06DC}:1", "a,b:1",
                    "a:99999999999999999999"] {
            #expect(ServerID(bad) == nil, "\(bad)")
        }
    }

    @Test func pathRelations() throws {
        let path = try #require(GFSPath("/home/u/f"))
        #expect(path.parent.string == "/home/u")
        #expect(path.name == "f")
        #expect(path.isDescendant(of: try #require(GFSPath("/home"))))
        #expect(!path.isDescendant(of: try #require(GFSPath("/ho"))))
        #expect(path.replacingPrefix(try #require(GFSPath("/home")), with: try #require(GFSPath("/x"))).string == "/x/u/f")
        #expect(GFSPath("") == nil)
        #expect(GFSPath("/a\u{0}b") == nil)
        // The edges of slicing parent and name from the text.
        let top = try #require(GFSPath("/a"))
        #expect(top.parent == .root && top.name == "a")
        #expect(GFSPath.root.parent == .root && GFSPath.root.name == "/")
        #expect(GFSPath.root.appending("x").string == "/x" && top.appending("é").string == "/a/é")
        #expect(try #require(GFSPath("/é/ü")).parent.string == "/é")
    }

    @Test func handlesPrintAsSixteenHexDigits() {
        #expect(ChunkHandle(255).description == "00000000000000ff")
        #expect(ChunkHandle(hex: "00000000000000ff") == ChunkHandle(255))
        #expect(ChunkHandle(hex: "xyz") == nil)
        #expect(ChunkHandle(hex: "11111111111111111") == nil)
    }

    @Test(arguments: [("64K", Int64(65536)), ("64KiB", 65536), ("1M", 1 << 20), ("1.5G", 1_610_612_736), ("12", 12)])
    func byteCountsParse(text: String, bytes: Int64) {
        #expect(ByteCount.parse(text) == bytes)
    }

    @Test func badByteCountsAreRejected() {
        #expect(ByteCount.parse("-1") == nil)
        #expect(ByteCount.parse("lots") == nil)
        #expect(ByteCount.format(1 << 20) == "1M")
    }

    @Test func serverAddressesParse() {
        #expect(ServerID("127.0.0.1:7700") == ServerID(host: "127.0.0.1", port: 7700))
        #expect(ServerID("[::1]:7700")?.description == "[::1]:7700")
        #expect(ServerID("host") == nil)
        #expect(ServerID("host:99999") == nil)
        #expect(ServerID(":80") == nil)
    }

    /// Local reads trust a loopback address to mean this machine, and nothing else by its looks.
    @Test func loopbackAddressesAreKnown() {
        for text in ["127.0.0.1:7701", "127.1.2.3:7701", "[::1]:7701", "localhost:7701"] {
            #expect(ServerID(text)?.isLoopback == true, "\(text)")
        }
        for text in ["10.0.0.1:7701", "127.example.com:7701", "127.a.b.c:7701", "127.0.0:7701", "127.0.0.256:7701", "[::2]:7701", "128.0.0.1:7701"] {
            #expect(ServerID(text)?.isLoopback == false, "\(text)")
        }
    }

    /// Reference: GFS §5.2 — checksums cover 64 KiB blocks.
    @Test func checksumBlocksCoverTheRange() {
        #expect(ChecksumLayout.blocks(offset: 0, count: 1) == 0..<1)
        #expect(ChecksumLayout.blocks(offset: 65535, count: 2) == 0..<2)
        #expect(ChecksumLayout.blocks(offset: 65536, count: 65536) == 1..<2)
        #expect(ChecksumLayout.blocks(offset: 10, count: 0).isEmpty)
    }

    /// A flipped byte, a short block or a missing sum is found in the block it lands in, and nowhere else.
    @Test func checksumMismatchNamesTheRottenBlock() {
        let size = ChecksumLayout.blockSize
        var data = (0..<(2 * size + 100)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        func sums(_ bytes: [UInt8]) -> [UInt8] {
            stride(from: 0, to: bytes.count, by: size).flatMap { start in
                withUnsafeBytes(of: CRC32C.checksum(Array(bytes[start..<min(start + size, bytes.count)])).littleEndian, Array.init)
            }
        }
        let stored = sums(data)
        func mismatch(_ bytes: [UInt8], _ sums: [UInt8], _ blocks: Range<Int> = 5..<8) -> Int? {
            bytes.withUnsafeBytes { raw in sums.withUnsafeBytes { ChecksumLayout.firstMismatch(raw, sums: $0, blocks: blocks) } }
        }
        #expect(mismatch(data, stored) == nil)
        #expect(mismatch(Array(data.dropLast(50)), stored) == 7)
        #expect(mismatch(Array(data.prefix(2 * size)), stored) == 7)
        #expect(mismatch(data, Array(stored.prefix(8))) == 7)
        data[size + 17] ^= 0x40
        #expect(mismatch(data, stored) == 6)
        #expect(mismatch(data, stored, 0..<1) == nil)
    }

    @Test func secondariesApplySerialsInOrderOnly() {
        var order = MutationOrder()
        let handle = ChunkHandle(1)
        let serials = [order.nextSerial(for: handle, version: 0), order.nextSerial(for: handle, version: 0)]
        #expect(serials == [1, 2])
        var secondary = MutationOrder()
        let accepted = [1, 3, 2, 3].map { secondary.accept(UInt64($0), for: handle) }
        #expect(accepted == [true, true, false, false])
    }
}

@Suite struct RecentEventsTests {
    /// The status page's events keep the newest ones only, newest first, so memory stays fixed.
    @Test func keepsTheNewestNewestFirst() {
        var events = RecentEvents(capacity: 3)
        for index in 1...5 { events.record(.init(time: Int64(index), kind: "k", text: "e\(index)")) }
        #expect(events.count == 3)
        #expect(events.newestFirst.map(\.text) == ["e5", "e4", "e3"])
    }
}

@Suite struct CRCCombineTests {
    /// A composed checksum equals the checksum of the whole bytes, wherever they are split: a file's checksum
    /// does not depend on its chunk size.
    @Test(arguments: [0, 1, 7, 4096, 65536, 65537, 199_999, 200_000])
    func composedEqualsWhole(split: Int) {
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let whole = CRC32C.checksum(bytes)
        let first = CRC32C.checksum(Array(bytes[..<split]))
        let second = CRC32C.checksum(Array(bytes[split...]))
        #expect(CRC32C.combine(first, second, secondLength: Int64(bytes.count - split)) == whole)
    }
}

@Suite struct PathBytesTests {
    /// A name that starts with a combining mark: `/` and the mark are one Character, but the path still splits
    /// at the `/` byte, everywhere alike (the fuzzer found MKDIR -p logging parents that did not replay).
    @Test func namesSplitOnSlashBytes() throws {
        let path = try #require(GFSPath("/a/\u{0485}b/c"))
        #expect(path.components == ["a", "\u{0485}b", "c"])
        #expect(path.parent == GFSPath(components: ["a", "\u{0485}b"]) && path.parent.parent == GFSPath("/a"))
        let (parent, other, base) = (try #require(GFSPath("/a/\u{0485}b")), try #require(GFSPath("/a/\u{0485}")),
                                     try #require(GFSPath("/a")))
        #expect(path.isDescendant(of: parent) && !path.isDescendant(of: other))
        #expect(GFSPath("b/../\u{0485}x", relativeTo: base)?.components == ["a", "\u{0485}x"])
        // Names compare as the namespace compares them: a canonically equivalent spelling is the same name.
        let (composed, decomposed) = (try #require(GFSPath("/\u{e9}")), try #require(GFSPath("/e\u{301}/x")))
        #expect(decomposed.isDescendant(of: composed))
    }
}
