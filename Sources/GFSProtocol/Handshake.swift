import GFSCore

/// The start of an authenticated connection (gfs-protocol(5), AUTHENTICATION): a challenge–response on both
/// sides, so neither a recorded exchange nor a server without the secret gets through.
///
///     C: HELLO principal=P nonce=Nc
///     S: OK nonce=Ns proof=HMAC(secret, "server|Nc|Ns|P")     (a server without a secret: OK; a
///                                                              chunkserver that does not know P: OK guest=1)
///     C: AUTH proof=HMAC(secret, "client|Ns|Nc|P")
///     S: OK principal=P                                        (else ERR DENIED, and it closes)
///
/// A master also signs with the masters' key (`signature=`, Ed25519 over `MasterKey.signedText`): on its
/// HELLO reply when it is the server, on its AUTH when it is the client.
public enum HandshakeRequest: Sendable, Equatable {
    case hello(principal: String, nonce: String)
    case auth(proof: String, signature: String? = nil)

    /// The handshake request `line` is, or nil for any other verb.
    public init?(_ line: Line) throws(GFSError) {
        switch line.verb {
        case Verb.hello.rawValue:
            let (principal, nonce) = (try line.require("principal"), try line.require("nonce"))
            let hex = nonce.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
            guard principal.utf8.count <= 64, nonce.utf8.count == 32, hex else {
                throw GFSError(.badRequest, "HELLO: principal of at most 64 bytes and a nonce of 32 hex digits")
            }
            self = .hello(principal: principal, nonce: nonce)
        case Verb.auth.rawValue:
            let proof = try line.require("proof")
            guard proof.utf8.count == 64 else { throw GFSError(.badRequest, "AUTH: proof is 64 hex digits") }
            let signature = line["signature"]
            guard (signature?.utf8.count ?? 128) == 128 else { throw GFSError(.badRequest, "AUTH: signature is 128 hex digits") }
            self = .auth(proof: proof, signature: signature)
        default:
            return nil
        }
    }

    public var line: Line {
        switch self {
        case let .hello(principal, nonce): return Line(Verb.hello.rawValue, fields: ["principal": principal, "nonce": nonce])
        case let .auth(proof, signature): return Line(Verb.auth.rawValue, fields: ["proof": proof, "signature": signature])
        }
    }

    /// The text a proof is computed over: who proves, then the nonces (the prover's peer's first), then the
    /// principal.
    public static func proofInput(server: Bool, clientNonce: String, serverNonce: String, principal: String) -> String {
        server ? "server|\(clientNonce)|\(serverNonce)|\(principal)" : "client|\(serverNonce)|\(clientNonce)|\(principal)"
    }
}

/// The reply to `HELLO`: the server's nonce and proof, or neither from a server that authenticates nobody,
/// or `guest` from a chunkserver that does not know the principal (its chunk operations then need tokens).
public struct HelloReply: ReplyMessage, Equatable {
    public var nonce: String?
    public var proof: String?
    public var guest = false
    /// A master's signature with the masters' key.
    public var signature: String?

    public init(nonce: String?, proof: String?, guest: Bool = false, signature: String? = nil) {
        self.nonce = nonce
        self.proof = proof
        self.guest = guest
        self.signature = signature
    }

    public var reply: Reply {
        if guest { return .ok([.init("guest", "1")]) }
        guard let nonce, let proof else { return .ok() }
        return .ok([.init("nonce", nonce), .init("proof", proof)] + (signature.map { [.init("signature", $0)] } ?? []))
    }

    public init(_ reply: Reply) throws(GFSError) {
        nonce = reply.line["nonce"]
        proof = reply.line["proof"]
        guest = reply.line.flag("guest")
        signature = reply.line["signature"]
    }
}
