import Foundation
import GFSClient
import GFSCore

#if canImport(Glibc)
import Glibc
#endif

/// Real `gfs` processes for end-to-end tests: a master and chunkservers on ephemeral loopback ports, each in
/// its own temporary folder, each stopped by pid when the test ends. Set `GFS_KEEP_TEST_DIRS=1` to keep the
/// folders and logs.
public final class ProcessCluster: @unchecked Sendable {
    // Mutated only from the test that owns it, one call at a time.

    /// One running server.
    public struct Server {
        /// Its role, for log dumps.
        public var name: String
        public var process: Process
        /// Tells when it has exited.
        public var exit: ChildExit
        /// Where it listens.
        public var address: String
        /// Its data folder.
        public var directory: URL
        /// Its stderr log.
        public var log: URL
        /// Process id, for kill.
        public var pid: Int32 { process.processIdentifier }
        /// How it was started, to start it again.
        public var arguments: [String] = []
        /// The test host it runs on, if not the machine's own namespace.
        public var host: String?
    }

    /// The `gfs` binary under test: `$GFS_BINARY`, or the one built next to the test bundle.
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["GFS_BINARY"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("gfs")
    }

    /// The folder holding every server's folder.
    public let root: URL
    /// The test hosts servers may run on (`host:` arguments), if the test made some.
    public var network: TestNetwork?
    /// The cluster secret its servers are started with and `gfs(_:)` commands prove, if any.
    public var secretFile: URL?
    /// Flags every server it starts is given (TLS, say).
    public var serverFlags: [String] = []
    /// Variables every `gfs(_:)` command runs with (unless the call sets them).
    public var clientEnvironment: [String: String] = [:]
    /// The user every server and `gfs(_:)` command runs as, when not the test's own (`runAs(_:)`).
    public private(set) var user: (name: String, uid: UInt32, gid: UInt32)?
    /// The port every master on a test host listens on (each host is a namespace of its own).
    public static let hostMasterPort = 7700
    /// The master, once started.
    public private(set) var master: Server?
    private var masterFlags: [String] = []
    /// Masters stopped by `restartMaster`, kept for their logs.
    private var pastMasters: [Server] = []
    /// Chunkservers, in start order (killed ones stay listed).
    public private(set) var chunkservers: [Server] = []

    /// Creates an empty temporary folder for a cluster.
    public init(name: String = "cluster") throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gfs-test-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// Runs every server started from now on, and every `gfs(_:)` command, as the user `name` (the tests run as
    /// root, which no permission stops): the cluster's folder becomes that user's, and HOME is that folder.
    public func runAs(_ name: String) throws {
        guard let entry = getpwnam(name) else { throw ClusterError("no user \(name) on this machine") }
        user = (name, entry.pointee.pw_uid, entry.pointee.pw_gid)
        // The binary (and the Swift runtime) must be reachable by that user; say so now, not as a server that
        // never printed READY.
        let (binary, arguments) = command(Self.binary, ["--version"])
        let probe = try Self.run(binary, arguments, limit: 30)
        guard probe.status == 0 else {
            throw ClusterError("\(name) cannot run \(Self.binary.path) (a folder on its path closed to others?): \(probe.stderr)")
        }
        try FileManager.default.setAttributes([.ownerAccountID: entry.pointee.pw_uid, .groupOwnerAccountID: entry.pointee.pw_gid],
                                              ofItemAtPath: root.path)
        clientEnvironment["HOME"] = root.path
    }

    /// `binary arguments`, run as `user` if set.
    func command(_ binary: URL, _ arguments: [String]) -> (URL, [String]) {
        guard let user else { return (binary, arguments) }
        return (URL(fileURLWithPath: "/usr/bin/setpriv"),
                ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups", binary.path] + arguments)
    }

    /// The master's `host:port`; with elected masters, all of them (clients try each in turn).
    public var masterAddress: String {
        elected.isEmpty ? master?.address ?? "127.0.0.1:1" : elected.map(\.address).joined(separator: ",")
    }
    /// Masters that elect their primary in etcd (`startElectedMasters`), in start order.
    public private(set) var elected: [Server] = []
    /// Shadow masters, in start order.
    public private(set) var shadows: [Server] = []
    /// What chunkservers are told with `--master`: the master, and any shadows started before them.
    public var chunkserverMasters: String { ([masterAddress] + shadows.map(\.address)).joined(separator: ",") }

    /// Starts `count` masters that elect their primary in etcd at `endpoint`, each the others' log replica;
    /// with `hosts`, one on each of those test hosts, listening on every interface and advertising the host's
    /// address.
    public func startElectedMasters(_ count: Int, etcd endpoint: String, hosts: [String]? = nil,
                                    _ extra: [String] = ["--chunk-size", "64K", "--lease", "2s", "--heartbeat-timeout", "3s",
                                                         "--etcd-ttl", "2s"]) throws {
        let addresses = try (0..<count).map { index in
            guard let hosts else { return "127.0.0.1:\(try Self.freePort())" }
            return "\(try hostNetwork().address(hosts[index])):\(Self.hostMasterPort)"
        }
        for (index, address) in addresses.enumerated() {
            let folder = root.appendingPathComponent("master-\(index + 1)")
            let peers = addresses.filter { $0 != address }.joined(separator: ",")
            let listen = hosts == nil ? ["--listen", address] : ["--listen", "0.0.0.0:\(Self.hostMasterPort)", "--advertise", address]
            let arguments = ["master", "--dir", folder.path] + listen + ["--etcd", endpoint, "--log-replicas", peers]
                + (index == 0 ? ["--bootstrap"] : []) + extra
            elected.append(try launch("master-\(index + 1)", arguments, folder, host: hosts?[index]))
        }
    }

    private func hostNetwork() throws -> TestNetwork {
        guard let network else { throw ClusterError("the cluster has no test network for host:") }
        return network
    }

    /// Starts an elected master again (after `kill`) with the arguments it had.
    @discardableResult
    public func restartElected(_ index: Int) throws -> Server {
        let old = elected[index]
        if !old.exit.hasExited { kill(old) }
        pastMasters.append(old)
        let server = try launch(old.name, old.arguments, old.directory, host: old.host)
        elected[index] = server
        return server
    }

    /// A loopback port free at the time of asking (for a server whose address must be known in advance).
    public static func freePort() throws -> Int { try LoopbackSocket.freePort() }

    /// Starts a shadow master of this cluster's master (or of `primary`) on `port` (0 for any).
    @discardableResult
    public func startShadow(port: Int = 0, folder: URL? = nil, of primary: String? = nil, _ extra: [String] = [],
                            fileSizeLimitKiB: Int? = nil) throws -> Server {
        let folder = folder ?? root.appendingPathComponent("shadow-\(shadows.count + 1)")
        let server = try launch("shadow-\(shadows.count + 1)",
                                ["master", "--dir", folder.path, "--listen", "127.0.0.1:\(port)", "--shadow-of",
                                 primary ?? masterAddress] + extra, folder, fileSizeLimitKiB: fileSizeLimitKiB)
        shadows.append(server)
        return server
    }

    /// Starts the master on an ephemeral port; with `fileSizeLimitKiB`, under `ulimit -S -f` so its writes past
    /// that size fail as on a full disk (a soft limit, which a test may raise with prlimit as room coming back).
    public func startMaster(_ extra: [String] = ["--chunk-size", "64K", "--lease", "2s", "--heartbeat-timeout", "3s"],
                            fileSizeLimitKiB: Int? = nil) throws -> Server
    {
        let folder = root.appendingPathComponent("master")
        let server = try launch("master", ["master", "--dir", folder.path, "--listen", "127.0.0.1:0"] + extra, folder,
                                fileSizeLimitKiB: fileSizeLimitKiB)
        master = server
        masterFlags = extra
        return server
    }

    /// Starts the master again on its address and folder (after `kill`), as an operator would: no extra flag.
    @discardableResult
    public func restartMaster() throws -> Server {
        guard let old = master else { throw ClusterError("no master to restart") }
        if !old.exit.hasExited { kill(old) }
        pastMasters.append(old)
        let server = try launch("master", ["master", "--dir", old.directory.path, "--listen", old.address] + masterFlags,
                                old.directory)
        master = server
        return server
    }

    /// Starts a chunkserver on an ephemeral port, or in `folder` again (a restart); with `host`, on that test
    /// host, listening on every interface and advertising the host's address.
    @discardableResult
    public func startChunkserver(folder: URL? = nil, host: String? = nil, descriptorLimit: Int? = nil, softDescriptorLimit: Int? = nil,
                                 _ extra: [String] = ["--heartbeat-interval", "200ms"]) throws -> Server {
        let folder = folder ?? root.appendingPathComponent("chunkserver-\(chunkservers.count + 1)")
        let listen = try host.map { ["--listen", "0.0.0.0:0", "--advertise", "\(try hostNetwork().address($0)):0"] }
            ?? ["--listen", "127.0.0.1:0"]
        let server = try launch("chunkserver-\(chunkservers.count + 1)",
                                ["chunkserver", "--dir", folder.path] + listen + ["--master", chunkserverMasters] + extra,
                                folder, descriptorLimit: descriptorLimit, softDescriptorLimit: softDescriptorLimit, host: host)
        chunkservers.append(server)
        return server
    }

    /// Starts a master and `count` chunkservers (with `chunkserver` flags, if given) and waits until all
    /// have registered.
    public func start(chunkservers count: Int, master extra: [String]? = nil, chunkserver flags: [String]? = nil) async throws {
        if let extra { _ = try startMaster(extra) } else { _ = try startMaster() }
        for _ in 0..<count {
            if let flags { try startChunkserver(flags) } else { try startChunkserver() }
        }
        try await waitForLiveChunkservers(count)
    }

    /// Polls `gfs status` until `count` chunkservers are alive.
    public func waitForLiveChunkservers(_ count: Int, within limit: Duration = .seconds(20)) async throws {
        try await waitUntil("\(count) live chunkservers", within: limit) {
            let result = try self.gfs(["status"])
            return result.stdout.split(separator: "\n").filter { $0.contains("\talive\t") }.count == count
        }
    }

    /// Runs `gfs ARGUMENTS --master <this cluster>` (the flag goes after the subcommand) to completion, or
    /// kills it after `limit` seconds.
    @discardableResult
    public func gfs(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
                    limit: TimeInterval = 120) throws -> CommandResult {
        var environment = environment.merging(clientEnvironment) { given, _ in given }
        if let secretFile, environment["GFS_SECRET_FILE"] == nil { environment["GFS_SECRET_FILE"] = secretFile.path }
        let (binary, arguments) = command(Self.binary, arguments + ["--master", masterAddress])
        return try Self.run(binary, arguments, stdin: stdin, environment: environment, limit: limit)
    }

    /// Sends SIGKILL to a server and waits (20 s at most) for it to die.
    public func kill(_ server: Server) {
        Foundation.kill(server.pid, SIGKILL)
        server.exit.wait(within: 20)
    }

    /// Sends SIGTERM (a planned stop) to a server and waits (20 s at most) for it to exit.
    public func terminate(_ server: Server) {
        Foundation.kill(server.pid, SIGTERM)
        server.exit.wait(within: 20)
    }

    /// Stops every server by pid, then removes the folder unless `GFS_KEEP_TEST_DIRS=1`.
    public func stop() {
        for server in chunkservers + shadows + elected + [master].compactMap({ $0 }) where !server.exit.hasExited {
            kill(server)
        }
        if ProcessInfo.processInfo.environment["GFS_KEEP_TEST_DIRS"] != "1" {
            try? FileManager.default.removeItem(at: root)
        }
    }

    /// Every server's log, for a failing test's output.
    public func logs() -> String {
        (chunkservers + shadows + pastMasters + elected + [master].compactMap { $0 }).map { server in
            "--- \(server.name) (\(server.address)) ---\n" + ((try? String(contentsOf: server.log, encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
    }

    private func launch(_ name: String, _ arguments: [String], _ folder: URL, fileSizeLimitKiB: Int? = nil,
                        descriptorLimit: Int? = nil, softDescriptorLimit: Int? = nil, host: String? = nil) throws -> Server {
        var arguments = arguments
        if let secretFile, !arguments.contains("--secret-file") { arguments += ["--secret-file", secretFile.path] }
        arguments += serverFlags
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let user {
            guard fileSizeLimitKiB == nil, descriptorLimit == nil, softDescriptorLimit == nil, host == nil else {
                throw ClusterError("runAs does not combine with limits or test hosts")
            }
            try FileManager.default.setAttributes([.ownerAccountID: user.uid, .groupOwnerAccountID: user.gid], ofItemAtPath: folder.path)
        }
        let log = root.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(4)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        let limits = (fileSizeLimitKiB.map { ["ulimit -S -f \($0)"] } ?? []) + (descriptorLimit.map { ["ulimit -n \($0)"] } ?? [])
            + (softDescriptorLimit.map { ["ulimit -S -n \($0)"] } ?? [])
        if !limits.isEmpty {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", (limits + ["exec \"$0\" \"$@\""]).joined(separator: " && "), Self.binary.path] + arguments
        } else if let host {
            (process.executableURL, process.arguments) = try hostNetwork().command(on: host, Self.binary, arguments)
        } else {
            (process.executableURL, process.arguments) = command(Self.binary, arguments)
            if user != nil { process.environment = ProcessInfo.processInfo.environment.merging(["HOME": root.path]) { $1 } }
        }
        let output = Pipe()
        process.standardOutput = output
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardError = logHandle
        let exit = ChildExit(process)
        try process.run()
        // The child has its own copies; Foundation would keep these open as long as it keeps the Process (for
        // good), and the test process would run out of descriptors (see RunningCommand.wait).
        try? logHandle.close()
        let reading = output.fileHandleForReading
        guard let address = Self.readReady(reading.fileDescriptor, within: 30) else {
            Foundation.kill(process.processIdentifier, SIGKILL)
            exit.wait(within: 20)
            try? reading.close()
            let detail = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw ClusterError("server did not print READY within 30 s; its log:\n\(detail)")
        }
        // Whatever else it prints is drained (a full pipe would stall it), and the pipe closed once it exits.
        Thread {
            _ = reading.readDataToEndOfFile()
            try? reading.close()
        }.start()
        return Server(name: name, process: process, exit: exit, address: address, directory: folder, log: log,
                      arguments: arguments, host: host)
    }

    /// Reads the server's `READY host:port` line, waiting no longer than `limit` seconds in all.
    private static func readReady(_ descriptor: Int32, within limit: TimeInterval) -> String? {
        let deadline = Date().addingTimeInterval(limit)
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let remaining = deadline.timeIntervalSinceNow, remaining > 0 {
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&request, 1, Int32(remaining * 1000) + 1) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { return nil }
            text += String(decoding: buffer[..<count], as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }) {
                return String(line.dropFirst(6))
            }
        }
        return nil
    }
}

/// A failure of the test harness itself.
public struct ClusterError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
