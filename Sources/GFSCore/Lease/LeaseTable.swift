/// Primary leases (GFS §3.1): at most one primary per chunk, and never a second lease before the first has
/// expired, even when the master cannot reach the first primary.
public struct LeaseTable: Sendable {
    /// A granted lease.
    public struct Lease: Sendable, Equatable {
        /// The replica that orders mutations.
        public var primary: ServerID
        /// The chunk version the lease was granted at.
        public var version: ChunkVersion
        /// The replicas the primary forwards every mutation to, as granted; the set only shrinks during a
        /// lease, and each shrink moves the version on (DESIGN.md §6).
        public var secondaries: [ServerID]
        /// Whether the primary may have the lease: it confirmed it, or it may have applied it after the master
        /// stopped waiting. Such a lease is never withdrawn early.
        public var delivered = false
        /// Whether the primary confirmed it and its version is durably recorded: only then is it handed to
        /// clients. A lease nobody confirmed is re-issued at a newer version instead, so no client ever holds
        /// a version the master might not know after a restart.
        public var recorded = false
        /// When the lease stops being valid on the master's clock.
        public var expires: Instant
    }

    private var leases: [ChunkHandle: Lease] = [:]

    /// An empty table.
    public init() {}

    /// The lease on `handle` if it is still valid at `now`.
    public func current(_ handle: ChunkHandle, at now: Instant) -> Lease? {
        guard let lease = leases[handle], lease.expires > now else { return nil }
        return lease
    }

    /// Records a new lease; the caller must have checked that no valid lease exists.
    public mutating func grant(_ handle: ChunkHandle, to primary: ServerID, version: ChunkVersion,
                               secondaries: [ServerID], at now: Instant, duration: Duration) -> Lease {
        precondition(current(handle, at: now) == nil, "second lease on \(handle) before expiry")
        let lease = Lease(primary: primary, version: version, secondaries: secondaries,
                          expires: now.advanced(by: duration))
        leases[handle] = lease
        return lease
    }

    /// Re-issues the current lease to the same primary at a newer `version` with fewer `secondaries`, after
    /// some of them were lost; it runs a full duration from `now` (HDFS bumps a block's generation stamp
    /// the same way when a pipeline drops a replica). Returns nil when no lease is current.
    public mutating func reissue(_ handle: ChunkHandle, version: ChunkVersion, secondaries: [ServerID], at now: Instant,
                                 duration: Duration) -> Lease? {
        guard var lease = current(handle, at: now) else { return nil }
        lease.version = version
        lease.secondaries = secondaries
        lease.recorded = false
        lease.expires = max(lease.expires, now.advanced(by: duration))
        leases[handle] = lease
        return lease
    }

    /// The primary may hold the lease (it was reached, whether or not it answered in time).
    public mutating func markDelivered(_ handle: ChunkHandle) { leases[handle]?.delivered = true }

    /// The primary confirmed the lease at `version` and the version is on disk: clients may be given it.
    public mutating func markRecorded(_ handle: ChunkHandle, version: ChunkVersion) {
        guard leases[handle]?.version == version else { return }
        leases[handle]?.delivered = true
        leases[handle]?.recorded = true
    }

    /// Extends the lease held by `primary` (GFS §3.1: extensions ride on heartbeats). Returns the new expiry,
    /// or nil when `primary` does not hold a valid lease on `handle`.
    public mutating func extend(_ handle: ChunkHandle, heldBy primary: ServerID, at now: Instant,
                                duration: Duration) -> Instant? {
        guard var lease = current(handle, at: now), lease.primary == primary else { return nil }
        lease.expires = max(lease.expires, now.advanced(by: duration))
        leases[handle] = lease
        return lease.expires
    }

    /// Forgets a lease that was certainly never delivered to its primary, so a new one may be granted now.
    public mutating func withdrawUndelivered(_ handle: ChunkHandle) {
        guard leases[handle]?.delivered == false else { return }
        leases.removeValue(forKey: handle)
    }

    /// Forgets a lease its primary confirmed giving up (REVOKE), so a new one may be granted now.
    public mutating func revoked(_ handle: ChunkHandle) {
        leases.removeValue(forKey: handle)
    }

    /// Number of leases valid at `now`.
    public func activeCount(at now: Instant) -> Int { leases.values.filter { $0.expires > now }.count }

    /// Drops expired leases so the table does not grow without bound.
    public mutating func removeExpired(at now: Instant) {
        leases = leases.filter { $0.value.expires > now }
    }
}
