import Foundation
import GFSClient
import GFSProtocol

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway cluster for `gfs bench --local`: a master and chunkservers of this binary on free loopback
/// ports, their data and logs in a temporary folder, stopped and removed by `stop()`.
struct LocalCluster {
    let folder: URL
    let master: String
    let masterPID: Int32
    let chunkserverPIDs: [Int32]
    private let group: ProcessGroup

    /// With `secretFile`, the servers demand that cluster secret (this process proves it already).
    static func start(chunkservers: Int, chunkSize: Int64, secretFile: String? = nil) async throws -> LocalCluster {
        let secret = secretFile.map { ["--secret-file", $0] } ?? []
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gfs-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let log = try FileHandle(forWritingTo: Self.emptyFile(folder.appendingPathComponent("servers.log")))
        // The servers hold their own copies of the descriptor.
        defer { try? log.close() }
        let master = "127.0.0.1:\(try LoopbackSocket.freePort())"
        // A bench stopped by a signal (`timeout`, a script's kill) takes its servers and their files with it,
        // from before the first one starts.
        let group = ProcessGroup([])
        group.stopOnSignals(as: "gfs bench", status: nil) {
            try? FileManager.default.removeItem(at: folder)
        }
        var masterPID: Int32 = 0
        try group.launch {
            let child = try Up.launch(binary, ["master", "--dir", folder.appendingPathComponent("master").path,
                                               "--listen", master, "--replication", String(min(3, chunkservers)),
                                               "--chunk-size", String(chunkSize), "--log-level", "warning"] + secret, log: log)
            masterPID = child.process.processIdentifier
            return child
        }
        guard await Up.waitUntilUp(master: master, chunkservers: 0, group: group) else {
            group.stopAll()
            throw GFSError(.unavailable, "the local master did not start; see \(folder.path)/servers.log")
        }
        var chunkserverPIDs: [Int32] = []
        for index in 1...chunkservers {
            try group.launch {
                let child = try Up.launch(binary, [
                    "chunkserver", "--dir", folder.appendingPathComponent("chunkserver-\(index)").path,
                    "--listen", "127.0.0.1:\(try LoopbackSocket.freePort())", "--master", master, "--log-level", "warning",
                ] + secret, log: log)
                chunkserverPIDs.append(child.process.processIdentifier)
                return child
            }
        }
        let cluster = LocalCluster(folder: folder, master: master, masterPID: masterPID, chunkserverPIDs: chunkserverPIDs,
                                   group: group)
        guard await Up.waitUntilUp(master: master, chunkservers: chunkservers, group: cluster.group) else {
            cluster.group.stopAll()
            throw GFSError(.unavailable, "the local chunkservers did not register; see \(folder.path)/servers.log")
        }
        return cluster
    }

    /// Stops every server and removes the folder.
    func stop() {
        group.stopAll()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Replicas on the chunkservers' disks: their `.chunk` files.
    func replicaFiles() -> Int {
        guard let walk = FileManager.default.enumerator(atPath: folder.path) else { return 0 }
        var count = 0
        for case let path as String in walk where path.hasSuffix(".chunk") { count += 1 }
        return count
    }

    /// Waits up to `deadline` for the chunkservers to hold no replica; the count still held then.
    func waitUntilNoReplicas(within deadline: Duration = .seconds(60)) async -> Int {
        let end = ContinuousClock.now + deadline
        while case let left = replicaFiles(), left > 0 {
            guard ContinuousClock.now < end else { return left }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return 0
    }

    /// The resident set of a process (a pid, or `self`), from /proc.
    static func residentBytes(of process: String) -> Int64? {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int64(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }

    private static func emptyFile(_ url: URL) -> URL {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }
}
