import GFSCore
import GFSProtocol

/// What the checks know to be true: every record a client was told is appended, and every acknowledgement a
/// primary gave with its lease (the simulation's `--ack-log`).
public final class Oracle {
    public struct Acknowledgement {
        public let server: ServerID
        public let handle: ChunkHandle
        public let version: ChunkVersion
        public let offset: Int64
        /// Simulated nanoseconds at which the mutation was ordered, and at which the primary's lease ended.
        public let ordered: Int64
        /// Simulated nanoseconds at which it was acknowledged.
        public let at: Int64
        public let leaseEnd: Int64
    }

    public struct Appended {
        public let record: UInt64
        public let path: GFSPath
        public let handle: ChunkHandle
        /// The chunk's index in the file, the record's offset in the chunk.
        public let index: Int
        public let offset: Int64
        /// Simulated nanoseconds at which the record's first APPEND was sent (a failed attempt may leave it in
        /// a chunk too, GFS §3.3), and at which the client was told it took.
        public let sent: Int64
        public let at: Int64
    }

    /// A snapshot the client that asked for it was told is made.
    public struct Snapshot {
        public let source: GFSPath
        public let destination: GFSPath
        /// Simulated nanoseconds at which it was asked for (what was acknowledged before must be in it) and at
        /// which it was acknowledged (nothing sent after may be).
        public let asked: Int64
        public let done: Int64
    }

    public private(set) var snapshots: [Snapshot] = []

    func snapshotted(_ source: GFSPath, to destination: GFSPath, asked: Int64, done: Int64) {
        snapshots.append(Snapshot(source: source, destination: destination, asked: asked, done: done))
    }

    public private(set) var acknowledgements: [Acknowledgement] = []
    /// Until when (simulated nanoseconds) the master holds each lease it granted, by chunk and version: the
    /// master grants no other lease on the chunk before then, so no primary may acknowledge after it.
    public private(set) var masterLeaseEnds: [LeaseKey: Int64] = [:]

    public struct LeaseKey: Hashable {
        public let handle: ChunkHandle
        public let version: ChunkVersion
    }

    func masterHolds(_ handle: ChunkHandle, version: ChunkVersion, until end: Int64) {
        let key = LeaseKey(handle: handle, version: version)
        masterLeaseEnds[key] = max(masterLeaseEnds[key] ?? 0, end)
    }
    public private(set) var appended: [Appended] = []
    /// The primary of the chunk most recently appended to, for faults aimed at it.
    public var latestPrimary: ServerID? { acknowledgements.last?.server }
    public var failedAppends = 0

    init() {}

    func acknowledged(server: ServerID, handle: ChunkHandle, version: ChunkVersion, offset: Int64, ordered: Int64,
                      at: Int64, leaseEnd: Int64) {
        acknowledgements.append(Acknowledgement(server: server, handle: handle, version: version, offset: offset,
                                                ordered: ordered, at: at, leaseEnd: leaseEnd))
    }

    func appended(_ record: UInt64, to path: GFSPath, handle: ChunkHandle, index: Int, offset: Int64, sent: Int64, at: Int64) {
        appended.append(Appended(record: record, path: path, handle: handle, index: index, offset: offset, sent: sent, at: at))
    }
}

/// A client appending records, as `gfs append` does, with the client library's decisions: GFSCore's
/// `AppendCursor` (which chunk, CHUNKFULL moves on), `MutationAttempts` (what is retried, and for how long) and
/// `ExpiringCache` (the leases it reuses). It finds the file's last chunk, takes its lease, appends at the
/// primary, and rides out failures with backoff.
final class SimulatedClient: Role {
    let path: GFSPath
    let oracle: Oracle
    let nodeOf: (ServerID) -> Int?
    var appending = true
    private var sent: UInt64 = 0
    private var cursor = AppendCursor()
    private var leases = ExpiringCache<ChunkHandle, LeaseInfo>(capacity: 64)
    private var attempts: MutationAttempts
    /// When the record being appended was first sent to a primary.
    private var firstSent: Int64?
    private(set) var liveness = Liveness()
    let callTimeout: Int64 = 10_000_000_000
    /// How long an append goes on with no progress before the client gives up on it (`--timeout`).
    static let patience: Duration = .seconds(120)

    init(node: Int, path: GFSPath, scheduler: Scheduler, network: Network<Int, Message>, oracle: Oracle,
         nodeOf: @escaping (ServerID) -> Int?) {
        self.path = path
        self.oracle = oracle
        self.nodeOf = nodeOf
        attempts = MutationAttempts(patience: Patience(timeout: Self.patience, now: Instant(sinceStart: .zero), seed: 0))
        super.init(node: node, scheduler: scheduler, network: network)
        later(scheduler.draw(0...1_000_000_000)) { [self] in next() }
    }

    private func next() {
        guard appending else { return }
        sent += 1
        firstSent = nil
        liveness.started(at: scheduler.now)
        attempts = MutationAttempts(patience: Patience(timeout: Self.patience, now: now,
                                                       seed: UInt64(bitPattern: scheduler.draw(0...Int64.max))))
        attempt(UInt64(node) << 32 | sent)
    }

    private func attempt(_ record: UInt64) {
        guard let index = cursor.chunkIndex else { return locate(record) }
        guard let handle = cursor.handle else { return allocate(record, index: index) }
        guard let lease = leases.value(for: handle, at: now) else { return takeLease(record, handle) }
        guard let primary = nodeOf(lease.primary) else {
            return failed(record, GFSError(.unavailable, "unknown primary \(lease.primary)"))
        }
        let sent = firstSent ?? scheduler.now
        firstSent = sent
        call(primary, timeout: callTimeout, {
            .chunk(call: $0, .append(lease.handle, version: lease.version, id: ""), record: record)
        }) { [self] result in
            switch result {
            case let .success(.append(reply)):
                oracle.appended(record, to: path, handle: lease.handle, index: index, offset: reply.offset,
                                sent: sent, at: scheduler.now)
                liveness.finished()
                later(scheduler.draw(200_000_000...1_000_000_000)) { [self] in next() }
            case let .failure(error):
                failed(record, error)
            case .success:
                failed(record, GFSError(.internal, "unexpected reply to APPEND"))
            }
        }
    }

    private func failed(_ record: UInt64, _ error: GFSError) {
        switch cursor.failed(error, attempts: &attempts, at: now) {
        case .nextChunk:
            attempt(record)
        case let .again(pause, forget):
            if let forget { leases.forget(forget) }
            later(pause.nanosecondsClamped) { [self] in attempt(record) }
        case let .giveUp(_, forget):
            if let forget { leases.forget(forget) }
            oracle.failedAppends += 1
            liveness.gaveUp(at: scheduler.now)
            later(scheduler.draw(100_000_000...500_000_000)) { [self] in next() }
        }
    }

    /// The file's last chunk (appends make the first).
    private func locate(_ record: UInt64) {
        call(0, timeout: callTimeout, { [path] in .master(call: $0, .lookup(path), report: []) }) { [self] result in
            guard case let .success(.layout(layout)) = result else { return failed(record, result.failure) }
            cursor.located(chunkCount: layout.chunks.count)
            attempt(record)
        }
    }

    private func allocate(_ record: UInt64, index: Int) {
        call(0, timeout: callTimeout, { [path] in .master(call: $0, .allocate(path, index: index), report: []) }) { [self] result in
            guard case let .success(.location(location)) = result else { return failed(record, result.failure) }
            cursor.allocated(location.handle)
            attempt(record)
        }
    }

    private func takeLease(_ record: UInt64, _ handle: ChunkHandle) {
        let asked = now
        call(0, timeout: callTimeout, { .master(call: $0, .lease(handle, of: path), report: []) }) { [self] result in
            guard case let .success(.lease(info)) = result else { return failed(record, result.failure) }
            leases.keep(info, for: handle, until: asked.advanced(by: ClientLease.usable(remaining: info.remaining)))
            attempt(record)
        }
    }
}

extension Result<Answer, GFSError> {
    /// The error of a call that did not give the answer expected.
    var failure: GFSError {
        if case let .failure(error) = self { return error }
        return GFSError(.internal, "unexpected reply")
    }
}

extension Role {
    /// The simulated time, as the roles' decisions take it.
    var now: Instant { Instant(sinceStart: .nanoseconds(scheduler.now)) }
}
