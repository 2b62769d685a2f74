/// `CONCAT`: a file made of other files' whole chunks, shared by reference counts as snapshots share them
/// (GFS §3.4), so no data moves (MooseFS's mfsappendchunks). The sources stay as they are. With `--pad`, a
/// source that ends mid-chunk contributes a copy of its last chunk padded with zeros to the chunk size, made
/// by its chunkservers locally (CLONE `length=`).
extension MasterStateMachine {
    /// The most sources one concat takes.
    public static let maximumConcatSources = 4096
    /// The most chunks a concat may leave a file with (64 TiB of 64 MiB chunks): one request must not make
    /// the master hold (and replay) an unbounded chunk list.
    public static let maximumChunksPerFile = 1 << 20

    /// A padded copy of a source's last chunk, for its chunkservers to make.
    public struct PadCopy: Sendable, Equatable {
        public var source: Int
        public var old: ChunkHandle
        public var new: ChunkHandle
        public var version: ChunkVersion
        /// The source's bytes in that chunk; the copy has them, then zeros.
        public var keep: Int64
        /// The newest version issued for the old chunk (see `ChunkRequest.clone`).
        public var newest: ChunkVersion
        public var servers: [ServerID]
    }

    /// What a source adds to the destination's length: itself, or (padded) up to its chunk boundary.
    func concatLength(of source: GFSPath, padded: Bool) -> Int64 {
        let length = namespace[source]?.length ?? 0
        guard padded else { return length }
        return Int64(namespace[source]?.chunks.count ?? 0) * configuration.chunkSize
    }

    /// Why `sources` cannot be appended to `destination` whole chunks at a time, if they cannot: every source
    /// but the last (except those in `padding`), and an existing destination, must end on a chunk boundary;
    /// all must be plain files, or all record files.
    func checkConcat(_ destination: GFSPath, sources: [GFSPath], padding: Set<Int> = []) throws(GFSError) {
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
            if number < sources.count - 1, entry.length % chunkSize != 0, !padding.contains(number) {
                throw GFSError(.badRequest, "\(source) ends at byte \(entry.length), not on a chunk boundary (chunks are \(chunkSize) bytes): concat takes whole chunks, so only the last source may end mid-chunk (--pad pads the others with zeros)")
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

    /// The sources (not the last) that end mid-chunk: with `--pad`, those get a padded copy of their last chunk.
    func sourcesToPad(_ sources: [GFSPath]) -> Set<Int> {
        Set(sources.indices.dropLast().filter { (namespace[sources[$0]]?.length ?? 0) % configuration.chunkSize != 0 })
    }

    /// Checks a concat can be made and blocks new leases on the sources' chunks; returns the leases to revoke
    /// (or wait out) first, so no write through an old lease lands in a chunk once it is shared.
    public mutating func prepareConcat(_ destination: GFSPath, sources: [GFSPath], pad: Bool = false) throws(GFSError) -> [LeasedChunk] {
        try checkConcat(destination, sources: sources, padding: pad ? sourcesToPad(sources) : [])
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

    /// The padded copies a concat with `--pad` needs (after its leases are gone, so the lengths are final).
    public mutating func planPadCopies(_ sources: [GFSPath]) throws(GFSError) -> [PadCopy] {
        var copies: [PadCopy] = []
        for source in sourcesToPad(sources).sorted() {
            guard let entry = namespace[sources[source]], let old = entry.chunks.last, let info = chunks[old] else { continue }
            let servers = liveReplicas(old)
            guard !servers.isEmpty else { throw GFSError(.unavailable, "chunk \(old) has no live replica to pad") }
            let new = ChunkHandle(nextHandle)
            nextHandle &+= 1
            handlesInFlight[new] = clock.now
            let keep = entry.length - Int64(entry.chunks.count - 1) * configuration.chunkSize
            copies.append(PadCopy(source: source, old: old, new: new, version: info.version, keep: keep,
                                  newest: max(info.version, issuedVersions[old] ?? info.version), servers: servers))
        }
        return copies
    }

    /// Applies the concat (the sources' leases are gone) and unblocks their chunks. A new destination gets
    /// `replication`, or the default. `padded` are the copies made, each with the servers that made it: each
    /// needs as many as a write, or the concat fails and the copies are deleted.
    public mutating func concat(_ destination: GFSPath, sources: [GFSPath], replication: Int?,
                                padded: [(copy: PadCopy, confirmed: [ServerID])] = []) throws(GFSError) -> Mutation {
        defer { finishConcat(sources) }
        for (copy, _) in padded { handlesInFlight[copy.new] = nil }
        func abandon() {
            for (copy, confirmed) in padded { for server in confirmed { pendingDeletes[server, default: []].insert(copy.new) } }
        }
        let goal = replication ?? configuration.defaultReplication
        do throws(GFSError) {
            try checkConcat(destination, sources: sources, padding: Set(padded.map(\.copy.source)))
            guard (1...16).contains(goal) else { throw GFSError(.badRequest, "replication must be 1...16, not \(goal)") }
            guard padded.map(\.copy.source).sorted() == sourcesToPad(sources).sorted() || padded.isEmpty else {
                throw GFSError(.unavailable, "the sources changed while they were padded; retry")
            }
            let needed = minimumReplicas(goal: namespace[destination]?.replication ?? goal)
            for (copy, confirmed) in padded {
                // The source must still end where the copy was cut (a late SETSIZE could have grown it).
                guard let entry = namespace[sources[copy.source]], entry.chunks.last == copy.old,
                    entry.length - Int64(entry.chunks.count - 1) * configuration.chunkSize == copy.keep else {
                    throw GFSError(.unavailable, "\(sources[copy.source]) changed while it was padded; retry")
                }
                guard confirmed.count >= needed else {
                    throw GFSError(.unavailable, "only \(confirmed.count) replica(s) of chunk \(copy.old) could pad a copy; retry")
                }
            }
        } catch {
            abandon()
            throw error
        }
        let mutation = Mutation.concat(destination, sources: sources, replication: goal, modified: clock.wallMilliseconds,
                                       padded: padded.map { PaddedChunk(source: $0.copy.source, handle: $0.copy.new, version: $0.copy.version) })
        do throws(GFSError) { try checkQuota(for: mutation) } catch {
            abandon()
            throw error
        }
        apply(mutation)
        for (copy, confirmed) in padded {
            for server in confirmed { chunks[copy.new]?.replicas[server] = copy.version }
            replicasChangedAt[copy.new] = clock.now  // a report built before the copy must not forget it
        }
        return mutation
    }

    /// A new handle about to be asked for again: it stays safe from deletion as an orphan for a while longer.
    public mutating func keepInFlight(_ handle: ChunkHandle) {
        if handlesInFlight[handle] != nil { handlesInFlight[handle] = clock.now }
    }

    /// Unblocks the leases `prepareConcat` blocked (also when the concat failed).
    public mutating func finishConcat(_ sources: [GFSPath]) {
        for source in sources {
            for handle in namespace[source]?.chunks ?? [] {
                if let count = leaseBlocked[handle] { leaseBlocked[handle] = count > 1 ? count - 1 : nil }
            }
        }
    }

    mutating func applyConcat(_ destination: GFSPath, sources: [GFSPath], replication: Int, modified: Int64,
                              padded: [PaddedChunk]) {
        if namespace[destination] == nil {
            let records = sources.first.flatMap { namespace[$0]?.records } ?? false
            namespace.insert(destination, .init(kind: .file, replication: replication, records: records, modified: modified))
        }
        let goal = namespace[destination]?.replication ?? replication
        let pads = Dictionary(padded.map { ($0.source, $0) }, uniquingKeysWith: { first, _ in first })
        var appended: [ChunkHandle] = []
        var shared: [ChunkHandle] = []
        var length: Int64 = 0
        for (number, source) in sources.enumerated() {
            guard let entry = namespace[source] else { continue }
            if let pad = pads[number] {
                shared += entry.chunks.dropLast()
                appended += entry.chunks.dropLast() + [pad.handle]
                chunks[pad.handle] = ChunkInfo(version: pad.version, goal: goal, trashed: false)
                nextHandle = max(nextHandle, pad.handle.rawValue &+ 1)
            } else {
                shared += entry.chunks
                appended += entry.chunks
            }
            let added = concatLength(of: source, padded: pads[number] != nil)
            length = length.addingReportingOverflow(added).overflow ? .max : length + added
        }
        let records = sources.first.flatMap { namespace[$0]?.records } ?? false
        namespace.update(destination) {
            // An empty destination takes the sources' kind: its bytes are theirs.
            if $0.chunks.isEmpty { $0.records = records }
            $0.chunks += appended
            $0.length = $0.length.addingReportingOverflow(length).overflow ? .max : $0.length + length
            $0.modified = modified
        }
        for handle in shared {
            guard var info = chunks[handle] else { continue }
            info.references += 1
            info.goal = max(info.goal, goal)
            info.trashed = false
            chunks[handle] = info
        }
    }
}
