import Crypto
import Foundation
import GFSCore
import GFSProtocol
import NIOConcurrencyHelpers

/// The cluster secret (`--secret-file`): with it, every connection between roles and clients starts with the
/// challenge–response of `HandshakeRequest`, and a server that has it refuses everything else until then.
/// One secret per process: `use(_:)` sets the one its outgoing connections prove.
/// A client principal's secret (`NAME SECRET` in its file) works the same way, proved to the master only.
public struct ClusterSecret: Sendable {
    /// Who proves this secret: `Principal.cluster` for the cluster secret itself.
    public let principal: String
    let key: SymmetricKey

    /// A secret from a file's text (surrounding whitespace ignored): `SECRET` for the cluster secret, or
    /// `NAME SECRET` for a client principal's. A secret is at least 16 bytes, so it cannot be guessed;
    /// `gfs up` writes 64 hex digits.
    public init(text: String) throws(GFSError) {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count == 1 || words.count == 2 else {
            throw GFSError(.badRequest, "a secret file holds SECRET, or NAME SECRET for a client principal")
        }
        let name = words.count == 2 ? String(words[0]) : Principal.cluster
        guard Principal.isValid(name) else { throw GFSError(.badRequest, "principal '\(name)': \(Principal.rule)") }
        guard let secret = words.last, secret.utf8.count >= 16 else {
            throw GFSError(.badRequest, "a secret must be at least 16 bytes")
        }
        principal = name
        key = SymmetricKey(data: Data(secret.utf8))
    }

    /// Reads the secret at `path`, which only its owner may read (like ssh's keys).
    public static func load(_ path: String) throws(GFSError) -> ClusterSecret {
        try ClusterSecret(text: try readPrivate(path, what: "secret file"))
    }

    /// Reads the file at `path`, refusing one that others may read.
    static func readPrivate(_ path: String, what: String) throws(GFSError) -> String {
        // The file itself, not a link to it (secret mounts are links).
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target),
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
        else { throw GFSError(.notFound, "\(what) \(path): cannot read it") }
        guard mode & 0o077 == 0 else {
            throw GFSError(.denied, "\(what) \(path) can be read by others (mode \(String(mode, radix: 8))); chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: target, encoding: .utf8) else {
            throw GFSError(.notFound, "\(what) \(path): cannot read it")
        }
        return text
    }

    /// Writes a new random secret to `path` (mode 0600, never over an existing file).
    public static func create(_ path: String) throws(GFSError) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw GFSError(.unavailable, "cannot make \(folder): \(error.localizedDescription)")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw GFSError(.unavailable, "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let text = Array((randomHex(bytes: 32) + "\n").utf8)
        guard write(descriptor, text, text.count) == text.count, fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)  // a partial secret would be refused for ever
            throw GFSError(.unavailable, "cannot write \(path): \(reason)")
        }
    }

    /// The proof of holding the secret for `input` (`HandshakeRequest.proofInput`): HMAC-SHA256, in hex.
    public func proof(_ input: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `proof` proves the secret for `input`, compared in constant time.
    public func verify(_ proof: String, for input: String) -> Bool {
        guard Self.isHex(proof, count: 64), let bytes = Self.bytes(hex: proof) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Data(input.utf8), using: key)
    }

    /// A fresh nonce: 16 random bytes as 32 hex digits.
    public static func nonce() -> String { randomHex(bytes: 16) }

    private static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    private static func bytes(hex: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
            guard let byte = UInt8(hex[index..<next], radix: 16), hex[index..<next].utf8.count == 2,
                hex[index..<next].utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
            else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    /// Where clients look for the secret when told nothing else, and where `gfs up` keeps its cluster's:
    /// `$XDG_CONFIG_HOME/gfs/secret`, else `~/.config/gfs/secret`.
    public static var defaultPath: String {
        let environment = ProcessInfo.processInfo.environment
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty { return config + "/gfs/secret" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.config/gfs/secret"
    }

    private static let inUse = NIOLockedValueBox<(secret: ClusterSecret, requireProof: Bool)?>(nil)

    /// Makes every connection this process opens from now on prove `secret` (nil: none). With
    /// `requireProof`, a server that cannot prove it too (one without a secret: an impostor, or a server
    /// started without one) is refused; roles always require it.
    public static func use(_ secret: ClusterSecret?, requireProof: Bool) {
        inUse.withLockedValue { $0 = secret.map { ($0, requireProof) } }
    }

    /// The secret this process's connections prove, if any, and whether servers must prove it too.
    public static var current: (secret: ClusterSecret, requireProof: Bool)? { inUse.withLockedValue { $0 } }

    /// Whether `text` is `count` lower-case hex digits.
    public static func isHex(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
