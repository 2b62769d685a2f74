import GFSProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// The listening side shared by the master and the chunkserver: one TCP port, frames in, bytes out, one
/// child task per connection, each catching its own errors so one bad peer never takes the server down.
public struct ProtocolListener: Sendable {
    /// One accepted connection's streams.
    public typealias Connection = NIOAsyncChannel<Frame, ByteBuffer>

    let server: NIOAsyncChannel<(Connection, PeerIdentity), Never>
    /// The address actually bound (the real port when asked for port 0).
    public let address: ServerID

    /// Binds `address`; UNAVAILABLE with the reason when the port is taken or the host is wrong. With
    /// `principals`, each connection must prove one's secret before anything reaches the role, except that
    /// with `admitsGuests` (a chunkserver) it may go on unauthenticated, as a guest. `roleHandler` makes a
    /// handler the role answers some requests with on the event loop (the master's reads), placed after the
    /// handshake.
    public static func bind(_ address: ServerID, limits: Limits, principals: Principals? = nil, admitsGuests: Bool = false,
                            roleHandler: (@Sendable (PeerIdentity) -> any ChannelHandler)? = nil) async throws(GFSError) -> ProtocolListener {
        ConnectionLimit.raiseDescriptorLimit()
        let limit = ConnectionLimit()
        let tls = TransportSecurity.current?.server
        let keys = (signing: MasterKey.signing, trusted: MasterKey.trusted)
        do {
            let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                // At the TCP level: `.socketOption(.tcp_nodelay)` is SOL_SOCKET's option 1, SO_DEBUG, which only
                // root may set; every connection to a server run by anyone else was refused.
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: GFSClient.Connection.readsPerTurn)
                .childChannelOption(.recvAllocator, value: GFSClient.Connection.receiveBuffers)
                // `printf 'LS /\n' | nc -N` closes its side after the request; the replies must still go out.
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let peer = channel.remoteAddress?.ipAddress ?? "?"
                        if limit.admit(peer) {
                            channel.closeFuture.whenComplete { _ in limit.left(peer) }
                        } else {
                            try channel.pipeline.syncOperations.addHandler(ConnectionLimit.Refusal(
                                "too many connections (at most \(limit.perPeer) from one address, \(limit.total) in all); close some and retry"))
                        }
                        if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(FrameDecoder(limits: limits), maximumBufferSize: limits.maximumLineBytes * 2 + 1024))
                        let identity = PeerIdentity(channel: channel, secured: principals != nil, mastersSign: keys.trusted != nil)
                        try channel.pipeline.syncOperations.addHandler(
                            AuthenticationHandler(principals: principals, admitsGuests: admitsGuests, identity: identity,
                                                  signing: keys.signing, trusted: keys.trusted))
                        if let roleHandler { try channel.pipeline.syncOperations.addHandler(roleHandler(identity)) }
                        return (try Connection(wrappingChannelSynchronously: channel), identity)
                    }
                }
            let port = server.channel.localAddress?.port ?? address.port
            return ProtocolListener(server: server, address: ServerID(host: address.host, port: port))
        } catch {
            throw GFSError(.unavailable, "cannot listen on \(address): \(error)")
        }
    }

    /// Accepts connections until the listener closes, running `handle` for each in its own task.
    public func run(_ handle: @escaping @Sendable (Connection, PeerIdentity) async throws -> Void) async {
        try? await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await (connection, identity) in inbound {
                    group.addTask {
                        do { try await handle(connection, identity) } catch {}
                        try? await connection.channel.close()
                    }
                }
            }
        }
    }

    /// Stops accepting connections.
    public func close() async {
        try? await server.channel.close()
    }
}

extension ProtocolListener.Connection {
    /// Writes a reply; its payload goes out as its own buffer, never copied into the header's.
    public func send(_ reply: Reply, with writer: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        var head = channel.allocator.buffer(capacity: 256)
        reply.writeHead(to: &head)
        if let payload = reply.payload, payload.readableBytes > 0 {
            try await writer.write(contentsOf: [head, payload])
        } else {
            try await writer.write(head)
        }
    }
}
