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

    /// Parses `host:port` (the port must be 0...65535); `[v6]:port` is accepted too.
    public init?(_ text: some StringProtocol) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    // By host, then port: as cheap as the fields (sorting by the description built strings per comparison).
    public static func < (lhs: ServerID, rhs: ServerID) -> Bool { (lhs.host, lhs.port) < (rhs.host, rhs.port) }
}
