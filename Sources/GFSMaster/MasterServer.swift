import CMalloc
import Foundation
import GFSClient
import GFSProtocol
import GFSWeb
import Logging
import NIOCore

/// The master process: its data folder, its port, and one loop per connection.
public struct MasterServer: Sendable {
    /// Everything `gfs master` configures.
    public struct Options: Sendable {
        /// Address to listen on (port 0 picks a free one).
        public var listen: ServerID
        /// Folder for the master's files.
        public var directory: String
        /// The state machine's tunables.
        public var configuration: MasterConfiguration
        /// A log file past this size triggers a checkpoint.
        public var checkpointBytes: Int64 = 64 << 20
        /// The primary this master shadows, or nil for a primary.
        public var shadowOf: ServerID?
        /// Shadows that must have each record on disk before its mutation is acknowledged.
        public var logReplicas: [ServerID] = []
        /// Time between re-replication planning passes.
        public var repairInterval: Duration = .seconds(1)
        /// Time between namespace scans for deleted files past their grace period.
        public var gcInterval: Duration = .seconds(60)
        /// etcd endpoints (`http://host:port`): with them, masters elect their primary; the others follow.
        public var etcd: [String] = []
        /// The etcd key prefix of this cluster's election.
        public var etcdPrefix = "/gfs"
        /// Seconds of the election lease: how long a dead primary holds up the next election.
        public var etcdTTL: Int64 = 3
        /// Whether this master, with an empty log, may be the first primary of a new cluster.
        public var bootstrap = false
        /// The address other roles reach this master at, if not the one it listens on.
        public var advertise: ServerID?
        /// The cluster secret every connection must prove, if any.
        public var secret: ClusterSecret?
        /// The cluster secret and the client principals' secrets (`--principals`), if there is a secret.
        public var principals: Principals?
        /// With a secret: exports, token keys, audit log.
        public var access: AccessControl?
        /// Where to serve the status page, `/status.json` and `/metrics`, if anywhere.
        public var http: ServerID?

        /// Creates options.
        public init(listen: ServerID, directory: String, configuration: MasterConfiguration) {
            self.listen = listen
            self.directory = directory
            self.configuration = configuration
        }
    }

    let listener: ProtocolListener
    let service: MasterService
    let lock: DirectoryLock
    let metrics: RoleMetrics
    /// The status port, when `--http` asked for one.
    public let web: StatusServer?
    /// The etcd campaign, when there is one.
    let election: Task<Void, Never>?
    let campaign: MasterElection?

    /// Readies a process that will be a master, before its threads start allocating: one malloc arena
    /// (`gfs_malloc_one_arena`), so its namespace does not fragment across many.
    public static func prepareProcess() { gfs_malloc_one_arena() }

    /// Takes the data folder and binds the port; the master is then reachable at `address`.
    public static func start(_ options: Options, logger: Logger) async throws(GFSError) -> MasterServer {
        let lock = try DirectoryLock(options.directory, role: "master")
        let limits = Limits(maximumPayloadBytes: Int(options.configuration.chunkSize))
        if let secret = options.secret { ClusterSecret.use(secret, requireProof: true) }  // its own connections too
        let principals = options.principals ?? options.secret.map { Principals(cluster: $0) }
        let (reads, metrics) = (PublishedReads(), RoleMetrics(role: "master"))
        let listener = try await ProtocolListener.bind(options.listen, limits: limits, principals: principals) { identity in
            RequestRouter(reads: reads, identity: identity, metrics: metrics)
        }
        let advertised = options.advertise.map { $0.port == 0 ? ServerID(host: $0.host, port: listener.address.port) : $0 }
            ?? listener.address
        // Under etcd every master starts as a shadow; the election makes one primary.
        let role: MasterRole = options.shadowOf.map { .shadow(of: $0) }
            ?? (options.etcd.isEmpty ? .primary : .shadow(of: advertised))
        let service = try MasterService(configuration: options.configuration, clock: SystemClock(), logger: logger,
                                        folder: options.directory, checkpointBytes: options.checkpointBytes,
                                        role: role, logReplicas: options.logReplicas,
                                        // Under etcd a silent replica is left out (not waited for) after this.
                                        replicaTimeout: options.etcd.isEmpty ? .seconds(10) : .seconds(max(2, options.etcdTTL)),
                                        reads: reads)
        if let access = options.access { await service.secure(access) }
        var election: Task<Void, Never>?
        var campaign: MasterElection?
        if options.etcd.isEmpty {
            await service.startFollowing(as: advertised)
        } else {
            let candidate = MasterElection(etcd: EtcdClient(endpoints: options.etcd), prefix: options.etcdPrefix,
                                          address: advertised, ttl: options.etcdTTL, service: service, logger: logger,
                                          peers: options.logReplicas, bootstrap: options.bootstrap)
            // Before the election task starts and before any request is served: PROMOTE checks it.
            await service.requireInSyncConfirmation()
            election = Task { await candidate.run() }
            campaign = candidate
        }
        await service.startMaintenance(repairInterval: options.repairInterval, gcInterval: options.gcInterval)
        var web: StatusServer?
        if let address = options.http {
            web = try await Self.serveStatus(at: address, service: service, metrics: metrics, advertised: advertised)
        }
        return MasterServer(listener: listener, service: service, lock: lock, metrics: metrics, web: web,
                            election: election, campaign: campaign, address: advertised)
    }

    /// Starts the status port and the metrics that only the master has.
    static func serveStatus(at address: ServerID, service: MasterService, metrics: RoleMetrics,
                            advertised: ServerID) async throws(GFSError) -> StatusServer {
        let fsyncs = metrics.durations("gfs_log_fsync_duration", help: "Time to write and fdatasync one batch of operation log records.")
        await service.observeLogFlushes { fsyncs.record($0) }
        let live = metrics.gauge("gfs_live_chunkservers", help: "Chunkservers the master counts as live.")
        let sequence = metrics.gauge("gfs_log_sequence", help: "The last durable operation log record.")
        let health = ["healthy", "under_replicated", "missing", "stale_only"].map {
            ($0, metrics.gauge("gfs_chunks", help: "Chunks by health, as fsck counts them (on the primary; a shadow counts none).",
                               labels: [("health", $0)]))
        }
        let server = try await StatusServer.start(address, report: {
            await service.report(address: advertised, operationsPerSecond: metrics.operationsPerSecond)
        }, html: StatusPages.master) { report in
            live.set(Int64(report.liveServers))
            sequence.set(Int64(clamping: report.logSequence))
            let counts = [report.health.healthy, report.health.underReplicated, report.health.missing, report.health.staleOnly]
            for ((_, gauge), count) in zip(health, counts) { gauge.set(Int64(count)) }
            return metrics.exposition()
        }
        await service.setStatusAddress(server.address)
        return server
    }

    /// The address it is known by: the advertised one, else the bound one.
    public let address: ServerID

    /// A planned stop (SIGTERM): an elected primary hands over to the next master at once; any other master
    /// has nothing to hand over.
    public func stepDown() async {
        await service.flushAudit()
        await campaign?.stepDown()
    }

    /// Serves until the listener closes.
    public func run() async {
        let service = self.service
        let metrics = self.metrics
        await listener.run { connection, identity in
            try await Self.serve(connection, peer: identity, service: service, metrics: metrics)
        }
        await web?.close()
        withExtendedLifetime(lock) {}
    }

    /// Answers requests in order, a client's pipelined ones in batches (`RequestPipeline`, most of them queued
    /// by `RequestRouter` on the event loop before they reach this loop); remembers which
    /// chunkserver registered here, so the master learns of its death the moment this connection closes
    /// (DESIGN §3, heartbeats).
    static func serve(_ connection: ProtocolListener.Connection, peer: PeerIdentity, service: MasterService,
                      metrics: RoleMetrics) async throws {
        var registered: ServerID?
        let identity = ObjectIdentifier(connection.channel)
        defer {
            if let server = registered { Task { await service.serverDisconnected(server, on: identity) } }
        }
        // The router on the event loop queues most pipelined requests itself; the rest come through here. A
        // connection reset before this runs has its handlers gone: what the router queued is dropped with it,
        // unanswered, as a reset drops requests not yet read.
        let pipeline = try await connection.channel.eventLoop.submit {
            try connection.channel.pipeline.syncOperations.handler(type: RequestRouter.self).pipeline
        }.get()
        try await connection.executeThenClose { inbound, outbound in
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    await answerBatches(of: pipeline, service: service, peer: peer, metrics: metrics,
                                        connection: connection, outbound: outbound)
                }
                defer { pipeline.close() }
                var frames = inbound.makeAsyncIterator()
                do {
                    while let frame = try await frames.next() {
                        let request: Line
                        var payload: ByteBuffer?
                        switch frame {
                        case let .line(line):
                            request = line
                        case let .head(line, length):
                            request = line
                            // Only a chunkserver's report carries bytes here; anyone else's are dropped as
                            // they arrive, never held.
                            if peer.isMember, line.verb == Verb.register.rawValue || line.verb == Verb.report.rawValue {
                                payload = try await collectPayload(&frames, length: length)
                            } else {
                                try await dropPayload(&frames)
                            }
                        case .part:
                            continue
                        case let .invalid(error):
                            await pipeline.drain()
                            try await Self.send(.error(error), on: connection, with: outbound)
                            continue
                        }
                        if payload == nil, RequestPipeline.takes(request.verb) {
                            await pipeline.submit(request)
                            continue
                        }
                        await pipeline.drain()
                        let started = ContinuousClock.now
                        let reply = await service.handle(request, payload: payload, caller: peer)
                        metrics.request(request.verb, took: ContinuousClock.now - started)
                        if request.verb == "REGISTER", reply.error == nil, let server = try? request.server("addr") {
                            registered = server
                            await service.serverRegistered(server, on: identity)
                        }
                        try await Self.send(reply, on: connection, with: outbound)
                    }
                    await pipeline.drain()
                } catch {
                    // Replies already owed go out first (they may acknowledge durable mutations).
                    await pipeline.drain()
                    // Framing is lost: say why, then close (gfs-protocol(5), ERRORS).
                    guard let error = error as? GFSError else { throw error }
                    try? await Self.send(.error(error), on: connection, with: outbound)
                }
            }
        }
    }

    /// The pipeline's worker: answers each batch, then writes its replies, one buffer each
    /// (`RequestRouter` counts replies by writes), with one flush.
    static func answerBatches(of pipeline: RequestPipeline, service: MasterService, peer: PeerIdentity,
                              metrics: RoleMetrics, connection: ProtocolListener.Connection,
                              outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async {
        while let batch = await pipeline.next() {
            let started = ContinuousClock.now
            let replies = await service.handle(batch: batch, caller: peer)
            let took = ContinuousClock.now - started
            for line in batch { metrics.request(line.verb, took: took) }
            // A closed connection's replies are dropped; its requests' work is done all the same.
            try? await outbound.write(contentsOf: replies.map { bytes(of: $0, on: connection) })
        }
    }

    /// Writes a reply as one buffer, its payload copied in (a checkpoint or log records, not chunk data):
    /// `RequestRouter` counts the replies under way by their writes.
    static func send(_ reply: Reply, on connection: ProtocolListener.Connection,
                     with outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        try await outbound.write(bytes(of: reply, on: connection))
    }

    /// A reply's line and payload in one buffer.
    static func bytes(of reply: Reply, on connection: ProtocolListener.Connection) -> ByteBuffer {
        var whole = connection.channel.allocator.buffer(capacity: 256 + (reply.payload?.readableBytes ?? 0))
        reply.writeHead(to: &whole)
        if let payload = reply.payload { whole.writeImmutableBuffer(payload) }
        return whole
    }

    /// Skips a payload that follows a line.
    static func dropPayload(_ frames: inout NIOAsyncChannelInboundStream<Frame>.AsyncIterator) async throws {
        while let frame = try await frames.next() {
            if case .part(_, true) = frame { return }
        }
    }

    /// Reads a whole payload that follows a line.
    static func collectPayload(_ frames: inout NIOAsyncChannelInboundStream<Frame>.AsyncIterator,
                               length: Int) async throws -> ByteBuffer {
        var payload = ByteBuffer()
        payload.reserveCapacity(length)
        while let frame = try await frames.next() {
            guard case .part(var bytes, let last) = frame else { break }
            payload.writeBuffer(&bytes)
            if last { return payload }
        }
        throw GFSError(.badRequest, "connection closed mid-payload")
    }
}
