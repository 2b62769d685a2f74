import GFSCore
import GFSProtocol

/// What travels between simulated roles: the protocol's typed requests and replies, never their text. Data
/// is modelled by record ids (a chunk holds a list of them), since the simulation checks order and presence,
/// not bytes; the byte-level checks are the real tests' and the fault-injection suite's.
public enum Message {
    /// To the master; a REGISTER or REPORT carries its chunk report.
    case master(call: UInt64, MasterRequest, report: [ReportedChunk])
    /// To a chunkserver; APPEND and APPLY carry the record (the PUSH that would precede them is folded in).
    case chunk(call: UInt64, ChunkRequest, record: UInt64)
    /// Chunkserver to chunkserver during re-replication: a replica's records at `version`.
    case copy(call: UInt64, ChunkHandle, version: ChunkVersion)
    case reply(call: UInt64, Result<Answer, GFSError>)
}

/// A reply's typed contents.
public enum Answer {
    case done
    case location(ChunkLocation)
    case layout(FileLayout)
    case lease(LeaseInfo)
    case register(RegisterReply)
    case instructions(InstructionsReply)
    case length(LengthReply)
    case append(AppendReply)
    case records([UInt64])
    /// A TAIL's log records (the real reply carries them encoded as the log file does).
    case log([Mutation])
}

/// The part every simulated role shares: its address, the network, and calls that wait for their reply
/// with a timeout, as a real connection's would.
open class Role {
    public let node: Int
    public let scheduler: Scheduler
    let network: Network<Int, Message>
    private struct PendingCall {
        let deadline: Int64
        let to: Int
        let done: (Result<Answer, GFSError>) -> Void
    }

    private var calls: [UInt64: PendingCall] = [:]
    private var nextCall: UInt64 = 0
    /// When the one timer that times out calls fires next (one event per role, not one per call: most calls
    /// are answered, and their timers were a third of all events).
    private var sweepAt: Int64 = .max
    /// Bumped by every crash, so timers and replies meant for an earlier incarnation do nothing.
    public private(set) var incarnation = 0
    public private(set) var isUp = true

    init(node: Int, scheduler: Scheduler, network: Network<Int, Message>) {
        self.node = node
        self.scheduler = scheduler
        self.network = network
    }

    /// Sends `message` built around a fresh call id; `done` runs once, with the reply or a timeout.
    func call(_ to: Int, timeout: Int64, _ message: (UInt64) -> Message,
              _ done: @escaping (Result<Answer, GFSError>) -> Void) {
        nextCall &+= 1
        let id = UInt64(node) << 40 | nextCall
        let deadline = scheduler.now &+ max(0, timeout)
        calls[id] = PendingCall(deadline: deadline, to: to, done: done)
        network.send(message(id), from: node, to: to)
        if deadline < sweepAt { sweep(at: deadline) }
    }

    private func sweep(at time: Int64) {
        sweepAt = time
        later(time - scheduler.now) { [self] in
            guard sweepAt == time else { return }  // an earlier sweep took over
            sweepAt = .max
            let now = scheduler.now
            let expired = calls.filter { $0.value.deadline <= now }.sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
            for (id, call) in expired {
                calls[id] = nil
                call.done(.failure(GFSError(.timeout, "no reply from node \(call.to)")))
            }
            if sweepAt == .max, let next = calls.values.map(\.deadline).min() { sweep(at: next) }
        }
    }

    func reply(_ to: Int, _ call: UInt64, _ result: Result<Answer, GFSError>) {
        network.send(.reply(call: call, result), from: node, to: to)
    }

    /// Runs `action` after `delay` unless this role crashes first.
    func later(_ delay: Int64, _ action: @escaping () -> Void) {
        let now = incarnation
        scheduler.after(delay) { [self] in
            if isUp, incarnation == now { action() }
        }
    }

    /// A message arrived (dropped while down).
    public func receive(_ message: Message, from: Int) {
        guard isUp else { return }
        if case let .reply(id, result) = message {
            calls.removeValue(forKey: id)?.done(result)
        } else {
            handle(message, from: from)
        }
    }

    /// Handles a request; roles override.
    open func handle(_ message: Message, from: Int) {}

    /// Power loss: volatile state and calls in flight are gone.
    open func crash() {
        isUp = false
        incarnation += 1
        calls = [:]
        sweepAt = .max
    }

    /// Back up after a crash.
    open func restart() { isUp = true }
}
