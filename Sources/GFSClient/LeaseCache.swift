import GFSProtocol

/// Leases the client learnt from the master, reused until shortly before they end, so a stream of writes to
/// one chunk asks the master once (GFS §3.1: the client caches the primary and secondaries).
actor LeaseCache {
    private var leases: [ChunkHandle: (lease: LeaseInfo, until: ContinuousClock.Instant)] = [:]

    /// A lease on `handle` from the cache, or from `master`.
    func lease(_ handle: ChunkHandle, from master: MasterClient) async throws(GFSError) -> LeaseInfo {
        if let cached = leases[handle], ContinuousClock.now < cached.until { return cached.lease }
        let lease = try await master.lease(handle)
        // Stop using it a little before the master's deadline; the master extends it while we write.
        let margin = min(lease.remaining / 4, .seconds(2))
        if leases.count > 1024 { leases.removeAll() }
        leases[handle] = (lease, .now + lease.remaining - margin)
        return lease
    }

    /// Forgets the lease on `handle` (after any failed mutation through it).
    func invalidate(_ handle: ChunkHandle) { leases[handle] = nil }
}
