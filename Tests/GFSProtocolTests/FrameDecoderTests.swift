// Goal: the framing holds however bytes arrive, and every limit is an error rather than a crash.
// Method: NIOTestUtils' verifier (one byte at a time, all at once) for lines; a processor fed in every
// split for payloads, whose parts are reassembled.
import GFSProtocol
import NIOCore
import NIOTestUtils
import Testing

@Suite struct FrameDecoderTests {
    @Test func linesDecodeHoweverTheBytesArrive() throws {
        let cases: [(ByteBuffer, [Frame])] = [
            (ByteBuffer(string: "LS /\n"), [.line(Line("LS", ["/"]))]),
            (ByteBuffer(string: "STAT /a\r\n\n  \nHELP\n"), [.line(Line("STAT", ["/a"])), .line(Line("HELP"))]),
            (ByteBuffer(string: "BAD Key=1\n"), [.invalid(GFSError(.badRequest, "bad field name in Key=1"))]),
            // An error's text is not fields: a `len=` in it announces no payload.
            (ByteBuffer(string: "ERR BADREQ bad len=lots\n"), [.line(Line("ERR", ["BADREQ", "bad len=lots"]))]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: cases) { FrameDecoder() }
    }

    /// Feeds `input` in pieces of `step` bytes and returns the frames, with payload parts joined.
    static func decode(_ input: String, step: Int, limits: Limits = Limits()) throws -> [Frame] {
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(limits: limits))
        var frames: [Frame] = []
        var joined: ByteBuffer?
        let bytes = Array(input.utf8)
        var index = 0
        while index < bytes.count {
            let piece = ByteBuffer(bytes: bytes[index..<min(index + step, bytes.count)])
            try processor.process(buffer: piece) { frame in
                switch frame {
                case .part(var part, let last):
                    joined = joined ?? ByteBuffer()
                    joined!.writeBuffer(&part)
                    if last, let whole = joined {
                        frames.append(.part(whole, last: true))
                        joined = nil
                    }
                default:
                    frames.append(frame)
                }
            }
            index += step
        }
        return frames
    }

    @Test(arguments: [1, 2, 3, 7, 1000])
    func payloadsFollowTheirLine(step: Int) throws {
        let frames = try Self.decode("PUSH id=x len=5\nhe\nlo\nREAD handle=1\n", step: step)
        #expect(frames == [
            .head(Line("PUSH", [], [.init("id", "x"), .init("len", "5")]), length: 5),
            .part(ByteBuffer(string: "he\nlo"), last: true),
            .line(Line("READ", [], [.init("handle", "1")])),
        ])
    }

    @Test func anUnreadableLinesPayloadIsStillSkipped() throws {
        let frames = try Self.decode("PUSH %zz len=3\nabcHELP\n", step: 4)
        #expect(frames.count == 3)
        #expect(frames.last == .line(Line("HELP")))
    }

    @Test func overlongLinesAreRejected() throws {
        let limits = Limits()
        let long = String(repeating: "a", count: limits.maximumLineBytes + 1)
        #expect(throws: GFSError(.tooLarge, "line longer than 65536 bytes")) { try Self.decode(long, step: 4096) }
        #expect(throws: GFSError.self) { try Self.decode(long + "\n", step: 100_000) }
        #expect(try Self.decode(String(repeating: "a", count: limits.maximumLineBytes) + "\n", step: 9999).count == 1)
    }

    @Test(arguments: ["PUSH len=-1\n", "PUSH len=abc\n", "PUSH len=\n", "PUSH len=99999999999999999999\n"])
    func badLengthsAreRejected(input: String) {
        #expect(throws: GFSError.self) { try Self.decode(input, step: 3) }
    }

    @Test func oversizePayloadsAreRejectedBeforeAnyByteIsRead() {
        #expect(throws: GFSError(.tooLarge, "payload of 101 bytes exceeds 100")) {
            try Self.decode("PUSH id=x len=101\n", step: 50, limits: Limits(maximumPayloadBytes: 100))
        }
    }

    @Test func aConnectionClosedMidPayloadIsAnError() throws {
        var buffer = ByteBuffer(string: "PUSH id=x len=10\nabc")
        var decoder = FrameDecoder()
        #expect(try decoder.decode(buffer: &buffer) != nil)
        #expect(try decoder.decode(buffer: &buffer) == .part(ByteBuffer(string: "abc"), last: false))
        #expect(throws: GFSError.self) { try decoder.decodeLast(buffer: &buffer, seenEOF: true) }
    }
}
