import GFSCore
import GFSProtocol

/// A file of a simulated chunkserver's disk: a chunk's version file or its data (record ids, 0 for padding).
enum ChunkFile: Equatable {
    case version(ChunkVersion)
    case data([UInt64])
}

/// The name of a chunk's file: its version file or its data file.
struct ChunkFileName: Hashable, Comparable {
    let handle: ChunkHandle
    let isData: Bool

    static func version(_ handle: ChunkHandle) -> ChunkFileName { ChunkFileName(handle: handle, isData: false) }
    static func data(_ handle: ChunkHandle) -> ChunkFileName { ChunkFileName(handle: handle, isData: true) }
    static func < (lhs: ChunkFileName, rhs: ChunkFileName) -> Bool {
        (lhs.handle.rawValue, lhs.isData ? 1 : 0) < (rhs.handle.rawValue, rhs.isData ? 1 : 0)
    }
}

/// A chunkserver in the simulation. Its decisions are the real ones: `ChunkServerState` (leases, versions,
/// serial order, offsets, padding, what a secondary may apply) and `ChunkQueue` (each chunk's mutations one at
/// a time). The I/O follows ChunkService: data synced before the acknowledgement, the version synced at GRANT.
final class SimulatedChunkServer: Role {
    let address: ServerID
    let clock: DriftingClock
    var disk = SimulatedDisk<ChunkFileName, ChunkFile>(size: { file in if case let .data(records) = file { return records.count } else { return 0 } })
    var state: ChunkServerState
    private var queue = ChunkQueue<() -> Void>()
    private var registered = false
    private var beats = 0
    var chunkSize: Int64 { state.chunkSize }
    let forwardTimeout: Duration = .seconds(5)
    /// The proportions of the real defaults (2 s beats, a full report every 30 beats, dead after 7.5 beats),
    /// shortened: 1 s beats, a full report every 20 beats, dead after 5 beats (the master's heartbeatTimeout).
    let heartbeatInterval: Int64 = 1_000_000_000
    /// How often the scrubber verifies every replica (the real one paces itself by bytes).
    let scrubInterval: Int64 = 30_000_000_000
    /// What a record damaged on disk reads as: a block whose checksum fails.
    static let damaged: UInt64 = .max
    /// Records per checksum block: a mutation verifies the partial last block it keeps, as ChunkStore does.
    static let blockRecords = 8
    let nodeOf: (ServerID) -> Int?
    let oracle: Oracle
    let defects: Set<Simulation.Defect>

    init(node: Int, address: ServerID, scheduler: Scheduler, network: Network<Int, Message>, clock: DriftingClock,
         nodeOf: @escaping (ServerID) -> Int?, oracle: Oracle, defects: Set<Simulation.Defect>) {
        self.defects = defects
        self.address = address
        self.clock = clock
        self.nodeOf = nodeOf
        self.oracle = oracle
        state = ChunkServerState(address: address, chunkSize: 64)
        super.init(node: node, scheduler: scheduler, network: network)
        heartbeatLoop()
        scrubLoop()
    }

    // MARK: - Disk

    func version(_ handle: ChunkHandle) -> ChunkVersion? {
        if case let .version(v) = disk[.version(handle)] { return v }
        return nil
    }

    func records(_ handle: ChunkHandle) -> [UInt64]? {
        if case let .data(records) = disk[.data(handle)] { return records }
        return nil
    }

    var held: [ChunkHandle] {
        disk.names.compactMap { $0.isData ? nil : $0.handle }
    }

    private func write(_ handle: ChunkHandle, _ records: [UInt64]) throws(GFSError) {
        guard disk.write(.data(handle), .data(records)) else { throw GFSError(.noSpace, "\(address): disk full") }
    }

    /// A whole replica made here (a clone or a copy): its records synced, then its version.
    private func install(_ handle: ChunkHandle, _ records: [UInt64], version: ChunkVersion) throws(GFSError) {
        try write(handle, records)
        disk.sync(.data(handle))
        try setVersion(handle, version)
    }

    /// The fault: one record of one replica flips on the medium. False when nothing is held to damage.
    @discardableResult
    func flip() -> Bool {
        let candidates = held.filter { !(records($0) ?? []).isEmpty }
        guard !candidates.isEmpty else { return false }
        let handle = candidates[Int(scheduler.draw(0...Int64(candidates.count - 1)))]
        let count = records(handle)?.count ?? 1
        let index = Int(scheduler.draw(0...Int64(max(0, count - 1))))
        disk.damage(.data(handle)) { file in
            guard case var .data(records) = file, index < records.count else { return file }
            records[index] = Self.damaged
            return .data(records)
        }
        return true
    }

    /// Whether the blocks `records` keeps from `start` on read back intact.
    private static func verified(_ records: [UInt64], from start: Int = 0) -> Bool {
        !records[min(start, records.count)...].contains(damaged)
    }

    /// Throws CHECKSUM, after quarantining the replica and telling the master, if the partial last block
    /// (the part a mutation keeps and rewrites) is damaged.
    private func verifyPartialBlock(_ handle: ChunkHandle, _ records: [UInt64]) throws(GFSError) {
        guard !Self.verified(records, from: records.count / Self.blockRecords * Self.blockRecords) else { return }
        quarantine(handle)
        throw GFSError(.checksum, "\(address): chunk \(handle) fails its checksum")
    }

    /// A replica that failed its checksum: out of use at once (its lease goes with it), gone from the disk,
    /// and reported, so the master copies the chunk from a good replica (GFS §5.2).
    private func quarantine(_ handle: ChunkHandle) {
        state.dropped(handle)
        disk.remove(.version(handle))
        disk.remove(.data(handle))
        disk.sync(.version(handle))
        disk.sync(.data(handle))
        call(0, timeout: 5_000_000_000, { [address] in .master(call: $0, .corrupt(handle, on: address), report: []) }) { _ in }
    }

    /// Verifies every replica now and then, as the real scrubber does in idle time.
    private func scrubLoop() {
        later(scrubInterval) { [self] in
            for handle in held where !Self.verified(records(handle) ?? []) { quarantine(handle) }
            scrubLoop()
        }
    }

    private func setVersion(_ handle: ChunkHandle, _ version: ChunkVersion) throws(GFSError) {
        guard disk.write(.version(handle), .version(version)) else { throw GFSError(.noSpace, "\(address): disk full") }
        disk.sync(.version(handle))
    }

    // MARK: - The chunk's queue

    /// Runs `body` when no other mutation of `handle` is under way; `body` calls its argument when done.
    private func inOrder(_ handle: ChunkHandle, _ body: @escaping (_ release: @escaping () -> Void) -> Void) {
        let generation = incarnation
        let release = { [self] in
            guard incarnation == generation else { return }
            queue.leave(handle)?()
        }
        if queue.enter(handle, { body(release) }) { body(release) }
    }

    // MARK: - Requests

    override func handle(_ message: Message, from: Int) {
        switch message {
        case let .chunk(id, request, record):
            chunkRequest(request, record: record) { [self] result in reply(from, id, result) }
        case let .copy(id, handle, version):
            if let held = self.version(handle), held >= version, let records = records(handle) {
                guard Self.verified(records) else {
                    quarantine(handle)
                    return reply(from, id, .failure(GFSError(.checksum, "\(address): chunk \(handle) fails its checksum")))
                }
                reply(from, id, .success(.records(records)))
            } else {
                reply(from, id, .failure(GFSError(.stale, "\(address) has no copy of \(handle) at \(version)")))
            }
        default:
            break
        }
    }

    private func chunkRequest(_ request: ChunkRequest, record: UInt64, _ answer: @escaping (Result<Answer, GFSError>) -> Void) {
        switch request {
        case let .grant(handle, version, leaseMilliseconds, create, secondaries):
            let arrival = clock.now
            inOrder(handle) { [self] release in
                defer { release() }
                do throws(GFSError) {
                    if create {
                        try write(handle, [])
                        disk.sync(.data(handle))
                    } else if self.version(handle) == nil {
                        throw GFSError(.notFound, "\(address) does not hold \(handle)")
                    }
                    try setVersion(handle, version)
                    state.granted(handle, version: version, leaseMilliseconds: leaseMilliseconds,
                                  secondaries: secondaries, arrival: arrival)
                    answer(.success(.done))
                } catch {
                    answer(.failure(error))
                }
            }
        case let .append(handle, version, _):
            mutate(handle, version: version, record: record, at: nil, answer)
        case let .write(handle, version, offset, _):
            mutate(handle, version: version, record: record, at: offset, answer)
        case let .apply(handle, version, serial, offset, _):
            do throws(GFSError) { try state.admitApply(handle, offset: offset, count: 1) } catch { return answer(.failure(error)) }
            applyInOrder(handle, version: version, serial: serial, answer) { records in
                var records = records
                let at = Int(offset)
                if records.count < at { records += Array(repeating: 0, count: at - records.count) }
                if records.count == at { records.append(record) } else { records[at] = record }
                return records
            }
        case let .pad(handle, version, serial, size, _):
            do throws(GFSError) { try state.admitPad(handle, size: size) } catch { return answer(.failure(error)) }
            applyInOrder(handle, version: version, serial: serial, answer) { records in
                records + Array(repeating: 0, count: max(0, Int(size) - records.count))
            }
        case let .sync(handle):
            disk.sync(.data(handle))
            answer(.success(.done))
        case let .revoke(handle, version):
            // After any mutation in flight, so none is ordered once the lease is gone (GFS §3.4).
            inOrder(handle) { [self] release in
                defer { release() }
                state.revoked(handle, through: version)
                answer(.success(.length(LengthReply(length: Int64(records(handle)?.count ?? 0)))))
            }
        case let .clone(handle, new, version, _, _, _):
            // Copy-on-write, in the source's queue so no mutation of it is half applied.
            inOrder(handle) { [self] release in
                defer { release() }
                do throws(GFSError) {
                    guard self.version(handle) != nil, let records = records(handle) else {
                        throw GFSError(.notFound, "\(address) does not hold \(handle)")
                    }
                    guard Self.verified(records) else {
                        quarantine(handle)
                        throw GFSError(.checksum, "\(address): chunk \(handle) fails its checksum")
                    }
                    try install(new, records, version: version)
                    answer(.success(.done))
                } catch {
                    answer(.failure(error))
                }
            }
        case let .replicate(handle, version, source, _):
            replicate(handle, version: version, from: source, answer)
        default:
            answer(.failure(GFSError(.badRequest, "not simulated: \(request.line.verb)")))
        }
    }

    /// Primary: order a record at the chunk's end (GFS §3.3), or at `offset` for a write (§3.1), and forward
    /// it to the granted secondaries. With the `leaseCheckedOnlyOnArrival` defect, the shared state decides at
    /// the arrival's time rather than the turn's, and nothing is checked before the acknowledgement.
    private func mutate(_ handle: ChunkHandle, version: ChunkVersion, record: UInt64, at target: Int64?,
                        _ answer: @escaping (Result<Answer, GFSError>) -> Void) {
        let arrival = clock.now
        do throws(GFSError) {
            if let target {
                try state.admitWrite(handle, version: version, offset: target, count: 1, at: arrival)
            } else {
                try state.admitAppend(handle, version: version, count: 1, at: arrival)
            }
        } catch {
            return answer(.failure(error))
        }
        let checksLease = !defects.contains(.leaseCheckedOnlyOnArrival)
        inOrder(handle) { [self] release in
            let ordered: ChunkServerState.Ordered
            var records: [UInt64]
            do throws(GFSError) {
                let held = self.records(handle)
                ordered = try state.order(handle, version: version, held: held == nil ? nil : self.version(handle),
                                          length: Int64(held?.count ?? 0), count: 1, at: target,
                                          now: checksLease ? clock.now : arrival)
                records = held ?? []
                try verifyPartialBlock(handle, records)
            } catch {
                release()
                return answer(.failure(error))
            }
            let orderedAt = scheduler.now
            let request: ChunkRequest
            if let offset = ordered.offset {
                if records.count < Int(offset) { records += Array(repeating: 0, count: Int(offset) - records.count) }
                if records.count == Int(offset) { records.append(record) } else { records[Int(offset)] = record }
                request = .apply(handle, version: version, serial: ordered.serial, offset: offset, id: "")
            } else {
                records += Array(repeating: 0, count: Int(max(0, ordered.paddedSize - Int64(records.count))))
                request = .pad(handle, version: version, serial: ordered.serial, size: ordered.paddedSize, id: "")
            }
            do throws(GFSError) { try write(handle, records) } catch {
                release()
                return answer(.failure(error))
            }
            let timeout = checksLease ? state.orderingTimeout(handle, at: clock.now, forwardTimeout: forwardTimeout)
                : forwardTimeout
            forward(request, record: record, to: ordered.secondaries, timeout: timeout.nanosecondsClamped) { [self] failure in
                release()
                if let failure { return answer(.failure(failure)) }
                // Durable here and on every secondary before the acknowledgement; an fsync takes a while.
                disk.sync(.data(handle))
                later(scheduler.draw(100_000...5_000_000)) { [self] in
                    let syncs: [ServerID] = defects.contains(.acknowledgeBeforeSync) ? [] : ordered.secondaries
                    forward(.sync(handle), record: 0, to: syncs, timeout: forwardTimeout.nanosecondsClamped) { [self] failure in
                        if let failure { return answer(.failure(failure)) }
                        guard let offset = ordered.offset else {
                            return answer(.failure(GFSError(.chunkFull, "chunk \(handle) is full")))
                        }
                        let reply: Answer = target == nil ? .append(AppendReply(offset: offset))
                            : .length(LengthReply(length: Int64(records.count)))
                        acknowledge(handle, version: version, offset: offset, ordered: orderedAt, checkingLease: checksLease,
                                    reply, answer)
                    }
                }
            }
        }
    }

    /// The last step of a primary's mutation: only while the lease still holds (DESIGN.md §6), recorded in
    /// the oracle as a real primary records it in its --ack-log.
    private func acknowledge(_ handle: ChunkHandle, version: ChunkVersion, offset: Int64, ordered: Int64, checkingLease: Bool,
                             _ reply: Answer, _ answer: (Result<Answer, GFSError>) -> Void) {
        if checkingLease {
            do throws(GFSError) { try state.confirm(handle, version: version, at: clock.now) } catch {
                return answer(.failure(error))
            }
        }
        let leaseEnd = state.leases.lease(handle).map { scheduler.now + $0.expires.duration(since: clock.now).nanosecondsClamped } ?? 0
        oracle.acknowledged(server: address, handle: handle, version: version, offset: offset, ordered: ordered,
                            at: scheduler.now, leaseEnd: leaseEnd)
        answer(.success(reply))
    }

    /// Secondary: apply in the primary's serial order, at the chunk's version.
    private func applyInOrder(_ handle: ChunkHandle, version: ChunkVersion, serial: UInt64,
                              _ answer: @escaping (Result<Answer, GFSError>) -> Void, _ change: @escaping ([UInt64]) -> [UInt64]) {
        inOrder(handle) { [self] release in
            defer { release() }
            let records = self.records(handle)
            let changed: [UInt64]
            do throws(GFSError) {
                try state.mayApply(handle, version: version, serial: serial, held: records == nil ? nil : self.version(handle))
                try verifyPartialBlock(handle, records ?? [])
                changed = change(records ?? [])
                try write(handle, changed)
            } catch {
                return answer(.failure(error))
            }
            state.applied(serial, to: handle)
            answer(.success(.length(LengthReply(length: Int64(changed.count)))))
        }
    }

    /// Sends `request` to every secondary; `done` gets the first failure, or nil when all succeeded.
    private func forward(_ request: ChunkRequest, record: UInt64, to secondaries: [ServerID], timeout: Int64,
                         _ done: @escaping (GFSError?) -> Void) {
        guard !secondaries.isEmpty else { return done(nil) }
        var left = secondaries.count
        var failure: GFSError?
        for secondary in secondaries {
            guard let target = nodeOf(secondary) else { return done(GFSError(.unavailable, "unknown \(secondary)")) }
            call(target, timeout: timeout, { .chunk(call: $0, request, record: record) }) { result in
                if case let .failure(error) = result, failure == nil { failure = error }
                left -= 1
                if left == 0 { done(failure) }
            }
        }
    }

    /// Re-replication: copy from `source`, then install at `version`.
    private func replicate(_ handle: ChunkHandle, version: ChunkVersion, from source: ServerID,
                           _ answer: @escaping (Result<Answer, GFSError>) -> Void) {
        guard let node = nodeOf(source) else { return answer(.failure(GFSError(.unavailable, "unknown \(source)"))) }
        call(node, timeout: forwardTimeout.nanosecondsClamped, { .copy(call: $0, handle, version: version) }) { [self] result in
            guard case let .success(.records(records)) = result else {
                if case let .failure(error) = result { return answer(.failure(error)) }
                return answer(.failure(GFSError(.internal, "bad copy reply")))
            }
            inOrder(handle) { [self] release in
                defer { release() }
                do throws(GFSError) {
                    if ChunkServerState.installsCopy(at: version, over: self.version(handle)) {
                        try install(handle, records, version: version)
                    }
                    answer(.success(.done))
                } catch {
                    answer(.failure(error))
                }
            }
        }
    }

    // MARK: - The master

    private func heartbeatLoop() {
        if !registered {
            register()
        } else {
            beats += 1
            if beats % 20 == 0 { report() } else { beat() }
        }
        later(heartbeatInterval) { [self] in heartbeatLoop() }
    }

    /// Free space as the master sees it: a record counts as a byte.
    private var freeBytes: Int64 {
        disk.capacity == .max ? 1 << 40 : Int64(max(0, disk.capacity - disk.used))
    }

    private var inventory: [ReportedChunk] {
        held.map { ReportedChunk(handle: $0, version: version($0) ?? 0, length: Int64(records($0)?.count ?? 0)) }
    }

    private func register() {
        let request = MasterRequest.register(address, rack: "", capacityBytes: 1 << 40, freeBytes: freeBytes)
        // As HeartbeatLoop: the leases held go with the report.
        let held = state.leases.remaining(at: clock.now)
        let chunks = inventory.map { chunk in
            var chunk = chunk
            chunk.leaseMilliseconds = held[chunk.handle].map { max(1, $0.milliseconds + 1) }
            return chunk
        }
        call(0, timeout: 5_000_000_000, { .master(call: $0, request, report: chunks) }) { [self] result in
            guard case let .success(.register(reply)) = result else { return }
            registered = true
            state.chunkSize = reply.chunkSize
            carryOut(reply.instructions, sent: clock.now)
        }
    }

    private func beat() {
        let sent = clock.now
        let request = MasterRequest.heartbeat(address, freeBytes: freeBytes, leases: state.leasesToExtend(at: sent))
        call(0, timeout: heartbeatInterval * 5, { .master(call: $0, request, report: []) }) { [self] result in
            // As the real heartbeat loop: any failure means reconnecting and registering again.
            guard case let .success(.instructions(reply)) = result else { return registered = false }
            carryOut(reply.instructions, sent: sent)
        }
    }

    private func report() {
        let sent = clock.now
        let chunks = inventory
        call(0, timeout: 5_000_000_000, { .master(call: $0, .report(address), report: chunks) }) { [self] result in
            guard case let .success(.instructions(reply)) = result else { return registered = false }
            carryOut(reply.instructions, sent: sent)
        }
    }

    private func carryOut(_ instructions: [ChunkServerInstruction], sent: Instant) {
        for instruction in instructions {
            switch instruction {
            case let .extend(handle, version, lease):
                state.extended(handle, version: version, duration: lease, sent: sent)
            case let .delete(handle):
                state.dropped(handle)
                // The real ChunkStore.delete syncs its folder: a power loss cannot bring the replica back.
                disk.remove(.version(handle))
                disk.remove(.data(handle))
                disk.sync(.version(handle))
                disk.sync(.data(handle))
            }
        }
    }

    // MARK: - Faults

    /// Called when the process dies (the simulation tells the master its connection closed).
    var onCrash: () -> Void = {}

    override func crash() {
        super.crash()
        onCrash()
        disk.crash { [scheduler] _ in scheduler.chance(0.5) }
        state = ChunkServerState(address: address, chunkSize: state.chunkSize)
        queue = ChunkQueue()
        registered = false
    }

    override func restart() {
        super.restart()
        heartbeatLoop()
        scrubLoop()
    }
}
