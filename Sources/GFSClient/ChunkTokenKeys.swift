import Crypto
import Foundation
import GFSCore
import NIOConcurrencyHelpers

/// Signs and verifies chunk access tokens (`ChunkToken`). The key of period N is derived from the cluster
/// secret, so every master issues with the same keys (a token outlives a failover) and no key crosses the
/// wire; the primary master announces which periods' keys chunkservers accept (the current and the one
/// before) in its heartbeat replies, so its clock alone rotates them.
public struct ChunkTokenKeys: Sendable {
    /// How long each key signs new tokens, and how long a token lasts, in milliseconds.
    public static let period: Int64 = 10 * 60 * 1000

    let secret: ClusterSecret

    public init(secret: ClusterSecret) { self.secret = secret }

    /// The key periods accepted at `now` (wall-clock milliseconds): the current one and the one before.
    public static func accepted(at now: Int64) -> [UInt64] {
        let current = UInt64(max(now, 0) / period)
        return current > 0 ? [current, current - 1] : [current]
    }

    /// The key of period `id`.
    public func key(_ id: UInt64) -> SymmetricKey {
        SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data("gfs chunk token key|\(id)".utf8), using: secret.key))
    }

    /// A token for `handle` at `version`, valid for one period from `now`.
    public func issue(_ handle: ChunkHandle, version: ChunkVersion, mode: ChunkToken.Mode, replicas: [ServerID] = [],
                      principal: String, now: Int64) -> String {
        let id = UInt64(max(now, 0) / Self.period)
        let token = ChunkToken(keyID: id, expiry: now + Self.period, handle: handle, version: version, mode: mode,
                               replicas: mode == .write ? Self.digest(replicas) : "-", principal: principal)
        return token.body + "." + Self.mac(token.body, key: key(id))
    }

    /// The token `text` if its signature holds under one of `keys` (by period); DENIED otherwise.
    public static func verify(_ text: String, keys: [UInt64: SymmetricKey]) throws(GFSError) -> ChunkToken {
        let (token, body, mac) = try ChunkToken.parse(text)
        guard let key = keys[token.keyID] else {
            throw GFSError(.denied, "token: its key is not in use here (expired, or the master is not in touch); ask the master again")
        }
        // Compared in constant time: every byte is looked at whatever the first difference.
        let expected = Array(Self.mac(String(body), key: key).utf8), given = Array(mac.utf8)
        guard given.count == expected.count, zip(expected, given).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            throw GFSError(.denied, "token: bad signature")
        }
        return token
    }

    /// A short digest of a replica set, in any order: a write token binds the chain its data may be pushed
    /// along, so a chunkserver never forwards a stranger's bytes to a host of the stranger's choosing.
    public static func digest(_ replicas: [ServerID]) -> String {
        let text = replicas.map(\.description).sorted().joined(separator: ",")
        return SHA256.hash(data: Data(text.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The first 16 bytes of HMAC-SHA256, in hex.
    static func mac(_ body: String, key: SymmetricKey) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key).prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}

/// A chunkserver's side of chunk tokens: the keys the primary master last announced, and the check.
public final class ChunkTokenVerifier: Sendable {
    private let keys: ChunkTokenKeys
    private let accepted = NIOLockedValueBox<[UInt64: SymmetricKey]>([:])

    public init(secret: ClusterSecret) { keys = ChunkTokenKeys(secret: secret) }

    /// Accepts exactly the key periods `ids` from now on (deriving only keys it does not have yet).
    public func accept(_ ids: [UInt64]) {
        guard !ids.isEmpty else { return }
        accepted.withLockedValue { current in
            var next: [UInt64: SymmetricKey] = [:]
            for id in ids { next[id] = current[id] ?? keys.key(id) }
            current = next
        }
    }

    /// The token `text` if it is genuine and signed with an accepted key; DENIED otherwise.
    public func verify(_ text: String) throws(GFSError) -> ChunkToken {
        let keys = accepted.withLockedValue { $0 }
        guard !keys.isEmpty else { throw GFSError(.denied, "token: this chunkserver has no token keys from the master yet") }
        return try ChunkTokenKeys.verify(text, keys: keys)
    }
}
