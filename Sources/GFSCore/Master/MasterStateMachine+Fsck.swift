/// What `gfs fsck` reports (like `hdfs fsck`): each file's chunks against their replication goal, with what
/// is wrong and what the master has scheduled.
public struct ChunkCheck: Sendable, Equatable {
    /// How a chunk stands.
    public enum Status: String, Sendable {
        case healthy, under = "under-replicated", missing
        /// No current replica is live, but a live server holds an older version: kept, never deleted, and
        /// readable only when asked for explicitly (it may lack acknowledged data).
        case staleOnly = "stale-only"
    }

    public var index: Int
    public var handle: ChunkHandle
    public var version: ChunkVersion
    public var goal: Int
    public var status: Status
    public var health: MasterStateMachine.ChunkHealth
    /// Replicas found corrupt since the chunk was last whole.
    public var corrupt: [ServerID]
    /// What the master does about it, in words.
    public var scheduled: String

    public init(index: Int, handle: ChunkHandle, version: ChunkVersion, goal: Int, status: Status, health: MasterStateMachine.ChunkHealth,
                corrupt: [ServerID], scheduled: String) {
        self.index = index
        self.handle = handle
        self.version = version
        self.goal = goal
        self.status = status
        self.health = health
        self.corrupt = corrupt
        self.scheduled = scheduled
    }

    /// Whether fsck lists it without being asked for every chunk.
    public var isTroubled: Bool { status != .healthy || !corrupt.isEmpty || !health.stale.isEmpty }

    /// A file's status: that of its worst chunk.
    public static func fileStatus(_ checks: [ChunkCheck]) -> Status {
        checks.contains { $0.status == .missing } ? .missing : checks.contains { $0.status == .staleOnly } ? .staleOnly
            : checks.contains { $0.status == .under } ? .under : .healthy
    }
}

/// Totals of an fsck pass.
public struct FsckSummary: Sendable, Equatable {
    public var files = 0, directories = 0, bytes: Int64 = 0
    public var chunks = 0, healthy = 0, underReplicated = 0, missing = 0, staleOnly = 0, stale = 0, corrupt = 0
    /// Sum of the chunks' goals, and of the replicas that count toward them.
    public var goalReplicas = 0, liveReplicas = 0

    public init() {}

    /// Whether nothing needs attention.
    public var isHealthy: Bool { underReplicated == 0 && missing == 0 && staleOnly == 0 }

    /// Adds another page's totals (saturating: the counts come from the network).
    public mutating func add(_ other: FsckSummary) {
        func sum(_ a: Int, _ b: Int) -> Int { let (total, over) = a.addingReportingOverflow(b); return over ? .max : total }
        files = sum(files, other.files)
        directories = sum(directories, other.directories)
        let (total, over) = bytes.addingReportingOverflow(other.bytes)
        bytes = over ? .max : total
        chunks = sum(chunks, other.chunks)
        healthy = sum(healthy, other.healthy)
        underReplicated = sum(underReplicated, other.underReplicated)
        missing = sum(missing, other.missing)
        staleOnly = sum(staleOnly, other.staleOnly)
        stale = sum(stale, other.stale)
        corrupt = sum(corrupt, other.corrupt)
        goalReplicas = sum(goalReplicas, other.goalReplicas)
        liveReplicas = sum(liveReplicas, other.liveReplicas)
    }
}

extension MasterStateMachine {
    /// Checks every file under `prefix` (deleted files excepted), calling `visit` with each file and its chunk
    /// checks, one file at a time so nothing proportional to the namespace is kept.
    public func fsck(_ prefix: GFSPath, visit: (GFSPath, Namespace.Entry, [ChunkCheck]) -> Void) throws(GFSError) -> FsckSummary {
        try fsck(prefix, after: nil, limit: .max, visit: visit).summary
    }

    /// A page of fsck: the paths under `prefix` after `after` in tree order (`Namespace.walk`), at most
    /// `limit` of them, with their totals, and the cursor of the next page if more follow. A page is one short
    /// turn of the master, so checking a million files never holds up its other requests for long.
    public func fsck(_ prefix: GFSPath, after: GFSPath?, limit: Int, visit: (GFSPath, Namespace.Entry, [ChunkCheck]) -> Void)
        throws(GFSError) -> (summary: FsckSummary, next: GFSPath?) {
        var summary = FsckSummary()
        let next = try namespace.walk(prefix, after: after, limit: limit) { path, entry in
            guard entry.kind == .file else {
                summary.directories += 1
                return
            }
            summary.files += 1
            summary.bytes += entry.length
            let checks = entry.chunks.enumerated().map { check(index: $0.offset, handle: $0.element) }
            for check in checks {
                summary.chunks += 1
                summary.goalReplicas += check.goal
                summary.liveReplicas += min(check.health.counted, check.goal)
                summary.stale += check.health.stale.count
                summary.corrupt += check.corrupt.count
                switch check.status {
                case .healthy: summary.healthy += 1
                case .under: summary.underReplicated += 1
                case .missing: summary.missing += 1
                case .staleOnly: summary.staleOnly += 1
                }
            }
            visit(path, entry, checks)
        }
        return (summary, next)
    }

    /// How chunk `index` (`handle`) of a file stands, as fsck reports it.
    public func check(index: Int, handle: ChunkHandle) -> ChunkCheck {
        let health = health(handle)
        let info = chunks[handle]
        let goal = info?.goal ?? 0
        let sources = health.live + health.draining
        let staleLive = health.stale.contains { isAlive($0.server) }
        // Replicas behind only by unused versions hold every acknowledged byte and serve reads: not stale-only.
        let complete = liveCompleteReplicas(handle)
        let status: ChunkCheck.Status = sources.isEmpty && complete.isEmpty ? (staleLive ? .staleOnly : .missing)
            : health.counted < goal ? .under : .healthy
        var scheduled = "nothing"
        if sources.isEmpty, !complete.isEmpty {
            scheduled = "bringing " + complete.map(\.description).joined(separator: ",") + " to version \(info?.version ?? 0)"
        } else if !health.copying.isEmpty {
            scheduled = "copying to " + health.copying.map(\.description).joined(separator: ",")
        } else if status == .staleOnly {
            scheduled = "nothing: only stale replicas are live, and they are kept"
        } else if status == .missing {
            scheduled = health.resting.isEmpty && health.dead.isEmpty
                ? "nothing: no replica is known" : "nothing: waiting for a holder to come back"
        } else if status == .under {
            scheduled = "a copy, when a copy slot is free"
        } else if !health.resting.isEmpty {
            scheduled = "nothing: waiting out the restart grace of " + health.resting.map(\.description).joined(separator: ",")
        }
        return ChunkCheck(index: index, handle: handle, version: info?.version ?? 0, goal: goal, status: status,
                          health: health, corrupt: (corruptReplicas[handle] ?? []).sorted(), scheduled: scheduled)
    }
}
