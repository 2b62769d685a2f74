/// The master's tunables; each is a `gfs master` flag so tests can make sizes small and timeouts short.
public struct MasterConfiguration: Sendable {
    /// Bytes per chunk (GFS §2.5: 64 MiB).
    public var chunkSize: Int64 = 64 << 20
    /// Replicas per chunk for files created without an explicit goal.
    public var defaultReplication: Int = 3
    /// How long a primary lease lasts without extension (GFS §3.1: 60 s).
    public var leaseDuration: Duration = .seconds(60)
    /// A chunkserver silent for this long is dead.
    public var heartbeatTimeout: Duration = .seconds(15)
    /// Creations within this window count against a server when placing new chunks (GFS §4.2).
    public var recentCreationWindow: Duration = .seconds(60)

    /// The defaults from the paper.
    public init() {}
}
