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
