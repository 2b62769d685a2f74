import GFSClient
import GFSCore
import GFSProtocol
import GFSWeb
import NIOConcurrencyHelpers
import NIOCore

/// What a primary answers `STAT` and `LS` from: its state as of its newest durable commit. A view is an O(1)
/// copy of persistent trees, taken when the commit's records are queued and published once they are durable
/// (and on the log replicas), so no read tells of a mutation a failed fsync could still undo. A shadow
/// publishes none: its reads go through its actor, which follows the primary's log.
public final class PublishedReads: Sendable {
    private struct Published {
        var view: ReadView
        var sequence: UInt64
        /// Under etcd: whether the election lease surely still holds.
        var stillLeading: (@Sendable () -> Bool)?
    }

    private let published = NIOLockedValueBox<Published?>(nil)

    public init() {}

    /// The newest view; nil on a shadow, or when the election lease may have lapsed (the actor then exits).
    public var current: ReadView? {
        guard let published = published.withLockedValue({ $0 }) else { return nil }
        if let leading = published.stillLeading, !leading() { return nil }
        return published.view
    }

    /// Publishes `view`, the state as of log record `sequence`, unless a newer view is out already.
    func publish(_ view: ReadView, at sequence: UInt64) {
        published.withLockedValue { published in
            guard var newer = published, sequence > newer.sequence else { return }
            (newer.view, newer.sequence) = (view, sequence)
            published = newer
        }
    }

    /// Puts out `view` whatever was out before (the primary started, was elected or promoted, or reloaded its
    /// durable state); nil withdraws it (a shadow).
    func reset(_ view: ReadView?, at sequence: UInt64, stillLeading: (@Sendable () -> Bool)?) {
        published.withLockedValue { $0 = view.map { Published(view: $0, sequence: sequence, stillLeading: stillLeading) } }
    }

    /// The reply to `STAT` or `LS` from `view`; nil for any other request.
    static func answer(_ request: MasterRequest, from view: ReadView) throws(GFSError) -> Reply? {
        switch request {
        case let .list(path, after, limit):
            let page = try view.list(path, after: after, limit: limit ?? MasterRequest.listPage)
            return .ok(page.next.map { [Line.Field("next", $0)] } ?? [],
                       body: page.entries.map { EntryInfo(path: $0.path, entry: $0.entry).line })
        case let .stat(path):
            var info = EntryInfo(path: path, entry: try view.stat(path))
            info.shared = view.sharing(path)
            return .ok(info.fields)
        default:
            return nil
        }
    }
}

/// Answers a member's `STAT` and `LS` on the event loop, from the published view, while nothing this
/// connection sent before is still being answered by the master's loop: replies must go out in request
/// order. Such a read costs no task, no actor and no wakeup of another thread. Anything else, a read behind
/// an unanswered request, and an `LS` of a directory too large to page on the event loop pass on as before.
/// The loop writes each reply as one buffer (`MasterServer.send`), so replies are counted by writes.
final class ReadFastPath: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// An `LS` of a directory with more children than this goes to the loop: a page scans the directory.
    static let largestListedHere = 4096

    private let reads: PublishedReads
    private let identity: PeerIdentity
    private let metrics: RoleMetrics
    /// Requests passed on to the loop, and replies it has written.
    private var passed = 0
    private var written = 0
    private var unflushed = false

    init(reads: PublishedReads, identity: PeerIdentity, metrics: RoleMetrics) {
        self.reads = reads
        self.identity = identity
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame {
        case let .line(line):
            // Not while the socket is full: a client that sends without reading is left to the loop, which
            // stops reading from it (`RequestPipeline.depth`), so its replies cannot pile up here.
            if passed == written, context.channel.isWritable,
               line.verb == Verb.stat.rawValue || line.verb == Verb.ls.rawValue {
                var reply = context.channel.allocator.buffer(capacity: 256)
                if answer(line, into: &reply) {
                    context.write(wrapOutboundOut(reply), promise: nil)
                    unflushed = true
                    return
                }
            }
            passed += 1
        case .head, .invalid:
            passed += 1
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
