import ArgumentParser
import Dispatch
import Foundation
import GFSClient
import GFSProtocol

/// `gfs up`: a whole local cluster in the foreground, as child processes of this one.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a local cluster (a master and chunkservers) in the foreground; Ctrl-C stops it.",
        discussion: """
            The master listens on 127.0.0.1:PORT and chunkserver i on PORT+i, with their data under DIR/master \
            and DIR/chunkserver-i. Client commands find this cluster with no flags. The master and the \
            chunkservers stop with gfs up, even when it is killed with SIGKILL: each checks every half second \
            that gfs up is still its parent (it tells them its pid in GFS_PARENT_PID), and stops as on SIGTERM \
            when it is not. A script may set GFS_PARENT_PID to its own pid for gfs up, which then stops \
            (taking its servers with it) when the script is gone.

            With --ha, etcd (Debian's etcd-server) runs on 127.0.0.1:PORT+90 with its data in DIR/etcd, and a \
            second master on 127.0.0.1:PORT+100 (DIR/master-2). The masters elect their primary in etcd and \
            the other follows it; kill the primary and the other takes over within seconds. A master that \
            exits is started again. Give clients both masters: GFS_MASTER=127.0.0.1:PORT,127.0.0.1:PORT+100. \
            etcd does not watch gfs up: if gfs up is killed with SIGKILL, stop etcd yourself.
            """)

    @Option(help: ArgumentHelp("Folder holding every server's data.", valueName: "folder"), completion: .directory)
    var dir: String = "gfs-data"

    @Option(help: "Number of chunkservers.")
    var chunkservers = 3

    @Option(help: "Master port; chunkservers take the ports after it.")
    var port = 7700

    @Option(help: "Bytes per chunk.")
    var chunkSize = ByteSize(bytes: 64 << 20)

    @Option(help: "Log level for the servers.")
    var logLevel = "info"

    @Flag(help: "Two masters that elect their primary in etcd, which this starts too (needs etcd-server).")
    var ha = false

    func validate() throws {
        guard (1...64).contains(chunkservers) else { throw ValidationError("--chunkservers must be 1...64") }
        guard (1...(65535 - max(chunkservers, ha ? 100 : 0))).contains(port) else { throw ValidationError("--port out of range") }
    }

    func run() async throws {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let master = "127.0.0.1:\(port)"
        // Only members get in: the cluster's secret is where clients look by default, so they need no flag.
        let secretFile = ClusterSecret.defaultPath
        if access(secretFile, F_OK) != 0 { try ClusterSecret.create(secretFile) }
        ClusterSecret.use(try ClusterSecret.load(secretFile), requireProof: true)
        // Only masters give master's orders: they hold the private key, chunkservers the public one.
        let folder = (secretFile as NSString).deletingLastPathComponent
        let (masterKey, masterPublicKey) = (folder + "/master.key", folder + "/master.pub")
        if access(masterKey, F_OK) != 0 || access(masterPublicKey, F_OK) != 0 {
            unlink(masterKey)
            unlink(masterPublicKey)
            try MasterKey.create(privatePath: masterKey, publicPath: masterPublicKey)
        }
        var children: [Child] = []
        let replication = min(3, chunkservers)
        let masterOptions = ["--replication", String(replication), "--chunk-size", String(chunkSize.bytes), "--log-level", logLevel,
                             "--secret-file", secretFile, "--master-key", masterKey, "--http", "127.0.0.1:0"]
        var masters = [master]
        if ha {
            let etcd = try HighAvailability(folder: dir, port: port + 90)
            children.append(try etcd.launch())
            let second = "127.0.0.1:\(port + 100)"
            masters.append(second)
            for (index, address) in masters.enumerated() {
                let arguments = ["master", "--dir", index == 0 ? "\(dir)/master" : "\(dir)/master-2", "--listen", address,
                                 "--etcd", etcd.endpoint, "--log-replicas", masters[1 - index]]
                    + (index == 0 ? ["--bootstrap"] : []) + masterOptions
                let relaunch: @Sendable () throws -> Child = { try Self.launch(binary, arguments) }
                var child = try relaunch()
                child.relaunch = relaunch
                children.append(child)
            }
        } else {
            children.append(try Self.launch(binary, ["master", "--dir", "\(dir)/master", "--listen", master] + masterOptions))
        }
        let masterList = masters.joined(separator: ",")
        // Chunkservers that start before the master listens would only log retries.
        _ = await Self.waitUntilUp(master: masterList, chunkservers: 0, group: ProcessGroup(children))
        for index in 1...chunkservers {
            children.append(try Self.launch(binary, [
                "chunkserver", "--dir", "\(dir)/chunkserver-\(index)", "--listen", "127.0.0.1:\(port + index)",
                "--master", masterList, "--log-level", logLevel, "--secret-file", secretFile,
                "--master-public-key", masterPublicKey, "--http", "127.0.0.1:0",
            ]))
        }
        let group = ProcessGroup(children)
        group.stopOnSignals()
        ParentWatch.onParentGone { group.stop(status: 0) }
        if await Self.waitUntilUp(master: masterList, chunkservers: chunkservers, group: group) {
            StandardStreams.error("gfs up: master \(masterList), \(chunkservers) chunkservers, data in \(dir), cluster secret in \(secretFile); Ctrl-C stops")
            if ha { StandardStreams.error("gfs up: clients reach both masters with: export GFS_MASTER=\(masterList)") }
            for page in await Self.statusPages(masters: masters) { StandardStreams.error("gfs up: status page \(page)") }
        }
        let status = await group.waitForFirstExit()
        throw ExitCode(status)
    }

    /// Starts one server; its stderr goes to `log`, or to ours. A gfs server stops when this process is gone,
    /// however it went (`ParentWatch`); etcd knows nothing of that, and is not told.
    static func launch(_ binary: URL, _ arguments: [String], log: FileHandle? = nil, stopsWithUs: Bool = true) throws -> Child {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if stopsWithUs { process.environment = ParentWatch.environment() }
        process.standardOutput = FileHandle.nullDevice
        if let log { process.standardError = log }
        let exit = ChildExit(process)
        try process.run()
        return Child(process: process, exit: exit, relaunch: nil)
    }

    /// The masters' status pages, as their STATUS replies tell them.
    static func statusPages(masters: [String]) async -> [String] {
        var pages: [String] = []
        for master in masters.compactMap({ ServerID($0) }) {
            let client = Client(masters: [master], timeout: .seconds(2))
            if let http = try? await client.master.status().http { pages.append("http://\(http)/") }
            await client.close()
        }
        return pages
    }

    /// Polls the master until every chunkserver has registered, or a child died.
    static func waitUntilUp(master: String, chunkservers: Int, group: ProcessGroup) async -> Bool {
        let addresses = master.split(separator: ",").compactMap { ServerID($0) }
        guard !addresses.isEmpty else { return false }
        let client = Client(masters: addresses, timeout: .seconds(2))
        defer { Task { await client.close() } }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, group.allRunning {
            if let status = try? await client.master.status(), status.summaries.filter(\.alive).count >= chunkservers {
                return true
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}

/// The etcd that `gfs up --ha` starts for its masters' election, on loopback, with its data under DIR/etcd.
struct HighAvailability {
    let binary: URL
    let folder: String
    let port: Int

    init(folder: String, port: Int) throws {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/etcd" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else {
            throw ValidationError("gfs up --ha needs etcd on PATH (Debian: apt-get install etcd-server)")
        }
        binary = URL(fileURLWithPath: path)
        self.folder = folder
        self.port = port
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts etcd, its log in DIR/etcd.log.
    func launch() throws -> Child {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let logPath = folder + "/etcd.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let peer = "http://127.0.0.1:\(port + 1)"
        return try Up.launch(binary, [
            "--name", "gfs", "--data-dir", folder + "/etcd", "--listen-client-urls", endpoint,
            "--advertise-client-urls", endpoint, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "gfs=" + peer,
        ], log: FileHandle(forWritingAtPath: logPath), stopsWithUs: false)
    }
}
