import HashTreeCollections

/// The master's decisions (GFS §2.6, §3.1, §4): namespace, chunk table, placement, leases and versions.
///
/// Pure and deterministic: no I/O, time from the injected clock, randomness from a seeded generator. Requests
/// that change durable state return the `Mutation`s they applied, so the I/O layer can log them before it
/// answers; `apply(_:)` is the only place durable state changes, and log replay calls it too.
public struct MasterStateMachine: Sendable {
    /// The tunables.
    public internal(set) var configuration: MasterConfiguration
    /// The injected time source.
    public let clock: any GFSClock
    var random: SplitMix64

    /// Files and directories.
    public internal(set) var namespace: Namespace
    /// Every chunk of every file.
    public internal(set) var chunks: ChunkTable = [:]
    /// Every chunkserver that has registered since the master started.
    public internal(set) var servers: [ServerID: ServerState] = [:]
    var leases = LeaseTable()
    /// Client operations lately carried out, so their retries are answered as done.
    public internal(set) var calls = RetryCache()
    var nextHandle: UInt64
    /// Replicas each chunkserver should delete, handed out with heartbeat replies.
    var pendingDeletes: [ServerID: Set<ChunkHandle>] = [:]
    /// When this master started; locations are unknown until chunkservers report (GFS §2.6.2).
    let startedAt: Instant
    /// Chunks under a snapshot in progress: no new lease on them until it is logged (GFS §3.4).
    var leaseBlocked: [ChunkHandle: Int] = [:]
    /// No new lease before this: after a restart, primaries of the previous run may still hold theirs.
    /// A chunk is let through earlier once it is known to be under no such lease (`isFenced`).
    var leaseFence: Instant?
    /// Chunkservers that registered since the fence was set: their reports say which leases they hold.
    var registeredSinceFence: Set<ServerID> = []
    /// Leases of the previous run that their primaries reported at registration, and when they surely end.
    var reportedLeaseEnds: [ChunkHandle: Instant] = [:]
    /// Whether registrations may lift the fence chunk by chunk (after a restart; not after a promotion).
    var fenceLiftsByReport = true
    /// Chunks being created or copied on chunkservers but not yet recorded: not orphans, whatever a report says.
    var handlesInFlight: [ChunkHandle: Instant] = [:]
    /// Re-replication and rebalancing copies under way, by chunk and target.
    var clonesInFlight: [CloneOrder: Instant] = [:]
    /// Chunks a client waited on while they were short of replicas: repaired first (GFS §4.3).
    var blockedChunks: [ChunkHandle: Instant] = [:]
    /// Where a rebalancing copy came from: that replica is the one removed once the copy is in place.
    var rebalanceSources: [ChunkHandle: ServerID] = [:]
    /// Replicas found corrupt, shown by fsck until the chunk is back at its goal.
    var corruptReplicas: [ChunkHandle: Set<ServerID>] = [:]
    /// The highest version issued for a chunk, where it is past the chunk's version: a version is never issued
    /// twice, since a replica may have taken one whose grant the master gave up on. Durable (`reserveVersion`).
    var issuedVersions: [ChunkHandle: ChunkVersion] = [:]
    /// For a chunk whose version was issued by grants no client was handed: the newest version whose lease
    /// was. Replicas from it up to the chunk's version hold every acknowledged mutation (durable).
    public internal(set) var settledVersions: [ChunkHandle: ChunkVersion] = [:]
    /// Version catch-ups under way (see `planCatchUps`).
    var catchUpsInFlight: [ChunkHandle: Instant] = [:]
    /// Replicas that failed to take a version (a grant or a catch-up), and when: left out of grants and
    /// catch-ups for two lease durations (longer than the unused lease their failure leaves standing), so one
    /// that is alive but cannot take versions does not hold the chunk back, and repair copies it elsewhere.
    var grantFailures: [ChunkHandle: [ServerID: Instant]] = [:]
    /// When each chunk's replica set last grew, so a report taken just before cannot undo it.
    var replicasChangedAt: [ChunkHandle: Instant] = [:]
    /// Chunks the repair planner left with work to do; it looks at these and the chunks changed since, not at
    /// every chunk, unless some server's standing changed.
    var repairQueue: Set<ChunkHandle> = []
    /// Each server's standing (see `standings`) at the last planning pass.
    var standingsAtLastPlan: [ServerID: ServerStanding]?
    /// Chunks whose new lease waits for a copy to their goal, and since when (see `repairHold(for:)`).
    var leaseHeldForRepair: [ChunkHandle: Instant] = [:]
    /// When a search for a rebalancing copy last found none, and the live servers then: the next search
    /// waits 10 s unless they change, since it walks the fullest server's chunks.
    var rebalanceFoundNone: (at: Instant, live: [ServerID])?
    /// How many chunks the last planning pass looked at.
    public internal(set) var chunksPlannedLastPass = 0
    /// Directories with quotas, with what is under them now (kept up to date by `apply`).
    public internal(set) var quotas: [GFSPath: DirectoryQuota] = [:]
    /// Chunks a truncation replaced or dropped while still known (a snapshot shares them): a writer's size
    /// for one is STALE. Rebuilt by replaying the log, not kept in checkpoints; forgotten with the chunk.
    var truncatedAway: Set<ChunkHandle> = []

    /// A master with an empty namespace.
    /// - Parameters:
    ///   - firstHandle: the first chunk handle to issue; the I/O layer picks one no earlier run can have used.
    ///   - seed: seeds placement's tie-breaking.
    public init(configuration: MasterConfiguration, clock: any GFSClock, firstHandle: UInt64 = 1, seed: UInt64 = 1) {
        self.configuration = configuration
        self.clock = clock
        self.random = SplitMix64(seed: seed)
        self.namespace = Namespace(now: clock.wallMilliseconds)
        self.nextHandle = max(firstHandle, 1)
        self.startedAt = clock.now
    }

    /// Refuses new leases for one lease duration: a primary granted by the previous run may still be
    /// acting on its lease, and this master cannot know (GFS §3.1: never two primaries).
    public mutating func fenceLeasesAfterRestart() {
        leaseFence = clock.now.advanced(by: configuration.leaseDuration)
        fenceLiftsByReport = true
        registeredSinceFence = []
        reportedLeaseEnds = [:]
    }

    /// The fence of a promoted shadow: whole, for every chunk. A shadow's replica locations predate the
    /// promotion, with versions assumed from the log it replayed (and it may lag the log), so a replica
    /// registering proves nothing about the others a grant would go to.
    public mutating func fenceLeasesAfterPromotion() {
        fenceLeasesAfterRestart()
        fenceLiftsByReport = false
    }

    /// Whether a new lease on `handle` must wait for one of the previous run (a restart or a promotion): until
    /// the fence, unless a replica at the chunk's version has registered since, reporting no lease, and no
    /// primary reported one still in force. A lease the previous run handed out was at the chunk's version
    /// and held only by the replicas that took it, and no copy is made of a leased chunk; so such a replica
    /// is one of its secondaries (its primary would have reported it), and the next grant, which goes to
    /// every live current replica, moves it past that lease's version: the old primary can get nothing
    /// acknowledged through it any more. Only a grant moves the version: copies, catch-ups and snapshots
    /// wait out the whole fence.
    public func isFenced(_ handle: ChunkHandle, at now: Instant) -> Bool {
        guard let fence = leaseFence, now < fence else { return false }
        guard fenceLiftsByReport else { return true }
        if let end = reportedLeaseEnds[handle], now < end { return true }
        guard let info = chunks[handle] else { return true }
        return !info.replicas.contains { registeredSinceFence.contains($0.key) && $0.value == info.version && isAlive($0.key) }
    }

    /// Takes over what `previous` knew that is never persisted — chunkservers, replica locations, leases —
    /// after the durable state was reloaded from disk.
    public mutating func adoptVolatileState(of previous: MasterStateMachine) {
        servers = previous.servers
        leases = previous.leases
        leaseFence = previous.leaseFence
        registeredSinceFence = previous.registeredSinceFence
        fenceLiftsByReport = previous.fenceLiftsByReport
        reportedLeaseEnds = previous.reportedLeaseEnds
        pendingDeletes = previous.pendingDeletes
        nextHandle = max(nextHandle, previous.nextHandle)
        for (handle, info) in previous.chunks where chunks[handle] != nil {
            chunks[handle]?.replicas = info.replicas
        }
    }

    // MARK: - The one place durable state changes

    /// Applies a mutation that has been validated (or is being replayed from the log).
    public mutating func apply(_ mutation: Mutation) {
        // Quota use changes by what the mutation adds or takes away under each directory with a quota.
        let quotaChanges = quotas.isEmpty ? [] : self.quotaChanges(mutation)
        defer { if !quotaChanges.isEmpty { account(quotaChanges) } }
        switch mutation {
        case let .makeDirectory(path, modified):
            namespace.insert(path, .init(kind: .directory, modified: modified))
        case let .createFile(path, replication, records, modified):
            namespace.insert(path, .init(kind: .file, replication: replication, records: records, modified: modified))
        case let .remove(path, modified):
            if !quotas.isEmpty { moveQuotas(from: path, to: nil) }
            for entry in namespace.remove(path, now: modified) {
                for handle in entry.chunks { release(handle) }
            }
        case let .move(source, destination, modified):
            if source.isInTrash != destination.isInTrash {
                for path in namespace.subtree(source) {
                    for handle in namespace[path]?.chunks ?? [] { chunks[handle]?.trashed = destination.isInTrash }
                }
            }
            if destination.isInTrash, namespace[Trash.folder] == nil {
                namespace.insert(Trash.folder, .init(kind: .directory, modified: modified))
            }
            namespace.move(source, to: destination, now: modified)
            if !quotas.isEmpty { moveQuotas(from: source, to: destination) }
        case let .addChunk(path, handle, version):
            namespace.update(path) { $0.chunks.append(handle) }
            chunks[handle] = ChunkInfo(version: version, goal: namespace[path]?.replication ?? 3, trashed: path.isInTrash)
            nextHandle = max(nextHandle, handle.rawValue &+ 1)
        case let .snapshot(source, destination, modified):
            for path in namespace.subtree(source) {
                guard var entry = namespace[path] else { continue }
                entry.modified = path == source ? modified : entry.modified
                namespace.insert(path.replacingPrefix(source, with: destination), entry)
                for handle in entry.chunks {
                    guard var info = chunks[handle] else { continue }
                    info.references += 1
                    info.goal = max(info.goal, entry.replication)
                    info.trashed = false
                    chunks[handle] = info
                }
            }
        case let .replaceChunk(path, index, handle, version):
            guard let old = namespace[path]?.chunks[index] else { return }
            namespace.update(path) { $0.chunks[index] = handle }
            chunks[handle] = ChunkInfo(version: version, goal: namespace[path]?.replication ?? 3, trashed: path.isInTrash)
            nextHandle = max(nextHandle, handle.rawValue &+ 1)
            release(old)
        case let .setVersion(handle, version):
            moveVersion(handle, to: version, settled: true)
        case let .issueVersion(handle, version):
            moveVersion(handle, to: version, settled: false)
        case let .reserveVersion(handle, version):
            if let current = chunks[handle]?.version, version > current {
                issuedVersions[handle] = max(issuedVersions[handle] ?? 0, version)
            }
        case .beginEpoch:
            break
        case let .finishCall(call, at):
            calls.insert(call, at: at)
        case let .setLength(path, length, modified):
            namespace.update(path) {
                $0.length = max($0.length, length)
                $0.modified = modified
            }
        case let .concat(destination, sources, replication, modified, padded):
            applyConcat(destination, sources: sources, replication: replication, modified: modified, padded: padded)
        case let .setQuota(path, files, bytes):
            applyQuota(path, files: files, bytes: bytes)
        case let .truncate(path, length, modified, replacing, version):
            applyTruncate(path, length: length, modified: modified, replacing: replacing, version: version)
        case let .setReplication(path, replication):
            namespace.update(path) { $0.replication = replication }
            for handle in namespace[path]?.chunks ?? [] {
                guard var info = chunks[handle] else { continue }
                // A chunk shared with a snapshot keeps the highest goal of its files: which other files share it
                // is not kept, so a lower goal waits for copy-on-write.
                info.goal = info.references > 1 ? max(info.goal, replication) : replication
                chunks[handle] = info  // marks it changed: the next repair pass copies or trims it
            }
        }
    }

    /// One file fewer refers to `handle`; the last reference gone, the chunk is forgotten (GFS §3.4, §4.4).
    mutating func release(_ handle: ChunkHandle) {
        guard let references = chunks[handle]?.references else { return }
        if references > 1 { chunks[handle]?.references = references - 1 } else { forgetChunk(handle) }
    }

    /// Versions only move forward; the settled one moves too when a lease at `version` reached a client.
    private mutating func moveVersion(_ handle: ChunkHandle, to version: ChunkVersion, settled: Bool) {
        guard let old = chunks[handle]?.version else { return }
        let current = max(old, version)
        let floor = max(settledVersions[handle] ?? old, settled ? version : 0)
        chunks[handle]?.version = current
        settledVersions[handle] = floor < current ? floor : nil
        if let issued = issuedVersions[handle], issued <= current { issuedVersions[handle] = nil }
    }

    /// The highest version issued for `handle` past its version, if any.
    public func reservedVersion(_ handle: ChunkHandle) -> ChunkVersion? { issuedVersions[handle] }

    /// The version from which a replica of `handle` holds every acknowledged mutation.
    public func settledVersion(_ handle: ChunkHandle) -> ChunkVersion {
        settledVersions[handle] ?? chunks[handle]?.version ?? 0
    }

    /// Drops a chunk from the table and queues deletion of its replicas.
    private mutating func forgetChunk(_ handle: ChunkHandle) {
        truncatedAway.remove(handle)
        issuedVersions[handle] = nil
        settledVersions[handle] = nil
        catchUpsInFlight[handle] = nil
        grantFailures[handle] = nil
        leaseHeldForRepair[handle] = nil
        guard let info = chunks.removeValue(forKey: handle) else { return }
        for server in info.replicas.keys { pendingDeletes[server, default: []].insert(handle) }
        leases.withdrawUndelivered(handle)
    }

    // MARK: - Namespace requests

    /// Records that the client operation `call` is done; log it after the operation's own mutations.
    public mutating func finishCall(_ call: ClientCall) -> Mutation {
        let mutation = Mutation.finishCall(call, at: clock.wallMilliseconds)
        apply(mutation)
        return mutation
    }

    /// Validates and applies `MKDIR`; with `parents`, missing ancestors are made and an existing directory is
    /// not an error (like `mkdir -p`).
    public mutating func makeDirectory(_ path: GFSPath, parents: Bool) throws(GFSError) -> [Mutation] {
        let now = clock.wallMilliseconds
        var made: [Mutation] = []
        let targets = parents ? (0...path.components.count).map { GFSPath(components: Array(path.components.prefix($0))) }
                              : [path]
        // All or nothing: the directories to be made count against the quotas above them before any is made.
        let missing = targets.filter { namespace[$0] == nil }.count
        if missing > 0 { try checkQuota([QuotaChange(path: path, files: Int64(missing), bytes: 0)]) }
        for target in targets {
            if parents, let entry = namespace[target] {
                guard entry.kind == .directory else { throw GFSError(.notDirectory, "\(target): not a directory") }
                continue
            }
            try checkNotInTrash(target)
            try namespace.checkCreatable(target)
            let mutation = Mutation.makeDirectory(target, modified: now)
            apply(mutation)
            made.append(mutation)
        }
        return made
    }

    /// Validates and applies `CREATE` of an empty file (a record file when `records`).
    public mutating func createFile(_ path: GFSPath, replication: Int?, records: Bool = false) throws(GFSError) -> Mutation {
        let goal = replication ?? configuration.defaultReplication
        guard (1...16).contains(goal) else { throw GFSError(.badRequest, "replication must be 1...16, not \(goal)") }
        try checkNotInTrash(path)
        try namespace.checkCreatable(path)
        let mutation = Mutation.createFile(path, replication: goal, records: records, modified: clock.wallMilliseconds)
        try checkQuota(for: mutation)
        apply(mutation)
        return mutation
    }

    /// Validates and applies `MV`: the destination must not exist and must not lie inside the source.
    public mutating func move(_ source: GFSPath, to destination: GFSPath) throws(GFSError) -> Mutation {
        _ = try stat(source)
        guard !source.isRoot else { throw GFSError(.badRequest, "/ cannot be moved") }
        guard !destination.isDescendant(of: source) else {
            throw GFSError(.badRequest, "cannot move \(source) into itself (\(destination))")
        }
        try checkNotInTrash(destination)
        try namespace.checkCreatable(destination)
        let mutation = Mutation.move(source, to: destination, modified: clock.wallMilliseconds)
        try checkQuota(for: mutation)
        apply(mutation)
        return mutation
    }

    /// Removes `path` for good (a purge; `rm` moves to the trash with `delete`); a non-empty directory
    /// needs `recursive`.
    public mutating func remove(_ path: GFSPath, recursive: Bool) throws(GFSError) -> Mutation {
        try checkRemovable(path, recursive: recursive)
        let mutation = Mutation.remove(path, modified: clock.wallMilliseconds)
        apply(mutation)
        return mutation
    }

    func checkRemovable(_ path: GFSPath, recursive: Bool) throws(GFSError) {
        let entry = try stat(path)
        guard !path.isRoot else { throw GFSError(.badRequest, "/ cannot be removed") }
        if entry.kind == .directory, !recursive, namespace.childCount(of: path) > 0 {
            throw GFSError(.notEmpty, "\(path): directory not empty")
        }
    }

    /// New names cannot be made in the trash; only `rm` puts things there.
    func checkNotInTrash(_ path: GFSPath) throws(GFSError) {
        guard !path.isInTrash else { throw GFSError(.badRequest, "\(path): \(Trash.folder) is reserved for deleted files") }
    }

    /// Records that a client wrote up to `length` bytes; returns nil when the file was already that long.
    /// With `writtenTo`, the chunk the writer's last byte went to must still hold that byte for the file (a
    /// truncation may have replaced or dropped it since), or the file is not grown: STALE.
    public mutating func extendLength(_ path: GFSPath, to length: Int64, touch: Bool = false,
                                      writtenTo handle: ChunkHandle? = nil) throws(GFSError) -> Mutation? {
        let entry = try file(path)
        // A size for a chunk a truncation replaced or dropped must not grow the file past the bytes it has. (A
        // chunk copied on write after a snapshot holds the bytes: its size counts.)
        if let handle, length > entry.length, truncatedAway.contains(handle) || chunks[handle] == nil {
            throw GFSError(.stale, "\(path): chunk \(handle) was cut from the file by a truncation since it was written")
        }
        guard length >= 0, length <= Int64(entry.chunks.count) * configuration.chunkSize else {
            throw GFSError(.badRequest, "\(path): length \(length) beyond its \(entry.chunks.count) chunks")
        }
        guard length > entry.length || touch else { return nil }
        let mutation = Mutation.setLength(path, max(length, entry.length), modified: clock.wallMilliseconds)
        apply(mutation)
        return mutation
    }

    /// The file at `path`, or the error a client should see.
    func file(_ path: GFSPath) throws(GFSError) -> Namespace.Entry {
        let entry = try stat(path)
        guard entry.kind == .file else { throw GFSError(.isDirectory, "\(path): is a directory") }
        return entry
    }
}

extension MasterStateMachine {
    /// Applies a mutation that came from elsewhere (a replayed log, a primary's log stream) after checking it
    /// fits the current state, so a damaged or diverged record is an error instead of a broken namespace.
    public mutating func applyChecked(_ mutation: Mutation) throws(GFSError) {
        switch mutation {
        case let .makeDirectory(path, _), let .createFile(path, _, _, _):
            try namespace.checkCreatable(path)
        case let .remove(path, _):
            guard !path.isRoot, namespace[path] != nil else { throw GFSError(.internal, "log removes missing \(path)") }
        case let .move(source, destination, _):
            guard !source.isRoot, namespace[source] != nil, !destination.isDescendant(of: source) else {
                throw GFSError(.internal, "log moves missing \(source)")
            }
            if destination.parent == Trash.folder, namespace[Trash.folder] == nil {
                namespace.insert(Trash.folder, .init(kind: .directory, modified: 0))
            }
            try namespace.checkCreatable(destination)
        case let .addChunk(path, handle, _):
            guard namespace[path]?.kind == .file, chunks[handle] == nil else {
                throw GFSError(.internal, "log adds chunk \(handle) to \(path), which cannot take it")
            }
        case .setVersion, .issueVersion, .reserveVersion, .beginEpoch, .finishCall:
            break
        case let .setLength(path, _, _):
            guard namespace[path]?.kind == .file else { throw GFSError(.internal, "log sets length of missing \(path)") }
        case let .concat(destination, sources, _, _, padded):
            try checkConcat(destination, sources: sources, padding: Set(padded.map(\.source)))
            guard padded.allSatisfy({ $0.source < sources.count && chunks[$0.handle] == nil }) else {
                throw GFSError(.internal, "log pads a concat's chunks in a way it cannot take")
            }
        case let .truncate(path, length, _, replacing, _):
            guard let entry = namespace[path], entry.kind == .file, length >= 0, length <= entry.length,
                replacing.map({ chunks[$0] == nil && length % configuration.chunkSize != 0
                                && Int(length / configuration.chunkSize) < entry.chunks.count }) ?? true
            else {
                throw GFSError(.internal, "log truncates \(path) to \(length), which it cannot take")
            }
        case let .setQuota(path, _, _):
            guard namespace[path]?.kind == .directory else { throw GFSError(.internal, "log sets a quota on \(path), not a directory") }
        case let .setReplication(path, replication):
            guard namespace[path]?.kind == .file, (1...16).contains(replication) else {
                throw GFSError(.internal, "log sets replication \(replication) of \(path), which cannot take it")
            }
        case let .snapshot(source, destination, _):
            guard namespace[source] != nil, !destination.isDescendant(of: source) else {
                throw GFSError(.internal, "log snapshots missing \(source)")
            }
            try namespace.checkCreatable(destination)
        case let .replaceChunk(path, index, handle, _):
            guard let entry = namespace[path], index < entry.chunks.count, chunks[handle] == nil else {
                throw GFSError(.internal, "log replaces chunk \(index) of \(path), which cannot take it")
            }
        }
        apply(mutation)
    }
}
