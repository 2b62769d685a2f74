// Goal: every token survives printing and parsing, and every request verb round-trips through its Line.
// Method: table-driven values, including hostile paths.
import GFSProtocol
import NIOCore
import Testing

@Suite struct LineTests {
    @Test(arguments: ["/plain", "/with space", "/new\nline", "/eq=ual", "/pct%25", "/ünïcødé", "/comma,semi;", "\t\r"])
    func tokensRoundTrip(text: String) throws {
        let encoded = PercentEncoding.encode(text)
        #expect(!encoded.contains(" ") && !encoded.contains("\n") && !encoded.contains("="))
        #expect(try PercentEncoding.decode(Array(encoded.utf8)) == text)
    }

    /// The bytes written to a buffer are the description's, whatever the tokens hold.
    @Test(arguments: ["/plain", "/with space", "/new\nline", "/eq=ual", "/pct%25", "/ünïcødé", "/comma,semi;", "\t\r"])
    func writtenLinesMatchTheirDescription(text: String) throws {
        let line = Line("ENTRY", [text, "/b"], [.init("path", text), .init("size", "12")])
        var buffer = ByteBuffer()
        line.write(to: &buffer)
        #expect(String(buffer: buffer) == line.description + "\n")
        #expect(try Line(parsing: Array(line.description.utf8)) == line)
    }

    /// A run of slashes then a combining mark normalises to a path whose first Character is not "/"; it must
    /// still read back as the same request (FuzzWire's crash input).
    @Test func pathsStartingWithACombiningMarkRoundTrip() throws {
        let request = try MasterRequest(try Line(parsing: Array("MKDIR /////\u{06DC}\u{07}PUSH//x".utf8)))
        #expect(request == .makeDirectory(try #require(GFSPath("/\u{06DC}\u{07}PUSH/x")), parents: false))
        #expect(try MasterRequest(request.line) == request)
    }

    @Test func brokenEscapesAreBadRequests() {
        #expect(throws: GFSError.self) { try PercentEncoding.decode(Array("%4".utf8)) }
        #expect(throws: GFSError.self) { try PercentEncoding.decode(Array("%zz".utf8)) }
        #expect(throws: GFSError.self) { try PercentEncoding.decode(Array("%ff".utf8)) }
    }

    @Test func linesParseVerbsArgumentsAndFields() throws {
        let line = try Line(parsing: Array("ls  /a%20b key=v%3Dw flag=1".utf8))
        #expect(line.verb == "LS")
        #expect(line.arguments == ["/a b"])
        #expect(line["key"] == "v=w")
        #expect(line.flag("flag"))
        #expect(line.description == "LS /a%20b key=v%3Dw flag=1")
        #expect(throws: GFSError.self) { try Line(parsing: Array("X Bad=1".utf8)) }
    }

    @Test func bytesThatAreNotUTF8AreRefused() throws {
        for bad: [UInt8] in [[0xFF, 0x20, 0x2F], Array("X /".utf8) + [0xC3], Array("X k=".utf8) + [0x80, 0x41]] {
            #expect(Self.parsedInPlace(bad) == nil)
        }
        let line = try #require(Self.parsedInPlace(Array("sTat /é".utf8)))
        #expect(line.verb == "STAT" && line.arguments == ["/é"])
        #expect(Self.parsedInPlace(Array("é /a".utf8))?.verb == "É")
    }

    private static func parsedInPlace(_ bytes: [UInt8]) -> Line? {
        bytes.withUnsafeBytes { raw in try? Line(parsing: raw) }
    }

    @Test func errorLinesKeepTheirTextRaw() throws {
        let reply = Reply.error(GFSError(.notFound, "/a b: 100% gone\n"))
        var buffer = ByteBuffer()
        reply.write(to: &buffer)
        #expect(String(buffer: buffer) == "ERR NOTFOUND /a b: 100% gone?\n")
        let parsed = try Line(parsing: Array("ERR NOTFOUND /a b: 100% gone".utf8))
        #expect(Reply(line: parsed).error == GFSError(.notFound, "/a b: 100% gone"))
    }

    /// A LEASE refusal says when the lease it waits for ends, as a field a client reads (not in the text).
    @Test func errorLinesCarryRetryAfter() throws {
        var buffer = ByteBuffer()
        Reply.error(GFSError(.lease, "primary 127.0.0.1:1 is down; lease ends in 4.8 seconds",
                             retryAfter: .milliseconds(4800))).write(to: &buffer)
        #expect(String(buffer: buffer) == "ERR LEASE retry_ms=4800 primary 127.0.0.1:1 is down; lease ends in 4.8 seconds\n")
        let line = try Line(parsing: Array("ERR LEASE retry_ms=4800 primary down".utf8))
        #expect(Reply(line: line).error == GFSError(.lease, "primary down", retryAfter: .milliseconds(4800)))
        let cases: [(String, GFSError)] = [
            ("ERR LEASE retry_ms=-5 x", GFSError(.lease, "x")),
            ("ERR LEASE retry_ms=soon x", GFSError(.lease, "x")),
            ("ERR LEASE retry_ms=99999999999999999999 x", GFSError(.lease, "x")),
            ("ERR LEASE retry_ms=9999999999 x", GFSError(.lease, "x", retryAfter: Patience.longestPromise)),
            ("ERR NOTFOUND /a=b c", GFSError(.notFound, "/a=b c")),
            ("ERR NOTFOUND a=b c", GFSError(.notFound, "a=b c")),
            ("ERR LEASE x retry_ms=5", GFSError(.lease, "x retry_ms=5")),
        ]
        for (text, expected) in cases {
            let parsed = try Line(parsing: Array(text.utf8))
            #expect(Reply(line: parsed).error == expected, "\(text)")
        }
    }

    @Test func replyCountsBodyLinesAndPayload() {
        var buffer = ByteBuffer()
        Reply.ok([.init("x", "1")], body: [Line("ENTRY", ["/a"])]).write(to: &buffer)
        #expect(String(buffer: buffer) == "OK x=1 n=1\nENTRY /a\n")
        buffer.clear()
        Reply.ok(payload: ByteBuffer(string: "abc")).write(to: &buffer)
        #expect(String(buffer: buffer) == "OK len=3\nabc")
    }

    static let masterRequests: [MasterRequest] = [
        .makeDirectory(GFSPath("/a b")!, parents: true), .create(GFSPath("/f")!, replication: 2),
        .create(GFSPath("/f")!, replication: nil), .create(GFSPath("/r")!, replication: 3, records: true), .list(.root), .stat(GFSPath("/x\ny")!),
        .move(GFSPath("/a")!, to: GFSPath("/b")!), .remove(GFSPath("/a")!, recursive: true),
        .lookup(GFSPath("/f")!), .allocate(GFSPath("/f")!, index: 3), .lease(ChunkHandle(77)),
        .setSize(GFSPath("/f")!, size: 12345),
        .register(ServerID("127.0.0.1:9")!, rack: "r1", capacityBytes: 100, freeBytes: 50),
        .heartbeat(ServerID("127.0.0.1:9")!, freeBytes: 5, leases: [ChunkHandle(1), ChunkHandle(2)]),
        .corrupt(ChunkHandle(3), on: ServerID("127.0.0.1:9")!), .status, .help,
        .tail(from: 5, shadow: ServerID("127.0.0.1:9")!, waitMilliseconds: 1000, last: 77), .tail(from: 1, shadow: nil, waitMilliseconds: 0),
        .checkpoint, .promote, .snapshot(GFSPath("/a")!, to: GFSPath("/b c")!),
    ]

    @Test(arguments: masterRequests)
    func masterRequestsRoundTrip(request: MasterRequest) throws {
        let text = request.line.description
        #expect(try MasterRequest(try Line(parsing: Array(text.utf8))) == request)
    }

    static let chunkRequests: [ChunkRequest] = [
        .push(id: "abc", length: 10, chain: [ServerID("127.0.0.1:1")!, ServerID("127.0.0.1:2")!]),
        .write(ChunkHandle(5), version: 2, offset: 65536, id: "abc"),
        .apply(ChunkHandle(5), version: 2, serial: 9, offset: 0, id: "x"),
        .sync(ChunkHandle(5)),
        .append(ChunkHandle(5), version: 2, id: "y"),
        .pad(ChunkHandle(5), version: 2, serial: 10, size: 65536, id: "y"),
        .read(ChunkHandle(5), version: 1, offset: 10, length: 20),
        .local(ChunkHandle(5), version: 1), .open(ticket: LocalTickets.Ticket(high: 1, low: .max)),
        .grant(ChunkHandle(5), version: 3, leaseMilliseconds: 60000, create: false,
               secondaries: [ServerID("127.0.0.1:1")!, ServerID("127.0.0.1:2")!]),
        .grant(ChunkHandle(5), version: 1, leaseMilliseconds: nil, create: true, secondaries: []), .status, .help,
        .revoke(ChunkHandle(5), version: 4), .clone(ChunkHandle(5), new: ChunkHandle(6), version: 3),
    ]

    @Test func localAndOpenRepliesRoundTripAndBadOnesAreRefused() throws {
        let reply = LocalReply(socket: LocalReply.socketPrefix + RandomName(high: 6, low: 7).description, ticket: RandomName(high: 2, low: 3), proof: RandomName(high: 4, low: 5),
                               length: 65536)
        #expect(try LocalReply(Reply(line: Line(parsing: reply.reply.line.description.utf8))) == reply)
        let (ticket, proof) = (reply.ticket, reply.proof)
        let socket = reply.socket
        for bad in ["OK socket=\(socket) ticket=12 proof=\(proof) length=1", "OK socket=\(socket) ticket=\(ticket) length=1",
                    "OK socket=\(socket)0 ticket=\(ticket) proof=\(proof) length=1",
                    "OK socket=systemd-private ticket=\(ticket) proof=\(proof) length=1",
                    "OK ticket=\(ticket) proof=\(proof) length=1", "OK socket=\(socket) ticket=\(ticket) proof=\(proof) length=-1"] {
            #expect(throws: GFSError.self, "\(bad)") { try LocalReply(Reply(line: Line(parsing: bad.utf8))) }
        }
        let open = OpenReply(proof: proof)
        #expect(try OpenReply(Reply(line: Line(parsing: open.reply.line.description.utf8))) == open)
        #expect(throws: GFSError.self) { try OpenReply(Reply(line: Line(parsing: "OK proof=zz".utf8))) }
        #expect(throws: GFSError.self) { try ChunkRequest(Line(parsing: "OPEN ticket=zz".utf8)) }
    }

    @Test(arguments: chunkRequests)
    func chunkRequestsRoundTrip(request: ChunkRequest) throws {
        let text = request.line.description
        #expect(try ChunkRequest(try Line(parsing: Array(text.utf8))) == request)
    }

    @Test(arguments: ["LS relative", "MKDIR", "ALLOCATE /f index=-1", "LEASE handle=zz", "READ handle=1 version=1",
                      "NOPE", "PUSH", "HEARTBEAT addr=nohost free=1",
                      "GRANT handle=0000000000000005 version=3 lease_ms=9223372036854775807"])
    func malformedRequestsAreBadRequests(text: String) throws {
        let line = try Line(parsing: Array(text.utf8))
        #expect(throws: GFSError.self) { try MasterRequest(line) }
        #expect(throws: GFSError.self) { try ChunkRequest(line) }
    }

    @Test func instructionsRoundTrip() throws {
        for instruction in [ChunkServerInstruction.extend(ChunkHandle(9), version: 4, lease: .milliseconds(1500)), .delete(ChunkHandle(3))] {
            #expect(try ChunkServerInstruction(try Line(parsing: Array(instruction.line.description.utf8))) == instruction)
        }
        #expect(throws: GFSError.self) { try ChunkServerInstruction(Line("REBOOT")) }
    }

    @Test func helpListsEachRolesVerbs() {
        let help = Verb.helpReply(for: .chunkserver)
        #expect(help.body.map(\.verb) == ["STATUS", "REVOKE", "CLONE", "REPLICATE", "PUSH", "WRITE", "APPLY", "SYNC", "APPEND", "PAD", "READ", "LOCAL", "OPEN", "GRANT", "HELLO", "AUTH", "HELP", "CHECKSUM"])
        #expect(help.body.allSatisfy { !$0.description.contains("%") })
        #expect(Verb.helpReply(for: .master).body.allSatisfy { !$0.description.contains("%") })
    }
}
