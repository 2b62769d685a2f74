import NIOConcurrencyHelpers

/// A client's pipelined requests on one connection, answered in order but not one fsync each: request N+1
/// starts as soon as request N has applied its mutations and queued them for the log (or has finished), so
/// mutations pipelined on one connection share group commits as concurrent connections' do. Replies still
/// go out in request order, each only once its own mutations are durable.
struct RequestPipeline {
    /// Verbs a client pipelines: namespace reads and changes. Anything else (a chunkserver's REGISTER, a long
    /// TAIL) waits for the pipeline to empty and is answered alone, as before.
    static let pipelined: Set<String> = ["CREATE", "MKDIR", "STAT", "LS", "LOOKUP", "RM", "MV", "SETSIZE", "ALLOCATE",
                                         "LEASE", "UNDELETE", "DU", "QUOTAS", "SETREP"]
    /// Requests of one connection under way at once: a client that sends without reading replies is held
    /// here, so its memory stays bounded.
    static let depth = 256

    /// Opened once the request it belongs to may be followed: its mutations are in the log's queue.
    /// Set for the task answering a pipelined request; `MasterService.commit` opens it.
    @TaskLocal static var applied: Latch?

    private var sends: [Task<Void, Never>] = []
    private var lastApplied: Latch?

    /// Starts answering a request after the previous one has applied; its reply is sent after the previous
    /// reply. Waits first while `depth` requests are under way.
    mutating func submit<Answer: Sendable>(_ answer: @escaping @Sendable () async -> Answer,
                                           send: @escaping @Sendable (Answer) async -> Void) async {
        if sends.count >= Self.depth { await sends.removeFirst().value }
        let previous = lastApplied
        let applied = Latch()
        let answering = Task {
            await previous?.wait()
            let answer = await Self.$applied.withValue(applied) { await answer() }
            applied.open()
            return answer
        }
        let before = sends.last
        sends.append(Task {
            let answer = await answering.value
            await before?.value
            await send(answer)
        })
        lastApplied = applied
    }

    /// Waits until every reply submitted so far has been sent.
    mutating func drain() async {
        await sends.last?.value
        sends.removeAll()
        lastApplied = nil
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
