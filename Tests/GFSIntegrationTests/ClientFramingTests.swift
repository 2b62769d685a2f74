// Goal: a client matches replies to requests whatever way the bytes arrive: a byte at a time or all at once,
// lines and payloads split anywhere, body lines parsed or only counted; a line past the limit fails the
// requests, it is never held.
// Method: the client's handler in an EmbeddedChannel, fed the bytes of known replies.
@testable import GFSClient
import GFSProtocol
import NIOCore
import NIOEmbedded
import Testing

@Suite struct ClientFramingTests {
    /// Three replies: a listing of two lines (a blank line between them, which is not one), a payload, a line.
    static let replies = "OK n=2\nENTRY path=/a\n  \r\nENTRY path=/b\r\nOK len=5\nhe\nlo" + "OK x=1\n"

    @Test(arguments: [Connection.BodyLines.parsed, .counted], [1, 3, 1000])
    func repliesComeWholeHoweverTheBytesArrive(bodies: Connection.BodyLines, step: Int) throws {
        let channel = EmbeddedChannel(handler: ClientHandler(peer: ServerID(host: "127.0.0.1", port: 1),
                                                             limits: Limits(), bodies: bodies))
        let promises = (0..<3).map { _ in channel.eventLoop.makePromise(of: Reply.self) }
        for promise in promises {
            try channel.writeOutbound(ClientOutbound.request(Line("LS", ["/"]), payload: nil, promise))
        }
        let bytes = Array(Self.replies.utf8)
        for start in stride(from: 0, to: bytes.count, by: step) {
            try channel.writeInbound(ByteBuffer(bytes: bytes[start..<min(start + step, bytes.count)]))
        }
        let (listing, payload, last) = (try promises[0].futureResult.wait(), try promises[1].futureResult.wait(),
                                        try promises[2].futureResult.wait())
        #expect(listing.line["n"] == "2")
        #expect(listing.body.map { $0["path"] } == (bodies == .parsed ? ["/a", "/b"] : []))
        #expect(payload.payload.map { String(buffer: $0) } == "he\nlo")
        #expect(last.line["x"] == "1")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    /// A request that asks for its payload in parts gets every byte, in order, however the bytes arrive, and
    /// no copy in the reply; an `ERR` in its place hands over nothing; the requests around it are untouched.
    @Test(arguments: [1, 2, 7, 1000])
    func aPayloadAskedForInPartsComesInOrder(step: Int) throws {
        let channel = EmbeddedChannel(handler: ClientHandler(peer: ServerID(host: "127.0.0.1", port: 1), limits: Limits()))
        let promises = (0..<4).map { _ in channel.eventLoop.makePromise(of: Reply.self) }
        let (failed, parted) = (PayloadParts(), PayloadParts())
        try channel.writeOutbound(ClientOutbound.request(Line("READ"), payload: nil, promises[0], parts: failed))
        try channel.writeOutbound(ClientOutbound.request(Line("READ"), payload: nil, promises[1], parts: parted))
        try channel.writeOutbound(ClientOutbound.request(Line("READ"), payload: nil, promises[2]))
        try channel.writeOutbound(ClientOutbound.request(Line("STAT"), payload: nil, promises[3]))
        let text = "ERR CHECKSUM block 3\n" + "OK len=26\nabcdefghijklmnopqrstuvwxyz" + "OK len=3\nxyz" + "OK size=9\n"
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: step) {
            try channel.writeInbound(ByteBuffer(bytes: bytes[start..<min(start + step, bytes.count)]))
        }
        #expect(try promises[0].futureResult.wait().error?.code == .checksum)
        #expect(failed.parts.isEmpty)
        let reply = try promises[1].futureResult.wait()
        #expect(reply.payload == nil)
        #expect(parted.parts.map { String(buffer: $0) }.joined() == "abcdefghijklmnopqrstuvwxyz")
        // Arriving in one read, the payload is one slice of it; split, it stays in the pieces it came in.
        #expect(step >= 1000 ? parted.parts.count == 1 : parted.parts.count > 1)
        #expect(try promises[2].futureResult.wait().payload.map { String(buffer: $0) } == "xyz")
        #expect(try promises[3].futureResult.wait().line["size"] == "9")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    /// Whole (ended by its newline) or still arriving, a line past the limit fails the request at once.
    @Test(arguments: [Connection.BodyLines.parsed, .counted], ["\n", ""])
    func aLinePastTheLimitFailsTheRequest(bodies: Connection.BodyLines, tail: String) throws {
        var limits = Limits()
        limits.maximumLineBytes = 64
        let channel = EmbeddedChannel(handler: ClientHandler(peer: ServerID(host: "127.0.0.1", port: 1),
                                                             limits: limits, bodies: bodies))
        let promise = channel.eventLoop.makePromise(of: Reply.self)
        try channel.writeOutbound(ClientOutbound.request(Line("LS", ["/"]), payload: nil, promise))
        _ = try? channel.writeInbound(ByteBuffer(string: "OK n=1\nENTRY " + String(repeating: "x", count: 100) + tail))
        let error = try #require(throws: GFSError.self) { _ = try promise.futureResult.wait() }
        #expect(error.code == .tooLarge, "\(error)")
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }
}
