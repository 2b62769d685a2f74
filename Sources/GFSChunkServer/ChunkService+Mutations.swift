import GFSClient
import GFSProtocol
import NIOCore

/// Writes through the primary and reads (GFS §3.1, §5.2).
extension ChunkService {
    /// Primary: assign the next serial, apply locally, forward to every secondary the master granted, and
    /// succeed only when all applied and synced. The decisions (lease, version, serial, offset) are
    /// ChunkServerState's, taken when the mutation's turn comes, not when it arrives (it may have waited behind
    /// others while the lease ended or moved on). Mutations of one chunk are applied one at a time, so
    /// secondaries see them in serial order; the syncs run after the chunk is free for the next mutation, so
    /// waiting writers share them.
    func write(_ handle: ChunkHandle, version: ChunkVersion, offset: Int64, id: String) async throws(GFSError) -> Int64 {
        // The lease first: the pushed data stays for a retry at the right primary.
        try decide { state, now throws(GFSError) in try state.confirm(handle, version: version, at: now) }
        let data = try pushed(id)
        try decide { state, now throws(GFSError) in
            try state.admitWrite(handle, version: version, offset: offset, count: Int64(data.count), at: now)
        }
        let (length, ordered) = try await sequencer.run(handle) { () async throws(GFSError) -> (Int64, Turn) in
            let ordered = try order(handle, version: version, count: data.count, at: offset)
            let length = try await onDisk { [store] () throws(GFSError) in try store.write(handle, at: offset, data) }
            try await forwardInOrder(.apply(handle, version: version, serial: ordered.serial, offset: offset, id: id),
                                     handle, ordered)
            return (length, ordered)
        }
        try await acknowledge("WRITE", handle, version: version, ordered, offset: offset, bytes: data.count)
        return length
    }

    /// Primary: append pushed data as one record at the chunk's end (GFS §3.3). A record that does not fit pads
    /// the chunk on every replica and is refused with CHUNKFULL so the client retries on the next chunk.
    /// Returns the offset the record went to, the same on every replica.
    func append(_ handle: ChunkHandle, version: ChunkVersion, id: String) async throws(GFSError) -> Int64 {
        try decide { state, now throws(GFSError) in try state.confirm(handle, version: version, at: now) }
        let data = try pushed(id)
        try decide { state, now throws(GFSError) in
            try state.admitAppend(handle, version: version, count: Int64(data.count), at: now)
        }
        let ordered = try await sequencer.run(handle) { () async throws(GFSError) -> Turn in
            let ordered = try order(handle, version: version, count: data.count, at: nil)
            guard let offset = ordered.offset else {
                try await onDisk { [store] () throws(GFSError) in try store.pad(handle, to: ordered.paddedSize) }
                try await forwardInOrder(.pad(handle, version: version, serial: ordered.serial, size: ordered.paddedSize,
                                              id: id), handle, ordered)
                return ordered
            }
            _ = try await onDisk { [store] () throws(GFSError) in try store.write(handle, at: offset, data) }
            try await forwardInOrder(.apply(handle, version: version, serial: ordered.serial, offset: offset, id: id),
                                     handle, ordered)
            return ordered
        }
        guard let offset = ordered.offset else {
            try await makeDurable(handle, on: ordered.secondaries)
            throw GFSError(.chunkFull, "chunk \(handle) is full; append to the next chunk")
        }
        try await acknowledge("APPEND", handle, version: version, ordered, offset: offset, bytes: data.count)
        return offset
    }

    /// A mutation ordered at its turn, and when (wall milliseconds, for the `--ack-log`).
    struct Turn: Sendable {
        let ordered: ChunkServerState.Ordered
        let wallMilliseconds: Int64
        var serial: UInt64 { ordered.serial }
        var offset: Int64? { ordered.offset }
        var paddedSize: Int64 { ordered.paddedSize }
        var secondaries: [ServerID] { ordered.secondaries }
    }

    private func pushed(_ id: String) throws(GFSError) -> PushedBytes {
        guard let data = pushes.take(id) else {
            throw GFSError(.unavailable, "no pushed data \(id) on \(address); push again")
        }
        return data
    }

    /// The mutation's turn came: the shared state orders it against the replica as it is on disk now.
    private func order(_ handle: ChunkHandle, version: ChunkVersion, count: Int, at target: Int64?) throws(GFSError) -> Turn {
        let held = store.version(handle)
        let length = store.length(handle) ?? 0
        let wall = clock.wallMilliseconds
        let ordered = try decide { state, now throws(GFSError) in
            try state.order(handle, version: version, held: held, length: length, count: Int64(count), at: target, now: now)
        }
        return Turn(ordered: ordered, wallMilliseconds: wall)
    }

    /// Forwards an ordered APPLY or PAD to the secondaries, bounded by the lease left.
    private func forwardInOrder(_ request: ChunkRequest, _ handle: ChunkHandle, _ ordered: Turn) async throws(GFSError) {
        let timeout = decide { state, now in state.orderingTimeout(handle, at: now, forwardTimeout: forwardTimeout) }
        let failures = await forward(request, to: ordered.secondaries, timeout: timeout)
        guard failures.isEmpty else {
            throw GFSError(.unavailable, "secondary failed: " + failures.joined(separator: "; "))
        }
    }

    /// Durable everywhere, then acknowledged only while the lease still holds (DESIGN.md §6).
    private func acknowledge(_ verb: String, _ handle: ChunkHandle, version: ChunkVersion, _ ordered: Turn,
                             offset: Int64, bytes: Int) async throws(GFSError) {
        try await makeDurable(handle, on: ordered.secondaries)
        try decide { state, now throws(GFSError) in try state.confirm(handle, version: version, at: now) }
        recordAcknowledged(verb, handle, version: version, offset: offset, bytes: bytes, ordered: ordered.wallMilliseconds)
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
        try decide { state, _ throws(GFSError) in try state.admitPad(handle, size: size) }
        _ = try await applyInOrder(handle, version: version, serial: serial) { [store] () throws(GFSError) -> Int64 in
            try store.pad(handle, to: size)
            return size
        }
    }

    /// Secondary: apply a mutation the primary ordered.
    func apply(_ handle: ChunkHandle, version: ChunkVersion, serial: UInt64, offset: Int64,
               id: String) async throws(GFSError) -> Int64 {
        let data = try pushed(id)
        try decide { state, _ throws(GFSError) in
            try state.admitApply(handle, offset: offset, count: Int64(data.count))
        }
        return try await applyInOrder(handle, version: version, serial: serial) { [store] () throws(GFSError) -> Int64 in
            try store.write(handle, at: offset, data)
        }
    }

    /// Runs a secondary's mutation in the chunk's queue, if the shared state says it may be applied; the serial
    /// counts as applied only once the write succeeded, so two forwarded mutations of a chunk can never land
    /// out of order (GFS §3.1).
    private func applyInOrder(_ handle: ChunkHandle, version: ChunkVersion, serial: UInt64,
                              _ body: @escaping @Sendable () throws(GFSError) -> Int64) async throws(GFSError) -> Int64 {
        try await sequencer.run(handle) { () async throws(GFSError) -> Int64 in
            let held = store.version(handle)
            try decide { state, _ throws(GFSError) in try state.mayApply(handle, version: version, serial: serial, held: held) }
            let result = try await onDisk(body)
            decide { state, _ in state.applied(serial, to: handle) }
            return result
        }
    }

    /// Reads a range after verifying its blocks; a corrupt replica is quarantined and reported to the master.
    func read(_ handle: ChunkHandle, version: ChunkVersion, offset: Int64, length: Int) async throws(GFSError) -> ByteBuffer {
        try requireReplica(handle, atLeast: version)
        do {
            let bytes = try await onDisk { [store] () throws(GFSError) in try store.read(handle, at: offset, length: length) }
            store.traffic.read(bytes.readableBytes)
            return bytes
        } catch {
            if error.code == .checksum { await reportCorrupt(handle, error) }
            throw error
        }
    }

    /// `LOCAL`: a ticket for the replica's files and its length, for a reader on this machine that reads and
    /// verifies them itself. The same version rule as `READ`.
    func local(_ handle: ChunkHandle, version: ChunkVersion) throws(GFSError) -> LocalReply {
        try requireReplica(handle, atLeast: version)
        guard let descriptors else { throw GFSError(.badRequest, "LOCAL: this chunkserver has no descriptor socket; use READ") }
        guard let length = store.length(handle) else { throw GFSError(.notFound, "chunk \(handle) not held on \(address)") }
        let (ticket, proof) = descriptors.ticket(for: handle)
        return LocalReply(socket: descriptors.name, ticket: ticket, proof: proof, length: length)
    }

    /// A replica of `handle` is held here at `version` or later (a reader may know an older version than a
    /// replica that took writes since; never a newer one).
    private func requireReplica(_ handle: ChunkHandle, atLeast version: ChunkVersion) throws(GFSError) {
        guard let held = store.version(handle) else { throw GFSError(.notFound, "chunk \(handle) not held on \(address)") }
        guard held >= version else { throw GFSError(.stale, "chunk \(handle) on \(address) is at version \(held) < \(version)") }
    }

    /// The CRC32C of the replica's first `length` bytes, from its block checksums.
    func checksum(_ handle: ChunkHandle, version: ChunkVersion, length: Int64) async throws(GFSError) -> UInt32 {
        try requireReplica(handle, atLeast: version)
        do {
            return try await onDisk { [store] () throws(GFSError) in try store.compositeChecksum(handle, length: length) }
        } catch {
            if error.code == .checksum { await reportCorrupt(handle, error) }
            throw error
        }
    }

    func reportCorrupt(_ handle: ChunkHandle, _ error: GFSError) async {
        // A replica deleted meanwhile (the master's order) lost its files on purpose: nothing is corrupt.
        guard store.replica(handle) != nil else { return }
        logger.error("\(error.message); quarantining the replica and telling the master")
        state.withLockedValue { $0.dropped(handle) }
        try? await onDisk { [store] () throws(GFSError) in store.quarantine(handle) }
        for master in masters {
            do {
                _ = try await pool.call(master, MasterRequest.corrupt(handle, on: address).line, timeout: .seconds(5))
            } catch {
                logger.warning("could not report corrupt chunk \(handle) to \(master): \(error.message)")
            }
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

/// Runs the mutations of one chunk one at a time, in arrival order (GFSCore's ChunkQueue), without blocking a
/// thread.
actor ChunkSequencer {
    private var queue = ChunkQueue<CheckedContinuation<Void, Never>>()

    func run<T: Sendable>(_ handle: ChunkHandle, _ body: () async throws(GFSError) -> T) async throws(GFSError) -> T {
        await withCheckedContinuation { continuation in
            if queue.enter(handle, continuation) { continuation.resume() }
        }
        defer { queue.leave(handle)?.resume() }
        return try await body()
    }
}
