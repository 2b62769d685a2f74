import GFSCore
import GFSProtocol
import NIOConcurrencyHelpers
import NIOCore

/// The gfs client library: metadata from the master, data straight to and from chunkservers (GFS §2.4).
public final class Client: Sendable {
    /// Typed master calls.
    public let master: MasterClient
    /// Typed chunkserver calls.
    public let chunks: ChunkClient
    let pool: ConnectionPool
    let locations: LocationCache
    let leaseCache: LeaseCache
    let clock = SystemClock()
    /// Bytes per push and per write; a write never crosses a chunk boundary.
    public let writeUnitBytes: Int
    /// Bytes per read request.
    public let readUnitBytes: Int
    /// How long a write or append goes on retrying with no progress (GFS §3.1: on any error the client
    /// retries), as long as each master call waits at most.
    public let timeout: Duration
    /// Pieces of one stream pushed and committed concurrently: 96 MiB, more than a chunk, so one chunk's
    /// fdatasync runs while the next chunk's pieces are pushed and applied. With 6 (48 MiB) a 1 GiB `put` took
    /// about 10% longer, the disk busy under half the time while the pieces waited on each sync.
    public let writeWindow = 12
    /// Chunkservers that lately failed or kept a read waiting; reads ask them last.
    let suspects = NIOLockedValueBox(SuspectServers<ServerID>(period: .seconds(30)))
    /// Whether replicas on this machine are read from their files (`Client+LocalRead`).
    let localReads: Bool
    /// Chunkservers at an address of this machine that lately could not hand this client files (their
    /// descriptor socket is in another network namespace, silent, or not theirs; they have none): their
    /// replicas are read over the protocol port for a while, so each piece does not pay for the failure again.
    let noLocalReads = NIOLockedValueBox(SuspectServers<ServerID>(period: .seconds(60)))
    /// How long a read waits on one replica before it asks the next as well (HDFS's hedged reads).
    let hedgeDelay = NIOLockedValueBox(HedgeDelay(minimum: .seconds(1)))

    /// A client of the master at `master`.
    public convenience init(master: ServerID, timeout: Duration = .seconds(30)) {
        self.init(masters: [master], timeout: timeout)
    }

    /// A client of a primary master and its shadows; it finds the one that takes writes.
    /// With `staleReads`, reads of a chunk that only stale replicas hold come from those replicas (they may
    /// lack acknowledged writes); otherwise such a read fails.
    /// With `localReads`, a replica on this machine is read from its files rather than over its socket.
    /// `waiting` is told what the client waits for while it rides out a failure, and nil when it is over.
    public init(masters: [ServerID], timeout: Duration = .seconds(30), writeUnitBytes: Int = 8 << 20,
                readUnitBytes: Int = 4 << 20, staleReads: Bool = false, localReads: Bool = true,
                waiting: (@Sendable (String?) -> Void)? = nil) {
        locations = LocationCache(clock: clock, stale: staleReads)
        leaseCache = LeaseCache(clock: clock)
        let pool = ConnectionPool(connectTimeout: min(timeout, .seconds(5)), proving: Set(masters))
        self.pool = pool
        self.master = MasterClient(addresses: masters, pool: pool, timeout: timeout, waiting: waiting)
        // Reads keep the whole timeout: they ask each replica in turn, with no Patience retries to save time for
        // (and a READ or CHECKSUM hedges past a frozen replica after a second).
        self.chunks = ChunkClient(pool: pool, timeout: timeout, mutationTimeout: Patience.mutationCallTimeout(timeout))
        self.writeUnitBytes = writeUnitBytes
        self.readUnitBytes = readUnitBytes
        self.localReads = localReads
        self.timeout = timeout
    }

    /// Closes every connection.
    public func close() async { await pool.closeAll() }

    // MARK: - Writing

    /// Writes `data` at byte `offset` of the file, chunk by chunk, then records the new size with the master.
    /// Each piece is pushed to every replica and committed through the primary; any failure retries the piece.
    public func write(_ path: GFSPath, at offset: Int64, _ data: ByteBuffer) async throws(GFSError) {
        let layout = try await master.lookup(path)
        var position = offset
        var remaining = data
        var last: ChunkHandle?
        while remaining.readableBytes > 0 {
            let within = position % layout.chunkSize
            let count = min(remaining.readableBytes, Int(layout.chunkSize - within), writeUnitBytes)
            guard let piece = remaining.readSlice(length: count) else { break }
            last = try await writePiece(path, chunkIndex: Int(position / layout.chunkSize), offset: within, piece)
            position += Int64(count)
        }
        try await master.setSize(path, size: position, writtenTo: last)
        await locations.invalidate(path)
    }

    /// Streams `source` into the file from byte 0 (the file must exist and be empty, as after `CREATE`).
    /// Up to `writeWindow` pieces are in flight at once, so the next piece is pushed while the primary commits
    /// the last; chunks are still allocated in order.
    /// - Parameters:
    ///   - source: returns up to the requested byte count, or nil at end of input.
    ///   - pieceWritten: told how long each piece took from its push to the primary's answer.
    /// - Returns: bytes written.
    public func writeStream(_ path: GFSPath, pieceWritten: (Duration) -> Void = { _ in },
                            from source: (Int) throws(GFSError) -> ByteBuffer?) async throws(GFSError) -> Int64 {
        let layout = try await master.lookup(path)
        var position: Int64 = 0
        var inFlight: [Task<(Duration, ChunkHandle), any Error>] = []
        var last: ChunkHandle?
        defer { for task in inFlight { task.cancel() } }
        while true {
            try Self.checkCancellation()
            let within = position % layout.chunkSize
            let want = min(Int(layout.chunkSize - within), writeUnitBytes)
            guard let piece = try source(want), piece.readableBytes > 0 else { break }
            let index = Int(position / layout.chunkSize)
            if within == 0 { _ = try await master.allocate(path, index: index) }
            if inFlight.count >= writeWindow {
                let (took, handle) = try await Self.finish(inFlight.removeFirst())
                pieceWritten(took)
                last = handle
            }
            inFlight.append(Task {
                let start = ContinuousClock.now
                let handle = try await self.writePiece(path, chunkIndex: index, offset: within, piece)
                return (ContinuousClock.now - start, handle)
            })
            position += Int64(piece.readableBytes)
        }
        while !inFlight.isEmpty {
            let (took, handle) = try await Self.finish(inFlight.removeFirst())
            pieceWritten(took)
            last = handle
        }
        if position > 0 { try await master.setSize(path, size: position, writtenTo: last) }
        await locations.invalidate(path)
        return position
    }

    /// Stops a long transfer whose caller gave up on it (Ctrl-C in `gfs shell`).
    static func checkCancellation() throws(GFSError) {
        if Task.isCancelled { throw GFSError(.internal, "cancelled") }
    }

    private static func finish<T: Sendable>(_ task: Task<T, any Error>) async throws(GFSError) -> T {
        do { return try await task.value } catch { throw error as? GFSError ?? GFSError(.internal, "\(error)") }
    }

    /// One write within one chunk, retried with backoff until `timeout` passes with no success (GFS §3.1:
    /// failures leave the region inconsistent until a retry succeeds).
    /// Returns the chunk written.
    @discardableResult
    func writePiece(_ path: GFSPath, chunkIndex: Int, offset: Int64, _ piece: ByteBuffer) async throws(GFSError) -> ChunkHandle {
        var attempts = MutationAttempts(patience: patience())
        while true {
            var handle: ChunkHandle?
            do {
                let location = try await master.allocate(path, index: chunkIndex)
                handle = location.handle
                let lease = try await leaseCache.lease(location.handle, of: path, from: master)
                let id = Self.pushID()
                try await chunks.push(piece, id: id, chain: [lease.primary] + lease.secondaries, token: lease.token)
                _ = try await chunks.write(lease, offset: offset, id: id)
                return location.handle
            } catch {
                if let handle { await leaseCache.invalidate(handle) }
                switch attempts.failed(error, at: clock.now) {
                case let .again(pause): try await sleep(pause, after: error)
                case let .giveUp(error): throw error
                }
            }
        }
    }

    /// Patience for one write or append, starting now.
    func patience() -> Patience {
        Patience(timeout: timeout, now: clock.now, seed: UInt64.random(in: 0...UInt64.max))
    }

    /// Sleeps `pause`, unless the caller gave up meanwhile. A wait whose end the cluster named (`error`'s
    /// `retryAfter`: a frozen primary's lease) can last a minute, so a terminal shows it while it lasts.
    func sleep(_ pause: Duration, after error: GFSError? = nil) async throws(GFSError) {
        let waiter = error?.retryAfter == nil ? nil : master.waiting?.waiter()
        if let waiter, let error { master.waiting?.wait(waiter, "LEASE: " + error.message) }
        defer { if let waiter { master.waiting?.done(waiter) } }
        try? await Task.sleep(for: pause)
        try Self.checkCancellation()
    }

    static func pushID() -> String {
        String(UInt64.random(in: 1...UInt64.max), radix: 16)
    }

    // MARK: - Reading

    /// Reads the whole file in order, handing the bytes to `sink` in the parts they arrived in from the
    /// network. The file is read in pieces of up to `readUnitBytes`, each from the first replica to answer
    /// (another is asked when one fails, or is far slower than pieces have lately been); the locations are
    /// fetched again once when all known replicas have failed.
    /// `pieceRead` is told how long each piece took from its request to its last byte.
    public func read(_ path: GFSPath, pieceRead: (Duration) -> Void = { _ in },
                     into sink: (ByteBuffer) throws(GFSError) -> Void) async throws(GFSError) {
        try await read(path, from: 0, layout: try await locations.layout(of: path, from: master), pieceRead: pieceRead,
                       into: sink)
    }

    /// Reads bytes `start..<layout.size` of the file `layout` describes, in order.
    public func read(_ path: GFSPath, from start: Int64, layout: FileLayout, pieceRead: (Duration) -> Void = { _ in },
                     into sink: (ByteBuffer) throws(GFSError) -> Void) async throws(GFSError) {
        var position = max(0, start)
        var window: [Task<([ByteBuffer], Duration), any Error>] = []
        var planned = position
        let depth = 4
        defer { for task in window { task.cancel() } }
        while position < layout.size {
            try Self.checkCancellation()
            while window.count < depth, planned < layout.size {
                let index = Int(planned / layout.chunkSize)
                let within = planned % layout.chunkSize
                let count = Int(min(Int64(readUnitBytes), layout.chunkSize - within, layout.size - planned))
                guard index < layout.chunks.count else {
                    throw GFSError(.internal, "\(path): size says \(layout.size) bytes but only \(layout.chunks.count) chunks")
                }
                let chunk = layout.chunks[index]
                window.append(Task {
                    let start = ContinuousClock.now
                    let parts = try await self.readRange(path, chunk, offset: within, length: count)
                    return (parts, ContinuousClock.now - start)
                })
                planned += Int64(count)
            }
            let task = window.removeFirst()
            let parts: [ByteBuffer]
            do {
                let took: Duration
                (parts, took) = try await task.value
                pieceRead(took)
            } catch {
                await locations.invalidate(path)
                throw error as? GFSError ?? GFSError(.internal, "\(error)")
            }
            for part in parts {
                position += Int64(part.readableBytes)
                try sink(part)
            }
        }
    }

    /// Reads one range of one chunk, trying each replica (suspects last), then fresh locations from the master.
    func readRange(_ path: GFSPath, _ chunk: ChunkLocation, offset: Int64, length: Int) async throws(GFSError) -> [ByteBuffer] {
        var chunk = chunk
        var candidates = trustedFirst(chunk.replicas.shuffled())
        var failures: [String] = []
        var refreshed = false
        var denied = false
        while true {
            switch await firstRead(chunk, from: candidates, offset: offset, length: length) {
            case let .read(parts):
                return parts
            case let .failed(more, wasDenied):
                failures += more
                denied = denied || wasDenied
            }
            try Self.checkCancellation()
            guard !refreshed else { break }
            refreshed = true
            let layout = try await locations.refresh(path, from: master)
            guard chunk.index < layout.chunks.count else { break }
            // A refused token (expired on a long read) is renewed: every replica is worth asking again then.
            let tried = denied ? [] : candidates
            chunk = layout.chunks[chunk.index]
            candidates = trustedFirst(chunk.replicas.filter { !tried.contains($0) }.shuffled())
            if candidates.isEmpty { break }
        }
        let detail = failures.isEmpty ? "no live replica" : failures.joined(separator: "; ")
        throw GFSError(.unavailable, "\(path): chunk \(chunk.index) (\(chunk.handle)) unreadable: \(detail)")
    }
}
