import GFSCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// One answer of the status port.
public struct WebResponse: Sendable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var body: [UInt8]

    public init(status: HTTPResponseStatus = .ok, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// Plain text, for errors.
    public static func text(_ status: HTTPResponseStatus, _ text: String) -> WebResponse {
        WebResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    /// An HTML page.
    public static func html(_ page: String) -> WebResponse {
        WebResponse(contentType: "text/html; charset=utf-8", body: Array(page.utf8))
    }

    /// JSON text.
    public static func json(_ bytes: [UInt8]) -> WebResponse { WebResponse(contentType: "application/json", body: bytes) }

    /// Prometheus's text exposition format.
    public static func metrics(_ bytes: [UInt8]) -> WebResponse {
        WebResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", body: bytes)
    }
}

/// The `--http` port of a master or chunkserver: read-only GET pages for people (`/`), scripts
/// (`/status.json`) and Prometheus (`/metrics`). It changes nothing, so it asks for no credential; bind it
/// where only operators reach it.
public struct StatusServer: Sendable {
    /// Answers a request for a path (the query string is cut off).
    public typealias Routes = @Sendable (_ path: String) async -> WebResponse

    /// The address it listens on (the port bound, when 0 was asked for).
    public let address: ServerID
    let channel: any Channel

    /// Most connections open at once, and how long one may sit idle: a browser, a few scrapers and scripts
    /// need far fewer, and nobody who reaches the port can hold the process's descriptors.
    static let maximumConnections = 64
    static let idleTimeout: TimeAmount = .seconds(30)

    /// Binds `address` and serves `routes`.
    public static func start(_ address: ServerID, routes: @escaping Routes) async throws(GFSError) -> StatusServer {
        let open = NIOLockedValueBox(0)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let admitted = open.withLockedValue { count in
                    guard count < maximumConnections else { return false }
                    count += 1
                    return true
                }
                guard admitted else { return channel.close() }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(StatusHandler(routes: routes))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: address.host, port: address.port).get()
            let port = channel.localAddress?.port ?? address.port
            return StatusServer(address: ServerID(host: address.host, port: port), channel: channel)
        } catch {
            throw GFSError(.unavailable, "cannot listen for HTTP on \(address): \(error)")
        }
    }

    /// Serves a role's pages: `/` as `html` renders its report, `/status.json` as the report itself, `/metrics`
    /// as `metrics` gives it (after updating its gauges from the report).
    public static func start<Report: Encodable & Sendable>(
        _ address: ServerID, report: @escaping @Sendable () async -> Report, html: @escaping @Sendable (Report) -> String,
        metrics: @escaping @Sendable (Report) -> [UInt8]
    ) async throws(GFSError) -> StatusServer {
        try await start(address) { path in
            switch path {
            case "/", "/index.html": return .html(html(await report()))
            case "/status.json": return .json(StatusJSON.encode(await report()))
            case "/metrics": return .metrics(metrics(await report()))
            default: return .text(.notFound, "no page at \(path); try /, /status.json or /metrics\n")
            }
        }
    }

    /// Stops listening.
    public func close() async { try? await channel.close() }
}

/// Answers each request once its route has; NIO's pipelining helper keeps a keep-alive connection's answers in
/// order.
final class StatusHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: StatusServer.Routes
    private var head: HTTPRequestHead?

    init(routes: @escaping StatusServer.Routes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            self.head = head
        case .body:
            break  // no route takes a body; its bytes are dropped as they come
        case .end:
            guard let head else { return }
            self.head = nil
            let routes = self.routes
            let path = String(head.uri.prefix { $0 != "?" })
            let method = head.method
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { () async -> WebResponse in
                guard method == .GET || method == .HEAD else { return .text(.methodNotAllowed, "only GET and HEAD\n") }
                return await routes(path)
            }.whenSuccess { response in
                let (handler, context) = bound.value
                handler.write(response, for: head, context: context)
            }
        }
    }

    private func write(_ response: WebResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: response.status,
                                                             headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        if !keepAlive {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// An idle connection (the `IdleStateHandler` before the HTTP codec) is closed.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
