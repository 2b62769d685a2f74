import GFSClient
import GFSProtocol

/// Chunk creation and lease grants: the two decisions that need chunkservers to take a new version before
/// the client may use it (GFS §3.1, §4.5). Concurrent requests for the same chunk share one grant.
extension MasterService {
    /// `ALLOCATE`, under a read lock on the file, so no chunk is created or copied on write while a snapshot
    /// of it (or of a folder above it) is taken (GFS §4.1).
    func allocate(_ path: GFSPath, index: Int) async throws(GFSError) -> ChunkLocation {
        let locks = PathLocks.Request(reading: [path])
        await lock(locks)
        defer { unlock(locks) }
        return try await allocateLocked(path, index: index)
    }

    private func allocateLocked(_ path: GFSPath, index: Int) async throws(GFSError) -> ChunkLocation {
        let key = "\(index) \(path)"
        if let pending = pendingAllocation(key) { return try await Self.value(of: pending) }
        switch try state.allocate(path, index: index) {
        case let .existing(location):
            return location
        case let .create(index, handle, version, servers):
            let task = Task<ChunkLocation, any Error> {
                let (confirmed, _) = await self.sendGrants(.grant(handle, version: version, leaseMilliseconds: nil,
                                                                  create: true, secondaries: []), to: servers, primary: nil)
                return try await self.finishAllocation(path, index: index, handle: handle, version: version,
                                                       confirmed: confirmed)
            }
            setPendingAllocation(key, task)
            defer { setPendingAllocation(key, nil) }
            return try await Self.value(of: task)
        case let .copyOnWrite(index, old, new, version, servers):
            let task = Task<ChunkLocation, any Error> {
                let newest = self.newestIssued(old, after: version)
                let (confirmed, _) = await self.sendGrants(.clone(old, new: new, version: version, newest: newest),
                                                           to: servers, primary: nil)
                return try await self.finishCopyOnWrite(path, index: index, old: old, new: new, version: version,
                                                        confirmed: confirmed)
            }
            setPendingAllocation(key, task)
            defer { setPendingAllocation(key, nil) }
            return try await Self.value(of: task)
        }
    }

    private func finishCopyOnWrite(_ path: GFSPath, index: Int, old: ChunkHandle, new: ChunkHandle, version: ChunkVersion,
                                   confirmed: [ServerID]) async throws(GFSError) -> ChunkLocation {
        let (location, mutation) = try state.chunkCloned(path, index: index, from: old, to: new, version: version,
                                                         confirmed: confirmed)
        if let mutation {
            logger.info("copy-on-write of chunk \(index) of \(path): \(old) -> \(new) on \(confirmed.count) replica(s)")
            try await commit([mutation])
        }
        return location
    }

    private func finishAllocation(_ path: GFSPath, index: Int, handle: ChunkHandle, version: ChunkVersion,
                                  confirmed: [ServerID]) async throws(GFSError) -> ChunkLocation {
        let (location, mutation) = try state.chunkCreated(path, index: index, handle: handle, version: version,
                                                          confirmed: confirmed)
        if let mutation { try await commit([mutation]) }
        return location
    }

    func lease(_ handle: ChunkHandle, of path: GFSPath?) async throws(GFSError) -> LeaseInfo {
        try state.checkPart(handle, of: path)
        if let pending = pendingLease(handle) { return try await Self.value(of: pending) }
        switch try state.requestLease(handle, of: path) {
        case let .current(info):
            return info
        case let .grant(handle, version, primary, replicas, _):
            let task = Task<LeaseInfo, any Error> {
                var confirmed: [ServerID] = []
                var unreached: Set<ServerID> = []
                let secondaries = replicas.filter { $0 != primary }
                // On disk before any replica hears of it: a restarted master must never issue it again.
                do { try await self.commit([.reserveVersion(handle, version)]) } catch {
                    self.abandonGrant(handle, version: version)
                    throw error
                }
                // The primary times its lease from the grant's arrival: it gets only what is left of the
                // master's, which ran while the log was written (a stalled disk can take most of it).
                guard let left = self.state.leaseRemaining(handle, version: version), left >= self.state.shortestGrant else {
                    self.abandonGrant(handle, version: version)
                    throw GFSError(.unavailable, "the lease on chunk \(handle) ran out while its version was logged; retry")
                }
                (confirmed, unreached) = await self.sendGrants(
                    .grant(handle, version: version, leaseMilliseconds: left.milliseconds, create: false,
                           secondaries: secondaries),
                    to: [primary], primary: primary)
                let (others, _) = await self.sendGrants(
                    .grant(handle, version: version, leaseMilliseconds: nil, create: false, secondaries: []),
                    to: secondaries, primary: nil)
                confirmed += others
                return try await self.finishLease(handle, version: version, confirmed: confirmed,
                                                  primaryNeverReached: unreached.contains(primary))
            }
            setPendingLease(handle, task)
            defer { setPendingLease(handle, nil) }
            return try await Self.value(of: task)
        }
    }

    /// A grant that was never sent: its lease is withdrawn (nothing took the version, so nothing is logged).
    private func abandonGrant(_ handle: ChunkHandle, version: ChunkVersion) {
        _ = state.grantFinished(handle, version: version, confirmed: [], primaryNeverReached: true)
    }

    private func finishLease(_ handle: ChunkHandle, version: ChunkVersion, confirmed: [ServerID],
                             primaryNeverReached: Bool) async throws(GFSError) -> LeaseInfo {
        // The version is logged even when the lease fails: the replicas that took it hold it now.
        let (outcome, log) = state.grantFinished(handle, version: version, confirmed: confirmed,
                                                 primaryNeverReached: primaryNeverReached)
        if !log.isEmpty { try await commit(log) }
        if case let .failure(error) = outcome {
            note("lease-failed", "lease of chunk \(handle) at version \(version) not granted: \(error.message)", level: .warning)
        }
        let info = try outcome.get()
        // Only now may the lease be handed out, to this client and, as current, to others.
        state.leaseRecorded(handle, version: version)
        return info
    }

    /// Sends `request` to every server at once. Returns those that confirmed, and those that could not even be
    /// connected to (so certainly never saw it).
    func sendGrants(_ request: ChunkRequest, to servers: [ServerID],
                    primary: ServerID?) async -> (confirmed: [ServerID], unreached: Set<ServerID>) {
        let pool = self.pool
        let timeout = grantTimeout
        let logger = self.logger
        let line = request.line(epoch: epoch)
        return await withTaskGroup(of: (ServerID, Bool, Bool).self) { group in
            for server in servers {
                group.addTask {
                    let connection: Connection
                    do { connection = try await pool.connection(to: server) } catch {
                        logger.warning("\(request.line.verb) to \(server): \(error)")
                        return (server, false, true)
                    }
                    do {
                        _ = try await connection.call(line, timeout: timeout)
                        return (server, true, false)
                    } catch {
                        logger.warning("\(request.line.verb) to \(server): \(error)")
                        return (server, false, false)
                    }
                }
            }
            var confirmed: [ServerID] = []
            var unreached: Set<ServerID> = []
            for await (server, ok, neverReached) in group {
                if ok { confirmed.append(server) }
                if neverReached { unreached.insert(server) }
            }
            return (confirmed.sorted(), unreached)
        }
    }

    private func pendingAllocation(_ key: String) -> Task<ChunkLocation, any Error>? { pendingAllocations[key] }
    private func setPendingAllocation(_ key: String, _ task: Task<ChunkLocation, any Error>?) { pendingAllocations[key] = task }
    private func pendingLease(_ handle: ChunkHandle) -> Task<LeaseInfo, any Error>? { pendingLeases[handle] }
    private func setPendingLease(_ handle: ChunkHandle, _ task: Task<LeaseInfo, any Error>?) { pendingLeases[handle] = task }

    private static func value<T>(of task: Task<T, any Error>) async throws(GFSError) -> T {
        do { return try await task.value } catch { throw error as? GFSError ?? GFSError(.internal, "\(error)") }
    }
}
