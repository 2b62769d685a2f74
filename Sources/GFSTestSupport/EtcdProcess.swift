import Foundation
import GFSClient

/// A real etcd (Debian's etcd-server) on loopback ports in a temporary folder, for the election tests;
/// stopped by pid.
public final class EtcdProcess: @unchecked Sendable {
    // Mutated only from the test that owns it.
    public let endpoint: String
    private let process: Process
    private let exit: ChildExit
    private let folder: URL

    /// Starts etcd on loopback, or on `host` of `network`, and waits until it answers, or throws with its log.
    public init(network: TestNetwork? = nil, host: String = "etcd") async throws {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map { "\($0)/etcd" }
        guard let binary = paths.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ClusterError("etcd is not installed (Debian: apt-get install etcd-server; .ci/run installs it)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gfs-etcd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // A test host's ports are all free: it is a namespace of its own.
        let (address, client, peer) = try network.map { (try $0.address(host), 2379, 2380) }
            ?? ("127.0.0.1", try ProcessCluster.freePort(), try ProcessCluster.freePort())
        endpoint = "http://\(address):\(client)"
        let peerURL = "http://\(address):\(peer)"
        let log = folder.appendingPathComponent("etcd.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        let arguments = ["--name", "test", "--data-dir", folder.appendingPathComponent("data").path,
                             "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint,
                             "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
                             "--initial-cluster", "test=" + peerURL]
        (process.executableURL, process.arguments) = try network?.command(on: host, URL(fileURLWithPath: binary), arguments)
            ?? (URL(fileURLWithPath: binary), arguments)
        process.standardOutput = FileHandle.nullDevice
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardError = logHandle
        exit = ChildExit(process)
        try process.run()
        try? logHandle.close()  // etcd has its own copy (see RunningCommand.wait)
        do {
            try await waitUntil("etcd answers on \(endpoint)", within: .seconds(30)) {
                // 200 from /health once it has a raft leader, 503 before.
                guard let socket = try? RawSocket("\(address):\(client)", timeout: 2) else { return false }
                defer { socket.shutdown() }
                socket.send("GET /health HTTP/1.0\r\n\r\n")
                return socket.readLines(1).first?.contains(" 200 ") ?? false
            }
        } catch {
            stop()
            throw ClusterError("\(error); etcd's log:\n" + ((try? String(contentsOf: log, encoding: .utf8)) ?? ""))
        }
    }

    /// Stops etcd by pid and removes its folder.
    public func stop() {
        if !exit.hasExited {
            kill(process.processIdentifier, SIGKILL)
            exit.wait(within: 20)
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
