// Goal: every typed reply survives the wire (built by the role that answers, read back by the one that asked),
// and a malformed or hostile reply is one BADREQ, never a crash or a wrong value.
// Method: each reply written to bytes, split into lines, parsed back and compared; then broken fields.
import GFSCore
import GFSProtocol
import NIOCore
import Testing

@Suite struct ReplyMessageTests {
    static let a = ServerID(host: "127.0.0.1", port: 7701)
    static let b = ServerID(host: "::1", port: 7702)

    /// `reply` through its wire form: the head line (its n= and len= taken off), n body lines, the payload.
    static func overTheWire(_ reply: Reply) throws -> Reply {
        var buffer = ByteBuffer()
        reply.write(to: &buffer)
        let bytes = Array(buffer.readableBytesView)
        guard let end = bytes.firstIndex(of: UInt8(ascii: "\n")) else { throw GFSError(.badRequest, "no line") }
        var head = try Line(parsing: Array(bytes[..<end]))
        let count = Int(try head.integer("n") ?? 0), length = Int(try head.integer("len") ?? 0)
        head.fields.removeAll { $0.key == "n" || $0.key == "len" }
        var rest = bytes[(end + 1)...]
        var body: [Line] = []
        for _ in 0..<count {
            guard let next = rest.firstIndex(of: UInt8(ascii: "\n")) else { throw GFSError(.badRequest, "short body") }
            body.append(try Line(parsing: Array(rest[..<next])))
            rest = rest[(next + 1)...]
        }
        #expect(rest.count == length)
        return Reply(line: head, body: body, payload: length > 0 ? ByteBuffer(bytes: rest) : nil)
    }

    static func roundTrip<M: ReplyMessage & Equatable>(_ message: M) throws {
        #expect(try M(overTheWire(message.reply)) == message)
    }

    @Test func masterRepliesRoundTrip() throws {
        let chunk = ChunkLocation(index: 0, handle: ChunkHandle(0xabc), version: 3, replicas: [Self.a, Self.b])
        try Self.roundTrip(FileLayout(size: 12, chunkSize: 1 << 26, chunks: [chunk]))
        try Self.roundTrip(RegisterReply(chunkSize: 1 << 20, role: .shadow(of: Self.b),
                                         instructions: [.delete(ChunkHandle(7)), .extend(ChunkHandle(8), version: 2, lease: .seconds(60))]))
        try Self.roundTrip(InstructionsReply([]))
        let server = ServerSummary(server: Self.a, rack: "r1", alive: true, chunks: 4, capacityBytes: 100, freeBytes: 50,
                                   state: "alive", silentMilliseconds: 12)
        try Self.roundTrip(MasterStatus(role: .primary, sequence: 99, chunkSize: 1 << 26, entries: 5, chunks: 6, leases: 1,
                                        servers: 1, underReplicated: 2, copies: 0, summaries: [server]))
        try Self.roundTrip(MasterStatus(role: .shadow(of: Self.b), sequence: 99, chunkSize: 1 << 26, entries: 5, chunks: 6,
                                        leases: 0, servers: 1, underReplicated: nil, copies: 0, summaries: [server]))
        try Self.roundTrip(RemoveReply(purged: 0))
        try Self.roundTrip(RemoveReply(purged: 3))
        try Self.roundTrip(PromoteReply(role: .primary, sequence: 41))
        try Self.roundTrip(PromoteReply(role: .primary, sequence: nil))
        try Self.roundTrip(TuneReply(clonesPerServer: 2, clonesTotal: 10, cloneBytesPerSecond: 1 << 20))
        var garbage = CollectionSummary()
        garbage.purged = 1
        garbage.bytes = 2
        try Self.roundTrip(garbage)
        let tail = try TailReply(Self.overTheWire(TailReply(durable: 8, records: ByteBuffer(bytes: [1, 2, 3])).reply))
        #expect(tail.durable == 8 && Array(tail.records.readableBytesView) == [1, 2, 3])
        let checkpoint = try CheckpointReply(Self.overTheWire(CheckpointReply(sequence: 5, bytes: ByteBuffer(bytes: [9])).reply))
        #expect(checkpoint.sequence == 5 && Array(checkpoint.bytes.readableBytesView) == [9])
    }

    @Test func fsckAndTrashRepliesRoundTrip() throws {
        let path = try #require(GFSPath("/logs/a b"))
        let health = MasterStateMachine.ChunkHealth(live: [Self.a], draining: [], resting: [Self.b], dead: [],
                                                    stale: [.init(server: Self.b, version: 2)], copying: [])
        let check = ChunkCheck(index: 1, handle: ChunkHandle(5), version: 3, goal: 3, status: .under, health: health,
                               corrupt: [Self.a], scheduled: "copy to 127.0.0.1:7703")
        var summary = FsckSummary()
        summary.files = 1
        summary.underReplicated = 1
        try Self.roundTrip(FsckReply(summary: summary, items: [
            .file(FsckFile(path: path, status: .under, size: 10, chunks: 2, goal: 3)),
            .chunk(FsckChunk(path: path, check: check)),
        ]))
        try Self.roundTrip(FsckReply(summary: summary, items: [], next: path))
        let entry = DeletedEntry(original: path, deletedAt: 1_700_000_000_000, hidden: path,
                                 entry: Namespace.Entry(kind: .file, modified: 0))
        try Self.roundTrip(DeletedListing([DeletedInfo(entry)]))
    }

    @Test func chunkserverRepliesRoundTrip() throws {
        try Self.roundTrip(LengthReply(length: 1 << 26))
        try Self.roundTrip(LengthReply(length: Limits.maximumChunkBytes))
        try Self.roundTrip(AppendReply(offset: 0))
        try Self.roundTrip(ChunkServerStatus(address: Self.b, chunks: 3, capacityBytes: 10, freeBytes: 5, bufferedBytes: 0))
    }

    /// Missing, negative, huge and mistyped fields are each a BADREQ.
    @Test(arguments: [
        "OK", "OK length=-1", "OK length=99999999999999999999", "OK length=9223372036854775807", "OK length=x",
    ])
    func brokenLengthsAreBadRequests(text: String) throws {
        let reply = Reply(line: try Line(parsing: Array(text.utf8)))
        #expect(throws: GFSError.self) { try LengthReply(reply) }
    }

    @Test func brokenMasterRepliesAreBadRequests() throws {
        func reply(_ text: String, body: [String] = []) throws -> Reply {
            Reply(line: try Line(parsing: Array(text.utf8)), body: try body.map { try Line(parsing: Array($0.utf8)) })
        }
        #expect(throws: GFSError.self) { try RegisterReply(reply("OK chunksize=0 role=primary")) }
        #expect(throws: GFSError.self) { try RegisterReply(reply("OK chunksize=10 role=boss")) }
        #expect(throws: GFSError.self) { try RegisterReply(reply("OK chunksize=10 role=shadow-of-nowhere")) }
        #expect(throws: GFSError.self) { try InstructionsReply(reply("OK", body: ["EXPLODE handle=1"])) }
        #expect(throws: GFSError.self) { try FileLayout(reply("OK size=1 chunksize=1", body: ["CHUNK index=-1"])) }
        #expect(throws: GFSError.self) { try FsckReply(reply("OK files=1", body: [])) }
        #expect(throws: GFSError.self) {
            try FsckChunk(Line(parsing: Array("CHUNK /f index=0 handle=1 version=1 status=healthy goal=3 stale=a@v1".utf8)))
        }
        #expect(throws: GFSError.self) { try ChunkServerStatus(reply("OK role=primary")) }
    }
}

/// REGISTER's report lines: a primary's lease time rides as a fourth field, bounded to a day.
@Suite struct ReportLineTests {
    @Test func leasesRoundTripAndBadOnesAreRefused() throws {
        let chunks = [ReportedChunk(handle: ChunkHandle(0x2a), version: 3, length: 100),
                      ReportedChunk(handle: ChunkHandle(0x2b), version: 1, length: 0, leaseMilliseconds: 4500)]
        #expect(try ReportedChunk.parse(ReportedChunk.payload(chunks)) == chunks)
        for bad in ["2a 3 100 86400001\n", "2a 3 100 -1\n", "2a 3 -5\n", "2a 3 100 7 8\n"] {
            #expect(throws: GFSError.self, "\(bad)") { try ReportedChunk.parse(ByteBuffer(string: bad)) }
        }
    }
}
