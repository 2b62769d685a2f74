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
    func tail(from first: UInt64, shadow: ServerID?, wait: Duration, last: UInt32?) async throws(GFSError) -> Reply {
        let durable = log.durable
        if let last, first > 1 {
            guard first - 1 <= durable else {
                throw GFSError(.stale, "diverged: your log ends at record \(first - 1), mine at \(durable); start again from my checkpoint")
            }
            // A record this master cannot find any more cannot vouch for the shadow's log: start it again.
            guard let mine = await recordCheck(first - 1), mine == last else {
                throw GFSError(.stale, "diverged: your record \(first - 1) is not mine, or I cannot tell; start again from my checkpoint")
            }
        }
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
            let (folder, durableNow) = (self.folder, log.durable)
            bytes = try await NIOThreadPool.singleton.runIfActiveTyped { () throws(GFSError) -> [UInt8]? in
                try MasterStorage.records(folder, from: first, through: durableNow, maximumBytes: limit)
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
        guard let (sequence, bytes) = found else {
            // A shadow that must start again needs one: write it, and have the shadow ask again.
            maybeCheckpoint(force: true)
            throw GFSError(.unavailable, "this master is writing its first checkpoint; ask again")
        }
        return CheckpointReply(sequence: sequence, bytes: ByteBuffer(bytes: bytes), last: await recordCheck(sequence)).reply
    }

    func replicaConfirmed(_ shadow: ServerID, upTo sequence: UInt64) {
        replicaAcks[shadow] = max(replicaAcks[shadow] ?? 0, sequence)
        let excluded = excludedReplicas.contains(shadow)
        // Also one this primary waits for but etcd may record as behind (its key was unreadable at the
        // election): recorded in sync once caught up, or it could never campaign nor serve reads.
        let maybeBehind = !excluded && recordedBehind.contains(shadow) && !inSyncPending.contains(shadow)
        if excluded || maybeBehind, sequence >= log.durable, let fence = replicaFence {
            if excluded {
                // Waited for again before etcd lets it campaign again (Kafka's ISR works this way).
                excludedReplicas.remove(shadow)
                excludedAt[shadow] = nil
                inSyncGeneration[shadow, default: 0] += 1
                logger.notice("log replica \(shadow) caught up at record \(sequence); mutations wait for it again")
            }
            inSyncPending.insert(shadow)
            let logger = self.logger
            // In turn with every other change of the in-sync set, and until etcd has it. Queued in this actor
            // turn, with the generation bump: an exclusion that marks the replica behind after this turn is
            // surely recorded after it, so etcd ends with the mark and the primary leaves the replica out.
            let recorded = queueInTurn {
                for attempt in 1...20 {
                    if await fence.markInSync(shadow) {
                        await self.noteRecorded(shadow, behind: false)
                        return true
                    }
                    if attempt < 20 { try? await Task.sleep(for: .seconds(1)) }
                }
                return false
            }
            Task {
                let done = await recorded.value
                self.inSyncRecordEnded(shadow)
                if !done { logger.error("could not record log replica \(shadow) as in sync in etcd; it may not campaign") }
            }
        }
        wakeConfirmedWaiters()
    }

    /// An in-sync record of `replica` ended, done or given up.
    func inSyncRecordEnded(_ replica: ServerID) { inSyncPending.remove(replica) }

    /// Notes what etcd records of `replica`: behind (or maybe: a mark is on its way), or surely in sync.
    func noteRecorded(_ replica: ServerID, behind: Bool) {
        if behind { recordedBehind.insert(replica) } else { recordedBehind.remove(replica) }
    }

    /// Wakes the mutations waiting for records every replica still counted has confirmed.
    func wakeConfirmedWaiters() {
        let confirmed = confirmedByAllReplicas
        let ready = replicaWaiters.filter { $0.sequence <= confirmed }
        replicaWaiters.removeAll { $0.sequence <= confirmed }
        for waiter in ready { waiter.wake.fire() }
    }

    /// The last record every log replica still counted has confirmed. An excluded replica counts until
    /// `exclusionDelay` after it was marked behind, by the clock and not by a sleep, so no cancelled wait can
    /// end it early.
    private var confirmedByAllReplicas: UInt64 {
        let now = ContinuousClock.now
        return logReplicas.filter { replica in
            guard excludedReplicas.contains(replica), let since = excludedAt[replica] else { return true }
            return now < since + Self.exclusionDelay
        }.map { replicaAcks[$0] ?? 0 }.min() ?? .max
    }

    /// Under etcd, leaves `replicas` out of the in-sync set once etcd records them as behind (then they may
    /// not campaign, so no acknowledged mutation depends on them); false if that could not be recorded.
    private func exclude(_ replicas: [ServerID], why: String) async -> Bool {
        guard let fence = replicaFence else { return false }
        for replica in replicas where !excludedReplicas.contains(replica) {
            let generation = inSyncGeneration[replica, default: 0]
            // Noted in turn, so notes follow etcd's order; before the mark, which may land even if it fails.
            guard await inTurn({
                await self.noteRecorded(replica, behind: true)
                return await fence.markBehind(replica)
            }) else { return false }
            // Left out by another call meanwhile; or taken back in since this began, and then recorded in sync
            // in etcd after this mark (changes of the in-sync set go in turn): either way, nothing to do.
            guard !excludedReplicas.contains(replica), inSyncGeneration[replica, default: 0] == generation else { continue }
            excludedReplicas.insert(replica)
            excludedAt[replica] = .now
            logger.warning("log replica \(replica) \(why); mutations go on without it in \(Self.exclusionDelay), until it catches up")
        }
        // A shadow answers reads only within `inSyncValidity` of finding in etcd that it is in sync: until
        // `exclusionDelay` after the mark, a replica still counts (`confirmedByAllReplicas`). This waits out
        // every such delay, this call's or another's, so the caller finds them over.
        if let until = excludedReplicas.compactMap({ excludedAt[$0] }).max() {
            try? await Task.sleep(until: until + Self.exclusionDelay, clock: .continuous)
        }
        wakeConfirmedWaiters()
        return true
    }

    /// The log replicas behind the durable log and silent past `replicaTimeout`, with how long they have been.
    /// While there is one, mutations go through `checkLogReplicasKeepUp`, which leaves it out or refuses them.
    var overdueLogReplicas: [(replica: ServerID, silent: Duration)] {
        guard !logReplicas.isEmpty else { return [] }
        let durable = log.durable
        return logReplicas.compactMap { replica in
            guard (replicaAcks[replica] ?? 0) < durable, !excludedReplicas.contains(replica) else { return nil }
            let silent = ContinuousClock.now - (replicaLastHeard[replica] ?? replicasExpectedSince)
            return silent > replicaTimeout ? (replica, silent) : nil
        }
    }

    /// Refuses a mutation before it takes effect while a log replica is behind and silent for `replicaTimeout`:
    /// otherwise each mutation would be applied and logged here, then reported failed for want of the
    /// replica's confirmation. Only a mutation already under way when the replica went quiet is left in
    /// doubt, as with any timeout.
    func checkLogReplicasKeepUp() async throws(GFSError) {
        let durable = log.durable
        for (replica, silent) in overdueLogReplicas where !(await exclude([replica], why: "has been silent for \(silent)")) {
            throw GFSError(.unavailable, "log replica \(replica) has not confirmed record \(durable) and has been silent for \(silent); mutations wait until it is back")
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
        var missing = logReplicas.filter { (replicaAcks[$0] ?? 0) < sequence && !excludedReplicas.contains($0) }
        if confirmedByAllReplicas < sequence, await exclude(missing, why: "did not confirm record \(sequence) within \(timeout)") {
            missing = []
        }
        guard confirmedByAllReplicas >= sequence else {
            let missing = missing.map(\.description)
            // TIMEOUT, not UNAVAILABLE: the mutation was carried out, so a client must not simply send it again.
            throw GFSError(.timeout, "log replica(s) \(missing.joined(separator: ", ")) did not confirm within \(timeout); the mutation is on the primary's disk only")
        }
    }

    // MARK: - Shadow side

    /// The first record this shadow still needs.
    func nextSequenceToFetch() -> UInt64 { log.lastAssigned + 1 }

    /// Appends records streamed from the primary to this master's own log and applies them.
    func applyReplicated(_ bytes: [UInt8]) async throws(GFSError) {
        // Nothing from a cancelled follower: an election win waits only for the batches already begun.
        guard await beginFollowerWrite() else { return }
        defer { endFollowerWrite() }
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
        do {
            let sequence = try log.append(records.map(\.mutation))
            try await log.waitDurable(sequence)
        } catch {
            // A shadow's state holds only durable records, and none of this batch: once the failed write is
            // cut off the file, the log may take the batch again (when a full disk has room) with no reload; after a
            // failed cut the master exits, and a restart recovers. Left failed, every later batch failed
            // with the first error, and the shadow served reads minutes stale (chaos seed 421, `--etcd`).
            if case .shadow = role, log.failedCleanly { log.recovered() } else { reloadAfterLogFailure() }
            throw error
        }
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
        do { try log.restart(after: contents.sequence) } catch {
            // The folder holds the checkpoint and no log after it, while the log would go on in a file set
            // aside: records appended there would be lost to a restart. A restart recovers from the folder
            // (the checkpoint, and the marker that says this master is catching up).
            logger.critical("installed the primary's checkpoint \(sequence) but could not start a log after it: \(error); exiting")
            exit(74)
        }
        state = fresh
        log.noteCheckpoint(bytes: Int64(bytes.count))
        logger.info("installed the primary's checkpoint \(sequence)")
    }

    /// `PROMOTE`: this shadow stops following and takes writes. Leases are fenced for one lease period, since
    /// the old primary's leases may still be in force.
    func promote() async -> Reply {
        guard case let .shadow(primary) = role else { return PromoteReply(role: .primary, sequence: nil).reply }
        // Under etcd a primary holds an epoch that fences the old one's orders and log replicas; a promotion
        // by hand would have none, and two primaries could then give orders.
        guard !readsNeedInSyncConfirmation else {
            return .error(GFSError(.badRequest, "this master's primary is elected in etcd; stop \(primary) and the election promotes a shadow"))
        }
        // One catching up lacks records its primary acknowledged, and one starting again from a checkpoint
        // would go on replacing its state and log under the writes it took as primary.
        guard !startingAgain, mayCampaign else {
            return .error(GFSError(.badRequest, "this shadow is still catching up with \(primary) and lacks records it acknowledged; promote one that has caught up"))
        }
        follower?.cancel()
        follower = nil
        // A batch on its way to disk is applied first: its records come before any this primary takes, in
        // the log and in the state alike. A cancelled follower begins no other.
        await followerWritesEnded()
        guard case .shadow = role else { return PromoteReply(role: .primary, sequence: nil).reply }  // promoted meanwhile
        role = .primary
        state.fenceLeasesAfterPromotion()
        reads.reset(state.readView, at: log.durable, stillLeading: stillLeading)
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
