import GFSCore
import NIOConcurrencyHelpers
import NIOCore

/// Who is at the other end of one accepted connection, as its handshake established it.
public final class PeerIdentity: Sendable {
    public enum Standing: Sendable, Equatable {
        /// The server has no secret: everyone is trusted, as before authentication existed.
        case open
        /// Not authenticated (a chunkserver's client principal): chunk operations need tokens.
        case guest
        /// Proved the secret of this principal.
        case principal(String)
    }

    private let box: NIOLockedValueBox<(standing: Standing, master: Bool)>
    /// Whether master's orders need a master's signature here (a chunkserver given the masters' public key).
    private let mastersSign: Bool
    /// The peer's IP address (4 or 16 bytes), for exports rules; nil if unknown.
    public let address: [UInt8]?
    /// The peer's address as text, for logs.
    public let addressText: String

    init(channel: any Channel, secured: Bool, mastersSign: Bool = false) {
        box = NIOLockedValueBox((secured ? .guest : .open, false))
        self.mastersSign = mastersSign
        addressText = channel.remoteAddress?.ipAddress ?? "?"
        address = channel.remoteAddress?.ipAddress.flatMap(AddressRange.bytes)
    }

    public var standing: Standing { box.withLockedValue { $0.standing } }

    func authenticated(as principal: String, master: Bool = false) { box.withLockedValue { $0 = (.principal(principal), master) } }

    /// Whether the peer may give master's orders: a member that signed with the masters' key, or any member
    /// where no such key is configured.
    public var isMaster: Bool {
        let (standing, master) = box.withLockedValue { $0 }
        switch standing {
        case .open: return true
        case .guest: return false
        case let .principal(name): return name == Principal.cluster && (master || !mastersSign)
        }
    }

    /// Whether the peer may act as a role: it proved the cluster secret, or the server trusts everyone.
    public var isMember: Bool {
        switch standing {
        case .open: return true
        case .guest: return false
        case let .principal(name): return name == Principal.cluster
        }
    }

    /// The principal's name for logs and rules: `-` when unauthenticated.
    public var principal: String {
        switch standing {
        case .open, .guest: return "-"
        case let .principal(name): return name
        }
    }
}
