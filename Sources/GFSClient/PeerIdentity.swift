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

    private let box: NIOLockedValueBox<Standing>
    /// The peer's IP address (4 or 16 bytes), for exports rules; nil if unknown.
    public let address: [UInt8]?
    /// The peer's address as text, for logs.
    public let addressText: String

    init(channel: any Channel, secured: Bool) {
        box = NIOLockedValueBox(secured ? .guest : .open)
        addressText = channel.remoteAddress?.ipAddress ?? "?"
        address = channel.remoteAddress?.ipAddress.flatMap(AddressRange.bytes)
    }

    public var standing: Standing { box.withLockedValue { $0 } }

    func authenticated(as principal: String) { box.withLockedValue { $0 = .principal(principal) } }

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
