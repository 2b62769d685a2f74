import GFSCore

/// The protocol's hard limits (gfs-protocol(5), LIMITS); exceeding one is answered with `ERR`, never a crash.
public struct Limits: Sendable {
    /// Longest line in bytes, newline excluded.
    public var maximumLineBytes: Int = 64 * 1024
    /// Largest `len=` payload in bytes: one chunk.
    public var maximumPayloadBytes: Int = 64 << 20

    /// The defaults.
    public init() {}

    /// Defaults with a payload cap of `maximumPayloadBytes`.
    public init(maximumPayloadBytes: Int) { self.maximumPayloadBytes = maximumPayloadBytes }
}
