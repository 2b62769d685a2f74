/// A chunkserver is known by the `host:port` address it listens on: that is how clients and peers reach it.
public struct ServerID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The host part (an IP address or a name).
    public let host: String
    /// The TCP port.
    public let port: Int

    /// Creates an address from its parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (the port must be 0...65535); `[v6]:port` is accepted too. A host is ASCII letters,
    /// digits and `.-_:%` (names, IPv4, IPv6 and its zone), so it prints back as it was read. Byte-wise, since
    /// a combining mark after `[` would make one Character of the two.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard let colon = bytes.lastIndex(of: UInt8(ascii: ":")), colon + 1 < bytes.count, bytes.count - colon <= 6,
            bytes[(colon + 1)...].allSatisfy({ (48...57).contains($0) }),
            let port = Int(String(decoding: bytes[(colon + 1)...], as: UTF8.self)), (0...65535).contains(port)
        else { return nil }
        var host = bytes[..<colon]
        if host.first == UInt8(ascii: "["), host.last == UInt8(ascii: "]"), host.count >= 2 { host = host.dropFirst().dropLast() }
        let allowed = { (byte: UInt8) in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "%")
        }
        guard !host.isEmpty, host.allSatisfy(allowed) else { return nil }
        self.init(host: String(decoding: host, as: UTF8.self), port: port)
    }

    /// Whether the address is this machine's loopback (127.0.0.0/8, ::1 or localhost): a server there shares
    /// this machine's files.
    public var isLoopback: Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return host == "localhost" || host == "::1"
            || (parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil })
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    // By host, then port: as cheap as the fields (sorting by the description built strings per comparison).
    public static func < (lhs: ServerID, rhs: ServerID) -> Bool { (lhs.host, lhs.port) < (rhs.host, rhs.port) }
}
