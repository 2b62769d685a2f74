/// A chunkserver's decisions about mutations (GFS §3.1, §3.3, §4.5), shared by the real ChunkService and the
/// simulation's chunkserver: which lease a mutation goes through and whom it reaches, its serial number and
/// offset, whether a record fits, what a secondary may apply, and what a GRANT does to the lease. Pure: the
/// replica's version and length come from the caller's disk, time from its clock. The I/O (writing, forwarding,
/// syncing) is the caller's, in the order these decisions give.
public struct ChunkServerState: Sendable {
    /// This server, as named in errors.
    public let address: ServerID
    /// The leases held as primary.
    public private(set) var leases = PrimaryLeases()
    private var order = MutationOrder()
    /// The master's chunk size; nothing may be written past it. Learnt at registration.
    public var chunkSize: Int64

    /// A server holding no lease.
    public init(address: ServerID, chunkSize: Int64) {
        self.address = address
        self.chunkSize = chunkSize
    }

    // MARK: - Primary

    /// The highest chunk version whose mutations can be numbered: a serial holds the version in its high 32 bits.
    public static let highestNumberedVersion = MutationOrder.highestVersion

    /// What a primary does with a mutation whose turn came.
    public struct Ordered: Sendable, Equatable {
        /// Its number in the chunk's order; every replica applies it at this place.
        public let serial: UInt64
        /// The replicas it must reach besides this one: the ones the master granted with the lease.
        public let secondaries: [ServerID]
        /// Where its bytes go; nil when a record does not fit, and the chunk is padded to `paddedSize` instead
        /// (the client is told CHUNKFULL and goes on to the next chunk).
        public let offset: Int64?
        public let paddedSize: Int64
    }

    /// A WRITE of `count` bytes at `offset` arriving: refused now if no lease is held or it passes the chunk.
    public func admitWrite(_ handle: ChunkHandle, version: ChunkVersion, offset: Int64, count: Int64,
                           at now: Instant) throws(GFSError) {
        _ = try authorize(handle, version: version, at: now)
        try checkBounds(handle, offset: offset, count: count)
    }

    /// An APPEND of a `count`-byte record arriving: refused now if no lease is held or it is over a quarter
    /// chunk, which GFS §3.3 bounds so padding wastes at most that much.
    public func admitAppend(_ handle: ChunkHandle, version: ChunkVersion, count: Int64, at now: Instant) throws(GFSError) {
        _ = try authorize(handle, version: version, at: now)
        guard count <= chunkSize / 4 else {
            throw GFSError(.tooLarge, "record of \(count) bytes exceeds a quarter chunk (\(chunkSize / 4) bytes)")
        }
    }

    /// The mutation's turn in the chunk's queue came (every earlier one is applied): the lease and version are
    /// checked now, not at arrival, since it may have waited while the lease ended or moved on. `target` is a
    /// WRITE's offset, nil for an APPEND at the replica's end. `held` and `length` are the replica's.
    public mutating func order(_ handle: ChunkHandle, version: ChunkVersion, held: ChunkVersion?, length: Int64,
                               count: Int64, at target: Int64?, now: Instant) throws(GFSError) -> Ordered {
        let secondaries = try authorize(handle, version: version, at: now)
        try checkVersion(handle, version, held: held)
        // A WRITE is bounded before it takes a serial (the chunk size may have been learnt again meanwhile).
        if let target { try checkBounds(handle, offset: target, count: count) }
        // A version past 32 bits (over four billion leases on one chunk) would wrap in the serial's high bits
        // and number below the last lease (found by the fuzzer): such a chunk takes no more mutations.
        guard version <= Self.highestNumberedVersion else {
            throw GFSError(.tooLarge, "chunk \(handle): version \(version) is past \(Self.highestNumberedVersion), its mutations cannot be numbered")
        }
        guard let serial = order.nextSerial(for: handle, version: version) else {
            // This lease's numbers are used up. Given up here, and not extended, it ends; the master's next
            // lease is at a new version, whose numbers start over above these.
            leases.revoked(handle)
            throw GFSError(.notPrimary, "chunk \(handle): the lease at version \(version) has numbered all the mutations it can; a new lease is needed")
        }
        leases.noteMutation(handle)
        let offset = target ?? length
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard !overflow, end <= chunkSize else {
            return Ordered(serial: serial, secondaries: secondaries, offset: nil, paddedSize: chunkSize)
        }
        return Ordered(serial: serial, secondaries: secondaries, offset: offset, paddedSize: chunkSize)
    }

    /// Checked again before acknowledging: a mutation whose lease ended, or was revoked or re-issued, while
    /// it was forwarded and synced is reported failed, so nothing is acknowledged outside a lease (DESIGN.md §6).
    public func confirm(_ handle: ChunkHandle, version: ChunkVersion, at now: Instant) throws(GFSError) {
        _ = try authorize(handle, version: version, at: now)
    }

    /// How long a forwarded APPLY or PAD may take: no longer than the lease has left, since the chunk's queue
    /// (and any GRANT or REVOKE in it) waits for it, and past the lease it could not be acknowledged anyway.
    public func orderingTimeout(_ handle: ChunkHandle, at now: Instant, forwardTimeout: Duration) -> Duration {
        let left = leases.lease(handle)?.expires.duration(since: now) ?? .zero
        return max(.milliseconds(100), min(forwardTimeout, left))
    }

    // MARK: - Secondary

    /// An APPLY arriving: refused now if it passes the chunk.
    public func admitApply(_ handle: ChunkHandle, offset: Int64, count: Int64) throws(GFSError) {
        try checkBounds(handle, offset: offset, count: count)
    }

    /// A PAD arriving: refused if it passes the chunk.
    public func admitPad(_ handle: ChunkHandle, size: Int64) throws(GFSError) {
        guard size <= chunkSize else { throw GFSError(.tooLarge, "pad of chunk \(handle) past the chunk size \(chunkSize)") }
    }

    /// Whether a secondary may apply the primary's mutation `serial` now, on a replica at `held`: at the
    /// lease's version, and past every serial applied, so a retried or reordered forward never lands out of order.
    public func mayApply(_ handle: ChunkHandle, version: ChunkVersion, serial: UInt64, held: ChunkVersion?) throws(GFSError) {
        try checkVersion(handle, version, held: held)
        // A primary puts its lease's version in a serial's high bits (`order`). One that claims another
        // version would raise the count this server numbers from if it became primary at this version, and
        // its serials would then wrap and go back (found by the fuzzer).
        guard version <= Self.highestNumberedVersion, serial >> 32 == version else {
            throw GFSError(.badRequest, "chunk \(handle): serial \(serial) is not of version \(version)")
        }
        guard order.isNew(serial, for: handle) else {
            throw GFSError(.badRequest, "chunk \(handle): serial \(serial) already passed")
        }
    }

    /// The mutation `serial` was applied (written) here; only now does it count as passed.
    public mutating func applied(_ serial: UInt64, to handle: ChunkHandle) {
        _ = order.accept(serial, for: handle)
    }

    // MARK: - The master's instructions

    /// A GRANT whose new version is on disk: with a lease (`leaseMilliseconds`) this server is primary,
    /// forwarding to exactly `secondaries`, timed from the grant's `arrival` (before the version's fsync); without
    /// one, any lease it held at an older version is void.
    public mutating func granted(_ handle: ChunkHandle, version: ChunkVersion, leaseMilliseconds: Int64?,
                                 secondaries: [ServerID], arrival: Instant) {
        if let leaseMilliseconds {
            leases.granted(handle, version: version, secondaries: secondaries,
                           duration: .milliseconds(leaseMilliseconds), arrival: arrival)
        } else {
            leases.versionChanged(handle, to: version)
        }
    }

    /// REVOKE before a snapshot: no lease on `handle` up to `version` counts from now on.
    public mutating func revoked(_ handle: ChunkHandle, through version: ChunkVersion) {
        leases.revoked(handle, through: version)
    }

    /// The replica is gone (deleted, or quarantined as corrupt): so is its lease.
    public mutating func dropped(_ handle: ChunkHandle) { leases.revoked(handle) }

    /// The master extended a lease in answer to a heartbeat sent at `sent`.
    public mutating func extended(_ handle: ChunkHandle, version: ChunkVersion, duration: Duration, sent: Instant) {
        leases.extended(handle, version: version, duration: duration, sent: sent)
    }

    /// The leases to ask the master to extend at this heartbeat.
    public mutating func leasesToExtend(at now: Instant) -> [ChunkHandle] { leases.leasesToExtend(at: now) }

    /// Whether a copy of `handle` at `version`, fetched for re-replication, may replace the replica held
    /// here (at `held`), decided in the chunk's queue just before installing it: a copy is slow, and a grant
    /// may have moved this replica past it meanwhile (chaos seed 62: a late copy at v2 overwrote a replica a
    /// lease had moved to v3, and with it an acknowledged write).
    public static func installsCopy(at version: ChunkVersion, over held: ChunkVersion?) -> Bool {
        held.map { $0 < version } ?? true
    }

    // MARK: - Checks

    private func authorize(_ handle: ChunkHandle, version: ChunkVersion, at now: Instant) throws(GFSError) -> [ServerID] {
        do { return try leases.authorize(handle, version: version, at: now) } catch {
            throw GFSError(error.code, "\(address) \(error.message)")
        }
    }

    private func checkVersion(_ handle: ChunkHandle, _ version: ChunkVersion, held: ChunkVersion?) throws(GFSError) {
        // UNAVAILABLE, not NOTFOUND: the replica went (quarantined or deleted) while the master still lists it,
        // and the writer should ask for a new lease rather than give up.
        guard let held else { throw GFSError(.unavailable, "chunk \(handle) not held on \(address)") }
        guard held == version else {
            throw GFSError(.stale, "chunk \(handle) on \(address) is at version \(held), request has \(version)")
        }
    }

    private func checkBounds(_ handle: ChunkHandle, offset: Int64, count: Int64) throws(GFSError) {
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard offset >= 0, count >= 0, !overflow, end <= chunkSize else {
            throw GFSError(.tooLarge, "chunk \(handle): write of \(count) bytes at \(offset) passes the chunk size \(chunkSize)")
        }
    }
}
