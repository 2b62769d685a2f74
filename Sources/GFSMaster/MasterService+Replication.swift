import GFSClient
import GFSProtocol
import NIOCore
import NIOPosix

/// Shadow masters (GFS §5.1.3): the primary serves its log to shadows (`TAIL`, `CHECKPOINT`) and, with log
/// replicas, acknowledges a mutation only once they have it on disk; a shadow applies the stream to its own
/// log and state, serves reads, and can be promoted.
extension MasterService {
    /// Whether this master takes writes, or follows another.
    public typealias Role = MasterRole

    // MARK: - Primary side

    /// `TAIL from=N`: records from N on, after waiting up to `wait` for new ones. A shadow's `from` also says
    /// it has everything before N on disk, which is its acknowledgement as a log replica.
    func tail(from first: UInt64, shadow: ServerID?, wait: Duration) async throws(GFSError) -> Reply {
        let durable = log.durable
        guard first >= 1, first <= durable + 1 else {
            throw GFSError(.badRequest, "asked for record \(first) but this master's log ends at \(durable)")
        }
        // Only after the check: an acknowledgement past what this master wrote would satisfy every wait.
        if let shadow {
            replicaLastHeard[shadow] = .now
            replicaConfirmed(shadow, upTo: first - 1)
        }
        if first == durable + 1, wait > .zero { await log.waitForRecords(after: durable, timeout: wait) }
        let limit = 4 << 20
        var bytes = log.recentRecords(from: first, maximumBytes: limit)
        if bytes == nil {
            let folder = self.folder
            bytes = try await NIOThreadPool.singleton.runIfActiveTyped { () throws(GFSError) -> [UInt8]? in
                try MasterStorage.records(folder, from: first, maximumBytes: limit)
            }
        }
        guard let bytes else {
            throw GFSError(.stale, "records from \(first) were replaced by a checkpoint; fetch it with CHECKPOINT")
        }
        return TailReply(durable: log.durable, records: ByteBuffer(bytes: bytes)).reply
    }

    /// `CHECKPOINT`: the newest checkpoint file and its sequence.
    func newestCheckpoint() async throws(GFSError) -> Reply {
        let folder = self.folder
        let found = try await NIOThreadPool.singleton.runIfActiveTyped { () throws(GFSError) -> (UInt64, [UInt8])? in
            guard let newest = try LogFiles.checkpoints(in: folder).first else { return nil }
            return (newest.sequence, try LogFiles.read(folder + "/" + newest.name))
        }
        guard let (sequence, bytes) = found else { throw GFSError(.notFound, "this master has no checkpoint yet") }
        return CheckpointReply(sequence: sequence, bytes: ByteBuffer(bytes: bytes)).reply
    }

    func replicaConfirmed(_ shadow: ServerID, upTo sequence: UInt64) {
        replicaAcks[shadow] = max(replicaAcks[shadow] ?? 0, sequence)
        let confirmed = confirmedByAllReplicas
        let ready = replicaWaiters.filter { $0.sequence <= confirmed }
        replicaWaiters.removeAll { $0.sequence <= confirmed }
        for waiter in ready { waiter.wake.fire() }
    }

    private var confirmedByAllReplicas: UInt64 {
        logReplicas.map { replicaAcks[$0] ?? 0 }.min() ?? .max
    }

    /// Refuses a mutation before it takes effect while a log replica is behind and silent for `replicaTimeout`:
    /// otherwise each mutation would be applied and logged here, then reported failed for want of the
    /// replica's confirmation. Only a mutation already under way when the replica went quiet is left in
    /// doubt, as with any timeout.
    func checkLogReplicasKeepUp() throws(GFSError) {
        let durable = log.durable
        for replica in logReplicas where (replicaAcks[replica] ?? 0) < durable {
            let heard = replicaLastHeard[replica] ?? serviceStarted
            let silent = ContinuousClock.now - heard
            if silent > replicaTimeout {
                throw GFSError(.unavailable, "log replica \(replica) has not confirmed record \(durable) and has been silent for \(silent); mutations wait until it is back")
            }
        }
    }

    /// Waits until every log replica has `sequence` on disk; UNAVAILABLE after `replicaTimeout`.
    func waitForReplicas(_ sequence: UInt64) async throws(GFSError) {
        guard !logReplicas.isEmpty, confirmedByAllReplicas < sequence else { return }
        let timeout = replicaTimeout
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let wake = OneShot(continuation)
            replicaWaiters.append((sequence, wake))
            Task { try? await Task.sleep(for: timeout); wake.fire() }
        }
        guard confirmedByAllReplicas >= sequence else {
            let missing = logReplicas.filter { (replicaAcks[$0] ?? 0) < sequence }.map(\.description)
            // TIMEOUT, not UNAVAILABLE: the mutation was carried out, so a client must not simply send it again.
            throw GFSError(.timeout, "log replica(s) \(missing.joined(separator: ", ")) did not confirm within \(timeout); the mutation is on the primary's disk only")
        }
    }

    // MARK: - Shadow side

    /// The first record this shadow still needs.
    func nextSequenceToFetch() -> UInt64 { log.lastAssigned + 1 }

    /// Appends records streamed from the primary to this master's own log and applies them.
    func applyReplicated(_ bytes: [UInt8]) async throws(GFSError) {
        guard case .shadow = role else { return }
        let (records, end, problem) = LogRecord.decodeAll(bytes)
        guard end == bytes.count else { throw GFSError(.badRequest, "damaged log stream: \(problem ?? "")") }
        guard let first = records.first else { return }
        guard first.sequence == log.lastAssigned + 1 else {
            throw GFSError(.badRequest, "log stream starts at \(first.sequence), expected \(log.lastAssigned + 1)")
        }
        // The whole batch must apply before any of it is logged or applied: a batch applied in part would be
        // fetched and applied again, and the shadow would wedge on its own half.
        var trial = state
        for record in records { try trial.applyChecked(record.mutation) }
        let sequence = try log.append(records.map(\.mutation))
        try await log.waitDurable(sequence)
        for record in records {
            try state.applyChecked(record.mutation)
            // Only a settled version: for one no client was handed, the replicas behind it still serve reads.
            if case let .setVersion(handle, _) = record.mutation { state.assumeReplicasCurrent(handle) }
        }
        maybeCheckpoint()
    }

    /// Replaces this shadow's state with the primary's checkpoint and continues its log after it.
    func installCheckpoint(_ bytes: [UInt8], sequence: UInt64) async throws(GFSError) {
        let contents: Checkpoint.Contents
        do { contents = try Checkpoint.decode(bytes) } catch {
            throw GFSError(.badRequest, "checkpoint from the primary is damaged: \(error)")
        }
        let folder = self.folder
        try await NIOThreadPool.singleton.runIfActiveTyped { () throws(GFSError) in
            try MasterStorage.installCheckpoint(bytes, sequence: contents.sequence, folder: folder)
        }
        var fresh = MasterStateMachine(configuration: state.configuration, clock: state.clock)
        fresh.restore(contents)
        fresh.adoptVolatileState(of: state)
        state = fresh
        try log.restart(after: contents.sequence)
        logger.info("installed the primary's checkpoint \(sequence)")
    }

    /// `PROMOTE`: this shadow stops following and takes writes. Leases are fenced for one lease period, since
    /// the old primary's leases may still be in force.
    func promote() -> Reply {
        guard case let .shadow(primary) = role else { return PromoteReply(role: .primary, sequence: nil).reply }
        follower?.cancel()
        follower = nil
        role = .primary
        state.fenceLeasesAfterPromotion()
        logger.notice("promoted to primary (was a shadow of \(primary)) at log record \(log.durable)")
        return PromoteReply(role: .primary, sequence: log.durable).reply
    }

    /// Starts following `primary` (called once, at start, on a shadow).
    public func startFollowing(as address: ServerID) {
        guard case let .shadow(primary) = role else { return }
        follower = Task { await ShadowFollower(primary: primary, address: address, service: self).run() }
    }
}

extension NIOThreadPool {
    /// `runIfActive` for a closure with typed throws.
    func runIfActiveTyped<T: Sendable>(_ body: @escaping @Sendable () throws(GFSError) -> T) async throws(GFSError) -> T {
        do {
            return try await runIfActive { () throws -> T in try body() }
        } catch {
            throw error as? GFSError ?? GFSError(.internal, "\(error)")
        }
    }
}
