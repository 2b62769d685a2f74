import GFSProtocol
import NIOConcurrencyHelpers

/// A client's pipelined requests on one connection, answered in batches: the event loop (`RequestRouter`)
/// or the connection's loop queues them as they arrive, and one worker takes everything queued at once, has
/// the master answer it with one fsync and one publish (`MasterService.handle(batch:caller:)`), and writes
/// the replies with one flush. While a
/// batch waits for its fsync the next one queues up, so a connection that pipelines shares group commits as
/// concurrent connections do, and a client that does not pipeline has batches of one.
final class RequestPipeline: Sendable {
    /// Verbs a client pipelines: namespace changes, and STAT. Anything else (a chunkserver's REGISTER, a long
    /// TAIL, an LS or LOOKUP whose reply may be large) waits for the pipeline to empty and is answered alone,
    /// so at most `depth` small replies wait to be sent.
    static let verbs: Set<String> = ["CREATE", "MKDIR", "RM", "MV", "SETSIZE", "ALLOCATE", "LEASE", "UNDELETE", "SETREP", "STAT"]
    /// Requests of one connection queued at once, beside the batch under way: a client that sends without
    /// reading replies is held here (its connection is not read on), so its memory stays bounded.
    static let depth = 1024

    /// Opened once the request it belongs to may be followed by the next in its batch: its mutations are in
    /// the log's queue. Set for a request the batch hands to a task of its own; `MasterService.commit` opens it.
    @TaskLocal static var applied: Latch?

    private struct State {
        var queue: [Line] = []
        /// Whether the worker holds a batch it has not finished.
        var busy = false
        var closed = false
        var worker: CheckedContinuation<[Line]?, Never>?
        /// The loop, waiting for room in the queue or for the pipeline to empty.
        var loop: CheckedContinuation<Void, Never>?
        var loopWantsEmpty = false
    }

    private let state = NIOLockedValueBox(State())

    /// Whether `verb` is answered in the pipeline.
    static func takes(_ verb: String) -> Bool { verbs.contains(verb) }

    /// Queues a request; first waits while `depth` requests are queued.
    func submit(_ line: Line) async {
        await waitForLoop(wantsEmpty: false)
        let worker = state.withLockedValue { state -> CheckedContinuation<[Line]?, Never>? in
            state.queue.append(line)
            return takeBatch(&state)
        }
        worker?.resume(returning: [line])
    }

    /// Queues a request without waiting, from the event loop (`RequestRouter`); false when `depth` requests
    /// are queued or the pipeline is closed: the caller then hands the request to the connection's loop.
    func offer(_ line: Line) -> Bool {
        let (queued, worker) = state.withLockedValue { state -> (Bool, CheckedContinuation<[Line]?, Never>?) in
            guard !state.closed, state.queue.count < Self.depth else { return (false, nil) }
            state.queue.append(line)
            return (true, takeBatch(&state))
        }
        worker?.resume(returning: [line])
        return queued
    }

    /// Waits until every request queued so far has been answered and its reply written.
    func drain() async { await waitForLoop(wantsEmpty: true) }

    /// No more requests will come: the worker ends once the queue is empty.
    func close() {
        let worker = state.withLockedValue { state -> CheckedContinuation<[Line]?, Never>? in
            state.closed = true
            defer { state.worker = nil }
            return state.queue.isEmpty && !state.busy ? state.worker : nil
        }
        worker?.resume(returning: nil)
    }

    /// The worker's next batch: every request queued, once there is one; nil once closed and empty.
    func next() async -> [Line]? {
        await withCheckedContinuation { continuation in
            let batch = state.withLockedValue { state -> [Line]?? in
                state.busy = false
                if !state.queue.isEmpty {
                    state.busy = true
                    defer { state.queue.removeAll(keepingCapacity: true) }
                    return .some(state.queue)
                }
                if state.closed { return .some(nil) }
                state.worker = continuation
                return .none
            }
            // The finished batch may have made room, or emptied the pipeline, for a waiting loop.
            wakeLoop()
            if let batch { continuation.resume(returning: batch) }
        }
    }

    /// Hands the queue to a waiting worker (called with the lock held, just after queueing one request).
    private func takeBatch(_ state: inout State) -> CheckedContinuation<[Line]?, Never>? {
        guard let worker = state.worker else { return nil }
        state.worker = nil
        state.busy = true
        state.queue.removeAll(keepingCapacity: true)
        return worker
    }

    private func waitForLoop(wantsEmpty: Bool) async {
        while !canGo(wantsEmpty: wantsEmpty) {
            await withCheckedContinuation { continuation in
                let go = state.withLockedValue { state -> Bool in
                    if Self.canGo(state, wantsEmpty: wantsEmpty) { return true }
                    (state.loop, state.loopWantsEmpty) = (continuation, wantsEmpty)
                    return false
                }
                if go { continuation.resume() }
            }
        }
    }

    private func canGo(wantsEmpty: Bool) -> Bool { state.withLockedValue { Self.canGo($0, wantsEmpty: wantsEmpty) } }

    private static func canGo(_ state: State, wantsEmpty: Bool) -> Bool {
        let underWay = state.queue.count + (state.busy ? 1 : 0)
        return wantsEmpty ? underWay == 0 : state.queue.count < depth
    }

    private func wakeLoop() {
        let loop = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard let loop = state.loop, Self.canGo(state, wantsEmpty: state.loopWantsEmpty) else { return nil }
            state.loop = nil
            return loop
        }
        loop?.resume()
    }
}

/// Opens once; whoever waits before or after goes on.
final class Latch: Sendable {
    private let state = NIOLockedValueBox<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            guard !state.open else { return [] }
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let go = state.withLockedValue { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if go { continuation.resume() }
        }
    }
}
