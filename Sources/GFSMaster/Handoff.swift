import Foundation
import GFSProtocol

/// Batches passed from one thread to another in order, at most `depth` waiting, then the producer's outcome:
/// a two-stage pipeline for work that holds a thread anyway (a restart), not for the request path.
final class Handoff<Batch: Sendable, Outcome: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let depth: Int
    // Guarded by `condition`.
    private var batches: [Batch] = []
    private var result: Outcome?
    private var cancelled = false

    init(depth: Int) { self.depth = max(depth, 1) }

    /// Runs `produce` on a thread of its own, handing each batch it puts to `consume` on this thread, and
    /// returns what `produce` returned. If `consume` throws, later batches are dropped and the error thrown.
    static func pipeline<Failure: Error>(depth: Int = 8, _ produce: @escaping @Sendable (_ put: (Batch) -> Void) -> Outcome,
                                         consume: (Batch) throws(Failure) -> Void) throws(Failure) -> Outcome {
        let handoff = Handoff(depth: depth)
        Thread { handoff.finish(produce { handoff.put($0) }) }.start()
        do {
            while let batch = handoff.take() { try consume(batch) }
        } catch {
            handoff.cancel()
            throw error
        }
        return handoff.outcome
    }

    /// Hands `batch` on, waiting while `depth` batches are waiting already; dropped once cancelled.
    private func put(_ batch: Batch) {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= depth, !cancelled { condition.wait() }
        guard !cancelled else { return }
        batches.append(batch)
        condition.broadcast()
    }

    private func finish(_ outcome: Outcome) {
        condition.lock()
        defer { condition.unlock() }
        result = outcome
        condition.broadcast()
    }

    private func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        batches.removeAll()
        condition.broadcast()
    }

    /// The next batch, waiting for one; nil once the producer is done and every batch was taken.
    private func take() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty, result == nil { condition.wait() }
        guard !batches.isEmpty else { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
    }

    /// The producer's outcome, waiting for it.
    private var outcome: Outcome {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result { return result }
            condition.wait()
        }
    }
}
