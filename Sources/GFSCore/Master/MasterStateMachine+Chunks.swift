import HashTreeCollections

/// Chunk allocation, lookup, leases and versions (GFS §3.1, §4.2, §4.5).
extension MasterStateMachine {
    /// What `ALLOCATE` needs done.
    public enum Allocation: Sendable, Equatable {
        /// The chunk already exists.
        case existing(ChunkLocation)
        /// Create `handle` at `version` on `servers`, then call `chunkCreated`.
        case create(index: Int, handle: ChunkHandle, version: ChunkVersion, servers: [ServerID])
        /// The chunk is shared since a snapshot: have `servers` copy `old` locally as `new`, then call
        /// `chunkCloned` (GFS §3.4).
        case copyOnWrite(index: Int, old: ChunkHandle, new: ChunkHandle, version: ChunkVersion, servers: [ServerID])
    }

    /// What `LEASE` needs done.
    public enum LeaseDecision: Sendable, Equatable {
        /// A valid lease exists.
        case current(LeaseInfo)
        /// Tell `replicas` the new `version` (the primary with the lease), then call `grantFinished`.
        case grant(handle: ChunkHandle, version: ChunkVersion, primary: ServerID, replicas: [ServerID],
                   duration: Duration)
    }

    /// Whether `server` counts as live now.
    public func isAlive(_ server: ServerID) -> Bool {
        guard let state = servers[server], state.connected else { return false }
        return clock.now.duration(since: state.lastHeard) < configuration.heartbeatTimeout
    }

    /// Live replicas of `handle` at its current version, in a stable order.
    public func liveReplicas(_ handle: ChunkHandle) -> [ServerID] {
        guard let info = chunks[handle] else { return [] }
        return info.replicas.filter { $0.value == info.version && isAlive($0.key) }.keys.sorted()
    }

    /// `LOOKUP`: a file's length and where its chunks are. A chunk with no known live replica makes the
    /// answer UNAVAILABLE rather than a list a reader would fail on — typically just after a master restart,
    /// before the chunkservers have reported (GFS §2.6.2). With `allowingStale`, a chunk that only stale
    /// replicas hold is answered with the live ones at the newest version among them: it may lack acknowledged
    /// data, so only a reader who asks gets it.
    public func lookup(_ path: GFSPath, allowingStale: Bool = false) throws(GFSError) -> (length: Int64, chunks: [ChunkLocation]) {
        let entry = try file(path)
        var locations: [ChunkLocation] = []
        for (index, handle) in entry.chunks.enumerated() {
            let replicas = liveReplicas(handle)
            let complete = liveCompleteReplicas(handle)
            if replicas.isEmpty, let info = chunks[handle], !complete.isEmpty {
                // Only replicas behind by an unused version are left (until the repair loop catches them up):
                // they serve reads at the oldest of their versions, since READ takes any version at least it.
                let version = complete.compactMap { info.replicas[$0] }.min() ?? info.version
                locations.append(ChunkLocation(index: index, handle: handle, version: version, replicas: complete))
                continue
            }
            if replicas.isEmpty, allowingStale, let stale = newestLiveStale(handle) {
                locations.append(ChunkLocation(index: index, handle: handle, version: stale.version, replicas: stale.servers))
                continue
            }
            guard !replicas.isEmpty else {
                let live = servers.keys.filter(isAlive).count
                let since = clock.now.duration(since: startedAt)
                let context = since < configuration.heartbeatTimeout * 2
                    ? "the master started \(since) ago and has heard from \(live) chunkserver(s) so far"
                    : "\(live) chunkserver(s) are alive"
                throw GFSError(.unavailable, "\(path): no live replica of chunk \(index) (\(handle)) is known; \(context)")
            }
            locations.append(ChunkLocation(index: index, handle: handle, version: chunks[handle]?.version ?? 0,
                                           replicas: replicas))
        }
        return (entry.length, locations)
    }

    /// Live replicas of `handle` that hold every acknowledged mutation: those at its version, and those left
    /// behind only by grants no client was handed (see `settledVersion`), in a stable order.
    public func liveCompleteReplicas(_ handle: ChunkHandle) -> [ServerID] {
        guard let info = chunks[handle] else { return [] }
        let floor = settledVersion(handle)
        return info.replicas.filter { $0.value >= floor && $0.value <= info.version && isAlive($0.key) }.keys.sorted()
    }

    /// The live complete replicas a new lease may go to: current ones, and those behind that did not just fail
    /// to take a version (one that failed and is still current lost nothing by it, and is kept).
    func grantCandidates(_ handle: ChunkHandle) -> [ServerID] {
        guard let info = chunks[handle] else { return [] }
        return liveCompleteReplicas(handle).filter { info.replicas[$0] == info.version || !failedRecently($0, handle) }
    }

    /// Whether `server` failed to take a version of `handle` within the last two lease durations.
    func failedRecently(_ server: ServerID, _ handle: ChunkHandle) -> Bool {
        guard let at = grantFailures[handle]?[server] else { return false }
        return clock.now.duration(since: at) < configuration.leaseDuration * 2
    }

    /// Notes which of `asked` took a version of `handle` and which did not.
    mutating func noteGrantOutcome(_ handle: ChunkHandle, asked: [ServerID], confirmed: [ServerID]) {
        // Nobody answering says more about the master's own network than about the replicas.
        guard !confirmed.isEmpty else { return }
        let now = clock.now
        var failures = grantFailures[handle] ?? [:]
        for server in asked { failures[server] = confirmed.contains(server) ? nil : now }
        failures = failures.filter { now.duration(since: $0.value) < configuration.leaseDuration * 2 }
        grantFailures[handle] = failures.isEmpty ? nil : failures
    }

    /// The live stale replicas of `handle` at the newest version any of them has.
    func newestLiveStale(_ handle: ChunkHandle) -> (version: ChunkVersion, servers: [ServerID])? {
        let stale = health(handle).stale.filter { isAlive($0.server) }
        guard let newest = stale.map(\.version).max() else { return nil }
        return (newest, stale.filter { $0.version == newest }.map(\.server).sorted())
    }

    /// `ALLOCATE path index`: returns chunk `index` of the file, or plans its creation when it is the next one.
    public mutating func allocate(_ path: GFSPath, index: Int) throws(GFSError) -> Allocation {
        let entry = try file(path)
        if index < entry.chunks.count, index >= 0 {
            let handle = entry.chunks[index]
            if let info = chunks[handle], info.references > 1 {
                let replicas = liveReplicas(handle)
                guard !replicas.isEmpty else { throw GFSError(.unavailable, "chunk \(handle) has no live replica to copy") }
                let new = ChunkHandle(nextHandle)
                nextHandle &+= 1
                handlesInFlight[new] = clock.now
                return .copyOnWrite(index: index, old: handle, new: new, version: info.version, servers: replicas)
            }
            return .existing(ChunkLocation(index: index, handle: handle, version: chunks[handle]?.version ?? 0,
                                           replicas: liveReplicas(handle)))
        }
        guard index == entry.chunks.count else {
            throw GFSError(.badRequest, "\(path): chunk \(index) requested but the file has \(entry.chunks.count)")
        }
        try checkQuotaForNewChunk(path, index: index, entry: entry)
        // A new chunk goes to as many servers as its goal asks, or as are alive if fewer, but never fewer than
        // writes need (--min-replicas, as HDFS's dfs.namenode.replication.min): repair brings it to its goal.
        let live = servers.keys.filter(isAlive)
        let needed = minimumReplicas(goal: entry.replication)
        guard live.count >= needed else {
            throw GFSError(.unavailable, "\(path) needs \(needed) live chunkservers to write (its goal is "
                           + "\(entry.replication)), only \(live.count) alive")
        }
        let chosen = ChunkPlacement.choose(min(entry.replication, live.count), from: placementCandidates(), using: &random)
        guard chosen.count >= needed else {
            throw GFSError(.noSpace, "\(path) needs \(needed) chunkservers with room for a chunk, only \(chosen.count) have it")
        }
        let handle = ChunkHandle(nextHandle)
        nextHandle &+= 1
        let now = clock.now
        handlesInFlight[handle] = now
        for server in chosen { servers[server]?.recentCreations.append(now) }
        return .create(index: index, handle: handle, version: 1, servers: chosen)
    }

    /// Records the outcome of creating a chunk: the replicas that confirmed it. The chunk joins the file only
    /// if some replica confirmed and no other client added chunk `index` meanwhile.
    public mutating func chunkCreated(_ path: GFSPath, index: Int, handle: ChunkHandle, version: ChunkVersion,
                                      confirmed: [ServerID]) throws(GFSError) -> (ChunkLocation, Mutation?) {
        handlesInFlight[handle] = nil
        let entry = try file(path)
        guard index == entry.chunks.count else {
            for server in confirmed { pendingDeletes[server, default: []].insert(handle) }
            return (try allocate(path, index: index).existingLocation, nil)
        }
        guard !confirmed.isEmpty else { throw GFSError(.unavailable, "no chunkserver could create chunk \(handle)") }
        let mutation = Mutation.addChunk(path, handle, version: version)
        apply(mutation)
        for server in confirmed { chunks[handle]?.replicas[server] = version }
        replicasChangedAt[handle] = clock.now
        return (ChunkLocation(index: index, handle: handle, version: version, replicas: liveReplicas(handle)),
                mutation)
    }

    /// Throws STALE unless `handle` is a chunk of `path` (when given): asked before a LEASE joins a grant
    /// already under way, too.
    public func checkPart(_ handle: ChunkHandle, of path: GFSPath?) throws(GFSError) {
        guard let path, namespace[path]?.chunks.contains(handle) != true else { return }
        throw GFSError(.stale, "chunk \(handle) is no longer part of \(path) (a snapshot or a removal took it); allocate again")
    }

    /// `LEASE handle`: the current lease, or a plan to grant one with a bumped version (GFS §3.1, §4.5).
    ///
    /// A current lease whose secondaries are no longer all live and current is re-issued at a newer version
    /// to the same primary with the secondaries that are left: the primary forwards every mutation to its
    /// granted set and fails it if one is missing, so until then nothing is acknowledged without them, and
    /// after it the replica left out is stale by version, whatever it later reports (DESIGN.md §6).
    ///
    /// With `path`, the chunk must still be that file's: after a snapshot's copy-on-write the old chunk is the
    /// snapshot's alone, and a writer still holding its handle must allocate again rather than write into the
    /// snapshot (the simulation found records appended after a snapshot landing in it that way).
    public mutating func requestLease(_ handle: ChunkHandle, of path: GFSPath? = nil) throws(GFSError) -> LeaseDecision {
        guard let info = chunks[handle] else { throw GFSError(.notFound, "chunk \(handle): no such chunk") }
        try checkPart(handle, of: path)
        let now = clock.now
        if leaseBlocked[handle] != nil {
            throw GFSError(.lease, "a snapshot of chunk \(handle)'s file is in progress; retry")
        }
        if info.references > 1 {
            // Mutating a shared chunk in place would change the snapshot too; ALLOCATE copies it first (GFS §3.4).
            throw GFSError(.stale, "chunk \(handle) is shared with a snapshot; allocate it again to copy it")
        }
        if let fence = leaseFence, isFenced(handle, at: now), leases.current(handle, at: now) == nil {
            // A reported lease that has ended while no replica at the version is live leaves the fence.
            let reported = reportedLeaseEnds[handle].flatMap { $0 > now ? $0 : nil }
            let left = min(fence, reported ?? fence).duration(since: now)
            throw GFSError(.lease, "the master restarted; it grants a lease on chunk \(handle) once a replica reports, "
                           + "or in \(left)", retryAfter: left)
        }
        let replicas = liveReplicas(handle)
        if let lease = leases.current(handle, at: now) {
            guard isAlive(lease.primary) else {
                let left = lease.expires.duration(since: now)
                throw GFSError(.lease, "primary \(lease.primary) of chunk \(handle) is down; lease ends in \(left)",
                               retryAfter: left)
            }
            let kept = lease.secondaries.filter(replicas.contains)
            if kept.count == lease.secondaries.count, lease.recorded, lease.version == info.version {
                return .current(leaseInfo(handle, lease, now: now))
            }
            try requireMinimum(handle, 1 + kept.count, of: info.goal)
            // A secondary was lost, or the last grant was never confirmed and recorded: re-issue to the same
            // primary (who may hold the lease) at a version never issued before.
            let version = nextVersion(handle, after: max(info.version, lease.version))
            // A lease no client was handed keeps its end: a primary that keeps failing its grant while clients
            // keep asking must not hold the chunk for ever (repair copies no leased chunk).
            let duration = lease.recorded ? configuration.leaseDuration : lease.expires.duration(since: now)
            guard duration >= shortestGrant else {
                throw GFSError(.lease, "the lease on chunk \(handle) ends in \(duration); retry after it",
                               retryAfter: duration)
            }
            _ = leases.reissue(handle, version: version, secondaries: kept, at: now, duration: duration)
            return .grant(handle: handle, version: version, primary: lease.primary, replicas: [lease.primary] + kept,
                          duration: duration)
        }
        // Replicas left behind only by unused versions take the new one with the rest.
        let complete = grantCandidates(handle)
        if complete.count < info.goal { noteBlocked(handle) }
        var candidates: [ChunkPlacement.Candidate]?
        let want = repairWant(handle, at: now, candidates: &candidates)
        if want != .nothing {
            // Timed from the first refusal; one older than any hold belongs to an earlier shortfall.
            var since = leaseHeldForRepair[handle] ?? now
            if now.duration(since: since) > Self.longestRepairHold * 2 { since = now }
            leaseHeldForRepair[handle] = since
            let held = now.duration(since: since), hold = repairHold(for: want)
            if held < hold {
                throw GFSError(.lease, "chunk \(handle) is below its goal of \(info.goal) replicas and is copied before "
                               + "its next lease; retry", retryAfter: hold - held)
            }
        }
        try requireMinimum(handle, complete.count, of: info.goal)
        guard let primary = complete.min(by: { (servers[$0]?.diskUse ?? 0) < (servers[$1]?.diskUse ?? 0) }) else {
            throw GFSError(.unavailable, "chunk \(handle) has no live up-to-date replica")
        }
        let version = nextVersion(handle, after: info.version)
        _ = leases.grant(handle, to: primary, version: version, secondaries: complete.filter { $0 != primary }, at: now,
                         duration: configuration.leaseDuration)
        return .grant(handle: handle, version: version, primary: primary, replicas: complete,
                      duration: configuration.leaseDuration)
    }

    /// Everything a finished grant decides: the lease to hand out, or why not, and what to log before either
    /// answer. A lease handed out logs `setVersion`, which makes every replica that missed it stale; a failed
    /// grant logs only `issueVersion`, since the replicas that took the version hold it now and a master that
    /// restarted without it would find them too far ahead to adopt (the simulation found a chunk lost that
    /// way), yet no mutation can have happened at it, so the replicas it left behind are still complete.
    public mutating func grantFinished(_ handle: ChunkHandle, version: ChunkVersion, confirmed: [ServerID],
                                       primaryNeverReached: Bool) -> (outcome: Result<LeaseInfo, GFSError>, log: [Mutation]) {
        if let lease = leases.current(handle, at: clock.now), lease.version == version {
            noteGrantOutcome(handle, asked: [lease.primary] + lease.secondaries, confirmed: confirmed)
        }
        let bump = grantConfirmed(handle, version: version, confirmed: confirmed)
        let outcome = Result { () throws(GFSError) in
            try leaseOutcome(handle, version: version, confirmed: confirmed, primaryNeverReached: primaryNeverReached)
        }
        guard case .success = outcome else { return (outcome, bump.map { [$0] } ?? []) }
        leaseHeldForRepair[handle] = nil
        let settle = Mutation.setVersion(handle, version)
        apply(settle)
        return (outcome, [settle])
    }

    /// Records which replicas took the new version of a grant; those that did not are behind. Returns the
    /// version bump, `issueVersion`, which `grantFinished` logs if no lease is handed out.
    public mutating func grantConfirmed(_ handle: ChunkHandle, version: ChunkVersion, confirmed: [ServerID]) -> Mutation? {
        guard let info = chunks[handle], !confirmed.isEmpty else { return nil }
        var mutation: Mutation?
        if version > info.version {
            let bump = Mutation.issueVersion(handle, version)
            apply(bump)
            mutation = bump
        }
        // A replica deleted while the grant was out (its DELETE still to go) is not counted back.
        for server in confirmed where pendingDeletes[server]?.contains(handle) != true {
            chunks[handle]?.replicas[server] = version
        }
        replicasChangedAt[handle] = clock.now
        return mutation
    }

    /// Whether the lease of a finished grant may be handed out, after `grantConfirmed`: only when every
    /// replica in it took the version, since the primary fails every mutation a secondary refuses. When the
    /// primary did not take it and certainly never received it, the lease is withdrawn so a new one can be
    /// granted at once; otherwise it stands, unused, until it expires or is re-issued (GFS §3.1).
    public mutating func leaseOutcome(_ handle: ChunkHandle, version: ChunkVersion, confirmed: [ServerID],
                                      primaryNeverReached: Bool) throws(GFSError) -> LeaseInfo {
        guard chunks[handle] != nil else { throw GFSError(.notFound, "chunk \(handle) was deleted") }
        let now = clock.now
        guard let lease = leases.current(handle, at: now), lease.version == version else {
            throw GFSError(.unavailable, "the lease on chunk \(handle) changed while it was granted; retry")
        }
        guard confirmed.contains(lease.primary) else {
            if primaryNeverReached { leases.withdrawUndelivered(handle) } else { leases.markDelivered(handle) }
            throw GFSError(.unavailable, "could not grant a lease on chunk \(handle): its primary did not answer")
        }
        leases.markDelivered(handle)
        // A snapshot started meanwhile: its REVOKE may have reached the primary before this grant did.
        guard leaseBlocked[handle] == nil else {
            throw GFSError(.lease, "a snapshot of chunk \(handle)'s file is in progress; retry")
        }
        let missed = lease.secondaries.filter { !confirmed.contains($0) }
        guard missed.isEmpty else {
            // The next request re-issues it to the primary and the secondaries that took it.
            let names = missed.map(\.description).joined(separator: ", ")
            throw GFSError(.unavailable, "\(names) did not take version \(version) of chunk \(handle); retry")
        }
        return leaseInfo(handle, lease, now: now)
    }

    /// `grantFinished`, throwing its failure, for callers that log nothing when the lease fails (tests).
    public mutating func leaseGrantFinished(_ handle: ChunkHandle, version: ChunkVersion, confirmed: [ServerID],
                                            primaryNeverReached: Bool) throws(GFSError) -> (LeaseInfo, Mutation?) {
        let (outcome, log) = grantFinished(handle, version: version, confirmed: confirmed,
                                           primaryNeverReached: primaryNeverReached)
        return (try outcome.get(), log.last)
    }

    /// The shortest lease worth granting: the primary keeps a tenth of a lease as its margin against the
    /// grant's time on the wire, which must be more than that time (half a lease when leases are short).
    public var shortestGrant: Duration { min(.seconds(1), configuration.leaseDuration / 2) }

    /// What is left of the lease on `handle` at `version`, if it stands.
    public func leaseRemaining(_ handle: ChunkHandle, version: ChunkVersion) -> Duration? {
        let now = clock.now
        guard let lease = leases.current(handle, at: now), lease.version == version else { return nil }
        return lease.expires.duration(since: now)
    }

    /// The version bump of a confirmed grant is on disk: the lease may now be handed to clients.
    public mutating func leaseRecorded(_ handle: ChunkHandle, version: ChunkVersion) {
        leases.markRecorded(handle, version: version)
        if let issued = issuedVersions[handle], issued <= version { issuedVersions[handle] = nil }
    }

    /// The replicas a write of a chunk with `goal` must reach before it is acknowledged.
    func minimumReplicas(goal: Int) -> Int { max(1, min(goal, configuration.minReplicas)) }

    /// UNAVAILABLE unless `count` live current replicas are enough to acknowledge writes; repair copies the
    /// chunk meanwhile (the client retries).
    func requireMinimum(_ handle: ChunkHandle, _ count: Int, of goal: Int) throws(GFSError) {
        let needed = minimumReplicas(goal: goal)
        guard count >= needed || count == 0 else {
            throw GFSError(.unavailable, "chunk \(handle) has \(count) live current replica(s) and writes need \(needed); "
                           + "it is being re-replicated, retry")
        }
    }

    /// A version past `floor` and past every version issued for `handle` before.
    mutating func nextVersion(_ handle: ChunkHandle, after floor: ChunkVersion) -> ChunkVersion {
        let version = max(floor, issuedVersions[handle] ?? 0) + 1
        issuedVersions[handle] = version
        return version
    }

    private func leaseInfo(_ handle: ChunkHandle, _ lease: LeaseTable.Lease, now: Instant) -> LeaseInfo {
        LeaseInfo(handle: handle, version: lease.version, primary: lease.primary, secondaries: lease.secondaries,
                  remaining: lease.expires.duration(since: now))
    }

    func placementCandidates() -> [ChunkPlacement.Candidate] {
        let since = clock.now.advanced(by: .zero - configuration.recentCreationWindow)
        // Draining servers take no new replicas, nor do full disks (capacity 0: not reported, assume room).
        let room = configuration.chunkSize
        return servers.filter { isAlive($0.key) && !$0.value.draining && ($0.value.capacityBytes == 0 || $0.value.freeBytes >= room) }
            .map { server, state in
            ChunkPlacement.Candidate(server: server, rack: state.rack, diskUse: state.diskUse,
                                     recentCreations: Self.count(state.recentCreations, after: since))
        }
    }

    /// How many of `times` (in the order they happened, as `clock.now` gave them) are after `since`: a binary
    /// search, since a burst of allocations between heartbeats (which prune the list) made a scan of it the
    /// bulk of each allocation's cost.
    public static func count(_ times: [Instant], after since: Instant) -> Int {
        var low = 0, high = times.count
        while low < high {
            let middle = low + (high - low) / 2
            if times[middle] > since { high = middle } else { low = middle + 1 }
        }
        return times.count - low
    }
}

extension MasterStateMachine.Allocation {
    fileprivate var existingLocation: ChunkLocation {
        get throws(GFSError) {
            guard case let .existing(location) = self else {
                throw GFSError(.internal, "chunk allocation raced with another client; retry")
            }
            return location
        }
    }
}
