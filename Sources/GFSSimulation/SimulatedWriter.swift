import GFSCore
import GFSProtocol

/// A client overwriting records in place in a file of its own, as `gfs write` does (GFS §3.1): it allocates
/// the chunk, takes its lease (kept in GFSCore's `ExpiringCache`), writes at an offset through the primary, and
/// retries as the client library does (`MutationAttempts`). Its writes
/// follow one another, so each offset's last acknowledged value is what every live replica must hold.
final class SimulatedWriter: Role {
    let path: GFSPath
    let nodeOf: (ServerID) -> Int?
    var working = true
    /// Chunks the file has (this client makes them, one after another).
    let chunks = 2
    private var allocated = 0
    private var sent: UInt64 = 0
    /// The last value acknowledged at each offset of the file.
    private(set) var expected: [Int64: UInt64] = [:]
    /// Offsets whose last write was given up on: a replica may or may not hold it.
    private var uncertain: Set<Int64> = []
    private(set) var acknowledged = 0
    let callTimeout: Int64 = 10_000_000_000
    private(set) var liveness = Liveness()
    private var leases = ExpiringCache<ChunkHandle, LeaseInfo>(capacity: 64)
    private var attempts = MutationAttempts(patience: Patience(timeout: SimulatedClient.patience, now: Instant(sinceStart: .zero), seed: 0))

    init(node: Int, path: GFSPath, scheduler: Scheduler, network: Network<Int, Message>, nodeOf: @escaping (ServerID) -> Int?) {
        self.path = path
        self.nodeOf = nodeOf
        super.init(node: node, scheduler: scheduler, network: network)
        later(scheduler.draw(0...1_000_000_000)) { [self] in next() }
    }

    private func next() {
        guard working else { return }
        sent += 1
        let value = UInt64(node) << 32 | sent
        // A chunk is made only after the ones before it.
        let index = min(Int(scheduler.draw(0...Int64(chunks - 1))), allocated)
        let offset = Int64(index) * 64 + scheduler.draw(0...63)
        attempts = MutationAttempts(patience: Patience(timeout: SimulatedClient.patience, now: now,
                                                       seed: UInt64(bitPattern: scheduler.draw(0...Int64.max))))
        liveness.started(at: scheduler.now)
        attempt(value, at: offset)
    }

    private func attempt(_ value: UInt64, at offset: Int64) {
        let index = Int(offset / 64)
        call(0, timeout: callTimeout, { [path] in .master(call: $0, .allocate(path, index: index), report: []) }) { [self] result in
            guard case let .success(.location(location)) = result else { return failed(value, at: offset, result.failure, nil) }
            allocated = max(allocated, index + 1)
            withLease(location.handle) { [self] result in
                let lease: LeaseInfo
                switch result {
                case let .success(granted): lease = granted
                case let .failure(error): return failed(value, at: offset, error, location.handle)
                }
                guard let primary = nodeOf(lease.primary) else {
                    return failed(value, at: offset, GFSError(.unavailable, "unknown primary \(lease.primary)"), location.handle)
                }
                call(primary, timeout: callTimeout, {
                    .chunk(call: $0, .write(lease.handle, version: lease.version, offset: offset % 64, id: ""), record: value)
                }) { [self] result in
                    guard case .success = result else { return failed(value, at: offset, result.failure, lease.handle) }
                    acknowledged += 1
                    expected[offset] = value
                    uncertain.remove(offset)
                    liveness.finished()
                    later(scheduler.draw(400_000_000...2_000_000_000)) { [self] in next() }
                }
            }
        }
    }

    /// The lease on `handle`, cached or from the master.
    private func withLease(_ handle: ChunkHandle, _ body: @escaping (Result<LeaseInfo, GFSError>) -> Void) {
        if let lease = leases.value(for: handle, at: now) { return body(.success(lease)) }
        let asked = now
        call(0, timeout: callTimeout, { .master(call: $0, .lease(handle, of: path), report: []) }) { [self] result in
            guard case let .success(.lease(info)) = result else { return body(.failure(result.failure)) }
            leases.keep(info, for: handle, until: asked.advanced(by: ClientLease.usable(remaining: info.remaining)))
            body(.success(info))
        }
    }

    /// As the client library's `writePiece`: the lease is suspect, and the write is tried again or given up.
    private func failed(_ value: UInt64, at offset: Int64, _ error: GFSError, _ handle: ChunkHandle?) {
        if let handle { leases.forget(handle) }
        switch attempts.failed(error, at: now) {
        case let .again(pause):
            later(pause.nanosecondsClamped) { [self] in attempt(value, at: offset) }
        case .giveUp:
            uncertain.insert(offset)
            liveness.gaveUp(at: scheduler.now)
            later(scheduler.draw(100_000_000...500_000_000)) { [self] in next() }
        }
    }

    /// Where a replica the master calls live does not hold an offset's last acknowledged value.
    func violations(master: MasterStateMachine, chunkservers: [SimulatedChunkServer]) -> [String] {
        var found: [String] = []
        let handles = master.namespace[path]?.chunks ?? []
        for (offset, value) in expected.sorted(by: { $0.key < $1.key }) where !uncertain.contains(offset) {
            let index = Int(offset / 64)
            guard index < handles.count else {
                found.append("\(path): chunk \(index) with an acknowledged write is gone")
                continue
            }
            let check = master.check(index: index, handle: handles[index])
            if check.health.live.isEmpty { found.append("\(path) offset \(offset): no live replica") }
            for server in check.health.live {
                guard let replica = chunkservers.first(where: { $0.address == server }) else { continue }
                let records = replica.records(handles[index]) ?? []
                let at = Int(offset % 64)
                if replica.version(handles[index]) != check.version || at >= records.count || records[at] != value {
                    found.append("\(server) lacks the write acknowledged at offset \(offset) of \(path)")
                }
            }
        }
        return found
    }
}
