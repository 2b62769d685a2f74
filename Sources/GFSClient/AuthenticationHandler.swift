import Crypto
import GFSCore
import GFSProtocol
import NIOCore

/// The server side of the handshake (`HandshakeRequest`), between the frame decoder and the role's loop. With
/// a secret, nothing but HELLO and AUTH reaches the role until the peer has proved it holds the secret; a
/// refused request gets one `ERR DENIED` (its payload dropped) and the connection stays usable, a wrong proof
/// closes it. Without a secret, a HELLO as the first request gets a plain `OK` (so a client can tell), and
/// then, as after a good proof, the handler leaves the pipeline.
/// A chunkserver admits guests: a peer that skips the handshake, or names a principal it does not know, is
/// let through unauthenticated, and the chunkserver asks a chunk token of its every request.
final class AuthenticationHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    typealias OutboundOut = ByteBuffer

    private let principals: Principals?
    private let admitsGuests: Bool
    private let identity: PeerIdentity
    /// The nonces of a HELLO answered, waiting for its AUTH.
    private var hello: (principal: String, client: String, server: String)?
    /// Dropping the payload of a refused request, part by part.
    private var discarding = false
    /// Refusals so far: a stranger who goes on sending gets a few lines, then the connection ends (each
    /// refusal is a line out for a line in, which must not pile up unread).
    private var refusals = 0
    static let refusalsBeforeClosing = 8

    /// A master's signing key (its HELLO replies carry a signature), and the masters' public key a
    /// chunkserver checks AUTH signatures with.
    private let signing: Curve25519.Signing.PrivateKey?
    private let trusted: Curve25519.Signing.PublicKey?

    init(principals: Principals?, admitsGuests: Bool, identity: PeerIdentity,
         signing: Curve25519.Signing.PrivateKey? = nil, trusted: Curve25519.Signing.PublicKey? = nil) {
        self.signing = signing
        self.trusted = trusted
        self.principals = principals
        self.admitsGuests = admitsGuests
        self.identity = identity
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let principals else {
            if case let .line(line) = frame, line.verb == Verb.hello.rawValue {
                send(HelloReply(nonce: nil, proof: nil).reply, context: context)
            } else {
                context.fireChannelRead(data)
            }
            leave(context)
            return
        }
        if admitsGuests, hello == nil, !discarding, !frame.isHandshake {
            context.fireChannelRead(data)  // a guest: the role checks its tokens
            leave(context)
            return
        }
        switch frame {
        case let .part(_, last):
            if discarding { discarding = !last } else { context.fireChannelRead(data) }
        case let .line(line):
            answer(line, principals: principals, context: context)
        case let .head(line, _):
            discarding = true
            answer(line, principals: principals, context: context)
        case .invalid:
            discarding = true  // any payload parts after it are the stranger's too
            refuse("a request", context: context)
        }
    }

    private func answer(_ line: Line, principals: Principals, context: ChannelHandlerContext) {
        let request: HandshakeRequest?
        do { request = try HandshakeRequest(line) } catch {
            send(.error(error), context: context)
            return
        }
        switch request {
        case let .hello(principal, nonce)?:
            // One HELLO per connection: each costs an HMAC.
            guard self.hello == nil else {
                send(.error(GFSError(.denied, "one HELLO per connection")), context: context)
                context.close(promise: nil)
                return
            }
            guard let secret = principals[principal] else {
                if admitsGuests {
                    send(HelloReply(nonce: nil, proof: nil, guest: true).reply, context: context)
                    leave(context)
                } else {
                    send(.error(GFSError(.denied, "unknown principal \(principal)")), context: context)
                }
                return
            }
            let serverNonce = ClusterSecret.nonce()
            hello = (principal, nonce, serverNonce)
            let input = HandshakeRequest.proofInput(server: true, clientNonce: nonce, serverNonce: serverNonce, principal: principal)
            let signature = signing.flatMap {
                MasterKey.sign(MasterKey.signedText(server: true, clientNonce: nonce, serverNonce: serverNonce), with: $0)
            }
            send(HelloReply(nonce: serverNonce, proof: secret.proof(input), signature: signature).reply, context: context)
        case let .auth(proof, signature)?:
            guard let hello, let secret = principals[hello.principal] else {
                send(.error(GFSError(.denied, "AUTH before HELLO")), context: context)
                return
            }
            let input = HandshakeRequest.proofInput(server: false, clientNonce: hello.client, serverNonce: hello.server,
                                                    principal: hello.principal)
            guard secret.verify(proof, for: input) else {
                // One guess per connection: a wrong proof ends it.
                send(.error(GFSError(.denied, "wrong proof: this client does not hold the secret of \(hello.principal)")), context: context)
                context.close(promise: nil)
                return
            }
            var master = false
            if let signature, let trusted {
                let text = MasterKey.signedText(server: false, clientNonce: hello.client, serverNonce: hello.server)
                guard MasterKey.verify(signature, of: text, with: trusted) else {
                    send(.error(GFSError(.denied, "wrong signature: this peer does not hold the masters' key")), context: context)
                    context.close(promise: nil)
                    return
                }
                master = true
            }
            identity.authenticated(as: hello.principal, master: master)
            send(.ok([.init("principal", hello.principal)]), context: context)
            leave(context)
        case nil:
            refuse(line.verb, context: context)
        }
    }

    private func refuse(_ what: String, context: ChannelHandlerContext) {
        refusals += 1
        defer { if refusals >= Self.refusalsBeforeClosing { context.close(promise: nil) } }
        send(.error(GFSError(.denied, "\(what): this server admits only members of the cluster (give gfs the cluster's secret with --secret-file or GFS_SECRET_FILE; on the wire, HELLO then AUTH, see gfs-protocol(5))")),
             context: context)
    }

    private func send(_ reply: Reply, context: ChannelHandlerContext) {
        var head = context.channel.allocator.buffer(capacity: 256)
        reply.writeHead(to: &head)
        context.writeAndFlush(wrapOutboundOut(head), promise: nil)
    }

    /// The connection may talk to the role from now on; this handler costs nothing more.
    private func leave(_ context: ChannelHandlerContext) {
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

extension Frame {
    /// Whether this is a HELLO or AUTH line.
    var isHandshake: Bool {
        switch self {
        case let .line(line), let .head(line, _): return line.verb == Verb.hello.rawValue || line.verb == Verb.auth.rawValue
        case .part, .invalid: return false
        }
    }
}
