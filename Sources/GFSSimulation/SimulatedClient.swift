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

/// A client appending records, as `gfs append` does: it finds the file's last chunk, asks for its lease,
/// appends at the primary, moves to the next chunk when one is full, and retries with backoff.
final class SimulatedClient: Role {
    let path: GFSPath
    let oracle: Oracle
    let nodeOf: (ServerID) -> Int?
    var appending = true
    private var sent: UInt64 = 0
    private var lease: LeaseInfo?
    private var index: Int?
    /// When the record being appended was first sent to a primary.
    private var firstSent: Int64?
    let callTimeout: Int64 = 10_000_000_000

    init(node: Int, path: GFSPath, scheduler: Scheduler, network: Network<Int, Message>, oracle: Oracle,
         nodeOf: @escaping (ServerID) -> Int?) {
        self.path = path
        self.oracle = oracle
        self.nodeOf = nodeOf
        super.init(node: node, scheduler: scheduler, network: network)
        later(scheduler.draw(0...1_000_000_000)) { [self] in next() }
    }

    private func next() {
        guard appending else { return }
        sent += 1
        firstSent = nil
        attempt(UInt64(node) << 32 | sent, tries: 0)
    }

    private func attempt(_ record: UInt64, tries: Int) {
        guard tries < 30 else {
            oracle.failedAppends += 1
            return later(scheduler.draw(100_000_000...500_000_000)) { [self] in next() }
        }
        let retry = { [self] in
            lease = nil
            index = nil
            later(min(2_000_000_000, 50_000_000 << min(tries, 5)) + scheduler.draw(0...50_000_000)) { [self] in
                attempt(record, tries: tries + 1)
            }
        }
        guard let lease, let primary = nodeOf(lease.primary) else { return locate(record, tries: tries, retry) }
        let sent = firstSent ?? scheduler.now
        firstSent = sent
        call(primary, timeout: callTimeout, {
            .chunk(call: $0, .append(lease.handle, version: lease.version, id: ""), record: record)
        }) { [self] result in
            switch result {
            case let .success(.append(reply)):
                oracle.appended(record, to: path, handle: lease.handle, index: index ?? 0, offset: reply.offset,
                                sent: sent, at: scheduler.now)
                later(scheduler.draw(100_000_000...600_000_000)) { [self] in next() }
            case let .failure(error) where error.code == .chunkFull:
                index = (index ?? 0) + 1
                self.lease = nil
                allocate(record, tries: tries, retry)
            default:
                retry()
            }
        }
    }

    /// Finds the last chunk (creating the first), then its lease.
    private func locate(_ record: UInt64, tries: Int, _ retry: @escaping () -> Void) {
        if index != nil { return allocate(record, tries: tries, retry) }
        call(0, timeout: callTimeout, { .master(call: $0, .lookup(path), report: []) }) { [self] result in
            guard case let .success(.layout(layout)) = result else { return retry() }
            index = max(0, layout.chunks.count - 1)
            allocate(record, tries: tries, retry)
        }
    }

    private func allocate(_ record: UInt64, tries: Int, _ retry: @escaping () -> Void) {
        let index = self.index ?? 0
        call(0, timeout: callTimeout, { .master(call: $0, .allocate(path, index: index), report: []) }) { [self] result in
            guard case let .success(.location(location)) = result else { return retry() }
            call(0, timeout: callTimeout, { .master(call: $0, .lease(location.handle), report: []) }) { [self] result in
                guard case let .success(.lease(info)) = result else { return retry() }
                lease = info
                attempt(record, tries: tries + 1)
            }
        }
    }
}
