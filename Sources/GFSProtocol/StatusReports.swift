import GFSCore

/// What `--http` serves as `/status.json` on the master (and renders as its status page). JSON, not protocol
/// lines: it is for browsers, dashboards and scripts, and every number in it is a JSON number.
public struct MasterReport: Codable, Sendable, Equatable {
    /// Chunks and files counted as `gfs fsck /` counts them.
    public struct Health: Codable, Sendable, Equatable {
        public var files = 0, directories = 0, bytes: Int64 = 0
        public var chunks = 0, healthy = 0, underReplicated = 0, missing = 0, staleOnly = 0, stale = 0, corrupt = 0
        /// `healthy` when no chunk is short of its goal, else `degraded`; `shadow` on a shadow master, which
        /// counts nothing: replica health is the primary's, as for `FSCK`.
        public var status = "healthy"

        public init() {}

        /// What a shadow reports.
        public static var shadow: Health {
            var health = Health()
            health.status = "shadow"
            return health
        }

        /// The counts of an fsck summary.
        public init(_ summary: FsckSummary) {
            files = summary.files
            directories = summary.directories
            bytes = summary.bytes
            chunks = summary.chunks
            healthy = summary.healthy
            underReplicated = summary.underReplicated
            missing = summary.missing
            staleOnly = summary.staleOnly
            stale = summary.stale
            corrupt = summary.corrupt
            status = summary.isHealthy ? "healthy" : "degraded"
        }
    }

    /// One chunkserver as the master sees it.
    public struct Server: Codable, Sendable, Equatable {
        public var address: String, state: String, rack: String
        public var chunks: Int, capacityBytes: Int64, freeBytes: Int64, usedBytes: Int64
        /// Seconds since the master last heard from it.
        public var lastHeartbeatSeconds: Double
        /// Re-replication copies under way to or from it.
        public var copiesInFlight: Int

        public init(_ summary: ServerSummary, copiesInFlight: Int) {
            address = summary.server.description
            state = summary.state
            rack = summary.rack
            chunks = summary.chunks
            capacityBytes = summary.capacityBytes
            freeBytes = summary.freeBytes
            usedBytes = max(0, summary.capacityBytes - summary.freeBytes)
            lastHeartbeatSeconds = Double(summary.silentMilliseconds) / 1000
            self.copiesInFlight = copiesInFlight
        }
    }

    /// One of the recent events.
    public struct Event: Codable, Sendable, Equatable {
        /// ISO 8601, UTC.
        public var time: String
        public var kind: String, text: String

        public init(time: String, kind: String, text: String) {
            self.time = time
            self.kind = kind
            self.text = text
        }
    }

    /// `primary` or `shadow-of-HOST:PORT`.
    public var role: String
    public var address: String
    /// The etcd election revision (0 without etcd).
    public var epoch: UInt64
    /// The last durable operation log record.
    public var logSequence: UInt64
    /// Seconds since the newest checkpoint was written, if there is one.
    public var checkpointAgeSeconds: Double?
    public var entries: Int, leases: Int, liveServers: Int, copiesInFlight: Int
    /// Requests answered per second, over the last few seconds.
    public var operationsPerSecond: Double
    public var health: Health
    public var servers: [Server]
    /// Newest first.
    public var events: [Event]

    public init(role: String, address: String, epoch: UInt64, logSequence: UInt64, checkpointAgeSeconds: Double?,
                entries: Int, leases: Int, liveServers: Int, copiesInFlight: Int, operationsPerSecond: Double,
                health: Health, servers: [Server], events: [Event]) {
        self.role = role
        self.address = address
        self.epoch = epoch
        self.logSequence = logSequence
        self.checkpointAgeSeconds = checkpointAgeSeconds
        self.entries = entries
        self.leases = leases
        self.liveServers = liveServers
        self.copiesInFlight = copiesInFlight
        self.operationsPerSecond = operationsPerSecond
        self.health = health
        self.servers = servers
        self.events = events
    }
}

/// What `--http` serves as `/status.json` on a chunkserver.
public struct ChunkServerReport: Codable, Sendable, Equatable {
    public var address: String
    public var masters: [String]
    public var chunks: Int, capacityBytes: Int64, freeBytes: Int64
    /// Pushed bytes held, waiting for their write.
    public var bufferedBytes: Int
    public var operationsPerSecond: Double
    public var bytesRead: Int64, bytesWritten: Int64, bytesReplicated: Int64

    public init(address: String, masters: [String], chunks: Int, capacityBytes: Int64, freeBytes: Int64, bufferedBytes: Int,
                operationsPerSecond: Double, bytesRead: Int64, bytesWritten: Int64, bytesReplicated: Int64) {
        self.address = address
        self.masters = masters
        self.chunks = chunks
        self.capacityBytes = capacityBytes
        self.freeBytes = freeBytes
        self.bufferedBytes = bufferedBytes
        self.operationsPerSecond = operationsPerSecond
        self.bytesRead = bytesRead
        self.bytesWritten = bytesWritten
        self.bytesReplicated = bytesReplicated
    }
}
