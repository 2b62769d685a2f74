import GFSProtocol
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// One TCP connection to a master or chunkserver speaking the gfs protocol. Requests may be issued
/// concurrently; replies come back in request order (gfs-protocol(5)).
public final class Connection: Sendable {
    /// The peer.
    public let address: ServerID
    let channel: any Channel

    private init(address: ServerID, channel: any Channel) {
        self.address = address
        self.channel = channel
    }

    /// Reads of up to 256 KiB, where NIO's default stops at 64 KiB: chunk data arrives in megabytes, and each
    /// read is a syscall and a trip through the pipeline (and, for a push, through an async stream and a
    /// forwarding write). A channel keeps the buffers it read into, up to one per read of an event loop turn
    /// (`maxMessagesPerRead`, 4), grown for good, so an idle connection may hold 1 MiB, as 16 of 64 KiB did.
    static let receiveBuffers = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 256 << 10)

    /// Reads per event loop turn, on both ends: NIO's default, which with `receiveBuffers` is 1 MiB a turn.
    static let readsPerTurn: UInt = 4

    /// What a connection makes of a reply's body lines.
    public enum BodyLines: Sendable {
        /// Each is parsed into `Reply.body`.
        case parsed
        /// Each is framed and counted, never parsed; `Reply.body` stays empty, and the reply's `n=` says how
        /// many came. For a benchmark, which must spend its time in the server, not in reading listings.
        case counted
    }

    /// Opens a connection; UNAVAILABLE naming the address when nothing answers within `timeout`.
    /// With `acceptingGuest` (a chunkserver), a client principal the server does not know goes on as a guest.
    /// With `requireMaster` (a chunkserver's heartbeats), the server must sign with the masters' key.
    public static func connect(to address: ServerID, timeout: Duration = .seconds(5), limits: Limits = Limits(),
                               acceptingGuest: Bool = true, requireMaster: Bool = false,
                               bodies: BodyLines = .parsed) async throws(GFSError) -> Connection {
        let security = TransportSecurity.current
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(timeout.milliseconds))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)  // not .socketOption: see ProtocolListener
            .channelOption(.recvAllocator, value: Connection.receiveBuffers)
            .channelOption(.maxMessagesPerRead, value: Connection.readsPerTurn)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let security {
                        try channel.pipeline.syncOperations.addHandler(try security.clientHandler(for: address))
                        try channel.pipeline.syncOperations.addHandler(
                            TLSHandshakeWaiter(done: channel.eventLoop.makePromise(), address: address, timeout: timeout))
                    }
                    try channel.pipeline.syncOperations.addHandler(ClientHandler(peer: address, limits: limits, bodies: bodies))
                }
            }
        do {
            // An IP literal skips the resolver, which costs milliseconds per connect.
            let channel: any Channel
            if let socketAddress = try? SocketAddress(ipAddress: address.host, port: address.port) {
                channel = try await bootstrap.connect(to: socketAddress).get()
            } else {
                channel = try await bootstrap.connect(host: address.host, port: address.port).get()
            }
            if security != nil {
                do {
                    try await channel.pipeline.handler(type: TLSHandshakeWaiter.self).flatMap { $0.done.futureResult }.get()
                } catch ChannelPipelineError.notFound {
                    // The waiter is gone: it saw the handshake complete.
                } catch {
                    channel.close(promise: nil)
                    throw error
                }
            }
            let connection = Connection(address: address, channel: channel)
            if let (secret, requireProof) = ClusterSecret.current {
                try await connection.authenticate(with: secret, requireProof: requireProof, acceptingGuest: acceptingGuest,
                                                  requireMaster: requireMaster, timeout: timeout)
            }
            return connection
        } catch let error as GFSError {
            throw error
        } catch {
            throw GFSError(.unavailable, "cannot connect to \(address): \(Connection.describe(error))")
        }
    }

    /// Proves the cluster secret to the server and checks the server's proof (`HandshakeRequest`); a server
    /// that authenticates nobody says so, and the connection goes on unauthenticated.
    private func authenticate(with secret: ClusterSecret, requireProof: Bool, acceptingGuest: Bool, requireMaster: Bool,
                              timeout: Duration) async throws(GFSError) {
        let nonce = ClusterSecret.nonce(), principal = secret.principal
        let hello: HelloReply
        do {
            hello = try HelloReply(try await call(HandshakeRequest.hello(principal: principal, nonce: nonce).line, timeout: timeout))
        } catch {
            close()
            throw error
        }
        // A chunkserver knows only the cluster secret: a client principal goes on as a guest, with tokens.
        if hello.guest, principal != Principal.cluster, acceptingGuest { return }
        guard let serverNonce = hello.nonce, let proof = hello.proof else {
            guard requireProof else { return }
            close()
            throw GFSError(.denied, "\(address) cannot prove this cluster's secret (it runs without one, or is an impostor); it is not trusted")
        }
        guard secret.verify(proof, for: HandshakeRequest.proofInput(server: true, clientNonce: nonce, serverNonce: serverNonce,
                                                                     principal: principal)) else {
            close()
            throw GFSError(.denied, "\(address) does not hold this cluster's secret (another cluster's server, or an impostor)")
        }
        if requireMaster, let trusted = MasterKey.trusted {
            let text = MasterKey.signedText(server: true, clientNonce: nonce, serverNonce: serverNonce)
            guard let signature = hello.signature, MasterKey.verify(signature, of: text, with: trusted) else {
                close()
                throw GFSError(.denied, "\(address) does not sign with the masters' key (a chunkserver or an impostor, not a master)")
            }
        }
        let input = HandshakeRequest.proofInput(server: false, clientNonce: nonce, serverNonce: serverNonce, principal: principal)
        let signature = MasterKey.signing.flatMap {
            MasterKey.sign(MasterKey.signedText(server: false, clientNonce: nonce, serverNonce: serverNonce), with: $0)
        }
        do {
            _ = try await call(HandshakeRequest.auth(proof: secret.proof(input), signature: signature).line, timeout: timeout)
        } catch {
            close()
            throw error
        }
    }

    /// Whether the connection can still carry requests.
    public var isActive: Bool { channel.isActive }

    /// Sends `line` (with `payload`, if any) and waits for its reply; an `ERR` reply is thrown as its error.
    /// - Parameter timeout: how long to wait for the reply before the connection is closed with TIMEOUT.
    public func call(_ line: Line, payload: ByteBuffer? = nil, timeout: Duration = .seconds(30)) async throws(GFSError) -> Reply {
        var line = line
        if let payload { line.fields.append(.init("len", String(payload.readableBytes))) }
        return try await send(line, payload: payload, streamed: false, timeout: timeout).reply()
    }

    /// Sends `line` and returns its reply's payload in the pieces it arrived in, not copied into one buffer (a
    /// chunk read); an `ERR` reply is thrown as its error.
    public func callInParts(_ line: Line, timeout: Duration = .seconds(30)) async throws(GFSError) -> [ByteBuffer] {
        let parts = PayloadParts()
        _ = try await send(line, payload: nil, streamed: false, timeout: timeout, parts: parts).reply()
        return parts.parts
    }

    /// Sends `line` and returns the reply, `ERR` replies included; a failure is the transport's (the request
    /// may or may not have been carried out).
    public func exchange(_ line: Line, payload: ByteBuffer? = nil, timeout: Duration = .seconds(30)) async -> Result<Reply, GFSError> {
        var line = line
        if let payload { line.fields.append(.init("len", String(payload.readableBytes))) }
        do { return .success(try await send(line, payload: payload, streamed: false, timeout: timeout).get()) } catch {
            return .failure(error as? GFSError ?? GFSError(.unavailable, "\(address): \(error)"))
        }
    }

    /// Sends `line` and returns its reply as a future, `ERR` replies included: for a caller that sends its next
    /// request from the reply's callback, on the connection's event loop, with no task in between.
    public func request(_ line: Line, timeout: Duration = .seconds(30)) -> EventLoopFuture<Reply> {
        send(line, payload: nil, streamed: false, timeout: timeout)
    }

    /// Sends a request line with no deadline of its own, for a caller that watches the connection as a whole
    /// (the benchmark's driver): it saves scheduling and cancelling a timer per request.
    public func requestWatchedByCaller(_ line: Line) -> EventLoopFuture<Reply> {
        send(line, payload: nil, streamed: false, timeout: nil)
    }

    /// The event loop the connection's replies arrive on.
    public var eventLoop: any EventLoop { channel.eventLoop }

    /// Sends a request line whose `len=` payload the caller then streams with `write(_:)`; the returned task
    /// yields the reply.
    public func startStreaming(_ line: Line, timeout: Duration = .seconds(60)) -> EventLoopFuture<Reply> {
        send(line, payload: nil, streamed: true, timeout: timeout)
    }

    /// Writes payload bytes of a streamed request, waiting only when the socket's buffer is full.
    public func write(_ bytes: ByteBuffer) async throws(GFSError) {
        let written: EventLoopFuture<Void> = channel.writeAndFlush(ClientOutbound.raw(bytes))
        guard !channel.isWritable else { return }
        do { try await written.get() } catch { throw GFSError(.unavailable, "writing to \(address) failed: \(error)") }
    }

    /// Closes the connection; pending requests fail.
    public func close() { channel.close(promise: nil) }

    private func send(_ line: Line, payload: ByteBuffer?, streamed: Bool, timeout: Duration?,
                      parts: PayloadParts? = nil) -> EventLoopFuture<Reply> {
        let promise = channel.eventLoop.makePromise(of: Reply.self)
        let peer = address
        let channel = self.channel
        if let timeout {
            let timer = channel.eventLoop.scheduleTask(in: .milliseconds(timeout.milliseconds)) {
                channel.pipeline.fireErrorCaught(GFSError(.timeout, "\(peer) did not answer \(line.verb) within \(timeout)"))
            }
            promise.futureResult.whenComplete { _ in timer.cancel() }
        }
        let outbound = ClientOutbound.request(line, payload: streamed ? nil : payload, promise, parts: parts)
        let sent: EventLoopFuture<Void> = channel.writeAndFlush(outbound)
        sent.whenFailure { error in
            promise.fail(GFSError(.unavailable, "sending to \(peer) failed: \(Connection.describe(error))"))
        }
        return promise.futureResult.flatMapErrorThrowing { error in
            throw error as? GFSError ?? GFSError(.unavailable, "\(peer): \(error)")
        }
    }

    /// A short reason for a transport error ("Connection refused"), without NIO's internal detail.
    static func describe(_ error: any Error) -> String {
        if let error = error as? GFSError { return error.message }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return describe(first.error) }
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve host: \(dns)" }
        }
        if error is ChannelError, case .connectTimeout = error as? ChannelError { return "timed out" }
        return "\(error)"
    }
}

extension EventLoopFuture where Value == Reply {
    /// The reply, with transport and `ERR` failures both thrown as `GFSError`.
    public func reply() async throws(GFSError) -> Reply {
        let reply: Reply
        do { reply = try await get() } catch { throw error as? GFSError ?? GFSError(.unavailable, "\(error)") }
        if let error = reply.error { throw error }
        return reply
    }
}
