import HashTreeCollections

/// Chunkserver membership, chunk reports, heartbeats and lease extension (GFS §2.6.2, §3.1, §4.5).
extension MasterStateMachine {
    /// `REGISTER`: a chunkserver (re)joins with a full report of its replicas. The report replaces whatever
    /// the master believed about that server. Returns the replicas it should delete: unknown chunks (orphans)
    /// that are not being created or copied right now. Stale replicas are remembered, not deleted: the repair
    /// planner deletes them only once enough current replicas are live (never the last copy).
    public mutating func register(_ server: ServerID, rack: String, capacityBytes: Int64, freeBytes: Int64,
                                  report: [ReportedChunk]) -> (deletions: [ChunkHandle], adopted: [Mutation]) {
        let now = clock.now
        let recent = servers[server]?.recentCreations ?? []
        servers[server] = ServerState(rack: rack, capacityBytes: capacityBytes, freeBytes: freeBytes,
                                      lastHeard: now, connected: true, recentCreations: recent,
                                      draining: servers[server]?.draining ?? false)
        for handle in chunks.handles(on: server) { chunks[handle]?.replicas[server] = nil }
        if let fence = leaseFence, now < fence {
            registeredSinceFence.insert(server)
            for chunk in report {
                // A day bounds any lease (REGISTER's parser refuses more); a tenth more for a clock running slow
                // against this one's, and a margin for the message's way.
                guard let reported = chunk.leaseMilliseconds else { continue }
                let milliseconds = min(max(reported, 0), 86_400_000)
                let end = now.advanced(by: .milliseconds(milliseconds + milliseconds / 10 + 200))
                reportedLeaseEnds[chunk.handle] = max(end, reportedLeaseEnds[chunk.handle] ?? end)
            }
        }
        pendingDeletes[server] = nil
        var deletions: [ChunkHandle] = []
        var adopted: [Mutation] = []
        for chunk in report {
            guard let info = chunks[chunk.handle] else {
                if !isInFlight(chunk.handle) { deletions.append(chunk.handle) }
                continue
            }
            if chunk.version > info.version {
                // The master failed after telling replicas a new version but before recording it (GFS §4.5).
                // Versions move on one grant at a time, so only a version a few grants ahead can be real.
                // One this master's log reserved was never handed out (that waits for its setVersion), so it
                // leaves no replica stale. Any other is adopted as settled: a lagging shadow, promoted, may hear
                // of a version whose lease the old primary handed out, and the replicas that missed it may lack
                // acknowledged writes.
                guard chunk.version - info.version <= Self.versionAdoptionWindow else { continue }
                let reserved = chunk.version <= (issuedVersions[chunk.handle] ?? 0)
                let mutation = reserved ? Mutation.issueVersion(chunk.handle, chunk.version)
                    : Mutation.setVersion(chunk.handle, chunk.version)
                apply(mutation)
                adopted.append(mutation)
            }
            chunks[chunk.handle]?.replicas[server] = chunk.version
        }
        return (deletions, adopted)
    }

    /// How far past the recorded version a reported version may be and still be adopted.
    static let versionAdoptionWindow: ChunkVersion = 4

    /// Whether `handle` is being created, copied on write, or re-replicated right now: whatever a report says
    /// of it is not yet known to the chunk table, and must not be taken for an orphan.
    func isInFlight(_ handle: ChunkHandle) -> Bool {
        handlesInFlight[handle] != nil || clonesInFlight.keys.contains { $0.handle == handle }
    }

    /// `REPORT`: a full report from a chunkserver that stayed registered (sent every few minutes). Replicas
    /// it no longer has are forgotten, unknown chunks (orphans) are deleted, stale versions remembered as
    /// stale, and current ones the master did not know are added. Chunks being created or copied right now
    /// are left alone.
    public mutating func report(_ server: ServerID, chunks reported: [ReportedChunk]) throws(GFSError) -> [ChunkHandle] {
        guard servers[server]?.connected == true else {
            throw GFSError(.notFound, "chunkserver \(server) is not registered; send REGISTER")
        }
        let now = clock.now
        let window = configuration.leaseDuration
        // Rebuilt, not emptied entry by entry: a dictionary keeps its capacity, and after a burst of creations
        // that would be tens of bytes per chunk for good.
        replicasChangedAt = replicasChangedAt.filter { now.duration(since: $0.value) <= window }
        let held = Dictionary(reported.map { ($0.handle, $0.version) }, uniquingKeysWith: max)
        // Finding the replicas the report lacks walks the whole table, so only when some are lacking: when every
        // replica the table credits to the server is in the report, there is nothing to forget.
        let credited = held.keys.reduce(0) { $0 + (chunks.holds($1, on: server) ? 1 : 0) }
        if credited < chunks.replicaCount(on: server) {
            for handle in chunks.handles(on: server) where held[handle] == nil && replicasChangedAt[handle] == nil {
                chunks[handle]?.replicas[server] = nil
            }
        }
        var deletions: [ChunkHandle] = []
        let deleting = pendingDeletes[server] ?? []
        for (handle, version) in held {
            guard let info = chunks[handle] else {
                if !isInFlight(handle) { deletions.append(handle) }
                continue
            }
            // Told to delete it, and not yet told: a report sent before the DELETE still lists the replica.
            // Counted again, the next pass would remove another replica as surplus, and the chunk would be
            // left below its goal once both deletions land.
            if deleting.contains(handle) { continue }
            let recorded = info.replicas[server]
            if version < info.version {
                // A report taken before a grant and read after it must not undo the confirmation.
                if (recorded ?? 0) < version || recorded == nil { chunks[handle]?.replicas[server] = version }
            } else if version == info.version, (recorded ?? 0) < version, leases.current(handle, at: now) == nil {
                // Current, and no lease can be mutating it: it holds what every acknowledged mutation reached
                // (a grant it took after the master stopped waiting for it, say).
                chunks[handle]?.replicas[server] = version
            }
        }
        return deletions.sorted()
    }

    /// The answer to a heartbeat.
    public struct HeartbeatOutcome: Sendable, Equatable {
        /// Leases extended, with the version each is at and its new remaining time.
        public var extended: [(ChunkHandle, ChunkVersion, Duration)]
        /// Replicas the chunkserver should delete.
        public var deletions: [ChunkHandle]

        /// Creates an outcome.
        public init(extended: [(ChunkHandle, ChunkVersion, Duration)], deletions: [ChunkHandle]) {
            self.extended = extended
            self.deletions = deletions
        }

        public static func == (lhs: HeartbeatOutcome, rhs: HeartbeatOutcome) -> Bool {
            lhs.deletions == rhs.deletions && lhs.extended.map(\.0) == rhs.extended.map(\.0)
                && lhs.extended.map(\.1) == rhs.extended.map(\.1) && lhs.extended.map(\.2) == rhs.extended.map(\.2)
        }
    }

    /// `HEARTBEAT`: marks the server live, records its free space and extends the leases it asks for.
    public mutating func heartbeat(_ server: ServerID, freeBytes: Int64,
                                   extendLeases: [ChunkHandle]) throws(GFSError) -> HeartbeatOutcome {
        guard servers[server]?.connected == true else {
            throw GFSError(.notFound, "chunkserver \(server) is not registered; send REGISTER")
        }
        let now = clock.now
        servers[server]?.lastHeard = now
        servers[server]?.freeBytes = freeBytes
        let window = now.advanced(by: .zero - configuration.recentCreationWindow)
        servers[server]?.recentCreations.removeAll { $0 <= window }
        var extended: [(ChunkHandle, ChunkVersion, Duration)] = []
        var candidates: [ChunkPlacement.Candidate]?
        for handle in extendLeases where leaseBlocked[handle] == nil && leaseKeepsItsMinimum(handle, at: now)
            && repairWant(handle, at: now, candidates: &candidates) == .nothing
        {
            if let expiry = leases.extend(handle, heldBy: server, at: now, duration: configuration.leaseDuration),
                let version = leases.current(handle, at: now)?.version
            {
                extended.append((handle, version, expiry.duration(since: now)))
            }
        }
        leases.removeExpired(at: now)
        let deletions = (pendingDeletes.removeValue(forKey: server) ?? []).sorted()
        return HeartbeatOutcome(extended: extended, deletions: deletions)
    }

    /// Whether the lease on `handle` still reaches enough live current replicas to acknowledge writes; one
    /// that does not is left to run out, so repair may copy the chunk (it copies no leased chunk).
    func leaseKeepsItsMinimum(_ handle: ChunkHandle, at now: Instant) -> Bool {
        guard let lease = leases.current(handle, at: now), let goal = chunks[handle]?.goal else { return true }
        let live = Set(liveReplicas(handle))
        let reached = ([lease.primary] + lease.secondaries).filter(live.contains).count
        return reached >= minimumReplicas(goal: goal)
    }

    /// On a shadow replaying the primary's version bump: assume the replicas it knows moved with it. Safe for
    /// reads, because every READ names the version and a replica that missed the bump refuses it as STALE.
    public mutating func assumeReplicasCurrent(_ handle: ChunkHandle) {
        guard let version = chunks[handle]?.version, let replicas = chunks[handle]?.replicas else { return }
        for server in replicas.keys { chunks[handle]?.replicas[server] = version }
    }

    /// Leases valid now.
    public var activeLeaseCount: Int { leases.activeCount(at: clock.now) }

    /// The chunkserver's connection to the master closed: it is dead at once, not after missed heartbeats.
    public mutating func serverDisconnected(_ server: ServerID) {
        servers[server]?.connected = false
    }

    /// A replica failed its checksum: stop handing it out and have the server delete it.
    public mutating func replicaCorrupt(_ handle: ChunkHandle, on server: ServerID) {
        guard chunks[handle]?.replicas.removeValue(forKey: server) != nil else { return }
        // A primary that quarantined its replica can apply nothing more: its lease goes, so a new one can be
        // granted to the replicas left instead of clients retrying on a primary without the chunk.
        if leases.current(handle, at: clock.now)?.primary == server { leases.revoked(handle) }
        pendingDeletes[server, default: []].insert(handle)
        corruptReplicas[handle, default: []].insert(server)
    }

    /// One line per chunkserver for `STATUS`, sorted by address.
    public func serverSummaries() -> [ServerSummary] {
        let counts = chunks.replicaCounts
        let now = clock.now
        return servers.keys.sorted().compactMap { server in
            servers[server].map {
                let alive = isAlive(server)
                let state = alive ? ($0.draining ? "draining" : "alive") : isResting(server, at: now) ? "resting" : "dead"
                return ServerSummary(server: server, rack: $0.rack, alive: alive, chunks: counts[server] ?? 0,
                                     capacityBytes: $0.capacityBytes, freeBytes: $0.freeBytes, state: state,
                                     silentMilliseconds: now.duration(since: $0.lastHeard).milliseconds)
            }
        }
    }

    /// Chunks below their replication goal, for `STATUS`.
    public var underReplicatedCount: Int {
        chunks.keys.reduce(0) { count, handle in count + (health(handle).counted < (chunks[handle]?.goal ?? 0) ? 1 : 0) }
    }
}
