/// What a chunk access token grants (HDFS's block access tokens): operations on one chunk at one version,
/// until `expiry`, signed by the master with key `keyID` (`ChunkTokenKeys`). Its text is
///
///     KEYID.EXPIRY.HANDLE.VERSION.MODES.REPLICAS.PRINCIPAL.MAC
///
/// with EXPIRY in wall-clock milliseconds, MODES `r` or `w`, REPLICAS a digest of the replica set a write
/// may be pushed along (`-` for reads), and MAC the signature over everything before it.
public struct ChunkToken: Sendable, Equatable {
    public enum Mode: String, Sendable { case read = "r", write = "w" }

    public var keyID: UInt64
    public var expiry: Int64
    public var handle: ChunkHandle
    public var version: ChunkVersion
    public var mode: Mode
    public var replicas: String
    public var principal: String

    public init(keyID: UInt64, expiry: Int64, handle: ChunkHandle, version: ChunkVersion, mode: Mode,
                replicas: String = "-", principal: String) {
        self.keyID = keyID
        self.expiry = expiry
        self.handle = handle
        self.version = version
        self.mode = mode
        self.replicas = replicas
        self.principal = principal
    }

    /// The signed part of the text.
    public var body: String { "\(keyID).\(expiry).\(handle).\(version).\(mode.rawValue).\(replicas).\(principal)" }

    /// Parses a token's text into what it claims and its MAC; BADREQ (never a trap) for anything malformed.
    public static func parse(_ text: String) throws(GFSError) -> (token: ChunkToken, body: Substring, mac: Substring) {
        guard text.utf8.count <= 256 else { throw GFSError(.denied, "token: longer than any token") }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 8, let keyID = UInt64(parts[0]), let expiry = Int64(parts[1]),
            let handle = ChunkHandle(hex: parts[2]), let version = ChunkVersion(parts[3]),
            let mode = Mode(rawValue: String(parts[4])), Principal.isValid(parts[6]),
            parts[5] == "-" || (parts[5].utf8.count == 16 && parts[5].utf8.allSatisfy(Self.isHexDigit))
        else { throw GFSError(.denied, "token: not a chunk token") }
        let token = ChunkToken(keyID: keyID, expiry: expiry, handle: handle, version: version, mode: mode,
                               replicas: String(parts[5]), principal: String(parts[6]))
        return (token, text.dropLast(parts[7].count + 1), parts[7])
    }

    static func isHexDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (97...102).contains(byte) }

    /// Checks the claims against a request: the chunk, the version and the mode it asks for, and the time.
    public func check(handle: ChunkHandle, version: ChunkVersion?, mode: Mode, now: Int64) throws(GFSError) {
        guard self.handle == handle else { throw GFSError(.denied, "token: issued for chunk \(self.handle), not \(handle)") }
        if let version, self.version != version {
            throw GFSError(.denied, "token: issued for version \(self.version), not \(version); ask the master again")
        }
        guard self.mode == mode else { throw GFSError(.denied, "token: grants \(self.mode == .read ? "reads" : "writes") only") }
        guard now <= expiry else { throw GFSError(.denied, "token: expired; ask the master again") }
    }
}
