import GFSClient
import GFSProtocol

/// Snapshots (GFS §3.4) and the namespace locks that keep them consistent (GFS §4.1).
extension MasterService {
    /// Takes `request`'s locks, waiting while a conflicting operation (a snapshot in progress) holds them.
    func lock(_ request: PathLocks.Request) async {
        while !pathLocks.canAcquire(request) {
            await withCheckedContinuation { lockWaiters.append($0) }
        }
        pathLocks.acquire(request)
    }

    func unlock(_ request: PathLocks.Request) {
        pathLocks.release(request)
        let waiting = lockWaiters
        lockWaiters.removeAll()
        for waiter in waiting { waiter.resume() }
    }

    /// `SNAPSHOT`: lock source and destination, take back the leases on the source's chunks (or wait them
    /// out when a primary cannot be reached), then log and apply the copy of the metadata.
    func snapshot(_ source: GFSPath, to destination: GFSPath, call: ClientCall? = nil) async throws(GFSError) {
        let locks = PathLocks.Request(writing: [source, destination])
        await lock(locks)
        defer { unlock(locks) }
        let leased = try state.prepareSnapshotChunks(source, to: destination)
        do { try await takeBackLeases(leased, for: "snapshot of \(source)") } catch {
            state.finishSnapshot(source)
            throw error
        }
        try await commit([try state.snapshot(source, to: destination)], finishing: call)
    }

    /// `CONCAT`: like a snapshot, the sources' leases are taken back first, so nothing written through them
    /// lands in a chunk once the destination shares it; then the metadata change is logged.
    func concat(_ sources: [GFSPath], into destination: GFSPath, replication: Int?, pad: Bool,
                call: ClientCall?) async throws(GFSError) {
        var paths = [destination]
        for source in sources where !paths.contains(source) { paths.append(source) }
        let locks = PathLocks.Request(writing: paths)
        await lock(locks)
        defer { unlock(locks) }
        let leased = try state.prepareConcat(destination, sources: sources, pad: pad)
        var padded: [(copy: MasterStateMachine.PadCopy, confirmed: [ServerID])] = []
        do {
            try await takeBackLeases(leased, for: "concat into \(destination)")
            // With --pad, each source ending mid-chunk gets a padded copy of its last chunk, made locally, all
            // at once (one by one, many sources could outlast the time a new handle is kept from deletion).
            let copies = pad ? try state.planPadCopies(sources) : []
            let chunkSize = state.configuration.chunkSize
            // At most 8 at once: each reads and copies a whole chunk within the grant timeout.
            padded = await withTaskGroup(of: (MasterStateMachine.PadCopy, [ServerID]).self) { group in
                var done: [(copy: MasterStateMachine.PadCopy, confirmed: [ServerID])] = []
                for (number, copy) in copies.enumerated() {
                    if number >= 8, let result = await group.next() { done.append(result) }
                    state.keepInFlight(copy.new)  // however long the copies before it took
                    let request = ChunkRequest.clone(copy.old, new: copy.new, version: copy.version, length: chunkSize,
                                                     keep: copy.keep, newest: copy.newest)
                    group.addTask { (copy, await self.sendGrants(request, to: copy.servers, primary: nil).confirmed) }
                }
                for await result in group { done.append(result) }
                return done.sorted { $0.copy.source < $1.copy.source }
            }
        } catch {
            state.finishConcat(sources)
            throw error
        }
        try await commit([try state.concat(destination, sources: sources, replication: replication, padded: padded)],
                         finishing: call)
    }

    /// The newest version issued for `handle` (a grant may have left replicas there unconfirmed), for CLONE.
    func newestIssued(_ handle: ChunkHandle, after version: ChunkVersion) -> ChunkVersion {
        max(version, state.reservedVersion(handle) ?? version)
    }

    /// Revokes `leased` at their primaries (or waits them out when a primary cannot be reached), and extends
    /// each file to its primary's length: writers report sizes lazily, and what is shared must hold every
    /// acknowledged write.
    func takeBackLeases(_ leased: [MasterStateMachine.LeasedChunk], for what: String) async throws(GFSError) {
        let pool = self.pool
        let timeout = grantTimeout
        let epoch = self.epoch
        let revoked = await withTaskGroup(of: (MasterStateMachine.LeasedChunk, Int64)?.self) { group in
            for chunk in leased {
                group.addTask {
                    let request = ChunkRequest.revoke(chunk.handle, version: chunk.version).line(epoch: epoch)
                    guard let reply = try? LengthReply(await pool.call(chunk.primary, request, timeout: timeout)) else { return nil }
                    return (chunk, reply.length)
                }
            }
            var done: [(MasterStateMachine.LeasedChunk, Int64)] = []
            for await result in group { if let result { done.append(result) } }
            return done
        }
        var extended: [Mutation] = []
        for (chunk, length) in revoked {
            state.leaseRevoked(chunk.handle)
            let end = Int64(chunk.index) * state.configuration.chunkSize + length
            if let mutation = try? state.extendLength(chunk.path, to: end) { extended.append(mutation) }
        }
        try await commit(extended)
        if let expiry = state.latestLeaseExpiry(leased.map(\.handle)) {
            let wait = expiry.duration(since: state.clock.now)
            logger.notice("\(what): waiting \(wait) for leases whose primaries did not answer")
            try? await Task.sleep(for: wait)
        }
    }

    /// `TRUNCATE`: the leases on the chunks it touches are taken back first (an acknowledged write must be in
    /// what is kept or in what is cut, never lost in a chunk the file no longer has); a chunk the end falls
    /// inside is copied shortened on its replicas; then the replacement and the cut are logged together.
    func truncate(_ path: GFSPath, to length: Int64, call: ClientCall?) async throws(GFSError) {
        let locks = PathLocks.Request(writing: [path])
        await lock(locks)
        defer { unlock(locks) }
        let (leased, blocked) = try state.prepareTruncate(path, to: length)
        defer { state.finishTruncate(blocked) }
        try await takeBackLeases(leased, for: "truncate of \(path)")
        let copy = try state.planTruncateCopy(path, to: length)
        var confirmed: [ServerID] = []
        if let copy {
            let request = ChunkRequest.clone(copy.old, new: copy.new, version: copy.version, length: copy.length,
                                             newest: newestIssued(copy.old, after: copy.version))
            confirmed = await sendGrants(request, to: copy.servers, primary: nil).confirmed
        }
        try await commit(try state.truncate(path, to: length, copy: copy, confirmed: confirmed), finishing: call)
    }
}
