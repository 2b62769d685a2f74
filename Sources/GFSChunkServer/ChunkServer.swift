import GFSClient
import GFSProtocol
import DequeModule
import Logging
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
        /// Most bytes of pushed data held at once.
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
        return ChunkServer(listener: listener, service: service, options: options, lock: lock)
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
            group.addTask {
                await listener.run { connection, identity in
                    try await Self.serve(connection, peer: identity, service: service)
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
    static func serve(_ connection: ProtocolListener.Connection, peer: PeerIdentity, service: ChunkService) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var frames = inbound.makeAsyncIterator()
            // Each task answers one request, then sends its reply once the reply before it has gone out.
            var pending = Deque<Task<Void, Never>>()
            func answer(_ work: @escaping @Sendable () async -> Reply) async {
                if pending.count >= pipelineDepth, let oldest = pending.popFirst() { await oldest.value }
                let previous = pending.last
                pending.append(Task {
                    let reply = await work()
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
                        await answer { await service.handle(line, guest: guest, master: master) }
                    case let .head(line, length):
                        let reply = try await PushReceiver.receive(line, length: length, frames: &frames, service: service,
                                                                   guest: !peer.isMember)
                        await answer { reply }
                    case .part:
                        continue
                    case let .invalid(error):
                        await answer { .error(error) }
                    }
                }
            } catch let error as GFSError {
                await answer { .error(error) }
            }
            await pending.last?.value
        }
    }
}
