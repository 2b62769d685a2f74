/// What the master knows about one chunk.
public struct ChunkInfo: Sendable, Equatable {
    /// The current version; replicas at an older one are stale (GFS §4.5).
    public var version: ChunkVersion
    /// Replica locations and the version each reported, learnt only from chunkservers (GFS §2.6.2).
    public var replicas: [ServerID: ChunkVersion] = [:]
    /// How many files refer to the chunk: more than one after a snapshot, until copy-on-write (GFS §3.4).
    public var references: Int = 1
    /// Replicas wanted: the highest goal of the files referring to it. Derived from the namespace, not logged.
    public var goal: Int = 3
    /// Whether the file referring to it was deleted (it sits in the trash): repaired after live files.
    public var trashed = false

    public init(version: ChunkVersion, replicas: [ServerID: ChunkVersion] = [:], references: Int = 1, goal: Int = 3,
                trashed: Bool = false) {
        self.version = version
        self.replicas = replicas
        self.references = references
        self.goal = goal
        self.trashed = trashed
    }
}

/// What the master knows about one chunkserver; none of it is persisted.
public struct ServerState: Sendable, Equatable {
    /// The rack label it registered with.
    public var rack: String
    /// Bytes its disk can hold in all.
    public var capacityBytes: Int64
    /// Bytes still free on its disk.
    public var freeBytes: Int64
    /// When it last registered or heartbeated.
    public var lastHeard: Instant
    /// False once its master connection closed; it must register again.
    public var connected: Bool
    /// When replicas were last placed on it, for spreading creations (GFS §4.2).
    public var recentCreations: [Instant] = []
    /// Being drained: no new replicas, and its replicas are copied elsewhere, then deleted here.
    public var draining = false
    /// When it said it was stopping for a restart: its replicas are not re-replicated during the grace period.
    public var leftAt: Instant?

    /// Fraction of the disk in use.
    public var diskUse: Double {
        capacityBytes > 0 ? Double(capacityBytes - freeBytes) / Double(capacityBytes) : 0
    }
}

/// Where one chunk of a file lives, as a client needs it.
public struct ChunkLocation: Sendable, Equatable {
    /// The chunk's position in the file.
    public var index: Int
    /// The chunk.
    public var handle: ChunkHandle
    /// The version every listed replica has.
    public var version: ChunkVersion
    /// Live, up-to-date replicas.
    public var replicas: [ServerID]
    /// A read token for a client principal (`ChunkToken`), with a cluster secret.
    public var token: String?

    /// Creates a location.
    public init(index: Int, handle: ChunkHandle, version: ChunkVersion, replicas: [ServerID]) {
        self.index = index
        self.handle = handle
        self.version = version
        self.replicas = replicas
    }
}

/// A valid lease as the client sees it: whom to send the write to and whom the primary forwards it to.
public struct LeaseInfo: Sendable, Equatable {
    /// The chunk.
    public var handle: ChunkHandle
    /// The version the lease was granted at.
    public var version: ChunkVersion
    /// The replica that orders mutations.
    public var primary: ServerID
    /// The other live, up-to-date replicas.
    public var secondaries: [ServerID]
    /// Time left on the lease when the master answered.
    public var remaining: Duration
    /// A write token for a client principal (`ChunkToken`), with a cluster secret.
    public var token: String?

    /// Creates a lease description.
    public init(handle: ChunkHandle, version: ChunkVersion, primary: ServerID, secondaries: [ServerID],
                remaining: Duration) {
        self.handle = handle
        self.version = version
        self.primary = primary
        self.secondaries = secondaries
        self.remaining = remaining
    }
}

/// One chunk replica in a chunkserver's report.
public struct ReportedChunk: Sendable, Equatable {
    /// The chunk.
    public var handle: ChunkHandle
    /// The version the chunkserver holds.
    public var version: ChunkVersion
    /// Bytes in its chunk file.
    public var length: Int64
    /// Milliseconds left of the lease it holds as the chunk's primary, if any (reported at REGISTER, so a
    /// restarted master knows which leases of its previous run are still in force).
    public var leaseMilliseconds: Int64?

    /// Creates a report line.
    public init(handle: ChunkHandle, version: ChunkVersion, length: Int64, leaseMilliseconds: Int64? = nil) {
        self.handle = handle
        self.version = version
        self.length = length
        self.leaseMilliseconds = leaseMilliseconds
    }
}

/// One chunkserver as `STATUS` shows it.
public struct ServerSummary: Sendable, Equatable {
    /// Its address.
    public var server: ServerID
    /// Its rack.
    public var rack: String
    /// Whether the master counts it as live.
    public var alive: Bool
    /// How many replicas the master knows it holds.
    public var chunks: Int
    /// Total and free disk bytes.
    public var capacityBytes: Int64, freeBytes: Int64
    /// `alive`, `dead`, `draining` (alive, being emptied) or `resting` (stopped for a restart, in its grace).
    public var state: String
    /// Milliseconds since the master last heard from it.
    public var silentMilliseconds: Int64

    /// Creates a summary.
    public init(server: ServerID, rack: String, alive: Bool, chunks: Int, capacityBytes: Int64, freeBytes: Int64,
                state: String? = nil, silentMilliseconds: Int64 = 0) {
        self.server = server
        self.rack = rack
        self.alive = alive
        self.chunks = chunks
        self.capacityBytes = capacityBytes
        self.freeBytes = freeBytes
        self.state = state ?? (alive ? "alive" : "dead")
        self.silentMilliseconds = silentMilliseconds
    }
}
