import GFSClient
import GFSCore
import GFSProtocol

extension MasterService {
    /// What one request of a batch came to.
    private enum Outcome {
        /// Told as it is.
        case ready(Reply)
        /// Drawn from state not yet durable: told once it is (`settleHeld`).
        case held(Reply)
        /// Answered the usual way, in a task of its own.
        case running(Task<Reply, Never>)
    }

    static let logFailed = GFSError(.unavailable, "the operation log failed; this master tells nothing drawn from unlogged state")

    /// Answers a batch of one connection's pipelined requests (`RequestPipeline`), in order, each seeing the
    /// ones before it. The common ones (namespace changes and STAT, on locks no snapshot holds) are applied
    /// and logged at once, and their replies held until one wait makes them all durable and on the log
    /// replicas: a batch costs one fsync and one publish, not one each. Any other request settles the
    /// replies held before it, then runs the usual way in a task of its own; the next request starts once
    /// that one's mutations are queued for the log (a lease's grants to chunkservers overlap what follows),
    /// or, for a read, once every request before it is done.
    public func handle(batch lines: [Line], caller: PeerIdentity) async -> [Reply] {
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(lines.count)
        var heldFrom: Int?
        var reloadsWhenHeld = reloads
        var running = false
        for line in lines {
            let reloadsBefore = reloads
            if let outcome = answerAtOnce(line, caller: caller, behindUnsettled: heldFrom != nil || running) {
                if case .held = outcome {
                    if reloads != reloadsBefore, let from = heldFrom {
                        // The log failed under this request: the state was reloaded from disk, without the
                        // mutations held so far, and their sequence numbers will be handed out again.
                        for index in from..<outcomes.count { outcomes[index] = .ready(.error(Self.logFailed)) }
                        heldFrom = nil
                    }
                    if heldFrom == nil { (heldFrom, reloadsWhenHeld) = (outcomes.count, reloads) }
                }
                outcomes.append(outcome)
                continue
            }
            if let from = heldFrom { await settleHeld(&outcomes, from: from, reloadsWhenHeld: reloadsWhenHeld) }
            heldFrom = nil
            if line.verb == Verb.stat.rawValue {
                await finish(&outcomes)
                running = false
            }
            let applied = Latch()
            outcomes.append(.running(Task {
                let reply = await RequestPipeline.$applied.withValue(applied) {
                    await self.answer(line, payload: nil, caller: caller)
                }
                applied.open()
                return reply
            }))
            running = true
            await applied.wait()
        }
        if let from = heldFrom { await settleHeld(&outcomes, from: from, reloadsWhenHeld: reloadsWhenHeld) }
        await finish(&outcomes)
        var replies: [Reply] = []
        replies.reserveCapacity(lines.count)
        for (line, outcome) in zip(lines, outcomes) {
            guard case let .ready(reply) = outcome else { continue }  // every one is ready by now
            audit(line, verb: Verb(rawValue: line.verb), principal: caller.principal, address: caller.addressText,
                  reply: reply)
            replies.append(reply)
        }
        return replies
    }

    /// Waits for the requests running in tasks of their own.
    private func finish(_ outcomes: inout [Outcome]) async {
        for index in outcomes.indices {
            if case let .running(task) = outcomes[index] { outcomes[index] = .ready(await task.value) }
        }
    }

    /// The held replies from `from` on rest on the state as applied so far: they are told once that is
    /// durable and on the log replicas, or all become the error that kept it from being so. A refusal
    /// (EXISTS) or a STAT may tell of a mutation still on its way to disk, so it waits like an OK.
    private func settleHeld(_ outcomes: inout [Outcome], from: Int, reloadsWhenHeld: Int) async {
        var failure: GFSError?
        do throws(GFSError) {
            // A reload since (a failed write while this batch waited on another request) lost them.
            guard reloads == reloadsWhenHeld else { throw Self.logFailed }
            let sequence: UInt64
            do { sequence = try log.lastAssignedUnlessFailed() } catch {
                reloadAfterLogFailure()
                throw Self.logFailed
            }
            let view = state.readView
            // Once handing over, a refused mutation may be in the state and in no log; this view holds none.
            let publishable = role == .primary && !handingOver
            do throws(GFSError) { try await log.waitDurable(sequence) } catch {
                reloadAfterLogFailure()
                throw error
            }
            try checkNoReloadSince(reloadsWhenHeld)
            maybeCheckpoint()
            try await waitForReplicas(sequence)
            checkLeadership()
            if publishable { reads.publish(view, at: sequence) }
        } catch {
            failure = error
        }
        for index in from..<outcomes.count {
            guard case let .held(reply) = outcomes[index] else { continue }
            outcomes[index] = .ready(failure.map { .error($0) } ?? reply)
        }
    }

    /// Applies and logs `line` with no suspension, holding its reply until durable; nil when it must be
    /// answered the usual way: not a primary serving normally, a lock a snapshot or an allocation holds, a
    /// retry of a call still under way, a log replica overdue, or a verb that waits on chunkservers. A STAT
    /// with nothing unsettled before it is answered from the published view, as on the event loop.
    private func answerAtOnce(_ line: Line, caller: PeerIdentity, behindUnsettled: Bool) -> Outcome? {
        guard role == .primary, !handingOver, !log.hasFailed, overdueLogReplicas.isEmpty else { return nil }
        switch line.verb {
        case Verb.create.rawValue, Verb.mkdir.rawValue, Verb.rm.rawValue, Verb.mv.rawValue, Verb.setSize.rawValue,
             Verb.stat.rawValue:
            break
        default:
            return nil
        }
        checkLeadership()
        var request: MasterRequest
        let call: ClientCall?
        do throws(GFSError) {
            request = try MasterRequest(line)
            call = request.isRemembered ? try CallField.of(line) : nil
            if !caller.isMember {
                request = try authorize(request, principal: caller.principal, address: caller.address)
            }
        } catch {
            return .ready(.error(error))
        }
        if let call {
            guard callsUnderWay[call] == nil else { return nil }
            if state.calls.contains(call) { return .held(.ok()) }  // done: told once durable, like the first answer
        }
        if !pathLocks.isEmpty, let written = Self.writtenPaths(request),
           !pathLocks.canAcquire(PathLocks.Request(writing: written)) {
            return nil
        }
        do throws(GFSError) {
            switch request {
            case .stat where !behindUnsettled:
                return .ready(try PublishedReads.answer(request, from: reads.current ?? state.readView) ?? .ok())
            case .stat:
                return .held(try PublishedReads.answer(request, from: state.readView) ?? .ok())
            case .makeDirectory, .create, .move, .remove, .setSize:
                break
            default:
                return nil
            }
            let change = try applyNamespaceChange(request)
            var mutations = change.mutations
            if let call { mutations.append(state.finishCall(call)) }
            if !mutations.isEmpty {
                do throws(GFSError) { _ = try log.append(mutations) } catch {
                    reloadAfterLogFailure()
                    throw error
                }
            }
            return .held(change.reply)
        } catch {
            return .held(.error(error))
        }
    }

    /// The namespace change `request` makes, applied to the state: its mutations, still to be logged, and its
    /// reply. One place for both ways such a change is answered: a batch applies it at once (`answerAtOnce`),
    /// `handle` under the locks of `writtenPaths`.
    func applyNamespaceChange(_ request: MasterRequest) throws(GFSError) -> (mutations: [Mutation], reply: Reply) {
        switch request {
        case let .makeDirectory(path, parents):
            return (try state.makeDirectory(path, parents: parents), .ok())
        case let .create(path, replication, records):
            return ([try state.createFile(path, replication: replication, records: records)], .ok())
        case let .move(source, destination):
            return ([try state.move(source, to: destination)], .ok())
        case let .remove(path, recursive):
            let (removed, purged) = try state.delete(path, recursive: recursive)
            return (removed, RemoveReply(purged: purged).reply)
        case let .setSize(path, size, touch, handle):
            return (try state.extendLength(path, to: size, touch: touch, writtenTo: handle).map { [$0] } ?? [], .ok())
        default:
            throw GFSError(.internal, "\(request.line.verb) is not a namespace change")
        }
    }

    /// The paths a namespace change locks for writing (its ancestors for reading), as `locked` takes them.
    static func writtenPaths(_ request: MasterRequest) -> [GFSPath]? {
        switch request {
        case let .makeDirectory(path, _), let .create(path, _, _), let .remove(path, _): return [path]
        case let .move(source, destination): return [source, destination]
        default: return nil
        }
    }
}
