import GFSClient
import GFSProtocol
import Logging
import NIOCore
import NIOPosix

/// The I/O around `MasterStateMachine`: steps it for each request, carries out what it decides (telling
/// chunkservers about new chunks and versions), and answers. Every mutation passes through `commit`.
public actor MasterService {
    var state: MasterStateMachine
    let pool = ConnectionPool(connectTimeout: .seconds(2))
    let logger: Logger
    /// Grants to chunkservers must answer within this, or the replica is treated as not having taken them.
    let grantTimeout: Duration
    var pendingAllocations: [String: Task<ChunkLocation, any Error>] = [:]
    var pendingLeases: [ChunkHandle: Task<LeaseInfo, any Error>] = [:]
    /// Namespace changes being carried out, by the call they belong to, with the retries waiting for the
    /// first try's reply. The first try runs in its own request's task, not in one more task per request;
    /// nothing cancels a request's task (a closed connection's replies are dropped, not its work), so a
    /// retry never gets a cancelled first try's error for a mutation that may be durable.
    var callsUnderWay: [ClientCall: [CheckedContinuation<Reply, Never>]] = [:]
    /// The connection each chunkserver last registered on; only its closing means the server died.
    private var registrations: [ServerID: ObjectIdentifier] = [:]
    let log: OperationLog
    /// The primary's reads as of its newest durable commit, answered on the event loop (`RequestRouter`).
    public nonisolated let reads: PublishedReads
    let folder: String
    private var checkpointing = false
    private var checkpointWaiters: [CheckedContinuation<Void, Never>] = []
    /// How many times a failed log write made this master reload its durable state: mutations applied before
    /// a reload are gone, and their sequence numbers are handed out again.
    private(set) var reloads = 0
    /// Primary or shadow.
    public internal(set) var role: Role
    /// The etcd revision of this master's election, stamped on its orders to chunkservers (0 without etcd).
    public internal(set) var epoch: UInt64 = 0
    /// Shadows that must have a record on disk before its mutation is acknowledged.
    let logReplicas: [ServerID]
    let replicaTimeout: Duration
    var replicaAcks: [ServerID: UInt64] = [:]
    /// Under etcd: log replicas left out of the in-sync set (recorded in etcd, so they may not campaign),
    /// and how to record that.
    var excludedReplicas: Set<ServerID> = []
    /// The log replicas etcd may record as behind: a mark may have landed, and no in-sync record after it has.
    /// A hand-over counts none of them as in sync, whatever this master thinks of them.
    var recordedBehind: Set<ServerID> = []
    /// Log replicas whose in-sync record to etcd is queued or under way.
    var inSyncPending: Set<ServerID> = []
    /// When each excluded replica was marked behind (or found so at election): it is waited for until
    /// `exclusionDelay` after, while it may still be answering reads as in sync.
    var excludedAt: [ServerID: ContinuousClock.Instant] = [:]
    /// How many times each log replica was taken back into the in-sync set: an exclusion begun before the
    /// latest of these must not leave it out again.
    var inSyncGeneration: [ServerID: Int] = [:]
    var replicaFence: ReplicaFence?
    /// The last change of the in-sync set sent to etcd: each waits for the one before, so a replica marked
    /// in sync and then behind ends up behind.
    var fenceChain: Task<Bool, Never>?
    /// Under etcd, while primary: whether its election lease surely still holds.
    var stillLeading: (@Sendable () -> Bool)?
    /// When each log replica last asked for records (a live shadow always has a TAIL waiting).
    var replicaLastHeard: [ServerID: ContinuousClock.Instant] = [:]
    /// When this service started or was elected: log replicas get one `replicaTimeout` from then to show up.
    var replicasExpectedSince = ContinuousClock.now
    var replicaWaiters: [(sequence: UInt64, wake: OneShot)] = []
    var follower: Task<Void, Never>?
    /// Followers' steps under way that write the log (a batch being logged, a start from a checkpoint), and
    /// who waits for there to be none: an election win reads the log only then.
    var followerWrites = 0
    var followerWritesDone: [CheckedContinuation<Void, Never>] = []
    /// A shadow starting again from its primary's checkpoint, not yet through.
    var startingAgain = false
    /// On a shadow: where its primary said its durable log ended, after the batch that came with that was
    /// applied or failed; nil until it has heard from the primary it follows now.
    var primaryEnd: UInt64?
    /// Under etcd, on a shadow: when its election loop began the etcd read that last found it in sync (the
    /// primary waits for its log); nil while etcd records it as behind. Reads are answered only within
    /// `inSyncValidity` of it, and a primary that marks a replica behind waits longer than that before it
    /// acknowledges anything without it.
    var inSyncConfirmed: ContinuousClock.Instant?
    /// Whether reads on a shadow need that confirmation (it is elected in etcd).
    var readsNeedInSyncConfirmation = false
    static let inSyncValidity = Duration.seconds(1)
    /// How long a primary still waits for a replica it marked behind: past the validity of any in-sync
    /// confirmation the replica read before the mark.
    static let exclusionDelay = inSyncValidity + .milliseconds(250)
    var pathLocks = PathLocks()
    var lockWaiters: [CheckedContinuation<Void, Never>] = []
    /// The repair and garbage-collection loop.
    var maintenance: Task<Void, Never>?
    /// Set by a planned stop of the primary: mutations are refused (clients try the next master) while the
    /// last ones settle, so the successor has every one.
    var handingOver = false
    /// Exports, token keys and the audit log (`secure(_:)`).
    var accessControl = AccessControl()
    /// The status page's recent events, and what it last saw of each chunkserver.
    var events = RecentEvents()
    var serverStates: [ServerID: String] = [:]
    /// When the newest checkpoint was written (wall-clock milliseconds), and the last health count.
    var lastCheckpointWall: Int64?
    var healthCache: (at: ContinuousClock.Instant, health: MasterReport.Health)?
    var healthCount: Task<MasterReport.Health, Never>?
    /// Where the status page is served (`--http`), told in STATUS replies.
    var statusAddress: ServerID?

    /// A master whose durable state is recovered from `folder`: the newest good checkpoint plus the log after
    /// it (GFS §2.6.3). Recovery needs no flag and no operator step.
    public init(configuration: MasterConfiguration, clock: any GFSClock, logger: Logger, folder: String,
                checkpointBytes: Int64 = 64 << 20, role: Role = .primary, logReplicas: [ServerID] = [],
                replicaTimeout: Duration = .seconds(10), grantTimeout: Duration = .seconds(5),
                reads: PublishedReads = PublishedReads()) throws(GFSError) {
        self.role = role
        self.reads = reads
        self.logReplicas = logReplicas
        self.replicaTimeout = replicaTimeout
        let started = ContinuousClock.now
        // Handles start from the wall clock so no earlier run of this master can have issued them.
        let firstHandle = UInt64(max(clock.wallMilliseconds, 1)) << 16
        let fresh = MasterStateMachine(configuration: configuration, clock: clock, firstHandle: firstHandle,
                                       seed: UInt64(truncatingIfNeeded: clock.wallMilliseconds))
        let recovered = try MasterStorage.recover(folder, into: fresh, logger: logger)
        state = recovered.state
        if !state.chunks.isEmpty { state.fenceLeasesAfterRestart() }
        log = try OperationLog(folder: folder, fileName: recovered.logFile, end: recovered.logEnd, lastSequence: recovered.lastSequence,
                               checkpointBytes: checkpointBytes, checkpointedBytes: recovered.checkpointBytes)
        self.folder = folder
        self.logger = logger
        self.grantTimeout = grantTimeout
        lastCheckpointWall = Self.newestCheckpointTime(in: folder)
        if role == .primary { reads.reset(state.readView, at: recovered.lastSequence, stillLeading: nil) }
        let elapsed = ContinuousClock.now - started
        let (entries, chunks) = (recovered.state.namespace.count, recovered.state.chunks.count)
        logger.info("recovered in \(elapsed): checkpoint \(recovered.checkpoint.map(String.init) ?? "none"), \(recovered.replayed) log records replayed, \(entries) entries, \(chunks) chunks")
    }

    /// Makes mutations durable before their request is answered (GFS §2.6.3): they are numbered and queued at
    /// once, and concurrent requests share one fsync. A failed write makes the master reload its durable
    /// state, since the in-memory state already holds the mutations that did not make it to disk.
    /// Logs `mutations` (already applied) and waits until they are durable and on the log replicas. With none,
    /// still waits for those already applied: an answer drawn from the state ("it already exists") must not
    /// reveal a mutation that a crash could still undo (the simulation lost a create that way: a retry during
    /// a stalled fsync was told EXISTS, then the master crashed).
    /// With `call`, the client operation it names is recorded as done in the same append, after its mutations.
    func commit(_ mutations: [Mutation], finishing call: ClientCall? = nil) async throws(GFSError) {
        // A remembered call that changed nothing is recorded too: repeated, a TRUNCATE would cut what followed.
        guard !mutations.isEmpty || call != nil else { return try await settle() }
        // Whatever was under way when a planned stop began (a grant, a GC pass) logs nothing more.
        guard !handingOver else { throw GFSError(.unavailable, "this master is stopping and hands over to the next primary") }
        let mutations = mutations + (call.map { [state.finishCall($0)] } ?? [])
        let sequence: UInt64
        let view: ReadView
        let reloadsBefore = reloads
        do {
            sequence = try log.append(mutations)
            view = state.readView
            RequestPipeline.applied?.open()  // the connection's next request may go on: it sees these
            try await log.waitDurable(sequence)
            try checkNoReloadSince(reloadsBefore)
        } catch {
            reloadAfterLogFailure()
            throw error
        }
        maybeCheckpoint()
        try await waitForReplicas(sequence)
        reads.publish(view, at: sequence)
    }

    /// Waits until every mutation applied so far is durable and on the log replicas.
    func settle() async throws(GFSError) {
        // After a failed write, the state may hold mutations that are on no disk: nothing drawn from it is told.
        let sequence: UInt64
        do { sequence = try log.lastAssignedUnlessFailed() } catch { throw Self.logFailed }
        guard sequence > 0 else { return }
        let view = state.readView
        // Not once handing over: a mutation refused then may be applied to the state and in no log. A view
        // taken before holds none such.
        let publishable = role == .primary && !handingOver
        let reloadsBefore = reloads
        try await log.waitDurable(sequence)
        try checkNoReloadSince(reloadsBefore)
        try await checkLogReplicasKeepUp()  // no use waiting for a replica known to be silent
        try await waitForReplicas(sequence)
        if publishable { reads.publish(view, at: sequence) }
    }

    /// Fails when the state was reloaded after `reloadsBefore` was read. A wait for a sequence number leaves
    /// the actor before it is registered: in between, a failed flush can take the number back, a reload
    /// drop the mutation, and a new record take the number and become durable, ending the wait.
    func checkNoReloadSince(_ reloadsBefore: Int) throws(GFSError) {
        guard reloads == reloadsBefore else { throw Self.logFailed }
    }

    func reloadAfterLogFailure() {
        guard log.hasFailed else { return }
        guard log.failedCleanly else {
            // The failed batch is still in the file and may be whole: a reload would replay it, while the log
            // hands its numbers out again. A restart replays it, or cuts it, with the numbers to match.
            logger.critical("operation log write failed and could not be cut back off the file; exiting")
            exit(74)
        }
        let fresh = MasterStateMachine(configuration: state.configuration, clock: state.clock)
        do {
            var recovered = try MasterStorage.recover(folder, into: fresh, logger: logger).state
            recovered.adoptVolatileState(of: state)
            state = recovered
            reloads += 1
            log.recovered()
            if role == .primary { reads.reset(state.readView, at: log.durable, stillLeading: stillLeading) }
            logger.error("operation log write failed; reloaded the durable state and go on serving reads")
        } catch {
            // Serving on would answer from mutations that are on no disk; a restart recovers what is.
            logger.critical("operation log write failed and the state could not be reloaded: \(error); exiting")
            exit(74)
        }
    }

    /// Starts a checkpoint when the log has grown past its threshold: switch to a new log file, snapshot the
    /// state (O(1): the tables are persistent trees) and write it on a thread pool while requests go on.
    func maybeCheckpoint(force: Bool = false) {
        // Not while starting again from the primary's checkpoint: a checkpoint of the state being replaced
        // could land after the log it continues was set aside (a CHECKPOINT asked of this shadow forces one).
        guard !checkpointing, !startingAgain, force || log.wantsCheckpoint else { return }
        checkpointing = true
        let sequence = log.rollover()
        let snapshot = state
        let folder = self.folder
        let log = self.log
        Task.detached {
            let started = ContinuousClock.now
            do {
                try await log.waitDurable(sequence)
                try await NIOThreadPool.singleton.runIfActive {
                    log.noteCheckpoint(bytes: try MasterStorage.writeCheckpoint(snapshot, sequence: sequence, folder: folder))
                    try MasterStorage.prune(folder)
                }
                await self.checkpointFinished("checkpoint \(sequence) written in \(ContinuousClock.now - started)", written: true)
            } catch {
                await self.checkpointFinished("checkpoint \(sequence) failed: \(error)", written: false)
            }
        }
    }

    /// Returns once no checkpoint is being written.
    func checkpointsEnded() async {
        while checkpointing { await withCheckedContinuation { checkpointWaiters.append($0) } }
    }

    private func checkpointFinished(_ text: String, written: Bool) {
        checkpointing = false
        for waiter in checkpointWaiters { waiter.resume() }
        checkpointWaiters.removeAll()
        if written { lastCheckpointWall = state.clock.wallMilliseconds }
        note("checkpoint", text, level: written ? .info : .error)
        // The log may have outgrown the threshold again while this one was written; not only the next
        // mutation should find out.
        if written { maybeCheckpoint() }
    }

    /// Answers one request line (with its payload, for `REGISTER`). A retry of a namespace change (the same
    /// `call=`) is answered by the first try's outcome while that is under way, and as done once it is.
    /// A `caller` that is not a member is held to the exports, and gets chunk tokens; nil is the master's
    /// own (tests).
    public func handle(_ line: Line, payload: ByteBuffer?, caller: PeerIdentity? = nil) async -> Reply {
        let reply = await answer(line, payload: payload, caller: caller)
        audit(line, verb: Verb(rawValue: line.verb), principal: caller?.principal ?? "-",
              address: caller?.addressText ?? "-", reply: reply)
        return reply
    }

    func answer(_ line: Line, payload: ByteBuffer?, caller: PeerIdentity?) async -> Reply {
        checkLeadership()
        var request: MasterRequest, call: ClientCall?
        // Tokens go to client principals; members need none.
        var principal: String?
        do {
            request = try MasterRequest(line)
            call = request.isRemembered ? try CallField.of(line) : nil
            if let caller, !caller.isMember {
                request = try authorize(request, principal: caller.principal, address: caller.address)
                principal = caller.principal
            }
        } catch {
            return .error(error)
        }
        guard let call, role == .primary else { return await answer(request, payload: payload, call: nil, principal: principal) }
        if callsUnderWay[call] != nil {
            return await withCheckedContinuation { callsUnderWay[call, default: []].append($0) }
        }
        callsUnderWay[call] = []
        let reply = await answer(request, payload: payload, call: call, principal: principal)
        for retry in callsUnderWay.removeValue(forKey: call) ?? [] { retry.resume(returning: reply) }
        return reply
    }

    private func answer(_ request: MasterRequest, payload: ByteBuffer?, call: ClientCall?, principal: String?) async -> Reply {
        let mutation = request.isMutation && role == .primary
        do {
            if let call, state.calls.contains(call) {
                try await settle()  // done, but told only once durable everywhere, like the first answer
                return .ok()
            }
            return try await handle(request, payload: payload, call: call, principal: principal)
        } catch {
            // A refusal drawn from the state (EXISTS, NOTFOUND) may rest on a mutation still on its way to disk
            // or to the log replicas: until those are there, the refusal cannot be told.
            // Not after TIMEOUT: that mutation itself was logged and waited for, and must stay reported as done
            // but unconfirmed, never become a refusal the client would retry.
            if mutation, error.code != .timeout {
                do { try await settle() } catch let unsettled { return .error(unsettled) }
            }
            return .error(error)
        }
    }

    func handle(_ request: MasterRequest, payload: ByteBuffer?, call: ClientCall? = nil,
                principal: String? = nil) async throws(GFSError) -> Reply {
        if case let .shadow(primary) = role, request.isMutation {
            throw GFSError(.readOnly, "this master is a shadow of \(primary); send writes there")
        }
        // Replica health is the primary's: a shadow knows replicas only from chunkservers' reports (one every
        // few heartbeats), and nothing of the primary's copies under way, catch-ups of replicas behind by
        // unused versions, or cleared corrupt marks, so its count can be wrong either way, and for longer
        // than a report's lag.
        if case let .shadow(primary) = role, case .fsck = request {
            let ask = follower == nil ? "another master: this one follows no primary yet" : "\(primary)"
            throw GFSError(.readOnly, "this master is a shadow, and replica health is the primary's; ask \(ask)")
        }
        if case let .shadow(primary) = role, request.isNamespaceRead { try checkCurrent(shadowOf: primary) }
        if handingOver, request.isMutation {
            throw GFSError(.unavailable, "this master is stopping and hands over to the next primary; try again")
        }
        if request.isMutation { try await checkLogReplicasKeepUp() }
        switch request {
        case .makeDirectory, .create, .move, .remove, .setSize:
            // A SETSIZE locks no path (`writtenPaths`), and records no call: with nothing to log, another
            // request's change may cover it, and `commit` of nothing settles (told once that one is durable).
            let paths = Self.writtenPaths(request) ?? []
            let (mutations, reply) = paths.isEmpty ? try applyNamespaceChange(request)
                : try await locked(paths) { () throws(GFSError) in try applyNamespaceChange(request) }
            try await commit(mutations, finishing: call)
            return reply
        case .list, .stat:
            // A primary's reads see durable commits only, on the event loop and here alike.
            return try PublishedReads.answer(request, from: role == .primary ? reads.current ?? state.readView : state.readView) ?? .ok()
        case let .snapshot(source, destination):
            try await snapshot(source, to: destination, call: call)
        case let .setQuota(path, files, bytes):
            try await commit([try await locked([path]) { () throws(GFSError) in
                try state.setQuota(path, files: files, bytes: bytes)
            }])
        case let .truncate(path, size):
            try await truncate(path, to: size, call: call)
        case let .quotas(path):
            _ = try state.stat(path)
            return QuotasReply(state.quotas(under: path).map { QuotasReply.Item(path: $0.path, quota: $0.quota) }).reply
        case let .concat(destination, sources, replication, pad):
            try await concat(sources, into: destination, replication: replication, pad: pad, call: call)
        case let .lookup(path, stale):
            let (size, chunks) = try state.lookup(path, allowingStale: stale)
            return withReadTokens(FileLayout(size: size, chunkSize: state.configuration.chunkSize, chunks: chunks),
                                  for: principal).reply
        case let .allocate(path, index):
            return .ok(try await allocate(path, index: index).fields)
        case let .lease(handle, path):
            return .ok(withWriteToken(try await lease(handle, of: path), for: principal).fields)
        case let .register(server, rack, capacity, free):
            let report = try ReportedChunk.parse(payload ?? ByteBuffer())
            // Chunkservers report to a shadow again and again; only a server coming (back) to life is news.
            let level: Logger.Level = state.isAlive(server) ? .debug : .info
            var (deletions, adopted) = state.register(server, rack: rack, capacityBytes: capacity, freeBytes: free,
                                                      report: report)
            // A shadow's view may lag the primary's: it never tells a chunkserver to delete, nor logs on its own.
            if !ordersAsPrimary { deletions = [] } else { try await commit(adopted) }
            logger.log(level: level, "chunkserver \(server) registered with \(report.count) chunks, \(deletions.count) to delete")
            noteServerChanges()
            return RegisterReply(chunkSize: state.configuration.chunkSize, role: role,
                                 instructions: deletions.map { ChunkServerInstruction.delete($0) }, epoch: epoch,
                                 tokenKeys: announcedTokenKeys).reply
        case let .heartbeat(server, free, leases):
            var outcome = try state.heartbeat(server, freeBytes: free, extendLeases: leases)
            if !ordersAsPrimary { outcome = .init(extended: [], deletions: []) }
            let instructions = outcome.extended.map { ChunkServerInstruction.extend($0.0, version: $0.1, lease: $0.2) }
                + outcome.deletions.map { ChunkServerInstruction.delete($0) }
            return InstructionsReply(instructions, epoch: epoch, tokenKeys: announcedTokenKeys).reply
        case let .corrupt(handle, server):
            note("corrupt", "chunkserver \(server) reports its replica of chunk \(handle) corrupt", level: .warning)
            state.replicaCorrupt(handle, on: server)
        case .status:
            let summaries = state.serverSummaries()
            // Replica health is the primary's to count, as for FSCK.
            let under = role == .primary ? state.underReplicatedCount : nil
            return MasterStatus(role: role, sequence: log.durable, chunkSize: state.configuration.chunkSize,
                                entries: state.namespace.count, chunks: state.chunks.count, leases: state.activeLeaseCount,
                                servers: summaries.filter(\.alive).count, underReplicated: under,
                                copies: state.clonesUnderWay.count, summaries: summaries, http: statusAddress).reply
        case .help:
            return Verb.helpReply(for: .master)
        case let .tail(from, shadow, wait, last):
            return try await tail(from: from, shadow: shadow, wait: .milliseconds(wait), last: last)
        case .checkpoint:
            return try await newestCheckpoint()
        case .promote:
            return await promote()
        case let .setReplication(path, replication, recursive):
            let mutations = try await locked([path]) { () throws(GFSError) in
                try state.setReplication(path, to: replication, recursive: recursive)
            }
            try await commit(mutations)
            return SetReplicationReply(files: mutations.count).reply
        case let .usage(path, children):
            let usage = try state.usage(path)
            var listed: [(path: GFSPath, usage: MasterStateMachine.Usage)] = []
            if children, state.namespace[path]?.kind == .directory {
                for child in try state.list(path) { listed.append((child.path, try state.usage(child.path))) }
            }
            return UsageReply(usage: usage, children: listed).reply
        case .report, .leave, .drain, .tune, .deleted, .undelete, .collectGarbage, .fsck:
            return try await handleRepair(request, payload: payload, call: call)
        }
        return .ok()
    }

    /// Runs a namespace change under its locks (GFS §4.1); it waits only for a snapshot in progress.
    func locked<T>(_ paths: [GFSPath], _ body: () throws(GFSError) -> T) async throws(GFSError) -> T {
        let request = PathLocks.Request(writing: paths)
        await lock(request)
        defer { unlock(request) }
        return try body()
    }

    /// Records the connection a chunkserver registered on.
    public func serverRegistered(_ server: ServerID, on connection: ObjectIdentifier) {
        registrations[server] = connection
    }

    /// The connection a chunkserver registered on closed; a stale connection of a server that has since
    /// registered again does not count.
    public func serverDisconnected(_ server: ServerID, on connection: ObjectIdentifier) {
        guard registrations[server] == connection else { return }
        registrations[server] = nil
        logger.warning("chunkserver \(server) disconnected")
        state.serverDisconnected(server)
    }
}
