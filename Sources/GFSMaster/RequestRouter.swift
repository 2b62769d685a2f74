import GFSClient
import GFSCore
import GFSProtocol
import GFSWeb
import NIOCore

/// Sends each request of a connection the cheapest way that keeps replies in request order, on the event
/// loop, before the connection's loop (`MasterServer.serve`) sees it:
/// - a member's `STAT` or `LS` with nothing before it unanswered is answered here, from the published view:
///   no task, no actor, no wakeup of another thread;
/// - a verb the connection's `RequestPipeline` takes goes straight to it while the loop has nothing
///   unanswered, with no hop through the loop's task;
/// - anything else (a payload, a verb the pipeline does not take, a request behind one the loop has not
///   answered, a full pipeline) goes on to the loop, which answers the pipeline's requests before its own.
/// Every reply leaves as one write through this handler (`MasterServer.send`, `answerBatches`), so replies
/// are counted by writes. Once a request goes to the loop, those after it follow it there until the loop's
/// replies are written: a client that never pauses keeps to the loop's way.
final class RequestRouter: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// An `LS` of a directory with more children than this goes to the loop: a page scans the directory.
    static let largestListedHere = 4096

    /// The connection's pipelined requests; its worker is a child task of the connection's loop.
    let pipeline = RequestPipeline()
    private let reads: PublishedReads
    private let identity: PeerIdentity
    private let metrics: RoleMetrics
    /// Requests passed on (to the loop or the pipeline), and replies written for them.
    private var passed = 0
    private var written = 0
    /// `passed` just after the last request the loop got: the loop owes nothing once `written` reaches it.
    private var loopOwesUpTo = 0
    private var unflushed = false

    init(reads: PublishedReads, identity: PeerIdentity, metrics: RoleMetrics) {
        self.reads = reads
        self.identity = identity
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .line(line):
            // Not while the socket is full: replies written here would pile up behind it. What bounds a client
            // that sends without reading is the count of replies owed (below): the async writer holds the
            // loop's and the worker's replies back, so past `depth` requests go to the loop, which stops
            // reading.
            if passed == written, context.channel.isWritable,
               line.verb == Verb.stat.rawValue || line.verb == Verb.ls.rawValue {
                var reply = context.channel.allocator.buffer(capacity: 256)
                if answer(line, into: &reply) {
                    context.write(wrapOutboundOut(reply), promise: nil)
                    unflushed = true
                    return
                }
            }
            if written >= loopOwesUpTo, passed - written < RequestPipeline.depth, RequestPipeline.takes(line.verb),
               pipeline.offer(line) {
                passed += 1
                return
            }
            passed += 1
            loopOwesUpTo = passed
        case .head, .invalid:
            passed += 1
            loopOwesUpTo = passed
        case .part:
            break
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if unflushed {
            unflushed = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        written += 1
        context.write(data, promise: promise)
    }

    /// Writes the reply to `line` into `buffer`; false (nothing written) when it is not answered here.
    private func answer(_ line: Line, into buffer: inout ByteBuffer) -> Bool {
        guard identity.isMember, let request = try? MasterRequest(line), let view = reads.current else { return false }
        if case let .list(path, _, _) = request, view.namespace.childCount(of: path) > Self.largestListedHere { return false }
        let started = ContinuousClock.now
        do {
            if case let .list(path, after, limit) = request {
                let page = try view.listChildren(path, after: after, limit: limit ?? MasterRequest.listPage)
                ListingReply.write(directory: page.directory, children: page.children, next: page.next, to: &buffer)
            } else {
                guard let reply = try PublishedReads.answer(request, from: view) else { return false }
                reply.writeHead(to: &buffer)
            }
        } catch {
            Reply.error(error).writeHead(to: &buffer)
        }
        metrics.request(line.verb, took: ContinuousClock.now - started)
        return true
    }
}
