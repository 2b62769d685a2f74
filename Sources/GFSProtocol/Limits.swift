import GFSCore

/// The protocol's hard limits (gfs-protocol(5), LIMITS); exceeding one is answered with `ERR`, never a crash.
public struct Limits: Sendable {
    /// Longest line in bytes, newline excluded.
    public var maximumLineBytes: Int = 64 * 1024
    /// Largest `len=` payload in bytes: one chunk.
    public var maximumPayloadBytes: Int = 64 << 20

    /// Longest lease a GRANT or EXTEND may carry: a day. A bound on the wire keeps every expiry computed from
    /// it (and the `--ack-log`'s wall times) far from overflow.
    public static let maximumLeaseMilliseconds: Int64 = 86_400_000
    /// The largest chunk size a master accepts (`gfs master --chunk-size`); lengths and offsets within a
    /// chunk that a reply carries are bounded by it, so arithmetic on them cannot overflow.
    public static let maximumChunkBytes: Int64 = 1 << 30

    /// Most names in a path (its depth), and most bytes in one name, as Linux's NAME_MAX.
    public static let deepestPath = 255
    public static let longestName = 255

    /// The defaults.
    public init() {}

    /// Defaults with a payload cap of `maximumPayloadBytes`.
    public init(maximumPayloadBytes: Int) { self.maximumPayloadBytes = maximumPayloadBytes }
}
