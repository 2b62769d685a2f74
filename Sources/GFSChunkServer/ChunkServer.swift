import GFSClient
import GFSProtocol
import GFSWeb
import DequeModule
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The chunkserver process: its chunk folder, its port, the heartbeat to the master, and one loop per
/// connection.
public struct ChunkServer: Sendable {
    /// Everything `gfs chunkserver` configures.
    public struct Options: Sendable {
        /// Address to listen on (port 0 picks a free one); also the name the master knows it by, unless
        /// `advertise` is given.
        public var listen: ServerID
        /// The address masters, peers and clients reach this server at, when it is not `listen` (a wildcard
        /// listen, or a NAT); port 0 means the port bound.
        public var advertise: ServerID?
        /// Folder for chunk files.
        public var directory: String
        /// The masters to register with: the primary and its shadows.
        public var masters: [ServerID]
        /// Rack label for placement.
        public var rack: String = ""
        /// Time between heartbeats.
        public var heartbeatInterval: Duration = .seconds(2)
        /// Most bytes of pushed data held at once (their buffers may take up to twice this: `PushedBytes`).
        public var pushBufferBytes: Int = 1 << 30
        /// Whether writes are fsynced before they are acknowledged.
        public var synchronous = true
        /// Time between full chunk reports to the primary master.
        public var reportInterval: Duration = .seconds(60)
        /// Bytes per second the scrubber verifies; 0 turns it off.
        public var scrubBytesPerSecond: Int64 = 8 << 20
        /// A file to append a line to for every mutation acknowledged as primary, if any.
        public var acknowledgementLog: String?
        /// The cluster secret every connection must prove, if any.
        public var secret: ClusterSecret?
        /// Where to serve the status page, `/status.json` and `/metrics`, if anywhere.
        public var http: ServerID?

        /// Creates options with defaults for the rest.
        public init(listen: ServerID, directory: String, masters: [ServerID]) {
            self.listen = listen
            self.directory = directory
            self.masters = masters
        }
    }

    let listener: ProtocolListener
    let service: ChunkService
    let options: Options
    let lock: DirectoryLock
    let metrics: RoleMetrics
    /// The status port, when `--http` asked for one.
    public let web: StatusServer?

    /// Locks the folder, indexes its chunks and binds the port.
    public static func start(_ options: Options, logger: Logger) async throws(GFSError) -> ChunkServer {
        let lock = try DirectoryLock(options.directory, role: "chunkserver")
        let store = try ChunkStore(directory: options.directory, synchronous: options.synchronous)
        if let secret = options.secret { ClusterSecret.use(secret, requireProof: true) }  // its own connections too
        let listener = try await ProtocolListener.bind(options.listen, limits: Limits(),
                                                       principals: options.secret.map { Principals(cluster: $0) },
                                                       admitsGuests: true)
        let address = options.advertise.map { $0.port == 0 ? ServerID(host: $0.host, port: listener.address.port) : $0 }
            ?? listener.address
        let acknowledgements = try options.acknowledgementLog.map { (path) throws(GFSError) in
            try AcknowledgementLog(path: path, server: address)
        }
        let service = ChunkService(address: address, masters: options.masters, store: store,
                                   pushes: PushBuffers(capacityBytes: options.pushBufferBytes), logger: logger,
                                   acknowledgements: acknowledgements,
                                   tokens: options.secret.map { ChunkTokenVerifier(secret: $0) })
        let metrics = RoleMetrics(role: "chunkserver")
        var web: StatusServer?
        if let http = options.http { web = try await Self.serveStatus(at: http, service: service, metrics: metrics) }
        return ChunkServer(listener: listener, service: service, options: options, lock: lock, metrics: metrics, web: web)
    }

    /// Starts the status port and the metrics only a chunkserver has.
    static func serveStatus(at address: ServerID, service: ChunkService, metrics: RoleMetrics) async throws(GFSError) -> StatusServer {
        let chunks = metrics.gauge("gfs_chunkserver_chunks", help: "Replicas held.")
        let free = metrics.gauge("gfs_disk_free", unit: "bytes", help: "Free bytes on the chunk folder's disk.")
        let capacity = metrics.gauge("gfs_disk_capacity", unit: "bytes", help: "Size of the chunk folder's disk.")
        let counters = [
            metrics.counter("gfs_read_bytes", help: "Bytes of replicas sent to readers."),
            metrics.counter("gfs_written_bytes", help: "Bytes written into replicas by mutations."),
            metrics.counter("gfs_replicated_bytes", help: "Bytes of replicas copied in from other chunkservers."),
        ]
        // Prometheus counters only go up: each scrape adds what the totals grew by since the last one.
        let emitted = NIOLockedValueBox(Traffic.Totals())
        let server = try await StatusServer.start(address, report: {
            service.report(operationsPerSecond: metrics.operationsPerSecond)
        }, html: StatusPages.chunkServer) { report in
            chunks.set(Int64(report.chunks))
            free.set(report.freeBytes)
            capacity.set(report.capacityBytes)
            let now = Traffic.Totals(read: report.bytesRead, written: report.bytesWritten, replicated: report.bytesReplicated)
            let before = emitted.withLockedValue { last in
                defer { last = now }
                return last
            }
            counters[0].increment(by: max(0, now.read - before.read))
            counters[1].increment(by: max(0, now.written - before.written))
            counters[2].increment(by: max(0, now.replicated - before.replicated))
            return metrics.exposition()
        }
        service.statusAddress.withLockedValue { $0 = server.address }
        return server
    }

    /// The address it is known by: the advertised one, else the bound one.
    public var address: ServerID { service.address }

    /// Serves and heartbeats until the process ends.
    public func run() async {
        let service = self.service
        let options = self.options
        await withDiscardingTaskGroup { group in
            let reportEvery = max(1, Int(options.reportInterval / options.heartbeatInterval))
            for master in options.masters {
                let heartbeat = HeartbeatLoop(service: service, master: master, interval: options.heartbeatInterval,
                                              rack: options.rack, reportEvery: reportEvery)
                group.addTask { await heartbeat.run() }
            }
            if options.scrubBytesPerSecond > 0 {
                group.addTask { await service.scrub(bytesPerSecond: options.scrubBytesPerSecond) }
            }
            let metrics = self.metrics
            group.addTask {
                await listener.run { connection, identity in
                    try await Self.serve(connection, peer: identity, service: service, metrics: metrics)
                }
            }
        }
        withExtendedLifetime(lock) {}
    }

    /// Tells the masters this server is stopping for a restart, so its chunks wait out the restart grace
    /// instead of being re-replicated at once.
    public func leave() async {
        for master in options.masters {
            _ = try? await service.pool.call(master, MasterRequest.leave(service.address).line, timeout: .seconds(2))
        }
    }

    /// Requests of one connection that may be worked on at once.
    static let pipelineDepth = 16

    /// Serves one connection: up to `pipelineDepth` requests run at once (a client's next push is taken in
    /// while its last write waits for the disk) and their replies go out in request order. A push's payload is
    /// read in turn, since its parts are the connection's next frames.
    static func serve(_ connection: ProtocolListener.Connection, peer: PeerIdentity, service: ChunkService,
                      metrics: RoleMetrics) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var frames = inbound.makeAsyncIterator()
            // Each task answers one request, then sends its reply once the reply before it has gone out.
            var pending = Deque<Task<Void, Never>>()
            func answer(_ verb: String, _ work: @escaping @Sendable () async -> Reply) async {
                if pending.count >= pipelineDepth, let oldest = pending.popFirst() { await oldest.value }
                let previous = pending.last
                let started = ContinuousClock.now
                pending.append(Task {
                    let reply = await work()
                    metrics.request(verb, took: ContinuousClock.now - started)
                    await previous?.value
                    try? await connection.send(reply, with: outbound)
                })
            }
            do {
                while let frame = try await frames.next() {
                    switch frame {
                    case let .line(line):
                        // Read per request: the handshake ends after the connection starts.
                        let (guest, master) = (!peer.isMember, peer.isMaster)
                        await answer(line.verb) { await service.handle(line, guest: guest, master: master) }
                    case let .head(line, length):
                        let reply = try await PushReceiver.receive(line, length: length, frames: &frames, service: service,
                                                                   guest: !peer.isMember)
                        await answer(line.verb) { reply }
                    case .part:
                        continue
                    case let .invalid(error):
                        await answer("") { .error(error) }
                    }
                }
            } catch let error as GFSError {
                await answer("") { .error(error) }
            }
            await pending.last?.value
        }
    }
}
