import GFSClient
import GFSProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A chunkserver's request handling: versions and leases from the master, pushes, the primary's ordered
/// writes forwarded to secondaries (GFS §3.1), and checksum-verified reads (GFS §5.2).
public final class ChunkService: Sendable {
    /// This server's address, as the master and peers know it.
    public let address: ServerID
    /// The primary master and its shadows; each hears this server's reports.
    let masters: [ServerID]
    let store: ChunkStore
    let pushes: PushBuffers
    let logger: Logger
    let pool = ConnectionPool(connectTimeout: .seconds(2))
    let sequencer = ChunkSequencer()
    /// Shares one fdatasync among the mutations of a chunk that wait for durability together.
    let durability: GroupSync
    /// Leases, serial order and the chunk size: the decisions live in GFSCore, timed by `clock`.
    let state: NIOLockedValueBox<ChunkServerState>
    /// This server's monotonic clock, for its leases.
    let clock = SystemClock()
    /// Time for a secondary to apply a forwarded mutation.
    let forwardTimeout: Duration
    /// Where acknowledged mutations are recorded, if anywhere (`--ack-log`).
    let acknowledgements: AcknowledgementLog?
    /// The highest master epoch seen: orders from a deposed master are refused.
    let epochs: EpochFence
    /// With a cluster secret, checks the chunk tokens of guests.
    let tokens: ChunkTokenVerifier?
    /// Where local readers collect replicas' files for `LOCAL`'s tickets; nil where it could not be bound.
    let descriptors: DescriptorDesk?
    /// Where the status page is served (`--http`), told in STATUS replies.
    let statusAddress = NIOLockedValueBox<ServerID?>(nil)

    /// A service over `store`.
    init(address: ServerID, masters: [ServerID], store: ChunkStore, pushes: PushBuffers, logger: Logger,
         forwardTimeout: Duration = .seconds(30), acknowledgements: AcknowledgementLog? = nil,
         tokens: ChunkTokenVerifier? = nil) {
        self.tokens = tokens
        self.address = address
        self.masters = masters
        self.store = store
        self.pushes = pushes
        self.logger = logger
        self.forwardTimeout = forwardTimeout
        self.acknowledgements = acknowledgements
        state = NIOLockedValueBox(ChunkServerState(address: address, chunkSize: 64 << 20))
        epochs = EpochFence(store: store)
        descriptors = DescriptorDesk.open(store: store, logger: logger)
        durability = GroupSync(store: store, onDisk: { body throws(GFSError) in try await Self.onDisk(body) })
    }

    /// Answers one request line; a guest's must carry a token.
    /// Master's orders need a `master` peer.
    public func handle(_ line: Line, guest: Bool = false, master: Bool = true) async -> Reply {
        do throws(GFSError) {
            let request = try ChunkRequest(line)
            if guest { try admitGuest(request, line: line) }
            if request.isMasterOrder, !master {
                throw GFSError(.denied, "\(line.verb): only a master may send it (it signs with the masters' key)")
            }
            if request.isMasterOrder { try await epochs.admit(try Epoch.of(line), line.verb) }
            return try await handle(request)
        } catch {
            return .error(error)
        }
    }

    func handle(_ request: ChunkRequest) async throws(GFSError) -> Reply {
        switch request {
        case .push:
            throw GFSError(.badRequest, "PUSH needs a len= payload")
        case let .grant(handle, version, leaseMilliseconds, create, secondaries):
            try await grant(handle, version: version, leaseMilliseconds: leaseMilliseconds, create: create,
                            secondaries: secondaries)
        case let .write(handle, version, offset, id):
            let length = try await reportingCorruption(handle) { () async throws(GFSError) in
                try await write(handle, version: version, offset: offset, id: id)
            }
            return LengthReply(length: length).reply
        case let .append(handle, version, id):
            let offset = try await reportingCorruption(handle) { () async throws(GFSError) in
                try await append(handle, version: version, id: id)
            }
            return AppendReply(offset: offset).reply
        case let .pad(handle, version, serial, size, id):
            try await reportingCorruption(handle) { () async throws(GFSError) in
                try await pad(handle, version: version, serial: serial, size: size, id: id)
            }
        case let .apply(handle, version, serial, offset, id):
            let length = try await reportingCorruption(handle) { () async throws(GFSError) in
                try await apply(handle, version: version, serial: serial, offset: offset, id: id)
            }
            return LengthReply(length: length).reply
        case let .sync(handle):
            try await durability.sync(handle)
        case let .read(handle, version, offset, length):
            return .ok(payload: try await read(handle, version: version, offset: offset, length: length))
        case let .local(handle, version):
            return try local(handle, version: version).reply
        case .open:
            throw GFSError(.badRequest, "OPEN is answered only on the socket LOCAL names")
        case let .checksum(handle, version, length):
            return ChecksumReply(crc: try await checksum(handle, version: version, length: length), length: length).reply
        case let .revoke(handle, version):
            // Wait for a mutation in flight, so none is ordered after the lease is gone (GFS §3.4).
            let length = try await sequencer.run(handle) { () async throws(GFSError) -> Int64 in
                state.withLockedValue { $0.revoked(handle, through: version) }
                return store.length(handle) ?? 0
            }
            return LengthReply(length: length).reply
        case let .clone(handle, new, version, length, keep, newest):
            // In the source's queue, so the copy cannot start while a mutation of the source is half applied.
            try await reportingCorruption(handle) { () async throws(GFSError) in
                try await sequencer.run(handle) { () async throws(GFSError) in
                    try await onDisk { [store] () throws(GFSError) in
                        try store.clone(handle, to: new, version: version, length: length, keep: keep, newest: newest)
                    }
                }
            }
        case let .replicate(handle, version, source, rate):
            try await replicate(handle, version: version, from: source, bytesPerSecond: rate)
        case .status:
            let space = store.diskSpace()
            return ChunkServerStatus(address: address, chunks: store.count, capacityBytes: space.capacity,
                                     freeBytes: space.free, bufferedBytes: pushes.bytesHeld,
                                     http: statusAddress.withLockedValue { $0 }).reply
        case .help:
            return Verb.helpReply(for: .chunkserver)
        }
        return .ok()
    }

    /// Runs a mutation; one that found the replica's kept bytes corrupt quarantines it and tells the master.
    func reportingCorruption<T: Sendable>(_ handle: ChunkHandle, _ body: () async throws(GFSError) -> T) async throws(GFSError) -> T {
        do { return try await body() } catch {
            if error.code == .checksum { await reportCorrupt(handle, error) }
            throw error
        }
    }

    /// Runs blocking disk work on NIO's thread pool, keeping it off the event loops and the task pool.
    func onDisk<T: Sendable>(_ body: @escaping @Sendable () throws(GFSError) -> T) async throws(GFSError) -> T {
        try await Self.onDisk(body)
    }

    /// Threads for blocking disk work, never stopped. NIO's shared pool has one thread per core, and an
    /// fdatasync holds its thread for as long as the device takes (6–80 ms measured here), so two syncs held
    /// up every write and read queued behind them while the cores sat idle. Sixteen lets syncs of many chunks
    /// wait on the device at once, while bounding how many reads hold their buffers at once.
    static let diskThreads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()

    static func onDisk<T: Sendable>(_ body: @escaping @Sendable () throws(GFSError) -> T) async throws(GFSError) -> T {
        do {
            return try await diskThreads.runIfActive { () throws -> T in try body() }
        } catch {
            throw error as? GFSError ?? GFSError(.internal, "disk task failed: \(error)")
        }
    }

    /// `GRANT`: adopt `version` (creating the chunk if asked), and with a lease become primary, forwarding to
    /// exactly the `secondaries` granted. Ordered after any mutation of the chunk in flight, so a mutation
    /// admitted under the old version can never be applied after the new one (GFS §4.5).
    func grant(_ handle: ChunkHandle, version: ChunkVersion, leaseMilliseconds: Int64?, create: Bool,
               secondaries: [ServerID]) async throws(GFSError) {
        // The lease runs from its arrival, before the version's fsync (the master timed it from before sending).
        let arrival = clock.now
        try await sequencer.run(handle) { () async throws(GFSError) in
            try await onDisk { [store] () throws(GFSError) in
                if create { try store.create(handle, version: version) } else { try store.setVersion(handle, version) }
            }
            state.withLockedValue {
                $0.granted(handle, version: version, leaseMilliseconds: leaseMilliseconds, secondaries: secondaries,
                           arrival: arrival)
            }
        }
    }

    /// Runs a decision of the shared state under its lock, at this server's time.
    func decide<T, E: Error>(_ body: (inout ChunkServerState, Instant) throws(E) -> T) throws(E) -> T {
        let now = clock.now
        let result = state.withLockedValue { state in
            Result<T, E> { () throws(E) in try body(&state, now) }
        }
        return try result.get()
    }

    /// The chunk size learnt from the master.
    var chunkSize: Int64 { state.withLockedValue { $0.chunkSize } }

    /// Time left on the lease held on `handle` (zero when none is held).
    func leaseRemaining(_ handle: ChunkHandle) -> Duration {
        let now = clock.now
        return state.withLockedValue { $0.leases.lease(handle)?.expires.duration(since: now) } ?? .zero
    }

    /// Records an acknowledged mutation in the `--ack-log`: when it was ordered (wall milliseconds) and when
    /// its lease ends.
    func recordAcknowledged(_ verb: String, _ handle: ChunkHandle, version: ChunkVersion, offset: Int64, bytes: Int,
                            ordered: Int64) {
        guard let acknowledgements else { return }
        let left = leaseRemaining(handle)
        acknowledgements.record(verb, handle: handle, version: version, offset: offset, bytes: bytes, ordered: ordered,
                                leaseEnd: clock.wallMilliseconds + left.milliseconds)
    }
}
