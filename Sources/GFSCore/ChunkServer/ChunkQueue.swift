/// Each chunk's queue on a chunkserver: its mutations, GRANTs, REVOKEs and clones run one at a time, in
/// arrival order, so secondaries see mutations in serial order and a new version never overtakes a mutation
/// admitted under the old one. Pure: a `Waiter` is whatever resumes the caller (a continuation, a closure).
public struct ChunkQueue<Waiter> {
    private var busy: Set<ChunkHandle> = []
    private var waiting: [ChunkHandle: [Waiter]] = [:]

    /// No chunk busy.
    public init() {}

    /// `waiter` wants `handle`: true when it may run at once (the chunk is now busy), false when it was queued
    /// to be handed the chunk by `leave`.
    public mutating func enter(_ handle: ChunkHandle, _ waiter: Waiter) -> Bool {
        guard busy.contains(handle) else {
            busy.insert(handle)
            return true
        }
        waiting[handle, default: []].append(waiter)
        return false
    }

    /// The running work on `handle` is done: the next waiter, which now holds the chunk, or nil when the chunk
    /// is free.
    public mutating func leave(_ handle: ChunkHandle) -> Waiter? {
        guard var queue = waiting[handle], !queue.isEmpty else {
            busy.remove(handle)
            return nil
        }
        let next = queue.removeFirst()
        waiting[handle] = queue.isEmpty ? nil : queue
        return next
    }

    /// Whether work on `handle` is running.
    public func isBusy(_ handle: ChunkHandle) -> Bool { busy.contains(handle) }
}

extension ChunkQueue: Sendable where Waiter: Sendable {}
