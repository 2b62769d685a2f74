import HashTreeCollections

/// One chunk copied from one chunkserver to another (GFS §4.3): re-replication, rebalancing or draining.
public struct CloneOrder: Sendable, Hashable {
    /// Why the copy is made.
    public enum Reason: String, Sendable {
        case repair, rebalance
    }

    public var handle: ChunkHandle
    public var version: ChunkVersion
    /// A live replica at `version` to read from.
    public var source: ServerID
    /// Where the new replica goes.
    public var target: ServerID
    public var reason: Reason

    public init(handle: ChunkHandle, version: ChunkVersion, source: ServerID, target: ServerID, reason: Reason) {
        self.handle = handle
        self.version = version
        self.source = source
        self.target = target
        self.reason = reason
    }
}

/// Re-replication, replica removal and rebalancing (GFS §4.3, §4.5): pure decisions, carried out by the master
/// service, which reports each copy's outcome back with `cloneFinished`.
extension MasterStateMachine {
    /// How one chunk stands against its goal.
    public struct ChunkHealth: Sendable, Equatable {
        /// Replicas at the current version on live servers that are not being drained.
        public var live: [ServerID]
        /// Current replicas on servers being drained (still readable, about to go).
        public var draining: [ServerID]
        /// Current replicas on servers that stopped gracefully and are within their grace period.
        public var resting: [ServerID]
        /// Current replicas on dead servers.
        public var dead: [ServerID]
        /// Replicas at an older version.
        public var stale: [StaleReplica]
        /// Copies under way, by target.
        public var copying: [ServerID]

        public init(live: [ServerID], draining: [ServerID], resting: [ServerID], dead: [ServerID], stale: [StaleReplica],
                    copying: [ServerID]) {
            self.live = live
            self.draining = draining
            self.resting = resting
            self.dead = dead
            self.stale = stale
            self.copying = copying
        }

        /// Replicas that count toward the goal.
        public var counted: Int { live.count + resting.count }
    }

    /// A replica that missed a version bump (GFS §4.5).
    public struct StaleReplica: Sendable, Equatable {
        public var server: ServerID
        public var version: ChunkVersion

        public init(server: ServerID, version: ChunkVersion) {
            self.server = server
            self.version = version
        }
    }

    /// Whether a server stopped gracefully less than the restart grace ago.
    func isResting(_ server: ServerID, at now: Instant) -> Bool {
        guard let left = servers[server]?.leftAt, !isAlive(server) else { return false }
        return now.duration(since: left) < configuration.restartGrace
    }

    /// How `handle` stands now.
    public func health(_ handle: ChunkHandle) -> ChunkHealth {
        let now = clock.now
        var health = ChunkHealth(live: [], draining: [], resting: [], dead: [], stale: [], copying: [])
        guard let info = chunks[handle] else { return health }
        for (server, version) in info.replicas.sorted(by: { $0.key < $1.key }) {
            if version < info.version {
                health.stale.append(StaleReplica(server: server, version: version))
            } else if isAlive(server) {
                if servers[server]?.draining == true { health.draining.append(server) } else { health.live.append(server) }
            } else if isResting(server, at: now) {
                health.resting.append(server)
            } else {
                health.dead.append(server)
            }
        }
        health.copying = clonesInFlight.keys.filter { $0.handle == handle }.map(\.target).sorted()
        return health
    }

    /// What a copy of a chunk below its goal wants of the chunk's leases. A copy needs the chunk unleased, so
    /// under steady appends a chunk written at `--min-replicas` would otherwise stay short of replicas for
    /// good: while a copy could start, or is under way, the lease is not extended, and a new one waits a while.
    enum RepairWant: Equatable {
        case nothing
        /// The planner would start a copy at its next pass (a source and a target within the copy limits).
        case couldStart
        /// A copy to the goal is under way.
        case copying
    }

    /// The longest any new lease waits for a copy: under the clients' default 30 s `--timeout`.
    public static let longestRepairHold: Duration = .seconds(20)

    /// How long a new lease waits for a copy: a planner pass or two for one to start; the copy's expected
    /// time at the clone rate for one under way (a new lease would void it), within `longestRepairHold`.
    func repairHold(for want: RepairWant) -> Duration {
        switch want {
        case .nothing: return .zero
        case .couldStart: return .seconds(3)
        case .copying:
            let seconds = configuration.chunkSize / max(configuration.cloneBytesPerSecond, 1)
            return min(Self.longestRepairHold, .seconds(min(seconds, 3600)) + .seconds(5))
        }
    }

    /// See `RepairWant`; mirrors the planner's conditions, so a lease is never held back for a copy it would
    /// not start. `candidates` caches the placement candidates across calls in one heartbeat.
    func repairWant(_ handle: ChunkHandle, at now: Instant,
                    candidates: inout [ChunkPlacement.Candidate]?) -> RepairWant {
        guard let info = chunks[handle], leaseFence.map({ now >= $0 }) ?? true else { return .nothing }
        let health = health(handle)
        guard health.counted < info.goal else { return .nothing }
        if !health.copying.isEmpty { return .copying }
        let sources = health.live + health.draining
        let missing = info.goal - health.counted - replicasBehind(handle).count
        guard missing > 0, !sources.isEmpty, clonesInFlight.count < configuration.clonesTotal else { return .nothing }
        let busy = cloneLoad()
        let limit = configuration.clonesPerServer
        guard sources.contains(where: { busy[$0, default: 0] < limit }) else { return .nothing }
        let list = candidates ?? placementCandidates()
        candidates = list
        let target = list.contains { candidate in
            busy[candidate.server, default: 0] < limit && !failedRecently(candidate.server, handle)
                && (info.replicas[candidate.server].map { $0 < info.version } ?? true)
        }
        return target ? .couldStart : .nothing
    }

    /// A client waited on `handle` (a lease or read) while it was short of replicas: repair it first.
    public mutating func noteBlocked(_ handle: ChunkHandle) {
        guard let info = chunks[handle], health(handle).counted < info.goal else { return }
        blockedChunks[handle] = clock.now
    }

    /// One planning pass: forgets stale replicas (the servers delete them), removes surplus ones (from draining
    /// servers and rebalancing sources first), and orders copies — chunks furthest below their goal first,
    /// then those clients wait on, live files before deleted ones — within the per-server and cluster limits.
    /// Rebalancing copies fill what budget repair leaves.
    public mutating func planReplication() -> [CloneOrder] {
        let now = clock.now
        for (order, started) in clonesInFlight where now.duration(since: started) > configuration.cloneTimeout {
            clonesInFlight[order] = nil
        }
        for (handle, since) in blockedChunks where now.duration(since: since) > .seconds(120) { blockedChunks[handle] = nil }
        for (handle, since) in handlesInFlight where now.duration(since: since) > configuration.leaseDuration * 4 {
            handlesInFlight[handle] = nil
        }
        var wanted: [(key: (Int, Int, Int), handle: ChunkHandle, missing: Int, sources: [ServerID])] = []
        // Right after a restart (or a promotion) any chunk may still be under a lease the previous master
        // granted and this one never heard of: nothing is copied until those leases have surely ended.
        let fenced = leaseFence.map { now < $0 } ?? false
        for handle in chunksToPlan(at: now) {
            guard let info = chunks[handle] else { continue }
            let health = health(handle)
            // The whole fence, not `isFenced`: a copy moves no version, and would miss an old primary's appends.
            let leased = fenced || leases.current(handle, at: now) != nil
            // Never the last copy: a stale replica goes only once the goal is met by current ones (GFS §4.5).
            // Nor a stale replica a copy is going to: its DELETE could land after the copy and take it.
            if health.live.count >= info.goal {
                for stale in health.stale where !health.copying.contains(stale.server) {
                    chunks[handle]?.replicas[stale.server] = nil
                    pendingDeletes[stale.server, default: []].insert(handle)
                }
            }
            // Replicas behind only by unused versions are caught up rather than copied again.
            let missing = info.goal - health.counted - health.copying.count - replicasBehind(handle).count
            // A leased chunk may be mutated while it is copied, and the copy would miss those mutations: it
            // waits for the lease to end (a new lease moves the version on, which voids a copy under way).
            if missing > 0, !leased, !(health.live + health.draining).isEmpty {
                let key = (-(info.goal - health.counted), blockedChunks[handle] == nil ? 1 : 0, info.trashed ? 1 : 0)
                wanted.append((key, handle, missing, health.live + health.draining))
            } else if health.copying.isEmpty, health.live.count >= info.goal {
                corruptReplicas[handle] = nil
                if !leased { removeSurplus(handle, health: health, goal: info.goal) }
            }
            // A chunk leaves the queue only when nothing is left to do for it; what could change that is a
            // write to its entry (which queues it again) or a server's standing (which queues every chunk).
            let settled = missing <= 0 && health.stale.isEmpty && health.copying.isEmpty && health.draining.isEmpty
                && health.live.count <= info.goal && corruptReplicas[handle] == nil && rebalanceSources[handle] == nil
            if settled { repairQueue.remove(handle) } else { repairQueue.insert(handle) }
        }
        wanted.sort { $0.key < $1.key || ($0.key == $1.key && $0.handle < $1.handle) }
        var orders: [CloneOrder] = []
        var busy = cloneLoad()
        for item in wanted {
            guard clonesInFlight.count < configuration.clonesTotal else { break }
            for _ in 0..<item.missing {
                guard clonesInFlight.count < configuration.clonesTotal,
                    let order = cloneOrder(item.handle, sources: item.sources, reason: .repair, busy: busy)
                else { break }
                clonesInFlight[order] = now
                busy[order.source, default: 0] += 1
                busy[order.target, default: 0] += 1
                orders.append(order)
            }
        }
        if wanted.isEmpty, !fenced, let order = rebalanceOrder(busy: busy) {
            clonesInFlight[order] = now
            rebalanceSources[order.handle] = order.source
            orders.append(order)
        }
        return orders
    }

    /// Copies under way per server, as source or target.
    private func cloneLoad() -> [ServerID: Int] {
        var busy: [ServerID: Int] = [:]
        for order in clonesInFlight.keys {
            busy[order.source, default: 0] += 1
            busy[order.target, default: 0] += 1
        }
        return busy
    }

    /// A copy of `handle` from the least busy source to a server placed as for a new chunk, if both exist.
    private mutating func cloneOrder(_ handle: ChunkHandle, sources: [ServerID], reason: CloneOrder.Reason,
                                     busy: [ServerID: Int], target: ServerID? = nil) -> CloneOrder? {
        guard let info = chunks[handle] else { return nil }
        let limit = configuration.clonesPerServer
        guard let source = sources.filter({ busy[$0, default: 0] < limit }).min(by: { busy[$0, default: 0] < busy[$1, default: 0] })
        else { return nil }
        // A server holding only a stale replica may take the copy (it replaces the stale one), unless it just
        // failed to take a version of this chunk.
        let current = info.replicas.filter { $0.value >= info.version }.keys
        // Nor a server yet to be told to delete this chunk: the DELETE would take the new copy too.
        let holders = Set(current).union(clonesInFlight.keys.filter { $0.handle == handle }.map(\.target))
            .union(grantFailures[handle]?.keys.filter { failedRecently($0, handle) } ?? [])
            .union(pendingDeletes.filter { $0.value.contains(handle) }.keys)
        let chosen = target ?? ChunkPlacement.choose(1, from: placementCandidates().filter { busy[$0.server, default: 0] < limit },
                                                     excluding: holders, using: &random).first
        guard let chosen, !holders.contains(chosen) else { return nil }
        let now = clock.now
        servers[chosen]?.recentCreations.append(now)
        return CloneOrder(handle: handle, version: info.version, source: source, target: chosen, reason: reason)
    }

    /// Removes replicas beyond the goal: those on draining servers, then a rebalancing source, then those on
    /// the servers holding the most replicas. The servers are told to delete them.
    private mutating func removeSurplus(_ handle: ChunkHandle, health: ChunkHealth, goal: Int) {
        var surplus = health.draining
        var keep = health.live
        if keep.count > goal, let source = rebalanceSources[handle], let index = keep.firstIndex(of: source) {
            surplus.append(keep.remove(at: index))
        }
        if keep.count > goal {
            keep.sort { (chunks.replicaCount(on: $0), $0) < (chunks.replicaCount(on: $1), $1) }
            surplus += keep.suffix(keep.count - goal)
        }
        rebalanceSources[handle] = nil
        for server in surplus {
            chunks[handle]?.replicas[server] = nil
            pendingDeletes[server, default: []].insert(handle)
        }
    }

    /// The chunks one planning pass looks at, in handle order: those it left work on, those changed since,
    /// those with something noted against them (a failed grant, a corrupt replica, versions to catch up, a
    /// waiting client), and those with a replica on a server whose standing changed since the last pass.
    private mutating func chunksToPlan(at now: Instant) -> [ChunkHandle] {
        var handles = repairQueue.union(chunks.takeChanged())
        let standings = standings(at: now)
        if let before = standingsAtLastPlan {
            let changed = Set(before.keys).union(standings.keys).filter { before[$0] != standings[$0] }
            if !changed.isEmpty { handles.formUnion(chunks.handles(on: changed)) }
        } else {
            handles = Set(chunks.keys)
        }
        standingsAtLastPlan = standings
        handles.formUnion(grantFailures.keys)
        handles.formUnion(corruptReplicas.keys)
        handles.formUnion(settledVersions.keys)
        handles.formUnion(blockedChunks.keys)
        chunksPlannedLastPass = handles.count
        return handles.sorted()
    }

    /// How each registered server counts for its replicas' health now.
    private func standings(at now: Instant) -> [ServerID: ServerStanding] {
        var standings: [ServerID: ServerStanding] = [:]
        for (server, state) in servers {
            standings[server] = isAlive(server) ? (state.draining ? .draining : .live) : isResting(server, at: now) ? .resting : .dead
        }
        return standings
    }

    /// One rebalancing copy from the live server holding the most replicas to the one holding the fewest, when
    /// they differ by more than `rebalanceSpread`; one at a time, so a new server fills gradually.
    private mutating func rebalanceOrder(busy: [ServerID: Int]) -> CloneOrder? {
        guard clonesInFlight.isEmpty else { return nil }
        let live = servers.keys.filter { isAlive($0) && servers[$0]?.draining != true }.sorted()
        let now = clock.now
        if let last = rebalanceFoundNone, last.live == live, now.duration(since: last.at) < .seconds(10) { return nil }
        guard let order = searchRebalanceOrder(live: live, busy: busy) else {
            rebalanceFoundNone = (now, live)
            return nil
        }
        rebalanceFoundNone = nil
        return order
    }

    private mutating func searchRebalanceOrder(live: [ServerID], busy: [ServerID: Int]) -> CloneOrder? {
        let counts = chunks.replicaCounts
        // Only a server with room for a chunk can take one: a full disk would fail every copy, every pass.
        let room = Set(placementCandidates().map(\.server))
        guard let fullest = live.max(by: { (counts[$0] ?? 0) < (counts[$1] ?? 0) }),
            let emptiest = live.filter(room.contains).min(by: { (counts[$0] ?? 0) < (counts[$1] ?? 0) }),
            (counts[fullest] ?? 0) - (counts[emptiest] ?? 0) > configuration.rebalanceSpread
        else { return nil }
        let now = clock.now
        for handle in chunks.handles(on: fullest).sorted() {
            guard let info = chunks[handle], info.replicas[fullest] == info.version, info.replicas[emptiest] == nil,
                leases.current(handle, at: now) == nil, health(handle).live.count >= info.goal
            else { continue }
            return cloneOrder(handle, sources: [fullest], reason: .rebalance, busy: busy, target: emptiest)
        }
        return nil
    }

    /// The outcome of a copy: on success the target holds a replica at the version copied, which counts if
    /// the chunk is still at that version and unleased, is kept as stale if the version moved on, and is
    /// deleted otherwise. A failed copy counts for nothing: whatever the target kept of it is judged by its
    /// next chunk report, like any replica the master does not know.
    public mutating func cloneFinished(_ order: CloneOrder, succeeded: Bool) {
        clonesInFlight[order] = nil
        guard succeeded else {
            if order.reason == .rebalance { rebalanceSources[order.handle] = nil }
            return
        }
        guard let info = chunks[order.handle] else {
            pendingDeletes[order.target, default: []].insert(order.handle)
            return
        }
        // A DELETE of this chunk still to go to the target would take the copy: it counts for nothing.
        guard pendingDeletes[order.target]?.contains(order.handle) != true else { return }
        guard info.version == order.version else {
            // The version moved on during the copy: the target holds an older version, stale like any other
            // (kept while current replicas are short, never the last copy).
            chunks[order.handle]?.replicas[order.target] = min(order.version, info.replicas[order.target] ?? order.version)
            return
        }
        guard leases.current(order.handle, at: clock.now) == nil else {
            // Same version, but a lease was current: the copy may lack mutations made during it, and nothing
            // would tell it apart from a good one. It goes.
            chunks[order.handle]?.replicas[order.target] = nil
            pendingDeletes[order.target, default: []].insert(order.handle)
            return
        }
        chunks[order.handle]?.replicas[order.target] = order.version
        replicasChangedAt[order.handle] = clock.now
    }

    /// Copies under way.
    public var clonesUnderWay: [CloneOrder] { clonesInFlight.keys.sorted { ($0.handle, $0.target) < ($1.handle, $1.target) } }

    /// Changes the re-replication limits on a running master.
    public mutating func tune(clonesPerServer: Int?, clonesTotal: Int?, cloneBytesPerSecond: Int64?) {
        if let clonesPerServer { configuration.clonesPerServer = max(0, clonesPerServer) }
        if let clonesTotal { configuration.clonesTotal = max(0, clonesTotal) }
        if let cloneBytesPerSecond { configuration.cloneBytesPerSecond = max(1, cloneBytesPerSecond) }
    }

    /// `DRAIN`: stop placing replicas on `server` and move its replicas elsewhere (or stop draining).
    public mutating func drain(_ server: ServerID, _ draining: Bool) throws(GFSError) {
        guard servers[server] != nil else { throw GFSError(.notFound, "chunkserver \(server) has never registered") }
        servers[server]?.draining = draining
    }

    /// A chunkserver is stopping for a restart: dead now, but its chunks wait out the restart grace.
    public mutating func serverLeaving(_ server: ServerID) {
        let now = clock.now
        servers[server]?.connected = false
        servers[server]?.leftAt = now
    }
}

/// How a server's replicas count toward their chunks' goals (see `MasterStateMachine.health`).
enum ServerStanding: Sendable, Equatable {
    case live, draining, resting, dead
}
