import Crypto
import Foundation
import GFSCore
import NIOConcurrencyHelpers

/// The masters' signing key (Ed25519, swift-crypto): the cluster secret makes a peer a member, and this key
/// makes a member a master. Masters hold the private key (`--master-key`); chunkservers hold only the public
/// one (`--master-public-key`), so a chunkserver, which has the cluster secret too, still cannot give
/// master's orders (GRANT, REVOKE, CLONE, REPLICATE) or answer a heartbeat as a master. Both files hold 64
/// hex digits.
public enum MasterKey {
    /// What a master signs: who it is talking to and both nonces, so a signature is good for one connection.
    public static func signedText(server: Bool, clientNonce: String, serverNonce: String) -> String {
        "gfs master|\(server ? "server" : "client")|\(clientNonce)|\(serverNonce)"
    }

    /// Writes a new key pair: the private key to `privatePath` (0600), the public key to `publicPath`.
    public static func create(privatePath: String, publicPath: String) throws(GFSError) {
        let key = Curve25519.Signing.PrivateKey()
        try write(hex(key.rawRepresentation), to: privatePath, mode: 0o600)
        try write(hex(key.publicKey.rawRepresentation), to: publicPath, mode: 0o644)
    }

    /// The private key at `path`, which only its owner may read.
    public static func loadPrivate(_ path: String) throws(GFSError) -> Curve25519.Signing.PrivateKey {
        let text = try ClusterSecret.readPrivate(path, what: "master key")
        guard let bytes = bytes(text), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes) else {
            throw GFSError(.badRequest, "master key \(path): want 64 hex digits (gfs up makes one)")
        }
        return key
    }

    /// The public key at `path`.
    public static func loadPublic(_ path: String) throws(GFSError) -> Curve25519.Signing.PublicKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw GFSError(.notFound, "master public key \(path): cannot read it")
        }
        guard let bytes = bytes(text), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes) else {
            throw GFSError(.badRequest, "master public key \(path): want 64 hex digits")
        }
        return key
    }

    /// A signature of `text`, in hex.
    public static func sign(_ text: String, with key: Curve25519.Signing.PrivateKey) -> String? {
        (try? key.signature(for: Data(text.utf8))).map { hex($0) }
    }

    /// Whether `signature` (hex) signs `text` under `key`.
    public static func verify(_ signature: String, of text: String, with key: Curve25519.Signing.PublicKey) -> Bool {
        guard signature.utf8.count == 128, let bytes = bytes(signature) else { return false }
        return key.isValidSignature(bytes, for: Data(text.utf8))
    }

    private static let inUse = NIOLockedValueBox<(signing: Curve25519.Signing.PrivateKey?, trusted: Curve25519.Signing.PublicKey?)>((nil, nil))

    /// A master signs its handshakes with `signing`; a chunkserver demands signatures under `trusted` of
    /// whoever gives master's orders or answers its heartbeats.
    public static func use(signing: Curve25519.Signing.PrivateKey?, trusted: Curve25519.Signing.PublicKey?) {
        inUse.withLockedValue { $0 = (signing, trusted) }
    }

    /// The key this process signs with, if it is a master with one.
    public static var signing: Curve25519.Signing.PrivateKey? { inUse.withLockedValue { $0.signing } }
    /// The masters' public key this process checks, if any.
    public static var trusted: Curve25519.Signing.PublicKey? { inUse.withLockedValue { $0.trusted } }

    static func hex(_ data: some DataProtocol) -> String { data.map { String(format: "%02x", $0) }.joined() }

    static func bytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard digits.count % 2 == 0, !digits.isEmpty else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    private static func write(_ text: String, to path: String, mode: mode_t) throws(GFSError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw GFSError(.unavailable, "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let bytes = Array((text + "\n").utf8)
        guard Glibc.write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            unlink(path)
            throw GFSError(.unavailable, "cannot write \(path)")
        }
    }
}
