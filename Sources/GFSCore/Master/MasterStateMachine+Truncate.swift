/// `TRUNCATE`: a file cut short. Chunks wholly past the new end are dropped; a chunk the end falls inside is
/// replaced by a shortened copy each replica makes locally (CLONE with `length=`), so the old chunk, which a
/// snapshot may share, is never changed, and nothing is cut until the master logs the replacement: a crash
/// before leaves the file whole and the copy an orphan that garbage collection removes.
extension MasterStateMachine {
    /// The shortened copy of the chunk a truncation cuts, for the chunkservers to make.
    public struct TruncateCopy: Sendable, Equatable {
        public var index: Int
        public var old: ChunkHandle
        public var new: ChunkHandle
        public var version: ChunkVersion
        /// Bytes of the old chunk the copy keeps.
        public var length: Int64
        public var servers: [ServerID]
    }

    /// Checks `path` can be cut to `length` and blocks leases on the chunks it touches; returns those leases,
    /// to be revoked (or waited out) first, and the handles blocked, for `finishTruncate`.
    public mutating func prepareTruncate(_ path: GFSPath, to length: Int64) throws(GFSError) -> (leased: [LeasedChunk], blocked: [ChunkHandle]) {
        let entry = try file(path)
        try checkNotInTrash(path)
        guard length >= 0, length <= entry.length else {
            throw GFSError(.badRequest, "\(path) is \(entry.length) bytes: truncate only shrinks a file, not to \(length)")
        }
        let first = Int(length / configuration.chunkSize)
        let now = clock.now
        var leased: [LeasedChunk] = []
        var blocked: [ChunkHandle] = []
        for (index, handle) in entry.chunks.enumerated() where index >= first {
            leaseBlocked[handle, default: 0] += 1
            blocked.append(handle)
            if let lease = leases.current(handle, at: now) {
                leased.append(LeasedChunk(handle: handle, primary: lease.primary, version: lease.version, path: path, index: index))
            }
        }
        return (leased, blocked)
    }

    /// The copy to make when `length` falls inside a chunk, or nil when it is a chunk boundary.
    public mutating func planTruncateCopy(_ path: GFSPath, to length: Int64) throws(GFSError) -> TruncateCopy? {
        let entry = try file(path)
        let index = Int(length / configuration.chunkSize)
        let kept = length % configuration.chunkSize
        guard kept > 0, index < entry.chunks.count else { return nil }
        guard let info = chunks[entry.chunks[index]] else { throw GFSError(.internal, "chunk \(entry.chunks[index]) of \(path) is unknown") }
        let servers = liveReplicas(entry.chunks[index])
        guard !servers.isEmpty else { throw GFSError(.unavailable, "chunk \(entry.chunks[index]) has no live replica to cut") }
        let new = ChunkHandle(nextHandle)
        nextHandle &+= 1
        handlesInFlight[new] = clock.now
        return TruncateCopy(index: index, old: entry.chunks[index], new: new, version: info.version, length: kept,
                            servers: servers)
    }

    /// Applies the truncation, with the copy of the cut chunk made on `confirmed` (enough of them for a write,
    /// or the truncation fails and the copies are deleted). Returns the mutations to log.
    public mutating func truncate(_ path: GFSPath, to length: Int64, copy: TruncateCopy?,
                                  confirmed: [ServerID]) throws(GFSError) -> [Mutation] {
        let entry = try file(path)
        if let copy { handlesInFlight[copy.new] = nil }
        func abandon() { if let copy { for server in confirmed { pendingDeletes[server, default: []].insert(copy.new) } } }
        guard length <= entry.length else { abandon(); throw GFSError(.badRequest, "\(path) shrank meanwhile; retry") }
        if let copy {
            guard copy.index < entry.chunks.count, entry.chunks[copy.index] == copy.old else {
                abandon()
                throw GFSError(.unavailable, "\(path) changed while it was cut; retry")
            }
            guard confirmed.count >= minimumReplicas(goal: entry.replication) else {
                abandon()
                throw GFSError(.unavailable, "only \(confirmed.count) replica(s) of chunk \(copy.old) could cut a copy; retry")
            }
        }
        guard copy != nil || length < entry.length
                || entry.chunks.count > Int((length + configuration.chunkSize - 1) / configuration.chunkSize) else {
            return []
        }
        let cut = Mutation.truncate(path, length: length, modified: clock.wallMilliseconds, replacing: copy?.new,
                                    version: copy?.version ?? 0)
        apply(cut)
        if let copy {
            for server in confirmed { chunks[copy.new]?.replicas[server] = copy.version }
            replicasChangedAt[copy.new] = clock.now  // a report built before the copy must not forget it
        }
        return [cut]
    }

    /// Unblocks the leases `prepareTruncate` blocked (also when the truncation failed).
    public mutating func finishTruncate(_ blocked: [ChunkHandle]) {
        for handle in blocked {
            if let count = leaseBlocked[handle] { leaseBlocked[handle] = count > 1 ? count - 1 : nil }
        }
    }

    mutating func applyTruncate(_ path: GFSPath, length: Int64, modified: Int64, replacing: ChunkHandle?, version: ChunkVersion) {
        if let replacing, let entry = namespace[path] {
            let index = Int(length / configuration.chunkSize)
            if index < entry.chunks.count {
                let old = entry.chunks[index]
                truncatedAway.insert(old)
                namespace.update(path) { $0.chunks[index] = replacing }
                chunks[replacing] = ChunkInfo(version: version, goal: entry.replication, trashed: path.isInTrash)
                nextHandle = max(nextHandle, replacing.rawValue &+ 1)
                release(old)
            }
        }
        guard let entry = namespace[path] else { return }
        let keep = Int((length + configuration.chunkSize - 1) / configuration.chunkSize)
        let dropped = entry.chunks.count > keep ? Array(entry.chunks[keep...]) : []
        namespace.update(path) {
            $0.chunks.removeLast(dropped.count)
            $0.length = min($0.length, length)
            $0.modified = modified
        }
        for handle in dropped {
            truncatedAway.insert(handle)
            release(handle)
        }
    }
}
