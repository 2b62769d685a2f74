import Foundation
import GFSCore
import GFSProtocol
import NIOPosix

/// What elections (MasterElection) ask of the service: become the primary, follow another, and know whether
/// this master's log holds everything acknowledged, which it must before it may campaign.
extension MasterService {
    /// The marker of a master whose log may lack acknowledged records: it started again from a primary's
    /// checkpoint, or joined a running cluster empty. It may not campaign until it has caught up.
    var catchingUpMarker: String { folder + "/catching-up" }

    /// Whether this master may stand for election.
    public var mayCampaign: Bool { access(catchingUpMarker, F_OK) != 0 }

    /// Marks this master as catching up (durably: it must hold across a restart).
    func markCatchingUp() throws(GFSError) {
        let descriptor = open(catchingUpMarker, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LogFiles.failure(catchingUpMarker) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard synced else { throw LogFiles.failure(catchingUpMarker) }
        try LogFiles.syncFolderChecked(folder)
    }

    /// Whether this master's log holds no record at all.
    public var logIsEmpty: Bool { log.lastAssigned == 0 }

    /// Where a shadow that started from a checkpoint keeps the CRC32C of the checkpoint's last record, which
    /// is in none of its log files.
    var checkpointCheckFile: String { folder + "/checkpoint-last" }

    /// Called after applying (or failing to apply) a batch from `primary`, whose durable log then ended at
    /// `end`: reads wait for this shadow to hold all of it, and a master catching up may campaign once it does.
    func heard(from primary: ServerID, end: UInt64) {
        // From a follower of a primary this one no longer follows (cancelled when it stopped following it).
        guard case .shadow(of: primary) = role, !Task.isCancelled else { return }
        primaryEnd = end
        guard log.lastAssigned >= end, !mayCampaign else { return }
        unlink(catchingUpMarker)
        LogFiles.syncFolder(folder)
        logger.info("caught up with the primary at log record \(end); this master may stand for election")
    }

    /// Under etcd: reads on this master, while a shadow, need `noteInSync` to have found it in sync lately.
    public func requireInSyncConfirmation() { readsNeedInSyncConfirmation = true }

    /// Under etcd: what an etcd read begun at `checkedAt` found: whether the primary waits for this master's
    /// log (it is not recorded as behind).
    public func noteInSync(_ inSync: Bool, checkedAt: ContinuousClock.Instant) {
        if inSync != (inSyncConfirmed != nil) {
            logger.info(inSync ? "in sync with the primary's log again; serving reads"
                               : "the primary goes on without this master's log; reads are refused until it catches up")
        }
        inSyncConfirmed = inSync ? checkedAt : nil
    }

    /// Refuses a read on a shadow that could miss acknowledged changes: one that knows its log ends before its
    /// primary's (its disk was full, it is catching up), or that has not heard from its primary since it
    /// started following it (it may have been down for any time); under etcd also one that has not lately
    /// found in etcd that the primary waits for its log (cut off from the primary, it is left behind). The
    /// refusal is READONLY, so clients read from another master. A shadow that was current when its primary
    /// went silent goes on answering (GFS §5.1.3), except under etcd, where a primary may be going on without it.
    func checkCurrent(shadowOf primary: ServerID) throws(GFSError) {
        guard follower != nil else {
            throw GFSError(.readOnly, "this master follows no primary yet; read from another master")
        }
        if readsNeedInSyncConfirmation {
            guard let confirmed = inSyncConfirmed, ContinuousClock.now - confirmed < Self.inSyncValidity else {
                throw GFSError(.readOnly, "this master is a shadow of \(primary) that has not lately found in etcd that \(primary) waits for its log; read from \(primary)")
            }
        }
        guard let end = primaryEnd else {
            throw GFSError(.readOnly, "this master is a shadow of \(primary) and has not heard from it yet; read from \(primary)")
        }
        let held = log.lastAssigned
        guard held >= end else {
            throw GFSError(.readOnly, "this master is a shadow of \(primary) and behind it (log record \(held) of \(end)); read from \(primary)")
        }
    }

    /// An empty master joining a cluster that already has a primary history must catch up first.
    public func markCatchingUpIfEmpty() throws(GFSError) {
        guard logIsEmpty, mayCampaign else { return }
        try markCatchingUp()
    }

    /// The CRC32C of this master's record `sequence`, or nil if it is not in its log files any more.
    func recordCheck(_ sequence: UInt64) async -> UInt32? {
        var bytes = log.recentRecords(from: sequence, maximumBytes: 1)
        if bytes == nil {
            let folder = self.folder
            bytes = try? await NIOThreadPool.singleton.runIfActiveTyped { () throws(GFSError) -> [UInt8]? in
                try MasterStorage.records(folder, from: sequence, maximumBytes: 1)
            }
        }
        guard let bytes, let record = LogRecord.decodeAll(bytes).records.first, record.sequence == sequence else { return nil }
        return CRC32C.checksum(record.framed)
    }

    /// The check a shadow sends with TAIL: its last record's CRC32C.
    func lastRecordCheck() async -> UInt32? {
        let last = log.lastAssigned
        guard last > 0 else { return nil }
        if let check = await recordCheck(last) { return check }
        // Its log ends in a checkpoint it started from: the primary told it that record's check.
        guard let text = try? String(contentsOfFile: checkpointCheckFile, encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: \.isWhitespace)
        guard parts.count == 2, UInt64(parts[0]) == last else { return nil }
        return UInt32(parts[1])
    }

    /// Starts again from the primary's checkpoint: this master's own log went where the primary's did not
    /// (or was replaced by a checkpoint); its records are set aside and it may not campaign until caught up.
    /// Once begun it runs to its end, even if its follower is cancelled meanwhile: NIO's thread pool skips the
    /// work of a cancelled task, and stopped halfway it would leave the folder with its records set aside and
    /// no checkpoint in their place, which an election win or a restart would then recover as the state.
    func startAgain(from bytes: [UInt8], sequence: UInt64, last: UInt32?) async throws(GFSError) {
        guard await beginFollowerWrite() else { throw GFSError(.unavailable, "stopped following before starting again") }
        startingAgain = true
        let whole = Task { () async -> Result<Void, GFSError> in
            defer {
                self.startingAgain = false
                self.endFollowerWrite()
            }
            do throws(GFSError) {
                try await self.startAgainWhole(from: bytes, sequence: sequence, last: last)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try await whole.value.get()
    }

    private func startAgainWhole(from bytes: [UInt8], sequence: UInt64, last: UInt32?) async throws(GFSError) {
        primaryEnd = nil  // surely behind: the checkpoint may be older than the primary's log
        // A checkpoint of this shadow's own state being written lands first, and is set aside with its log:
        // renamed in after, it would be a state the new log does not continue.
        await checkpointsEnded()
        try markCatchingUp()
        let (folder, checkFile) = (self.folder, checkpointCheckFile)
        let stamp = Int64(Date().timeIntervalSince1970 * 1000)
        try await NIOThreadPool.singleton.runIfActiveTyped { () throws(GFSError) in
            try MasterStorage.setAside(folder, stamp: stamp)
            unlink(checkFile)
            if let last {
                let descriptor = open(checkFile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else { throw LogFiles.failure(checkFile) }
                defer { close(descriptor) }
                try LogFiles.writeAll(descriptor, Array("\(sequence) \(last)\n".utf8), path: checkFile)
                guard fsync(descriptor) == 0 else { throw LogFiles.failure(checkFile) }
            }
            try LogFiles.syncFolderChecked(folder)
        }
        try await installCheckpoint(bytes, sequence: sequence)
        logger.warning("started again from the primary's checkpoint \(sequence); earlier records set aside in diverged-\(stamp)")
    }

    /// Begins a follower's step that writes the log, once no other is under way (an old follower's and a new
    /// one's must not interleave: a start from a checkpoint replaces the log under a batch); false for a
    /// cancelled follower, or once this master is no longer a shadow. The wait and the count are on the actor
    /// with no suspension between them, so no step begins unseen.
    func beginFollowerWrite() async -> Bool {
        while followerWrites > 0 { await withCheckedContinuation { followerWritesDone.append($0) } }
        guard case .shadow = role, !Task.isCancelled else { return false }
        followerWrites += 1
        return true
    }

    func endFollowerWrite() {
        followerWrites -= 1
        guard followerWrites == 0 else { return }
        for waiter in followerWritesDone { waiter.resume() }
        followerWritesDone.removeAll()
    }

    /// Returns once no follower's step is writing the log.
    func followerWritesEnded() async {
        while followerWrites > 0 { await withCheckedContinuation { followerWritesDone.append($0) } }
    }

    /// Exits at once if this primary's election may have lapsed: a primary resumed after a long pause (a
    /// SIGSTOP, a stalled VM) must not answer even one request before its watchdog runs.
    func checkLeadership() {
        guard role == .primary, let leading = stillLeading, !leading() else { return }
        logger.critical("the etcd lease of epoch \(epoch) may have lapsed; exiting so that no second primary serves")
        exit(75)
    }

    /// How a planned stop left the log: with a log replica in sync that has every record (which can then take
    /// over at once), or with none.
    public enum HandOver: Sendable { case toReplicas, alone }

    /// A planned stop of the primary: refuses new mutations, gives chunkservers no more lease extensions and
    /// stops the repair loop, then waits until every mutation applied so far is durable and on the in-sync log
    /// replicas. Nil when they could not settle: the election lease is then left to lapse.
    public func handOver() async -> HandOver? {
        guard role == .primary else { return nil }
        handingOver = true
        maintenance?.cancel()
        do {
            try await settle()
            _ = await fenceChain?.value  // a replica's change of the in-sync set reaches etcd first
        } catch {
            logger.error("handing over: \(error.message); the election lease is left to lapse")
            return nil
        }
        let durable = log.durable
        // Only one etcd surely records as in sync: a replica this master took back in, whose in-sync record
        // failed, is still behind there and may not campaign; counting it, this master would record itself as
        // behind too, and no master could campaign.
        let inSync = logReplicas.filter {
            !excludedReplicas.contains($0) && !recordedBehind.contains($0) && (replicaAcks[$0] ?? 0) >= durable
        }
        return inSync.isEmpty ? .alone : .toReplicas
    }

    /// Whether this master gives orders as the primary: not a shadow, and not handing over.
    var ordersAsPrimary: Bool { role == .primary && !handingOver }

    /// Won the election at `epoch`: stops following and takes writes, as a restarted master would. The
    /// reign's first record makes this log tell apart from any the old primary wrote past it.
    public func becomePrimary(epoch: UInt64, behind: Set<ServerID>, maybeBehind: Set<ServerID> = [], fence: ReplicaFence,
                              stillLeading: @escaping @Sendable () -> Bool) async throws(GFSError) {
        // The follower's step under way (records being logged, a checkpoint being installed) ends first; a
        // cancelled follower starts no other. Its calls to the primary are not waited for: a stalled primary
        // could hold them (a connect, a TLS handshake) for long.
        follower?.cancel()
        follower = nil
        await followerWritesEnded()
        guard mayCampaign else {
            throw GFSError(.unavailable, "this master started again from a checkpoint while it campaigned")
        }
        // The durable state alone, as after a restart: replica locations and versions a shadow assumed from
        // the log (a replica that missed a version looks current to it) are forgotten; chunkservers register
        // again, their heartbeats refused until they do, and report what they really hold.
        let (clock, folder, logger) = (state.clock, self.folder, self.logger)
        let fresh = MasterStateMachine(configuration: state.configuration, clock: clock,
                                       firstHandle: UInt64(max(clock.wallMilliseconds, 1)) << 16,
                                       seed: UInt64(truncatingIfNeeded: clock.wallMilliseconds))
        state = try await NIOThreadPool.singleton.runIfActiveTyped { () throws(GFSError) in
            try MasterStorage.recover(folder, into: fresh, logger: logger).state
        }
        self.stillLeading = stillLeading
        role = .primary
        reads.reset(state.readView, at: log.durable, stillLeading: stillLeading)
        self.epoch = epoch
        excludedReplicas = behind.intersection(logReplicas)
        recordedBehind = excludedReplicas.union(maybeBehind.intersection(logReplicas))
        // Marked by the last primary perhaps a moment ago: they count until `exclusionDelay` from now.
        excludedAt = Dictionary(uniqueKeysWithValues: excludedReplicas.map { ($0, ContinuousClock.now) })
        if !excludedReplicas.isEmpty {
            Task {
                try? await Task.sleep(for: Self.exclusionDelay)
                self.wakeConfirmedWaiters()
            }
        }
        replicaFence = fence
        // Replicas heard from now on: one that stays silent is left out after `replicaTimeout`.
        replicaLastHeard = [:]
        replicasExpectedSince = .now
        // As after a restart, not a manual promotion: the winner holds every record acknowledged and every
        // version ever sent to a chunkserver (versions are logged on the in-sync replicas before they are
        // sent), and knows replicas only from their reports, so a replica that registers with this master
        // may lift the fence of its chunk.
        state.fenceLeasesAfterRestart()
        let sequence = try log.append([.beginEpoch(epoch)])
        try await log.waitDurable(sequence)
        logger.notice("elected primary at epoch \(epoch), log record \(sequence)")
    }

    /// The election names `primary`: follow it (from this master's own log).
    public func follow(_ primary: ServerID, as address: ServerID) {
        if case let .shadow(current) = role, current == primary, follower != nil { return }
        guard role != .primary else { return }  // a deposed primary exits instead (MasterElection)
        // A step of the follower replaced that is under way ends by itself, counted in `followerWrites`.
        follower?.cancel()
        role = .shadow(of: primary)
        primaryEnd = nil
        follower = Task { await ShadowFollower(primary: primary, address: address, service: self).run() }
        logger.info("following primary \(primary)")
    }
}

/// How a primary under etcd records that a log replica is out of, or back in, the in-sync set.
public struct ReplicaFence: Sendable {
    /// Records `replica` as behind; false if this master could not (it may no longer be the primary).
    public var markBehind: @Sendable (ServerID) async -> Bool
    /// Records `replica` as in sync again.
    public var markInSync: @Sendable (ServerID) async -> Bool

    public init(markBehind: @escaping @Sendable (ServerID) async -> Bool,
                markInSync: @escaping @Sendable (ServerID) async -> Bool) {
        self.markBehind = markBehind
        self.markInSync = markInSync
    }
}

extension MasterService {
    /// Runs `change` of the in-sync set after every change started before it.
    func inTurn(_ change: @escaping @Sendable () async -> Bool) async -> Bool {
        await queueInTurn(change).value
    }

    /// Queues `change` after every change of the in-sync set queued before, at once (no suspension), so a
    /// change queued later in the same actor turn, or in a later one, surely comes after it.
    func queueInTurn(_ change: @escaping @Sendable () async -> Bool) -> Task<Bool, Never> {
        let previous = fenceChain
        let task = Task { () -> Bool in
            _ = await previous?.value
            return await change()
        }
        fenceChain = task
        return task
    }
}
