import ArgumentParser
import Foundation
import GFSChunkServer
import GFSClient
import GFSProtocol

/// `gfs chunkserver`: runs a chunkserver in the foreground.
struct ChunkServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunkserver",
        abstract: "Run a chunkserver: chunk replicas as files, checksummed per 64 KiB block.",
        discussion: "Prints READY host:port on standard output once it listens; logs go to standard error.")

    @OptionGroup var server: ServerOptions

    @Option(help: ArgumentHelp("Address to listen on (port 0 picks a free port).", valueName: "host:port"))
    var listen: String = "127.0.0.1:7701"

    @Option(help: ArgumentHelp("The address masters, peers and clients reach this chunkserver at (default: --listen; port 0 means the port bound).",
                               valueName: "host:port"))
    var advertise: String?

    @Option(help: ArgumentHelp("Master address, or a comma-separated list of the primary and its shadows.",
                               valueName: "host:port[,...]"))
    var master: String = ClusterOptions.defaultMaster

    @Option(help: "Rack label, so replicas spread over racks.")
    var rack: String = ""

    @Option(help: "Time between heartbeats.")
    var heartbeatInterval = TimeSpan(.seconds(2))

    @Option(help: "Most bytes of pushed data held in memory at once (the buffers holding them take up to twice that).")
    var pushBuffer = ByteSize(bytes: 1 << 30)

    @Flag(help: "Acknowledge writes before they are fsynced (faster, loses data on power failure).")
    var noFsync = false

    @Option(help: "Time between full chunk reports to the master (which answers with orphans to delete).")
    var reportInterval = TimeSpan(.seconds(60))

    @Option(help: "Bytes per second the background scrubber verifies (0 turns it off).")
    var scrubRate = ByteSize(bytes: 8 << 20)

    @Option(help: ArgumentHelp("Append a line per mutation acknowledged as primary (time, chunk, version, lease end) to this file, for audits and fault-injection checks.", valueName: "file"))
    var ackLog: String?

    @Option(help: ArgumentHelp("The masters' public key (gfs up makes one): only a peer that signs with the masters' private key may give master's orders (GRANT, REVOKE, CLONE, REPLICATE) or answer this server's heartbeats; without it, any member may. Needs --secret-file.",
                               valueName: "file"), completion: .file())
    var masterPublicKey: String?

    func validate() throws {
        try checkListen(listen, advertise: advertise)
        for address in master.split(separator: ",") { _ = try serverAddress(String(address), flag: "--master") }
        guard heartbeatInterval.duration > .zero else { throw ValidationError("--heartbeat-interval must be positive") }
        guard reportInterval.duration > .zero else { throw ValidationError("--report-interval must be positive") }
    }

    func run() async throws {
        var options = ChunkServer.Options(listen: try serverAddress(listen, flag: "--listen"), directory: server.dir,
                                          masters: try master.split(separator: ",").map { try serverAddress(String($0), flag: "--master") })
        options.advertise = try advertise.map { try serverAddress($0, flag: "--advertise") }
        options.rack = rack
        options.heartbeatInterval = heartbeatInterval.duration
        options.pushBufferBytes = Int(pushBuffer.bytes)
        options.synchronous = !noFsync
        options.reportInterval = reportInterval.duration
        options.scrubBytesPerSecond = scrubRate.bytes
        options.acknowledgementLog = ackLog
        options.secret = try server.useSecret()
        options.http = try server.httpAddress()
        if let masterPublicKey {
            guard options.secret != nil else { throw ValidationError("--master-public-key needs --secret-file") }
            MasterKey.use(signing: nil, trusted: try MasterKey.loadPublic(masterPublicKey))
        }
        try server.useTLS()
        let logger = server.logger("gfs.chunkserver")
        let chunkServer = try await ChunkServer.start(options, logger: logger)
        let page = chunkServer.web.map { ", status page http://\($0.address)/" } ?? ""
        logger.info("chunkserver listening on \(chunkServer.address)\(TransportSecurity.current == nil ? "" : " (TLS)"), masters \(options.masters.map(\.description).joined(separator: ","))\(page)")
        announceReady(chunkServer.address)
        // A planned stop tells the masters (a restart grace instead of re-replication).
        let signals = onStopSignals { await chunkServer.leave() }
        await chunkServer.run()
        withExtendedLifetime(signals) {}
    }
}
