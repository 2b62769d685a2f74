import HashTreeCollections

/// Snapshots (GFS §3.4): revoke the leases on the source's chunks, log the snapshot, duplicate the metadata;
/// chunks are shared and copied on the chunkservers only at the first write after the snapshot.
extension MasterStateMachine {
    /// Checks a snapshot can be made and blocks new leases on the source's chunks; returns the leases that
    /// must be revoked (or waited out) before `snapshot` is applied.
    public mutating func prepareSnapshot(_ source: GFSPath, to destination: GFSPath) throws(GFSError) -> [(ChunkHandle, ServerID)] {
        try prepareSnapshotChunks(source, to: destination).map { ($0.handle, $0.primary) }
    }

    /// A leased chunk under a snapshot's source: where it is in which file, and who holds the lease.
    public struct LeasedChunk: Sendable {
        public var handle: ChunkHandle
        public var primary: ServerID
        /// The version the lease is at: the REVOKE voids every lease up to it.
        public var version: ChunkVersion
        public var path: GFSPath
        public var index: Int
    }

    /// `prepareSnapshot`, telling where each leased chunk sits, so the primary's length can extend the file.
    public mutating func prepareSnapshotChunks(_ source: GFSPath, to destination: GFSPath) throws(GFSError) -> [LeasedChunk] {
        try checkSnapshot(source, to: destination)
        let now = clock.now
        var leased: [LeasedChunk] = []
        for path in namespace.subtree(source) {
            for (index, handle) in (namespace[path]?.chunks ?? []).enumerated() {
                leaseBlocked[handle, default: 0] += 1
                if let lease = leases.current(handle, at: now) {
                    leased.append(LeasedChunk(handle: handle, primary: lease.primary, version: lease.version, path: path,
                                              index: index))
                }
            }
        }
        return leased
    }

    /// The lease on `handle` was revoked at its primary.
    public mutating func leaseRevoked(_ handle: ChunkHandle) { leases.revoked(handle) }

    /// When the last of `handles`' leases expires (for primaries that could not be told to give them up). Right
    /// after a restart or a promotion, any chunk may be under a lease the previous master granted and this one
    /// never heard of, which no REVOKE was sent for: the snapshot waits out the fence too (the simulation found
    /// a snapshot taken just after a master restart that went on changing under appends to its source).
    public func latestLeaseExpiry(_ handles: [ChunkHandle]) -> Instant? {
        let now = clock.now
        let known = handles.compactMap { leases.current($0, at: now)?.expires }.max()
        // The whole fence, not `isFenced`: a chunk let through for a new grant (whose version bump stops an old
        // primary) still needs it here, where no version moves and an old primary would go on appending.
        guard let fence = leaseFence, now < fence else { return known }
        return max(known ?? fence, fence)
    }

    /// Why `source` cannot be snapshotted to `destination` now, if it cannot.
    func checkSnapshot(_ source: GFSPath, to destination: GFSPath) throws(GFSError) {
        _ = try stat(source)
        guard !source.isRoot else { throw GFSError(.badRequest, "/ cannot be snapshotted") }
        guard !destination.isDescendant(of: source) else {
            throw GFSError(.badRequest, "cannot snapshot \(source) into itself (\(destination))")
        }
        try checkNotInTrash(destination)
        try namespace.checkCreatable(destination)
    }

    /// Applies the snapshot (its leases are gone) and unblocks the source's chunks. Checks everything
    /// `prepareSnapshot` did again, whoever calls it: a snapshot to /.trash made the trash folder a file, and
    /// the next delete and snapshot broke the namespace (the fuzzer found it through a caller that skipped
    /// the preparation).
    public mutating func snapshot(_ source: GFSPath, to destination: GFSPath) throws(GFSError) -> Mutation {
        defer { finishSnapshot(source) }
        try checkSnapshot(source, to: destination)
        let mutation = Mutation.snapshot(source, to: destination, modified: clock.wallMilliseconds)
        try checkQuota(for: mutation)
        apply(mutation)
        return mutation
    }

    /// Unblocks the leases `prepareSnapshot` blocked (also when the snapshot failed).
    public mutating func finishSnapshot(_ source: GFSPath) {
        for path in namespace.subtree(source) {
            for handle in namespace[path]?.chunks ?? [] {
                if let count = leaseBlocked[handle] { leaseBlocked[handle] = count > 1 ? count - 1 : nil }
            }
        }
    }

    /// Records a copy-on-write: the replicas in `confirmed` made local copies of the shared chunk; the file's
    /// chunk `index` becomes the copy.
    public mutating func chunkCloned(_ path: GFSPath, index: Int, from old: ChunkHandle, to new: ChunkHandle,
                                     version: ChunkVersion, confirmed: [ServerID]) throws(GFSError) -> (ChunkLocation, Mutation?) {
        handlesInFlight[new] = nil
        let entry = try file(path)
        guard index < entry.chunks.count, entry.chunks[index] == old, (chunks[old]?.references ?? 1) > 1 else {
            // Another writer copied it first, or the sharing ended: use what the file has now.
            for server in confirmed { pendingDeletes[server, default: []].insert(new) }
            guard case let .existing(location) = try allocate(path, index: index) else {
                throw GFSError(.internal, "copy-on-write raced; retry")
            }
            return (location, nil)
        }
        // The file's acknowledged bytes move to the copy: it must be on as many replicas as a write needs.
        guard confirmed.count >= minimumReplicas(goal: entry.replication) else {
            for server in confirmed { pendingDeletes[server, default: []].insert(new) }
            throw GFSError(.unavailable, "only \(confirmed.count) replica(s) of chunk \(old) could copy it; retry")
        }
        let mutation = Mutation.replaceChunk(path, index: index, new, version: version)
        apply(mutation)
        for server in confirmed { chunks[new]?.replicas[server] = version }
        replicasChangedAt[new] = clock.now  // a report built before the copy must not forget it
        return (ChunkLocation(index: index, handle: new, version: version, replicas: liveReplicas(new)), mutation)
    }
}
