import GFSProtocol
import NIOCore

/// What a `Connection` writes into its channel.
enum ClientOutbound {
    /// A request whose reply completes `promise`; `payload` is nil when the caller streams it with `.raw`.
    case request(Line, payload: ByteBuffer?, EventLoopPromise<Reply>)
    /// Payload bytes of a request already sent.
    case raw(ByteBuffer)
}

/// Matches replies to requests in order (so requests can be pipelined), assembling each reply's body lines
/// or payload first. Only moves messages; every decision is the caller's.
final class ClientHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = ClientOutbound
    typealias OutboundOut = ByteBuffer

    private let peer: ServerID
    private var pending = CircularBuffer<EventLoopPromise<Reply>>()
    private var assembling: Reply?
    private var bodyLinesLeft = 0

    init(peer: ServerID) { self.peer = peer }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case let .request(line, payload, replyPromise):
            pending.append(replyPromise)
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
        switch unwrapInboundIn(data) {
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
            if bodyLinesLeft == 0 { finish(context: context) }
        case let .head(line, length):
            assembling = Reply(line: line, payload: context.channel.allocator.buffer(capacity: length))
        case .part(var bytes, let last):
            assembling?.payload?.writeBuffer(&bytes)
            if last { finish(context: context) }
        case let .invalid(error):
            failAll(GFSError(.internal, "unreadable reply from \(peer): \(error.message)"), context: context)
        }
    }

    private func finish(context: ChannelHandlerContext) {
        guard let reply = assembling else { return }
        assembling = nil
        guard let promise = pending.popFirst() else {
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
        let waiting = pending
        pending.removeAll()
        assembling = nil
        for promise in waiting { promise.fail(error) }
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension ClientHandler: Sendable {}
