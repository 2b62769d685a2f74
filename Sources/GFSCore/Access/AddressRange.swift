#if canImport(Glibc)
import Glibc
#endif

/// `*`, one IP address, or a CIDR range (`10.0.0.0/8`, `fd00::/8`), as exports rules name callers.
public struct AddressRange: Sendable, Equatable {
    /// The network's bytes (4 or 16), nil for any address.
    let network: [UInt8]?
    let bits: Int

    public static let any = AddressRange(network: nil, bits: 0)

    init(network: [UInt8]?, bits: Int) {
        self.network = network
        self.bits = bits
    }

    public init?(_ text: String) {
        if text == "*" {
            self = .any
            return
        }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.bytes(String(parts[0])) else { return nil }
        let width = address.count * 8
        var bits = width
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...width).contains(given) else { return nil }
            bits = given
        }
        self.init(network: address, bits: bits)
    }

    /// Whether `address` (4 or 16 bytes; nil when unknown, which only `*` matches) is in the range.
    public func contains(_ address: [UInt8]?) -> Bool {
        guard let network else { return true }
        guard let address, address.count == network.count else { return false }
        var left = bits
        for (mine, theirs) in zip(network, address) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xff : ~(0xff >> UInt8(left))
            if mine & mask != theirs & mask { return false }
            left -= 8
        }
        return true
    }

    /// An address's bytes: 4 for IPv4 (also when written IPv4-mapped, `::ffff:a.b.c.d`), 16 for IPv6.
    public static func bytes(_ text: String) -> [UInt8]? {
        var four = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, text, &four) == 1 { return four }
        var sixteen = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, text, &sixteen) == 1 else { return nil }
        if sixteen[0..<10].allSatisfy({ $0 == 0 }), sixteen[10] == 0xff, sixteen[11] == 0xff {
            return Array(sixteen[12...])
        }
        return sixteen
    }
}
