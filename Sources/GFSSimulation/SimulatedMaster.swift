import GFSCore
import GFSProtocol

/// The master in the simulation: the real `MasterStateMachine` makes every decision; this driver does what
/// MasterService does around it (sends grants and copies, waits for the log, answers), with the log's fsync a
/// fixed delay. Concurrent ALLOCATEs of one chunk and LEASEs of one handle share one grant, as there. A crash
/// loses everything but the mutations whose log write finished; a restart replays them into a fresh state
/// machine and fences leases for one lease period, as MasterService's recovery does.
final class SimulatedMaster: Role {
    var state: MasterStateMachine
    /// The mutations on disk, in order: all a restart knows.
    private(set) var log: [Mutation] = []
    let clock: DriftingClock
    let logDelay: Int64 = 1_000_000
    /// The log's disk answers no fsync before this (a stalled disk); commits wait, requests keep coming.
    var stalledUntil: Int64 = 0
    /// When the last commit under way reaches the log.
    private var logDue: Int64 = 0
    let grantTimeout: Int64 = 2_000_000_000
    let repairInterval: Int64 = 1_000_000_000  // gfs master's default
    private var pendingLeases: [ChunkHandle: [(Result<Answer, GFSError>) -> Void]] = [:]
    private var pendingAllocations: [String: [(Result<Answer, GFSError>) -> Void]] = [:]
    /// Paths a snapshot holds (its source and destination), allocations under way by file, and what waits for
    /// either: MasterService's path locks, for the requests the simulation makes (GFS §4.1).
    private var locked: Set<GFSPath> = []
    private var allocating: [GFSPath: Int] = [:]
    private var lockWaiters: [() -> Void] = []
    /// The cluster's address book (the simulation's nodes by ServerID).
    let nodeOf: (ServerID) -> Int?
    /// Where the master's view of its leases is recorded for the checks.
    var oracle: Oracle?
    /// Whether a connection to a node would be accepted now (false once its process is gone).
    var isReachable: (Int) -> Bool = { _ in true }
    /// The shadow whose log must hold a mutation before it is acknowledged (`--log-replicas`), if any.
    var shadow: Int?
    /// How much of the log the shadow confirmed; its TAILs waiting for records; mutations waiting for it.
    private var shadowConfirmed = 0
    private var tailWaiters: [(id: Int, send: () -> Void)] = []
    private var nextTail = 0
    private var replicaWaiters: [ReplicaWaiter] = []
    let replicaTimeout: Int64 = 10_000_000_000  // gfs master's default
    /// Run the moment a primary confirms a new version, before the secondaries are told: the fault schedule's
    /// aimed crash of the master and that primary (it disarms itself once it fires), where a version the log
    /// did not hold yet would be on one replica alone, as simulation seed 139 once found.
    var afterPrimaryConfirmed: ((ServerID) -> Void)?
    /// How many of those aimed crashes fired.
    var grantCrashes = 0
    /// Fixed defects put back on purpose (only the test that shows the simulation finds them sets any).
    let defects: Set<Simulation.Defect>

    init(scheduler: Scheduler, network: Network<Int, Message>, configuration: MasterConfiguration, clock: DriftingClock,
         nodeOf: @escaping (ServerID) -> Int?, defects: Set<Simulation.Defect> = []) {
        self.clock = clock
        self.defects = defects
        self.nodeOf = nodeOf
        state = MasterStateMachine(configuration: configuration, clock: clock, firstHandle: Self.firstHandle(clock),
                                   seed: scheduler.random.next())
        super.init(node: 0, scheduler: scheduler, network: network)
        repairLoop()
    }

    /// As MasterService picks it: from wall time, so no earlier run can have issued it.
    static func firstHandle(_ clock: DriftingClock) -> UInt64 { UInt64(max(clock.wallMilliseconds, 1)) << 16 }

    /// Applies mutations made before the cluster starts (the files the clients append to) as durable.
    func setUp(_ mutations: [Mutation]) { log += mutations }

    override func crash() {
        super.crash()
        logDue = 0
        pendingLeases = [:]
        pendingAllocations = [:]
        locked = []
        allocating = [:]
        lockWaiters = []
        shadowConfirmed = 0
        tailWaiters = []
        replicaWaiters = []
    }

    override func restart() {
        var fresh = MasterStateMachine(configuration: state.configuration, clock: clock, firstHandle: Self.firstHandle(clock),
                                       seed: scheduler.random.next())
        for mutation in log { fresh.apply(mutation) }
        if !fresh.chunks.isEmpty { fresh.fenceLeasesAfterRestart() }
        state = fresh
        super.restart()
        repairLoop()
    }

    private func repairLoop() {
        later(repairInterval) { [self] in
            for plan in state.planCatchUps() {
                let request = ChunkRequest.grant(plan.handle, version: plan.version, leaseMilliseconds: nil, create: false,
                                                 secondaries: [])
                grants(request, to: plan.servers) { [self] confirmed, _ in state.catchUpFinished(plan, confirmed: confirmed) }
            }
            for order in state.planReplication() {
                guard let target = nodeOf(order.target) else { continue }
                call(target, timeout: state.configuration.cloneTimeout.nanosecondsClamped, {
                    .chunk(call: $0, .replicate(order.handle, version: order.version, source: order.source, bytesPerSecond: nil), record: 0)
                }) { [self] result in
                    if case .success = result { state.cloneFinished(order, succeeded: true) } else { state.cloneFinished(order, succeeded: false) }
                }
            }
            repairLoop()
        }
    }

    override func handle(_ message: Message, from: Int) {
        guard case let .master(id, request, report) = message else { return }
        let answer = { [self] (result: Result<Answer, GFSError>) in
            // As MasterService: a mutation's refusal waits until what it was judged against is durable.
            guard case .failure = result, request.isMutation, !defects.contains(.refusalBeforeDurable) else {
                return reply(from, id, result)
            }
            committed([]) { [self] error in reply(from, id, error.map { .failure($0) } ?? result) }
        }
        do {
            switch request {
            case let .register(server, rack, capacity, free):
                let (deletions, adopted) = state.register(server, rack: rack, capacityBytes: capacity, freeBytes: free, report: report)
                let registered = RegisterReply(chunkSize: state.configuration.chunkSize, role: .primary,
                                               instructions: deletions.map { .delete($0) })
                committed(adopted) { answer($0.map { .failure($0) } ?? .success(.register(registered))) }
            case let .heartbeat(server, free, leases):
                let outcome = try state.heartbeat(server, freeBytes: free, extendLeases: leases)
                for (handle, version, left) in outcome.extended { noteLease(handle, version, left) }
                let instructions = outcome.extended.map { ChunkServerInstruction.extend($0.0, version: $0.1, lease: $0.2) }
                    + outcome.deletions.map { .delete($0) }
                answer(.success(.instructions(InstructionsReply(instructions))))
            case let .corrupt(handle, server):
                state.replicaCorrupt(handle, on: server)
                answer(.success(.done))
            case let .report(server):
                let deletions = try state.report(server, chunks: report)
                answer(.success(.instructions(InstructionsReply(deletions.map { .delete($0) }))))
            case let .create(path, replication, records):
                let mutation = try state.createFile(path, replication: replication, records: records)
                committed([mutation]) { answer($0.map { .failure($0) } ?? .success(.done)) }
            case let .makeDirectory(path, parents):
                let mutations = try state.makeDirectory(path, parents: parents)
                committed(mutations) { answer($0.map { .failure($0) } ?? .success(.done)) }
            case let .move(source, destination):
                let mutation = try state.move(source, to: destination)
                committed([mutation]) { answer($0.map { .failure($0) } ?? .success(.done)) }
            case let .remove(path, recursive):
                let (mutations, _) = try state.delete(path, recursive: recursive)
                committed(mutations) { answer($0.map { .failure($0) } ?? .success(.done)) }
            case let .lookup(path, stale):
                let (size, chunks) = try state.lookup(path, allowingStale: stale)
                answer(.success(.layout(FileLayout(size: size, chunkSize: state.configuration.chunkSize, chunks: chunks))))
            case let .allocate(path, index):
                allocate(path, index: index, answer)
            case let .snapshot(source, destination):
                snapshot(source, to: destination, answer)
            case let .lease(handle, path):
                lease(handle, of: path, answer)
            case let .tail(first, _, wait, _):
                tail(from: first, wait: wait * 1_000_000, answer)
            default:
                answer(.failure(GFSError(.badRequest, "not simulated: \(request.line.verb)")))
            }
        } catch {
            answer(.failure(error))
        }
    }

    /// Runs `then` once the log holds `mutations`, and so does the shadow's (MasterService.waitForReplicas):
    /// with `nil`, or with the error a client is told when the shadow did not confirm in time (the mutations
    /// stay in this master's log). A crash first loses them. With no mutations, `then` waits for those already
    /// on their way to the log and to the shadow (MasterService.settle).
    private func committed(_ mutations: [Mutation], _ then: @escaping (GFSError?) -> Void) {
        guard !mutations.isEmpty else {
            guard logDue > scheduler.now else { return replicated(upTo: log.count, then) }
            return later(logDue - scheduler.now) { [self] in replicated(upTo: log.count, then) }
        }
        let delay = max(logDelay, stalledUntil - scheduler.now)
        logDue = max(logDue, scheduler.now + delay)
        later(delay) { [self] in
            log += mutations
            logGrew()
            replicated(upTo: log.count, then)
        }
    }

    // MARK: - The log replica (GFS §5.1.3: a mutation counts once the shadows' logs hold it too)

    /// Runs `then` once the shadow confirmed the log up to `sequence`, or with an error after `replicaTimeout`.
    private func replicated(upTo sequence: Int, _ then: @escaping (GFSError?) -> Void) {
        guard shadow != nil, shadowConfirmed < sequence else { return then(nil) }
        let waiter = ReplicaWaiter(sequence: sequence, then: then)
        replicaWaiters.append(waiter)
        later(replicaTimeout) { [self] in
            guard let index = replicaWaiters.firstIndex(where: { $0 === waiter }) else { return }
            replicaWaiters.remove(at: index)
            then(GFSError(.timeout, "the log replica did not confirm within \(replicaTimeout / 1_000_000) ms; the mutation is on the primary's disk only"))
        }
    }

    /// `TAIL from=N shadow=S`: the shadow holds everything before N; it gets what follows, or waits up to
    /// `wait` for more (MasterService.tail).
    private func tail(from first: UInt64, wait: Int64, _ answer: @escaping (Result<Answer, GFSError>) -> Void) {
        guard first >= 1, first <= UInt64(log.count) + 1 else {
            return answer(.failure(GFSError(.badRequest, "asked for record \(first) but this master's log ends at \(log.count)")))
        }
        let start = Int(first) - 1
        if start > shadowConfirmed {
            shadowConfirmed = start
            let ready = replicaWaiters.filter { $0.sequence <= start }
            replicaWaiters.removeAll { $0.sequence <= start }
            for waiter in ready { waiter.then(nil) }
        }
        let send = { [self] in answer(.success(.log(Array(log[min(start, log.count)..<min(log.count, start + 500)])))) }
        guard start == log.count, wait > 0 else { return send() }
        nextTail += 1
        let id = nextTail
        tailWaiters.append((id, send))
        later(wait) { [self] in
            // Only this TAIL's wait ends; those that came after keep waiting.
            guard let index = tailWaiters.firstIndex(where: { $0.id == id }) else { return }
            tailWaiters.remove(at: index).send()
        }
    }

    /// Answers the TAILs waiting for records.
    private func logGrew() {
        let waiting = tailWaiters
        tailWaiters = []
        for waiter in waiting { waiter.send() }
    }

    /// The master's log becomes the shadow's (`gfs promote`, with the address moved to the promoted
    /// process): it restarts from that log alone, fenced like any restart.
    func promote(from shadowLog: [Mutation]) {
        log = shadowLog
        restart()
    }

    /// Whether `path` is, holds, or lies under a path a snapshot holds.
    private func isLocked(_ path: GFSPath) -> Bool {
        locked.contains { path == $0 || path.isDescendant(of: $0) || $0.isDescendant(of: path) }
    }

    /// Runs what waited for a lock.
    private func wakeLockWaiters() {
        let waiting = lockWaiters
        lockWaiters = []
        for waiter in waiting { waiter() }
    }

    private func allocate(_ path: GFSPath, index: Int, _ answer: @escaping (Result<Answer, GFSError>) -> Void) {
        // Under a read lock on the file, as MasterService: no chunk is made or copied while a snapshot of it is.
        if isLocked(path) { return lockWaiters.append { [self] in allocate(path, index: index, answer) } }
        let key = "\(index) \(path)"
        if pendingAllocations[key] != nil { return pendingAllocations[key, default: []].append(answer) }
        let decision: MasterStateMachine.Allocation
        do { decision = try state.allocate(path, index: index) } catch { return answer(.failure(error)) }
        // Answered only once the chunk's record is on disk; until then others asking wait for the same one.
        let finish = { [self] (outcome: Result<(ChunkLocation, Mutation?), GFSError>) in
            let result = outcome.map { Answer.location($0.0) }
            let mutations = (try? outcome.get().1).flatMap { $0.map { [$0] } } ?? []
            committed(mutations) { [self] error in
                let result = error.map { .failure($0) } ?? result
                allocating[path] = (allocating[path] ?? 1) > 1 ? (allocating[path] ?? 1) - 1 : nil
                for done in pendingAllocations.removeValue(forKey: key) ?? [] { done(result) }
                wakeLockWaiters()
            }
        }
        switch decision {
        case let .existing(location):
            answer(.success(.location(location)))
        case let .create(index, handle, version, servers):
            pendingAllocations[key] = [answer]
            allocating[path, default: 0] += 1
            let request = ChunkRequest.grant(handle, version: version, leaseMilliseconds: nil, create: true, secondaries: [])
            grants(request, to: servers) { [self] confirmed, _ in
                finish(Result { () throws(GFSError) in
                    try state.chunkCreated(path, index: index, handle: handle, version: version, confirmed: confirmed)
                })
            }
        case let .copyOnWrite(index, old, new, version, servers):
            pendingAllocations[key] = [answer]
            allocating[path, default: 0] += 1
            grants(.clone(old, new: new, version: version), to: servers) { [self] confirmed, _ in
                finish(Result { () throws(GFSError) in
                    try state.chunkCloned(path, index: index, from: old, to: new, version: version, confirmed: confirmed)
                })
            }
        }
    }

    /// `SNAPSHOT`, as MasterService takes one: lock source and destination, take back the leases on the
    /// source's chunks (or wait them out), extend the files to what their primaries hold, then log the copy.
    private func snapshot(_ source: GFSPath, to destination: GFSPath, _ answer: @escaping (Result<Answer, GFSError>) -> Void) {
        let busy = isLocked(source) || isLocked(destination)
            || allocating.keys.contains { $0 == source || $0.isDescendant(of: source) }
        if busy { return lockWaiters.append { [self] in snapshot(source, to: destination, answer) } }
        locked.formUnion([source, destination])
        let finish = { [self] (result: Result<Answer, GFSError>) in
            locked.subtract([source, destination])
            answer(result)
            wakeLockWaiters()
        }
        let leased: [MasterStateMachine.LeasedChunk]
        do { leased = try state.prepareSnapshotChunks(source, to: destination) } catch { return finish(.failure(error)) }
        var lengths: [(MasterStateMachine.LeasedChunk, Int64)] = []
        var left = leased.count
        let revoked = { [self] in
            var extended: [Mutation] = []
            for (chunk, length) in lengths {
                state.leaseRevoked(chunk.handle)
                let end = Int64(chunk.index) * state.configuration.chunkSize + length
                if let mutation = try? state.extendLength(chunk.path, to: end) { extended.append(mutation) }
            }
            committed(extended) { [self] error in
                if let error {
                    // As MasterService: the leases blocked for the snapshot are free again (the liveness
                    // check found an appender refused for good after a snapshot failed here).
                    state.finishSnapshot(source)
                    return finish(.failure(error))
                }
                // Leases whose primaries did not answer are waited out.
                var wait = state.latestLeaseExpiry(leased.map(\.handle)).map { $0.duration(since: clock.now).nanosecondsClamped } ?? 0
                if defects.contains(.snapshotSkipsUnansweredLeases) { wait = 0 }
                later(max(0, wait) + 1_000_000) { [self] in
                    do throws(GFSError) {
                        let mutation = try state.snapshot(source, to: destination)
                        committed([mutation]) { finish($0.map { .failure($0) } ?? .success(.done)) }
                    } catch {
                        finish(.failure(error))
                    }
                }
            }
        }
        guard !leased.isEmpty else { return revoked() }
        for chunk in leased {
            guard let node = nodeOf(chunk.primary) else {
                left -= 1
                if left == 0 { revoked() }
                continue
            }
            call(node, timeout: grantTimeout, { .chunk(call: $0, .revoke(chunk.handle, version: chunk.version), record: 0) }) { result in
                if case let .success(.length(reply)) = result { lengths.append((chunk, reply.length)) }
                left -= 1
                if left == 0 { revoked() }
            }
        }
    }

    private func lease(_ handle: ChunkHandle, of path: GFSPath?, _ answer: @escaping (Result<Answer, GFSError>) -> Void) {
        do { try state.checkPart(handle, of: path) } catch { return answer(.failure(error)) }
        if pendingLeases[handle] != nil { return pendingLeases[handle, default: []].append(answer) }
        let decision: MasterStateMachine.LeaseDecision
        do { decision = try state.requestLease(handle, of: path) } catch { return answer(.failure(error)) }
        switch decision {
        case let .current(info):
            answer(.success(.lease(info)))
        case let .grant(handle, version, primary, replicas, duration):
            noteLease(handle, version, duration)
            pendingLeases[handle] = [answer]
            let secondaries = replicas.filter { $0 != primary }
            // As MasterService: the version is on disk before any replica hears of it, and the primary gets what
            // is left of the master's lease.
            let reservation: [Mutation] = defects.contains(.versionSentBeforeLogged) ? [] : [.reserveVersion(handle, version)]
            committed(reservation) { [self] error in
                guard error == nil, let left = state.leaseRemaining(handle, version: version), left >= state.shortestGrant else {
                    _ = state.grantFinished(handle, version: version, confirmed: [], primaryNeverReached: true)
                    let waiting = pendingLeases.removeValue(forKey: handle) ?? []
                    let failure = error ?? GFSError(.unavailable, "the lease ran out while its version was logged")
                    for done in waiting { done(.failure(failure)) }
                    return
                }
                let primaryGrant = ChunkRequest.grant(handle, version: version, leaseMilliseconds: left.milliseconds,
                                                      create: false, secondaries: secondaries)
                grants(primaryGrant, to: [primary]) { [self] confirmedPrimary, unreached in
                    if !confirmedPrimary.isEmpty, let aimed = afterPrimaryConfirmed {
                        aimed(primary)
                        guard isUp else { return }
                    }
                    let plain = ChunkRequest.grant(handle, version: version, leaseMilliseconds: nil, create: false, secondaries: [])
                    grants(plain, to: secondaries) { [self] others, _ in
                        let waiting = pendingLeases.removeValue(forKey: handle) ?? []
                        let confirmed = (confirmedPrimary + others).sorted()
                        let (outcome, log) = state.grantFinished(handle, version: version, confirmed: confirmed,
                                                                 primaryNeverReached: unreached.contains(primary))
                        committed(log) { [self] error in
                            if let error {
                                for done in waiting { done(.failure(error)) }
                                return
                            }
                            switch outcome {
                            case let .success(info):
                                state.leaseRecorded(handle, version: version)
                                for done in waiting { done(.success(.lease(info))) }
                            case let .failure(error):
                                for done in waiting { done(.failure(error)) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Records until when, in simulated time, this master holds a lease that has `left` to run on its clock.
    private func noteLease(_ handle: ChunkHandle, _ version: ChunkVersion, _ left: Duration) {
        let local = left.nanosecondsClamped
        oracle?.masterHolds(handle, version: version, until: scheduler.now + local / (1_000_000 + clock.drift) * 1_000_000)
    }

    /// Sends `request` to every server at once; calls `done` with those that confirmed and those that were
    /// never reached: a crashed server refuses the connection, as a dead process's port does (a cut link or a
    /// lost message only times out, since the request may have arrived).
    private func grants(_ request: ChunkRequest, to servers: [ServerID],
                        _ done: @escaping (_ confirmed: [ServerID], _ unreached: Set<ServerID>) -> Void) {
        guard !servers.isEmpty else { return done([], []) }
        var confirmed: [ServerID] = []
        var unreached: Set<ServerID> = []
        var left = servers.count
        for server in servers {
            guard let target = nodeOf(server), isReachable(target) else {
                unreached.insert(server)
                left -= 1
                continue
            }
            call(target, timeout: grantTimeout, { .chunk(call: $0, request, record: 0) }) { result in
                if case .success = result { confirmed.append(server) }
                left -= 1
                if left == 0 { done(confirmed.sorted(), unreached) }
            }
        }
        if left == 0 { done(confirmed.sorted(), unreached) }
    }
}

extension Duration {
    /// Nanoseconds, clamped to Int64.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled &+ attoseconds / 1_000_000_000
    }
}

/// A commit waiting for the shadow (a class, so its timeout can find it).
private final class ReplicaWaiter {
    let sequence: Int
    let then: (GFSError?) -> Void

    init(sequence: Int, then: @escaping (GFSError?) -> Void) {
        self.sequence = sequence
        self.then = then
    }
}
