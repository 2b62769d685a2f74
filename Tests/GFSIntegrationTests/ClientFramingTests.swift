// Goal: a client matches replies to requests whatever way the bytes arrive: a byte at a time or all at once,
// lines and payloads split anywhere, body lines parsed or only counted, payloads handed over in parts; a line
// past the limit fails the requests, it is never held; parts of a failed reply never reach the caller.
// Method: the client's handler in an EmbeddedChannel, fed the bytes of known replies; a real connection to a
// scripted peer on loopback.
@testable import GFSClient
import Foundation
import GFSProtocol
import NIOCore
import NIOEmbedded
import Testing

#if canImport(Glibc)
import Glibc
#endif

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

    /// Through a real connection: parts of a reply that turns out an `ERR` (with a payload), or that the server
    /// cuts off mid-payload, never reach the caller; the call fails instead.
    @Test func callInPartsHandsOverNothingFromAFailedReply() async throws {
        let peer = try ScriptedPeer(answers: ["OK len=4\nwxyz", "ERR CHECKSUM mismatch len=4\nbad!",
                                              "OK len=100\nonly part of it"])
        defer { peer.stop() }
        let connection = try await Connection.connect(to: ServerID(host: "127.0.0.1", port: peer.port))
        defer { connection.close() }
        #expect(try await connection.callInParts(Line("READ")).map { String(buffer: $0) }.joined() == "wxyz")
        let refused = await #expect(throws: GFSError.self) { _ = try await connection.callInParts(Line("READ")) }
        #expect(refused?.code == .checksum)
        // The peer closes after the last answer, 85 bytes short of its payload.
        let cut = await #expect(throws: GFSError.self) { _ = try await connection.callInParts(Line("READ")) }
        #expect(cut?.code == .unavailable)
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

/// A peer on loopback that answers each request line with the next of `answers`, then closes the connection.
private final class ScriptedPeer: Sendable {
    let port: Int
    private let listener: Int32

    init(answers: [String]) throws {
        let socket = try LoopbackSocket.bind(listening: true)
        (listener, port) = (socket.descriptor, socket.port)
        let listener = self.listener
        Thread.detachNewThread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            for answer in answers {
                // One request line in, one answer out.
                var byte: UInt8 = 0
                while recv(connection, &byte, 1, 0) == 1, byte != UInt8(ascii: "\n") {}
                let bytes = Array(answer.utf8)
                guard send(connection, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { return }
            }
        }
    }

    /// Stops accepting; a connection already taken closes once its answers are sent.
    func stop() { Glibc.shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
}
