/// The leases a chunkserver holds as primary (GFS §3.1), decided here and carried out by the chunkserver's
/// I/O layer: pure, with time passed in from the server's own monotonic clock.
///
/// The rules it keeps (DESIGN.md §6):
/// - the secondaries a primary forwards to are the ones the master granted with the lease, never a client's;
/// - the lease is checked when a mutation is applied, not when it is admitted;
/// - the lease runs from when the grant *arrived* (before any fsync), less a margin, so it always ends here
///   before it ends on the master, which timed it from before it sent the grant;
/// - an extension names the version it extends, so a late one cannot bring back a revoked or replaced lease.
public struct PrimaryLeases: Sendable {
    /// One lease held.
    public struct Held: Sendable, Equatable {
        /// The chunk version the lease was granted at; mutations must carry it.
        public var version: ChunkVersion
        /// The replicas every mutation must reach besides this one.
        public var secondaries: [ServerID]
        /// When the lease stops being valid here.
        public var expires: Instant
    }

    private var held: [ChunkHandle: Held] = [:]
    /// The highest lease version revoked per chunk: a grant at or below it arriving late is not a lease.
    private var revokedThrough: [ChunkHandle: ChunkVersion] = [:]
    /// Chunks mutated since the last heartbeat: their leases are asked to be extended.
    private var active: Set<ChunkHandle> = []

    /// No leases.
    public init() {}

    /// The part of a lease given up to clock differences: a tenth of it, at most a second.
    public static func margin(of duration: Duration) -> Duration { min(duration / 10, .seconds(1)) }

    /// A GRANT with a lease arrived at `arrival`: this server is primary for `handle` at `version`. A grant at
    /// a newer version replaces the old lease whole (a smaller replica set after a failure, GFS §4.5).
    public mutating func granted(_ handle: ChunkHandle, version: ChunkVersion, secondaries: [ServerID],
                                 duration: Duration, arrival: Instant) {
        if let current = held[handle], current.version > version { return }
        if let revoked = revokedThrough[handle], version <= revoked { return }
        let expires = arrival.advanced(by: duration - Self.margin(of: duration))
        held[handle] = Held(version: version, secondaries: secondaries, expires: expires)
    }

    /// The master extended the lease on `handle` at `version`, in answer to a request sent at `sent`. Ignored
    /// unless that exact lease is still held: a revoked or superseded lease stays gone.
    @discardableResult
    public mutating func extended(_ handle: ChunkHandle, version: ChunkVersion, duration: Duration,
                                  sent: Instant) -> Bool {
        guard var lease = held[handle], lease.version == version, lease.expires > sent else { return false }
        lease.expires = max(lease.expires, sent.advanced(by: duration - Self.margin(of: duration)))
        held[handle] = lease
        return true
    }

    /// The lease on `handle` is given up (the replica is deleted).
    public mutating func revoked(_ handle: ChunkHandle) {
        held[handle] = nil
        active.remove(handle)
    }

    /// REVOKE before a snapshot: every lease on `handle` up to `version` is void, also one whose grant is
    /// still on its way here (the master may have sent it just before the snapshot began).
    public mutating func revoked(_ handle: ChunkHandle, through version: ChunkVersion) {
        if let lease = held[handle], lease.version <= version { revoked(handle) }
        revokedThrough[handle] = max(revokedThrough[handle] ?? 0, version)
    }

    /// The replica took a version newer than its lease without a lease (a grant to it as a secondary): any
    /// lease it held at an older version is void.
    public mutating func versionChanged(_ handle: ChunkHandle, to version: ChunkVersion) {
        if let lease = held[handle], lease.version <= version { revoked(handle) }
    }

    /// Whether a mutation at `version` may be applied now, and if so the secondaries it must reach.
    /// - Throws: NOTPRIMARY when no valid lease is held, STALE when the mutation names another version.
    public func authorize(_ handle: ChunkHandle, version: ChunkVersion, at now: Instant) throws(GFSError) -> [ServerID] {
        guard let lease = held[handle], lease.expires > now else {
            throw GFSError(.notPrimary, "holds no lease on chunk \(handle)")
        }
        guard lease.version == version else {
            throw GFSError(.stale, "chunk \(handle): the lease is at version \(lease.version), the request has \(version)")
        }
        return lease.secondaries
    }

    /// Whether a valid lease on `handle` is held at `now`.
    public func holds(_ handle: ChunkHandle, at now: Instant) -> Bool { (held[handle]?.expires ?? now) > now }

    /// The leases valid at `now` and how long each has left, for the master a chunkserver registers with.
    public func remaining(at now: Instant) -> [ChunkHandle: Duration] {
        held.filter { $0.value.expires > now }.mapValues { $0.expires.duration(since: now) }
    }

    /// The lease on `handle`, valid or not.
    public func lease(_ handle: ChunkHandle) -> Held? { held[handle] }

    /// A mutation went through `handle`'s lease: extend it at the next heartbeat.
    public mutating func noteMutation(_ handle: ChunkHandle) { active.insert(handle) }

    /// The leases to ask the master to extend (held, valid, and mutated since the last call); forgets expired ones.
    public mutating func leasesToExtend(at now: Instant) -> [ChunkHandle] {
        held = held.filter { $0.value.expires > now }
        let due = active.filter { held[$0] != nil }.sorted()
        active = []
        return due
    }
}
