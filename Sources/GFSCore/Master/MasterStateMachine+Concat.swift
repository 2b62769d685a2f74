/// `CONCAT`: a file made of other files' whole chunks, shared by reference counts as snapshots share them
/// (GFS §3.4), so no data moves (MooseFS's mfsappendchunks). The sources stay as they are.
extension MasterStateMachine {
    /// The most sources one concat takes.
    public static let maximumConcatSources = 4096
    /// The most chunks a concat may leave a file with (64 TiB of 64 MiB chunks): one request must not make
    /// the master hold (and replay) an unbounded chunk list.
    public static let maximumChunksPerFile = 1 << 20

    /// Why `sources` cannot be appended to `destination` whole chunks at a time, if they cannot: every source
    /// but the last, and an existing destination, must end on a chunk boundary; all must be plain files, or all
    /// record files.
    func checkConcat(_ destination: GFSPath, sources: [GFSPath]) throws(GFSError) {
        guard !sources.isEmpty, sources.count <= Self.maximumConcatSources else {
            throw GFSError(.badRequest, "concat takes 1 to \(Self.maximumConcatSources) sources, not \(sources.count)")
        }
        guard !destination.isRoot else { throw GFSError(.isDirectory, "/: is a directory") }
        try checkNotInTrash(destination)
        guard !sources.contains(destination) else {
            throw GFSError(.badRequest, "\(destination) cannot be both the destination and a source")
        }
        guard Set(sources).count == sources.count else { throw GFSError(.badRequest, "concat names a source twice") }
        var total = namespace[destination]?.chunks.count ?? 0
        let chunkSize = configuration.chunkSize
        var records: Bool?
        for (number, source) in sources.enumerated() {
            let entry = try file(source)
            try checkNotInTrash(source)
            let needed = (entry.length + chunkSize - 1) / chunkSize
            guard Int64(entry.chunks.count) == needed else {
                throw GFSError(.badRequest, "\(source) has a chunk past its last byte (a write that did not finish); write it again first")
            }
            if number < sources.count - 1, entry.length % chunkSize != 0 {
                throw GFSError(.badRequest, "\(source) ends at byte \(entry.length), not on a chunk boundary (chunks are \(chunkSize) bytes): concat takes whole chunks, so only the last source may end mid-chunk")
            }
            guard records == nil || records == entry.records else {
                throw GFSError(.badRequest, "\(source): cannot concat record files with plain files")
            }
            records = entry.records
            total += entry.chunks.count
            guard total <= Self.maximumChunksPerFile else {
                throw GFSError(.badRequest, "\(destination) would have more than \(Self.maximumChunksPerFile) chunks")
            }
        }
        if let existing = namespace[destination] {
            guard existing.kind == .file else { throw GFSError(.isDirectory, "\(destination): is a directory") }
            guard existing.length == Int64(existing.chunks.count) * chunkSize else {
                throw GFSError(.badRequest, "\(destination) ends at byte \(existing.length), not on a chunk boundary: nothing can follow it whole chunks at a time")
            }
            guard existing.records == records || existing.chunks.isEmpty else {
                throw GFSError(.badRequest, "\(destination): cannot concat record files with plain files")
            }
        } else {
            try namespace.checkCreatable(destination)
        }
    }

    /// Checks a concat can be made and blocks new leases on the sources' chunks; returns the leases to revoke
    /// (or wait out) first, so no write through an old lease lands in a chunk once it is shared.
    public mutating func prepareConcat(_ destination: GFSPath, sources: [GFSPath]) throws(GFSError) -> [LeasedChunk] {
        try checkConcat(destination, sources: sources)
        let now = clock.now
        var leased: [LeasedChunk] = []
        for source in sources {
            for (index, handle) in (namespace[source]?.chunks ?? []).enumerated() {
                leaseBlocked[handle, default: 0] += 1
                if let lease = leases.current(handle, at: now) {
                    leased.append(LeasedChunk(handle: handle, primary: lease.primary, version: lease.version, path: source,
                                              index: index))
                }
            }
        }
        return leased
    }

    /// Applies the concat (the sources' leases are gone) and unblocks their chunks. A new destination gets
    /// `replication`, or the default.
    public mutating func concat(_ destination: GFSPath, sources: [GFSPath], replication: Int?) throws(GFSError) -> Mutation {
        defer { finishConcat(sources) }
        try checkConcat(destination, sources: sources)
        let goal = replication ?? configuration.defaultReplication
        guard (1...16).contains(goal) else { throw GFSError(.badRequest, "replication must be 1...16, not \(goal)") }
        let mutation = Mutation.concat(destination, sources: sources, replication: goal, modified: clock.wallMilliseconds)
        try checkQuota(for: mutation)
        apply(mutation)
        return mutation
    }

    /// Unblocks the leases `prepareConcat` blocked (also when the concat failed).
    public mutating func finishConcat(_ sources: [GFSPath]) {
        for source in sources {
            for handle in namespace[source]?.chunks ?? [] {
                if let count = leaseBlocked[handle] { leaseBlocked[handle] = count > 1 ? count - 1 : nil }
            }
        }
    }

    mutating func applyConcat(_ destination: GFSPath, sources: [GFSPath], replication: Int, modified: Int64) {
        if namespace[destination] == nil {
            let records = sources.first.flatMap { namespace[$0]?.records } ?? false
            namespace.insert(destination, .init(kind: .file, replication: replication, records: records, modified: modified))
        }
        var appended: [ChunkHandle] = []
        var length: Int64 = 0
        for source in sources {
            guard let entry = namespace[source] else { continue }
            appended += entry.chunks
            length = length.addingReportingOverflow(entry.length).overflow ? .max : length + entry.length
        }
        let goal = namespace[destination]?.replication ?? replication
        let records = sources.first.flatMap { namespace[$0]?.records } ?? false
        namespace.update(destination) {
            // An empty destination takes the sources' kind: its bytes are theirs.
            if $0.chunks.isEmpty { $0.records = records }
            $0.chunks += appended
            $0.length = $0.length.addingReportingOverflow(length).overflow ? .max : $0.length + length
            $0.modified = modified
        }
        for handle in appended {
            guard var info = chunks[handle] else { continue }
            info.references += 1
            info.goal = max(info.goal, goal)
            info.trashed = false
            chunks[handle] = info
        }
    }
}
