/// The master's tunables; each is a `gfs master` flag so tests can make sizes small and timeouts short.
public struct MasterConfiguration: Sendable {
    /// Bytes per chunk (GFS §2.5: 64 MiB).
    public var chunkSize: Int64 = 64 << 20
    /// Replicas per chunk for files created without an explicit goal.
    public var defaultReplication: Int = 3
    /// Fewest replicas a write may be acknowledged by (never more than a chunk's goal): a lease is granted
    /// only with this many live current replicas, so one failing disk cannot lose acknowledged data
    /// (HDFS's dfs.namenode.replication.min).
    public var minReplicas: Int = 2
    /// How long a primary lease lasts without extension (GFS §3.1: 60 s).
    public var leaseDuration: Duration = .seconds(60)
    /// A chunkserver silent for this long is dead.
    public var heartbeatTimeout: Duration = .seconds(15)
    /// Creations within this window count against a server when placing new chunks (GFS §4.2).
    public var recentCreationWindow: Duration = .seconds(60)
    /// Re-replication and rebalancing copies at once per chunkserver (as source or target) (GFS §4.3).
    public var clonesPerServer: Int = 2
    /// Re-replication and rebalancing copies at once in the whole cluster.
    public var clonesTotal: Int = 8
    /// Bytes per second each copy may read from its source, so repair never drowns client traffic.
    public var cloneBytesPerSecond: Int64 = 64 << 20
    /// A chunkserver stopped gracefully has this long to come back before its chunks are re-replicated.
    public var restartGrace: Duration = .seconds(300)
    /// Deleted files stay in the trash, restorable, this long (GFS §4.4.1: three days).
    public var deletedGrace: Duration = .seconds(3 * 24 * 3600)
    /// Rebalancing starts when the fullest and emptiest live chunkservers differ by more replicas than this.
    public var rebalanceSpread: Int = 4

    /// How long a copy may take at `cloneBytesPerSecond` (twice that for a full chunk, plus a minute) before
    /// it counts as failed.
    public var cloneTimeout: Duration {
        .seconds(60) + .seconds(chunkSize / max(cloneBytesPerSecond, 1) * 2)
    }

    /// The defaults from the paper.
    public init() {}
}
