import GFSClient
import GFSProtocol
import NIOCore

/// Writes through the primary and reads (GFS §3.1, §5.2).
extension ChunkService {
    /// Primary: assign the next serial, apply locally, forward to every secondary the master granted, and
    /// succeed only when all applied and synced. The lease and version are checked when the mutation's turn
    /// comes, not when it arrives (it may have waited behind others while the lease ended or moved on).
    /// Mutations of one chunk are applied one at a time, so secondaries see them in serial order; the syncs
    /// run after the chunk is free for the next mutation, so waiting writers share them.
    func write(_ handle: ChunkHandle, version: ChunkVersion, offset: Int64, id: String) async throws(GFSError) -> Int64 {
        _ = try authorize(handle, version: version)
        guard let data = pushes.take(id) else {
            throw GFSError(.unavailable, "no pushed data \(id) on \(address); push again")
        }
        try checkBounds(handle, offset: offset, count: data.readableBytes)
        let (length, secondaries, ordered) = try await sequencer.run(handle) { () async throws(GFSError) -> (Int64, [ServerID], Int64) in
            let secondaries = try authorize(handle, version: version)
            let ordered = clock.wallMilliseconds
            try checkVersion(handle, version)
            leases.withLockedValue { $0.noteMutation(handle) }
            let serial = nextSerial(handle, version: version)
            let length = try await onDisk { [store] () throws(GFSError) in try store.write(handle, at: offset, data) }
            let request = ChunkRequest.apply(handle, version: version, serial: serial, offset: offset, id: id)
            let failures = await forward(request, to: secondaries, timeout: orderingTimeout(handle))
            guard failures.isEmpty else {
                throw GFSError(.unavailable, "secondary failed: " + failures.joined(separator: "; "))
            }
            return (length, secondaries, ordered)
        }
        try await makeDurable(handle, on: secondaries)
        try stillPrimary(handle, version: version)
        recordAcknowledged("WRITE", handle, version: version, offset: offset, bytes: data.readableBytes, ordered: ordered)
        return length
    }

    /// Primary: append pushed data as one record at the chunk's end (GFS §3.3). A record that does not fit pads
    /// the chunk on every replica and is refused with CHUNKFULL so the client retries on the next chunk.
    /// Returns the offset the record went to, the same on every replica.
    func append(_ handle: ChunkHandle, version: ChunkVersion, id: String) async throws(GFSError) -> Int64 {
        _ = try authorize(handle, version: version)
        guard let data = pushes.take(id) else {
            throw GFSError(.unavailable, "no pushed data \(id) on \(address); push again")
        }
        let limit = chunkSize.withLockedValue { $0 }
        guard data.readableBytes <= limit / 4 else {
            throw GFSError(.tooLarge, "record of \(data.readableBytes) bytes exceeds a quarter chunk (\(limit / 4) bytes)")
        }
        let (offset, secondaries, ordered) = try await sequencer.run(handle) { () async throws(GFSError) -> (Int64?, [ServerID], Int64) in
            let secondaries = try authorize(handle, version: version)
            let ordered = clock.wallMilliseconds
            try checkVersion(handle, version)
            leases.withLockedValue { $0.noteMutation(handle) }
            let serial = nextSerial(handle, version: version)
            let offset = store.length(handle) ?? 0
            guard offset + Int64(data.readableBytes) <= limit else {
                try await onDisk { [store] () throws(GFSError) in try store.pad(handle, to: limit) }
                let failures = await forward(.pad(handle, version: version, serial: serial, size: limit, id: id),
                                             to: secondaries, timeout: orderingTimeout(handle))
                guard failures.isEmpty else {
                    throw GFSError(.unavailable, "secondary failed: " + failures.joined(separator: "; "))
                }
                return (nil, secondaries, ordered)
            }
            _ = try await onDisk { [store] () throws(GFSError) in try store.write(handle, at: offset, data) }
            let failures = await forward(.apply(handle, version: version, serial: serial, offset: offset, id: id),
                                         to: secondaries, timeout: orderingTimeout(handle))
            guard failures.isEmpty else {
                throw GFSError(.unavailable, "secondary failed: " + failures.joined(separator: "; "))
            }
            return (offset, secondaries, ordered)
        }
        try await makeDurable(handle, on: secondaries)
        guard let offset else { throw GFSError(.chunkFull, "chunk \(handle) is full; append to the next chunk") }
        try stillPrimary(handle, version: version)
        recordAcknowledged("APPEND", handle, version: version, offset: offset, bytes: data.readableBytes, ordered: ordered)
        return offset
    }

    /// Primary: waits until every mutation of `handle` applied so far is durable here and on `secondaries`;
    /// the local sync and the secondaries' run at once.
    private func makeDurable(_ handle: ChunkHandle, on secondaries: [ServerID]) async throws(GFSError) {
        async let remote = forward(.sync(handle), to: secondaries, dedicated: true)
        let local: GFSError?
        do {
            try await durability.sync(handle)
            local = nil
        } catch {
            local = error
        }
        let failures = await remote
        if let local { throw local }
        guard failures.isEmpty else { throw GFSError(.unavailable, "secondary failed: " + failures.joined(separator: "; ")) }
    }

    /// Secondary: pad the chunk as the primary did for a record that did not fit.
    func pad(_ handle: ChunkHandle, version: ChunkVersion, serial: UInt64, size: Int64, id: String) async throws(GFSError) {
        _ = pushes.take(id)
        guard size <= chunkSize.withLockedValue({ $0 }) else { throw GFSError(.tooLarge, "pad past the chunk size") }
        _ = try await applyInOrder(handle, version: version, serial: serial) { [store] () throws(GFSError) -> Int64 in
            try store.pad(handle, to: size)
            return size
        }
    }

    /// Secondary: apply a mutation the primary ordered.
    func apply(_ handle: ChunkHandle, version: ChunkVersion, serial: UInt64, offset: Int64,
               id: String) async throws(GFSError) -> Int64 {
        guard let data = pushes.take(id) else {
            throw GFSError(.unavailable, "no pushed data \(id) on \(address); push again")
        }
        try checkBounds(handle, offset: offset, count: data.readableBytes)
        return try await applyInOrder(handle, version: version, serial: serial) { [store] () throws(GFSError) -> Int64 in
            try store.write(handle, at: offset, data)
        }
    }

    /// Runs a secondary's mutation in the chunk's queue, after checking its version and that its serial is
    /// past every one applied; the serial counts as applied only once the write succeeded, so two forwarded
    /// mutations of a chunk can never land out of order (GFS §3.1).
    private func applyInOrder(_ handle: ChunkHandle, version: ChunkVersion, serial: UInt64,
                              _ body: @escaping @Sendable () throws(GFSError) -> Int64) async throws(GFSError) -> Int64 {
        try await sequencer.run(handle) { () async throws(GFSError) -> Int64 in
            try checkVersion(handle, version)
            guard serialIsNew(serial, for: handle) else {
                throw GFSError(.badRequest, "chunk \(handle): serial \(serial) already passed")
            }
            let result = try await onDisk(body)
            commitSerial(serial, for: handle)
            return result
        }
    }

    /// Reads a range after verifying its blocks; a corrupt replica is quarantined and reported to the master.
    func read(_ handle: ChunkHandle, version: ChunkVersion, offset: Int64, length: Int) async throws(GFSError) -> ByteBuffer {
        guard let held = store.version(handle) else { throw GFSError(.notFound, "chunk \(handle) not held on \(address)") }
        guard held >= version else { throw GFSError(.stale, "chunk \(handle) on \(address) is at version \(held) < \(version)") }
        do {
            return try await onDisk { [store] () throws(GFSError) in try store.read(handle, at: offset, length: length) }
        } catch {
            if error.code == .checksum { await reportCorrupt(handle, error) }
            throw error
        }
    }

    func reportCorrupt(_ handle: ChunkHandle, _ error: GFSError) async {
        logger.error("\(error.message); quarantining the replica and telling the master")
        leases.withLockedValue { $0.revoked(handle) }
        try? await onDisk { [store] () throws(GFSError) in store.quarantine(handle) }
        for master in masters {
            do {
                _ = try await pool.call(master, MasterRequest.corrupt(handle, on: address).line, timeout: .seconds(5))
            } catch {
                logger.warning("could not report corrupt chunk \(handle) to \(master): \(error.message)")
            }
        }
    }

    /// How long a forwarded APPLY or PAD may take: no longer than the lease has left, since the chunk's queue
    /// (and any GRANT or REVOKE in it) waits for it, and past the lease it could not be acknowledged anyway.
    private func orderingTimeout(_ handle: ChunkHandle) -> Duration {
        max(.milliseconds(100), min(forwardTimeout, leaseRemaining(handle)))
    }

    /// Checked again before answering: a mutation whose lease ended (or was revoked or re-issued) while it was
    /// forwarded and synced is reported failed, so nothing is acknowledged outside a lease (DESIGN.md §6).
    private func stillPrimary(_ handle: ChunkHandle, version: ChunkVersion) throws(GFSError) {
        _ = try authorize(handle, version: version)
    }

    private func checkVersion(_ handle: ChunkHandle, _ version: ChunkVersion) throws(GFSError) {
        // UNAVAILABLE, not NOTFOUND: the replica went (quarantined or deleted) while the master still lists it,
        // and the writer should ask for a new lease rather than give up.
        guard let held = store.version(handle) else {
            throw GFSError(.unavailable, "chunk \(handle) not held on \(address)")
        }
        guard held == version else {
            throw GFSError(.stale, "chunk \(handle) on \(address) is at version \(held), request has \(version)")
        }
    }

    private func checkBounds(_ handle: ChunkHandle, offset: Int64, count: Int) throws(GFSError) {
        let limit = chunkSize.withLockedValue { $0 }
        guard offset >= 0, offset + Int64(count) <= limit else {
            throw GFSError(.tooLarge, "chunk \(handle): write of \(count) bytes at \(offset) passes the chunk size \(limit)")
        }
    }

    /// Sends `request` to every secondary at once; returns a description of each failure. A `dedicated`
    /// request (a SYNC, which waits on the disk) goes on a connection of its own, so the APPLYs queued behind
    /// it on the shared one are not held up.
    private func forward(_ request: ChunkRequest, to secondaries: [ServerID], dedicated: Bool = false,
                         timeout: Duration? = nil) async -> [String] {
        let pool = self.pool
        let timeout = timeout ?? forwardTimeout
        return await withTaskGroup(of: String?.self) { group in
            for secondary in secondaries {
                group.addTask {
                    do {
                        if dedicated {
                            let connection = try await pool.borrow(secondary)
                            do { _ = try await connection.call(request.line, timeout: timeout) } catch {
                                connection.close()
                                throw error
                            }
                            await pool.giveBack(connection)
                        } else {
                            _ = try await pool.call(secondary, request.line, timeout: timeout)
                        }
                        return nil
                    } catch {
                        return "\(secondary): \(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
    }
}

/// Runs the mutations of one chunk one at a time, in arrival order, without blocking a thread.
actor ChunkSequencer {
    private var busy: Set<ChunkHandle> = []
    private var waiting: [ChunkHandle: [CheckedContinuation<Void, Never>]] = [:]

    func run<T: Sendable>(_ handle: ChunkHandle, _ body: () async throws(GFSError) -> T) async throws(GFSError) -> T {
        if busy.contains(handle) {
            await withCheckedContinuation { waiting[handle, default: []].append($0) }
        } else {
            busy.insert(handle)
        }
        defer { release(handle) }
        return try await body()
    }

    private func release(_ handle: ChunkHandle) {
        if var queue = waiting[handle], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[handle] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            busy.remove(handle)
        }
    }
}
