import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import GFSClient
import GFSMaster
import GFSProtocol

/// `gfs master`: runs the master in the foreground.
struct Master: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the master: namespace, chunk map, placement and leases.",
        discussion: "Prints READY host:port on standard output once it listens; logs go to standard error.")

    @OptionGroup var server: ServerOptions
    @OptionGroup var access: AccessOptions

    @Option(help: ArgumentHelp("Address to listen on (port 0 picks a free port).", valueName: "host:port"))
    var listen: String = ClusterOptions.defaultMaster

    @Option(help: "Bytes per chunk.")
    var chunkSize = ByteSize(bytes: 64 << 20)

    @Option(help: "Default replicas per chunk.")
    var replication = 3

    @Option(help: ArgumentHelp("Fewest replicas a write is acknowledged by (at most a file's goal); a chunk with fewer "
                               + "live current replicas takes writes again once repair has copied it.", valueName: "n"))
    var minReplicas = 2

    @Option(help: "Primary lease duration.")
    var lease = TimeSpan(.seconds(60))

    @Option(help: ArgumentHelp("Write a checkpoint when the operation log grows past this size, or past a quarter of "
                               + "the newest checkpoint (at least 4 MiB) if that is less, so a restart replays little."))
    var checkpointBytes = ByteSize(bytes: 64 << 20)

    @Option(help: ArgumentHelp("Run as a read-only shadow that follows this primary's log.", valueName: "host:port"))
    var shadowOf: String?

    @Option(help: ArgumentHelp("Shadows that must have each mutation on disk before it is acknowledged (with --etcd: "
                               + "the other masters).", valueName: "host:port,..."))
    var logReplicas: String?

    @Option(help: ArgumentHelp("etcd endpoints: the masters elect their primary there; the others follow it.",
                               valueName: "http://host:port,..."))
    var etcd: String?

    @Flag(help: ArgumentHelp("With --etcd: this master may become the first primary of a new cluster while its log is "
                             + "empty. Give it to one master, once; an empty master without it waits to copy a primary's log first."))
    var bootstrap = false

    @Option(help: "The etcd key prefix of this cluster's election.")
    var etcdPrefix = "/gfs"

    @Option(help: "The election lease: a dead primary is replaced after about this long.")
    var etcdTtl = TimeSpan(.seconds(3))

    @Option(help: ArgumentHelp("The address other roles and clients reach this master at (default: --listen; port 0 means the port bound).",
                               valueName: "host:port"))
    var advertise: String?

    @Option(help: "A chunkserver silent this long is dead.")
    var heartbeatTimeout = TimeSpan(.seconds(15))

    @Option(help: "Time between re-replication planning passes.")
    var repairInterval = TimeSpan(.seconds(1))

    @Option(help: "Re-replication copies at once per chunkserver (change later with gfs tune).")
    var clonesPerServer = 2

    @Option(help: "Re-replication copies at once in the whole cluster.")
    var clonesTotal = 8

    @Option(help: "Bytes per second each re-replication copy may read.")
    var cloneRate = ByteSize(bytes: 64 << 20)

    @Option(help: "A chunkserver stopped gracefully has this long to come back before its chunks are copied.")
    var restartGrace = TimeSpan(.seconds(300))

    @Option(help: "Deleted files can be restored this long; then garbage collection removes them.")
    var deletedGrace = TimeSpan(.seconds(3 * 24 * 3600))

    @Option(help: "Time between garbage-collection scans of the namespace.")
    var gcInterval = TimeSpan(.seconds(60))

    func validate() throws {
        try checkListen(listen, advertise: advertise)
        if let shadowOf { _ = try serverAddress(shadowOf, flag: "--shadow-of") }
        for endpoint in etcdEndpoints where !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            throw ValidationError("--etcd: '\(endpoint)' is not an http:// URL")
        }
        if etcd != nil, shadowOf != nil { throw ValidationError("--etcd and --shadow-of exclude each other: etcd picks the primary") }
        guard etcdTtl.duration >= .seconds(1), etcdTtl.duration <= .seconds(600) else {
            throw ValidationError("--etcd-ttl must be 1s...600s")
        }
        guard etcdPrefix.hasPrefix("/") else { throw ValidationError("--etcd-prefix must start with /") }
        for replica in (logReplicas ?? "").split(separator: ",") { _ = try serverAddress(String(replica), flag: "--log-replicas") }
        guard chunkSize.bytes >= 64 << 10, chunkSize.bytes <= 1 << 30 else {
            throw ValidationError("--chunk-size must be between 64KiB and 1GiB")
        }
        guard (1...16).contains(replication) else { throw ValidationError("--replication must be 1...16") }
        guard (1...16).contains(minReplicas) else { throw ValidationError("--min-replicas must be 1...16") }
        guard lease.duration > .zero, heartbeatTimeout.duration > .zero, repairInterval.duration > .zero,
            gcInterval.duration > .zero
        else {
            throw ValidationError("--lease, --heartbeat-timeout, --repair-interval and --gc-interval must be positive")
        }
        guard clonesPerServer >= 0, clonesTotal >= 0, cloneRate.bytes > 0 else {
            throw ValidationError("--clones-per-server and --clones-total must be 0 or more, --clone-rate positive")
        }
    }

    var etcdEndpoints: [String] {
        (etcd ?? "").split(separator: ",").map { $0.hasSuffix("/") ? String($0.dropLast()) : String($0) }
    }

    func run() async throws {
        // Past a file-size limit the kernel raises SIGXFSZ, which would kill the master; ignored, the write
        // fails with EFBIG and the mutation gets NOSPACE like on a full disk.
        signal(SIGXFSZ, SIG_IGN)
        var configuration = MasterConfiguration()
        configuration.chunkSize = chunkSize.bytes
        configuration.defaultReplication = replication
        configuration.minReplicas = minReplicas
        configuration.leaseDuration = lease.duration
        configuration.heartbeatTimeout = heartbeatTimeout.duration
        configuration.clonesPerServer = clonesPerServer
        configuration.clonesTotal = clonesTotal
        configuration.cloneBytesPerSecond = cloneRate.bytes
        configuration.restartGrace = restartGrace.duration
        configuration.deletedGrace = deletedGrace.duration
        var options = MasterServer.Options(listen: try serverAddress(listen, flag: "--listen"), directory: server.dir,
                                           configuration: configuration)
        options.checkpointBytes = checkpointBytes.bytes
        options.repairInterval = repairInterval.duration
        options.gcInterval = gcInterval.duration
        options.shadowOf = try shadowOf.map { try serverAddress($0, flag: "--shadow-of") }
        options.etcd = etcdEndpoints
        options.etcdPrefix = etcdPrefix
        options.bootstrap = bootstrap
        options.etcdTTL = max(1, etcdTtl.duration.components.seconds)
        options.advertise = try advertise.map { try serverAddress($0, flag: "--advertise") }
        options.logReplicas = try (logReplicas ?? "").split(separator: ",").map { try serverAddress(String($0), flag: "--log-replicas") }
        options.secret = try server.useSecret()
        try server.useTLS()
        options.http = try server.httpAddress()
        (options.principals, options.access) = try access.load(secret: options.secret)
        let logger = server.logger("gfs.master")
        let master = try await MasterServer.start(options, logger: logger)
        let page = master.web.map { ", status page http://\($0.address)/" } ?? ""
        logger.info("master listening on \(master.address)\(TransportSecurity.current == nil ? "" : " (TLS)"), chunk size \(ByteCount.format(chunkSize.bytes))\(page)")
        announceReady(master.address)
        let signals = onStopSignals { await master.stepDown() }
        await master.run()
        withExtendedLifetime(signals) {}
    }
}
