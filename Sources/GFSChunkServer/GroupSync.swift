import GFSProtocol

/// Group commit of chunk mutations, as a database commits its log: a caller is answered once an fdatasync that
/// began after its mutation was applied has finished. While one sync of a chunk runs, later callers wait for
/// it and then share the next one, so N concurrent mutations cost about two syncs instead of N.
actor GroupSync {
    private var syncing: Set<ChunkHandle> = []
    private var waiting: [ChunkHandle: [CheckedContinuation<Void, Never>]] = [:]
    private let store: ChunkStore
    private let onDisk: @Sendable (@escaping @Sendable () throws(GFSError) -> Void) async throws(GFSError) -> Void

    init(store: ChunkStore,
         onDisk: @escaping @Sendable (@escaping @Sendable () throws(GFSError) -> Void) async throws(GFSError) -> Void) {
        self.store = store
        self.onDisk = onDisk
    }

    /// Callers of `sync(handle)` waiting for a sync of it that is running.
    func waiters(for handle: ChunkHandle) -> Int { waiting[handle]?.count ?? 0 }

    /// Returns when every mutation of `handle` applied before the call is durable.
    func sync(_ handle: ChunkHandle) async throws(GFSError) {
        guard let replica = store.replica(handle) else { throw GFSError(.notFound, "chunk \(handle) not held here") }
        let target = replica.state.withLockedValue { $0.applied }
        while replica.state.withLockedValue({ $0.durable }) < target {
            if syncing.contains(handle) {
                await withCheckedContinuation { waiting[handle, default: []].append($0) }
                continue
            }
            syncing.insert(handle)
            let result: GFSError?
            do {
                try await onDisk { [store] () throws(GFSError) in try store.sync(handle, replica) }
                result = nil
            } catch {
                result = error
            }
            syncing.remove(handle)
            for waiter in waiting.removeValue(forKey: handle) ?? [] { waiter.resume() }
            if let result { throw result }
        }
    }
}
