import GFSCore
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import NIOTLS

/// Optional TLS on every connection (swift-nio-ssl): servers present a certificate signed by the cluster's
/// authority, and everyone checks the server's against that authority (the address it was reached at must be
/// in the certificate). Members still prove the cluster secret inside the TLS session; TLS adds privacy and
/// keeps a chunk token seen on the wire from being replayed. Off unless configured: one process, one setting.
public struct TransportSecurity: Sendable {
    /// For a listener: the certificate and key it presents; nil for a client.
    let server: NIOSSLContext?
    /// For outgoing connections: trusts only the authority.
    let client: NIOSSLContext

    /// A client's settings: trusts the authority in the PEM file `authority`.
    public init(authority: String) throws(GFSError) {
        self = try Self.load(authority: authority, certificate: nil, key: nil)
    }

    /// A server's settings: `certificate` (PEM, its chain) and `key`, and the `authority` its peers' are
    /// checked against.
    public init(authority: String, certificate: String, key: String) throws(GFSError) {
        self = try Self.load(authority: authority, certificate: certificate, key: key)
    }

    private init(server: NIOSSLContext?, client: NIOSSLContext) {
        self.server = server
        self.client = client
    }

    private static func load(authority: String, certificate: String?, key: String?) throws(GFSError) -> TransportSecurity {
        let step = (authority, "the authority")
        do {
            let roots = try NIOSSLCertificate.fromPEMFile(authority)
            guard !roots.isEmpty else { throw GFSError(.badRequest, "\(authority): no certificate in it") }
            var clientConfiguration = TLSConfiguration.makeClientConfiguration()
            clientConfiguration.trustRoots = .certificates(roots)
            clientConfiguration.certificateVerification = .fullVerification
            clientConfiguration.minimumTLSVersion = .tlsv12
            var server: NIOSSLContext?
            if let certificate, let key {
                let chain = try NIOSSLCertificate.fromPEMFile(certificate)
                let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
                var serverConfiguration = TLSConfiguration.makeServerConfiguration(
                    certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
                serverConfiguration.minimumTLSVersion = .tlsv12
                server = try NIOSSLContext(configuration: serverConfiguration)
            }
            return TransportSecurity(server: server, client: try NIOSSLContext(configuration: clientConfiguration))
        } catch let error as GFSError {
            throw error
        } catch {
            throw GFSError(.badRequest, "TLS: cannot load \(certificate ?? step.0) / \(key ?? "-"): \(error)")
        }
    }

    /// The handler that makes a connection to `address` TLS; an IP address is checked against the
    /// certificate's IP names, a host name against its DNS names.
    func clientHandler(for address: ServerID) throws -> NIOSSLClientHandler {
        let isIP = (try? SocketAddress(ipAddress: address.host, port: 0)) != nil
        return try NIOSSLClientHandler(context: client, serverHostname: isIP ? nil : address.host)
    }

    private static let inUse = NIOLockedValueBox<TransportSecurity?>(nil)

    /// Makes every connection this process opens or accepts from now on use TLS as `settings` say (nil: none).
    public static func use(_ settings: TransportSecurity?) { inUse.withLockedValue { $0 = settings } }

    /// The TLS settings in force, if any.
    public static var current: TransportSecurity? { inUse.withLockedValue { $0 } }
}

/// Waits for a client connection's TLS handshake, so a failure is told as what it is (an untrusted
/// certificate, a server that does not speak TLS) rather than as a connection closed later.
/// The handshake gets as long again as the TCP connect was given: a stopped server's kernel still accepts
/// the connection, and would otherwise leave its caller waiting for a reply to its hello forever.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let done: EventLoopPromise<Void>
    let address: ServerID
    let timeout: Duration

    init(done: EventLoopPromise<Void>, address: ServerID, timeout: Duration) {
        self.done = done
        self.address = address
        self.timeout = timeout
    }

    /// Whether `done` is completed (a promise is completed once, and must be before it is dropped).
    private var finished = false
    private var deadline: Scheduled<Void>?

    private func finish(_ result: Result<Void, GFSError>) {
        guard !finished else { return }
        finished = true
        deadline?.cancel()
        deadline = nil
        done.completeWith(result.mapError { $0 as any Error })
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startDeadline(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startDeadline(context: context)
        context.fireChannelActive()
    }

    private func startDeadline(context: ChannelHandlerContext) {
        guard deadline == nil, !finished else { return }
        let channel = context.channel
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(timeout.milliseconds)) { [self] in
            finish(.failure(GFSError(.unavailable, "\(address) accepted the connection but did not finish the TLS handshake within \(timeout)")))
            channel.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            finish(.success(()))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let text = "\(error)"
        let reason = text.contains("CERTIFICATE_VERIFY_FAILED")
            ? "its certificate is not signed by the authority given (--tls-ca, GFS_TLS_CA) or does not name \(address.host)"
            : "TLS handshake failed (\(text))"
        finish(.failure(GFSError(.denied, "\(address): \(reason)")))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(GFSError(.unavailable, "\(address) closed the connection during the TLS handshake (does it speak TLS?)")))
        context.fireChannelInactive()
    }

    /// Also on a connect that failed before the channel was ever active.
    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(GFSError(.unavailable, "\(address): the connection ended before its TLS handshake")))
    }
}
