import GFSProtocol
import NIOConcurrencyHelpers
import NIOCore

/// What a `Connection` writes into its channel.
enum ClientOutbound {
    /// A request whose reply completes `promise`; `payload` is nil when the caller streams it with `.raw`.
    /// With `parts`, the reply's payload is handed to it, on the event loop, in the pieces it arrived in, and
    /// the reply carries none: a large read is not copied once more into one buffer.
    case request(Line, payload: ByteBuffer?, EventLoopPromise<Reply>, parts: PayloadParts? = nil)
    /// Payload bytes of a request already sent.
    case raw(ByteBuffer)
}

/// Matches replies to requests in order (so requests can be pipelined), assembling each reply's body lines
/// or payload first. Only moves messages; every decision is the caller's.
///
/// It frames the bytes itself (`FrameDecoder`) rather than behind a `ByteToMessageHandler`: a listing's reply
/// is hundreds of lines, and passing each down the pipeline as a message of its own cost as much as parsing it.
final class ClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ClientOutbound
    typealias OutboundOut = ByteBuffer

    private let peer: ServerID
    private var decoder: FrameDecoder
    /// Bytes read and not yet framed: the start of a line or payload still arriving.
    private var unframed = ByteBuffer()
    private var pending = CircularBuffer<(EventLoopPromise<Reply>, PayloadParts?)>()
    private var assembling: Reply?
    /// Where the payload being read goes, when its request asked for the parts.
    private var partsTaker: PayloadParts?
    private var bodyLinesLeft = 0
    private var failed = false
    private let bodies: Connection.BodyLines
    private let limits: Limits

    init(peer: ServerID, limits: Limits, bodies: Connection.BodyLines = .parsed) {
        self.peer = peer
        self.limits = limits
        self.bodies = bodies
        decoder = FrameDecoder(limits: limits)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case let .request(line, payload, replyPromise, parts):
            pending.append((replyPromise, parts))
            var head = context.channel.allocator.buffer(capacity: 128)
            line.write(to: &head)
            if let payload {
                context.write(wrapOutboundOut(head), promise: nil)
                context.write(wrapOutboundOut(payload), promise: promise)
            } else {
                context.write(wrapOutboundOut(head), promise: promise)
            }
        case let .raw(bytes):
            context.write(wrapOutboundOut(bytes), promise: promise)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var bytes = unwrapInboundIn(data)
        if unframed.readableBytes == 0 { unframed = bytes } else { unframed.writeBuffer(&bytes) }
        do {
            while !failed {
                if bodies == .counted, bodyLinesLeft > 0 {
                    guard try skipBodyLines(context: context) else { break }
                    continue
                }
                guard let frame = try decoder.decode(buffer: &unframed) else { break }
                read(frame, context: context)
            }
        } catch {
            errorCaught(context: context, error: error)  // as when a decoder in the pipeline threw
        }
        // An emptied buffer is let go, so the channel may reuse its read buffer (unless payload parts handed
        // on still hold slices of it); one holding the start of a line or payload drops what was framed once
        // that is large.
        if unframed.readableBytes == 0 {
            unframed = ByteBuffer()
        } else if unframed.readerIndex > 65_536 {
            unframed.discardReadBytes()
        }
    }

    /// Passes over the body lines that have arrived whole (`BodyLines.counted`), finishing the reply after its
    /// last; false when the next line is still arriving. As the decoder does, a blank line is not counted and
    /// a line is held to the length limit.
    private func skipBodyLines(context: ChannelHandlerContext) throws(GFSError) -> Bool {
        let limit = limits.maximumLineBytes
        let (skipped, lines, tooLong) = unframed.withUnsafeReadableBytes { raw -> (Int, Int, Bool) in
            var (index, lines) = (0, 0)
            while lines < bodyLinesLeft, let newline = raw[index...].firstIndex(of: UInt8(ascii: "\n")) {
                guard newline - index <= limit else { return (index, lines, true) }
                let end = newline > index && raw[newline - 1] == UInt8(ascii: "\r") ? newline - 1 : newline
                if raw[index..<end].contains(where: { $0 != UInt8(ascii: " ") }) { lines += 1 }
                index = newline + 1
            }
            return (index, lines, false)
        }
        unframed.moveReaderIndex(forwardBy: skipped)
        bodyLinesLeft -= lines
        if bodyLinesLeft == 0 {
            finish(context: context)
            return true
        }
        guard !tooLong, unframed.readableBytes <= limit else { throw GFSError(.tooLarge, "line longer than \(limit) bytes") }
        return false
    }

    private func read(_ frame: Frame, context: ChannelHandlerContext) {
        switch frame {
        case let .line(line):
            if assembling != nil {
                assembling?.body.append(line)
                bodyLinesLeft -= 1
                if bodyLinesLeft == 0 { finish(context: context) }
                return
            }
            let count = (try? line.integer("n", in: 0...1_000_000_000)) ?? 0
            assembling = Reply(line: line)
            bodyLinesLeft = Int(count)
            if bodies == .parsed { assembling?.body.reserveCapacity(min(bodyLinesLeft, 1024)) }
            if bodyLinesLeft == 0 { finish(context: context) }
        case let .head(line, length):
            if let parts = pending.first?.1 {
                partsTaker = parts
                assembling = Reply(line: line)
            } else {
                assembling = Reply(line: line, payload: context.channel.allocator.buffer(capacity: length))
            }
        case .part(var bytes, let last):
            if let partsTaker { partsTaker.take(bytes) } else { assembling?.payload?.writeBuffer(&bytes) }
            if last { finish(context: context) }
        case let .invalid(error):
            failAll(GFSError(.internal, "unreadable reply from \(peer): \(error.message)"), context: context)
        }
    }

    private func finish(context: ChannelHandlerContext) {
        guard let reply = assembling else { return }
        assembling = nil
        partsTaker = nil
        guard let (promise, _) = pending.popFirst() else {
            failAll(GFSError(.internal, "unexpected reply from \(peer)"), context: context)
            return
        }
        answered = true
        promise.succeed(reply)
    }

    /// Whether any reply came: a TLS server closes a plaintext connection before answering anything.
    private var answered = false

    func channelInactive(context: ChannelHandlerContext) {
        let hint = !answered && !pending.isEmpty && TransportSecurity.current == nil
            ? " before answering (if the cluster uses TLS, give --tls-ca or GFS_TLS_CA)" : ""
        failAll(GFSError(.unavailable, "connection to \(peer) closed\(hint)"), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let failure = error as? GFSError ?? GFSError(.unavailable, "connection to \(peer) failed: \(error)")
        failAll(failure, context: context)
    }

    private func failAll(_ error: GFSError, context: ChannelHandlerContext) {
        failed = true
        let waiting = pending
        pending.removeAll()
        assembling = nil
        partsTaker = nil
        for (promise, _) in waiting { promise.fail(error) }
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension ClientHandler: Sendable {}

/// Collects a reply's payload in the pieces it arrived in (`Connection.callInParts`). The handler appends on
/// the event loop; the caller reads once the reply's future completed, which orders it after the appends.
final class PayloadParts: Sendable {
    private let taken = NIOLockedValueBox<[ByteBuffer]>([])

    func take(_ part: ByteBuffer) { taken.withLockedValue { $0.append(part) } }

    var parts: [ByteBuffer] { taken.withLockedValue { $0 } }
}
