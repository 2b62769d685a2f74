import NIOConcurrencyHelpers

/// A client's pipelined requests on one connection, answered in order but not one fsync each: a mutation
/// starts as soon as the request before it has queued its mutations for the log (its first commit) or has
/// finished, so mutations pipelined on one connection share group commits as concurrent connections' do.
/// A read waits until the request before it has finished: it must not tell of a mutation whose fsync could
/// still fail and be undone. Replies go out in request order, each only once its own mutations are durable.
struct RequestPipeline {
    /// Verbs a client pipelines: namespace changes, and STAT. Anything else (a chunkserver's REGISTER, a long
    /// TAIL, an LS or LOOKUP whose reply may be large) waits for the pipeline to empty and is answered alone,
    /// as before, so at most `depth` small replies wait to be sent.
    static let mutations: Set<String> = ["CREATE", "MKDIR", "RM", "MV", "SETSIZE", "ALLOCATE", "LEASE", "UNDELETE", "SETREP"]
    static let reads: Set<String> = ["STAT"]
    /// Requests of one connection under way at once: a client that sends without reading replies is held
    /// here, so its memory stays bounded.
    static let depth = 256

    /// Opened once the request it belongs to may be followed by a mutation: its mutations are in the log's
    /// queue. Set for the task answering a pipelined request; `MasterService.commit` opens it.
    @TaskLocal static var applied: Latch?

    private var sends: [Task<Void, Never>] = []
    private var lastApplied: Latch?
    private var lastDone: Latch?
    /// Opened once the last submitted reply has been sent.
    private var lastSent: Latch?

    /// Whether `verb` is answered in the pipeline.
    static func takes(_ verb: String) -> Bool { mutations.contains(verb) || reads.contains(verb) }

    /// Starts answering a request once the previous one has applied (a mutation) or finished (a read); its
    /// reply is sent after the previous reply. Waits first while `depth` requests are under way. A read with
    /// nothing before it under way is answered at once, with no task: a client that does not pipeline pays
    /// nothing for the pipeline.
    mutating func submit<Answer: Sendable>(_ verb: String, _ answer: @escaping @Sendable () async -> Answer,
                                           send: @escaping @Sendable (Answer) async -> Void) async {
        let read = Self.reads.contains(verb)
        if read, lastSent?.isOpen ?? true {
            sends.removeAll()
            (lastApplied, lastDone, lastSent) = (nil, nil, nil)
            await send(await answer())
            return
        }
        if sends.count >= Self.depth { await sends.removeFirst().value }
        let previous = read ? lastDone : lastApplied
        let (applied, done, sent) = (Latch(), Latch(), Latch())
        let before = sends.last
        sends.append(Task {
            await previous?.wait()
            let answer = await Self.$applied.withValue(applied) { await answer() }
            applied.open()
            done.open()
            await before?.value
            await send(answer)
            sent.open()
        })
        (lastApplied, lastDone, lastSent) = (applied, done, sent)
    }

    /// Waits until every reply submitted so far has been sent.
    mutating func drain() async {
        await sends.last?.value
        sends.removeAll()
        (lastApplied, lastDone, lastSent) = (nil, nil, nil)
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

    var isOpen: Bool { state.withLockedValue { $0.open } }

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
