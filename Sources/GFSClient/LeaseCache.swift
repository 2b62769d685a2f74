import GFSCore
import GFSProtocol

/// Leases the client learnt from the master, reused until shortly before they end, so a stream of writes to
/// one chunk asks the master once (GFS §3.1: the client caches the primary and secondaries). The keeping is
/// GFSCore's `ExpiringCache`, as in the simulation's clients. Each lease is kept with the file it was asked
/// for: the master checked the chunk is that file's, and after a snapshot's copy-on-write the same handle
/// may be another file's (a snapshot's), whose lease must not serve a writer of the first.
actor LeaseCache {
    private var leases = ExpiringCache<ChunkHandle, (path: GFSPath, lease: LeaseInfo)>(capacity: 1024)
    private let clock: SystemClock

    init(clock: SystemClock) { self.clock = clock }

    /// A lease on `handle`, a chunk of `path`, from the cache, or from `master`.
    func lease(_ handle: ChunkHandle, of path: GFSPath, from master: MasterClient) async throws(GFSError) -> LeaseInfo {
        let asked = clock.now
        if let kept = leases.value(for: handle, at: asked), kept.path == path { return kept.lease }
        let lease = try await master.lease(handle, of: path)
        // Timed from before the request, so the client's use ends before the master's deadline.
        leases.keep((path, lease), for: handle, until: asked.advanced(by: ClientLease.usable(remaining: lease.remaining)))
        return lease
    }

    /// Forgets the lease on `handle` (after any failed mutation through it).
    func invalidate(_ handle: ChunkHandle) { leases.forget(handle) }
}
