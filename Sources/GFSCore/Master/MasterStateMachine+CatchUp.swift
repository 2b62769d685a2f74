/// Replicas left behind by a version no client was handed (GFS §4.5, DESIGN.md §6): a grant bumps the version
/// on the replicas that answer, and one that fails leaves the others a version behind, yet no mutation can
/// have happened at it. Such a replica is brought to the chunk's version with a version-only GRANT instead of
/// being kept as stale: otherwise a chunk whose one up-to-date replica then fails would be lost, though two
/// others hold every byte acknowledged.
extension MasterStateMachine {
    /// Replicas to bring to `version` with a GRANT that carries no lease.
    public struct CatchUp: Sendable, Equatable {
        public var handle: ChunkHandle
        public var version: ChunkVersion
        public var servers: [ServerID]

        public init(handle: ChunkHandle, version: ChunkVersion, servers: [ServerID]) {
            self.handle = handle
            self.version = version
            self.servers = servers
        }
    }

    /// Catch-ups for unleased chunks with live replicas behind only by unused versions, at most `limit` per
    /// pass. Never under a lease (or the fence after a restart, when one may be held unknown): a lease's
    /// version is the one to reach, and its grant takes the replicas behind with it.
    public mutating func planCatchUps(limit: Int = 64) -> [CatchUp] {
        let now = clock.now
        for (handle, since) in catchUpsInFlight where now.duration(since: since) > configuration.leaseDuration {
            catchUpsInFlight[handle] = nil
        }
        guard leaseFence.map({ now >= $0 }) ?? true else { return [] }
        var plans: [CatchUp] = []
        for handle in settledVersions.keys.sorted() where catchUpsInFlight[handle] == nil {
            guard plans.count < limit else { break }
            guard let info = chunks[handle], leases.current(handle, at: now) == nil else { continue }
            // With no current replica live, those that just failed are tried again: they are all there is.
            var behind = replicasBehind(handle)
            if behind.isEmpty, liveReplicas(handle).isEmpty { behind = replicasBehind(handle, includingFailed: true) }
            guard !behind.isEmpty else { continue }
            catchUpsInFlight[handle] = now
            plans.append(CatchUp(handle: handle, version: info.version, servers: behind))
        }
        return plans
    }

    /// The servers in `confirmed` now hold `catchUp.version`; it counts as current unless the chunk moved on.
    /// Those in `refused` answered with an error (a full disk): they failed, even when no other server was
    /// asked, or the planner would wait on them for ever instead of copying the chunk elsewhere (a fault run
    /// found a chunk left under-replicated behind a replica whose disk stayed full).
    public mutating func catchUpFinished(_ catchUp: CatchUp, confirmed: [ServerID], refused: [ServerID] = []) {
        catchUpsInFlight[catchUp.handle] = nil
        guard chunks[catchUp.handle] != nil else { return }
        noteGrantOutcome(catchUp.handle, asked: catchUp.servers, confirmed: confirmed)
        if !refused.isEmpty {
            let now = clock.now
            var failures = grantFailures[catchUp.handle] ?? [:]
            for server in refused where !confirmed.contains(server) { failures[server] = now }
            grantFailures[catchUp.handle] = failures
        }
        var raised = false
        for server in confirmed {
            guard let held = chunks[catchUp.handle]?.replicas[server], held < catchUp.version else { continue }
            chunks[catchUp.handle]?.replicas[server] = catchUp.version
            raised = true
        }
        // Only a replica set that grew holds back REPORT's forgetting (a failing catch-up every pass must not).
        if raised { replicasChangedAt[catchUp.handle] = clock.now }
    }

    /// Live replicas of `handle` behind only by unused versions that a catch-up may bring to its version:
    /// not those that just failed to take one (repair copies the chunk elsewhere instead).
    func replicasBehind(_ handle: ChunkHandle, includingFailed: Bool = false) -> [ServerID] {
        guard let floor = settledVersions[handle], let info = chunks[handle] else { return [] }
        return info.replicas.filter { $0.value >= floor && $0.value < info.version && isAlive($0.key) }.keys
            .filter { includingFailed || !failedRecently($0, handle) }.sorted()
    }
}
