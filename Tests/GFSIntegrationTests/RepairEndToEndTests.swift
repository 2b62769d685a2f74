// Goal: the cluster heals itself (GFS §4.3, §4.4, §5.2): dead chunkservers' chunks are re-replicated,
// corruption is found by the scrubber and repaired, stale replicas are never served, deleted files are
// collected, and fsck tells cron the truth. Method: real processes on loopback, short timeouts via flags.
import Foundation
import GFSTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct RepairEndToEndTests {
    static let master = ["--chunk-size", "64K", "--lease", "2s", "--heartbeat-timeout", "2s", "--repair-interval", "200ms",
                         "--gc-interval", "500ms"]

    /// Chunkservers that report and scrub often.
    static let chunkserver = ["--heartbeat-interval", "200ms", "--report-interval", "1s", "--scrub-rate", "20M"]

    /// Runs `body` on a cluster of `count` such chunkservers.
    static func withRepairCluster(_ count: Int, master extra: [String] = [], name: String = #function,
                                  _ body: (ProcessCluster) async throws -> Void) async throws {
        try await withCluster(chunkservers: count, master: Self.master + extra, chunkserver: Self.chunkserver, name: name, body)
    }

    static func fsck(_ cluster: ProcessCluster, _ extra: [String] = []) throws -> (status: Int32, summary: [String: Any]) {
        let result = try cluster.gfs(["fsck", "--json"] + extra)
        let object = try JSONSerialization.jsonObject(with: result.output) as? [String: Any]
        let summary = object?["summary"] as? [String: Any] ?? [:]
        // Counts are JSON numbers, the status a string.
        #expect(summary["chunks"] as? Int != nil && summary["under"] as? Int != nil && summary["status"] as? String != nil,
                "\(result.stdout)")
        return (result.status, summary)
    }

    /// Reference: GFS §4.3 — kill one of 4 chunkservers: fsck turns non-zero, and every chunk is back at three
    /// live replicas with no client action; draining then empties a server the same way.
    @Test func deadChunkserverIsReplacedThenOneIsDrained() async throws {
        try await Self.withRepairCluster(4, master: ["--clones-total", "0"]) { cluster in
            let data = testBytes(5 * 65536 + 100, seed: 21)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            #expect(try Self.fsck(cluster).status == 0)
            let victim = try #require(cluster.chunkservers.first { !chunkFiles($0).isEmpty })
            cluster.kill(victim)
            try await waitUntil("fsck to see the loss") { try Self.fsck(cluster).status == 4 }
            let report = try cluster.gfs(["fsck"])
            #expect(report.stderr.hasPrefix("gfs: fsck: ") && report.stdout.contains("\tunder-replicated\t"))
            #expect(report.stdout.contains("dead \(victim.address)"))
            // Copies were held back by the limit of 0; raising it on the running master starts the repair.
            #expect(try cluster.gfs(["tune", "--clones-total", "8"]).stdout.contains("clones_total\t8"))
            try await waitUntil("fsck to be healthy again") { try Self.fsck(cluster).status == 0 }
            let live = cluster.chunkservers.filter { $0.address != victim.address }
            #expect(live.map { chunkFiles($0).count }.reduce(0, +) == 6 * 3)
            #expect(try cluster.gfs(["cat", "/f"]).output == data)

            // Draining needs somewhere to put the replicas: a new chunkserver joins first.
            try cluster.startChunkserver(["--heartbeat-interval", "200ms", "--report-interval", "1s"])
            try await cluster.waitForLiveChunkservers(4)
            let drained = try #require(live.first { !chunkFiles($0).isEmpty })
            #expect(try cluster.gfs(["drain", drained.address]).status == 0)
            #expect(try statusLine(cluster, drained).dropFirst().first == "draining")
            try await waitUntil("the drained server to hold nothing") {
                try chunkFiles(drained).isEmpty && Self.fsck(cluster).status == 0
        }
        #expect(try cluster.gfs(["cat", "/f"]).output == data)
        }
    }

    /// Reference: GFS §5.2 — flipped bytes in a chunk file and in a checksum file are found by the scrubber
    /// without any read, the replicas quarantined, and the chunks copied again from good replicas.
    @Test func scrubberFindsCorruptionAndTheChunkIsRepaired() async throws {
        try await Self.withRepairCluster(4) { cluster in
            let data = testBytes(3 * 65536, seed: 22)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            let server = try #require(cluster.chunkservers.first { chunkFiles($0).count >= 2 })
            let files = chunkFiles(server)
            try Self.flip(files[0], at: 1000)
            try Self.flip(files[1].deletingPathExtension().appendingPathExtension("crc"), at: 0)
            try await waitUntil("the scrubber to quarantine both replicas") {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: files[0].deletingLastPathComponent().path)) ?? []
                return names.filter { $0.hasSuffix(".chunk.corrupt") }.count == 2
        }
        try await waitUntil("fsck to be healthy again") { try Self.fsck(cluster).status == 0 }
        #expect(try cluster.gfs(["cat", "/f"]).output == data)
        }
    }

    /// A chunkserver whose data folder is wiped under it: its replicas are found missing, reported, and the
    /// chunks copied again; nothing acknowledged is lost.
    @Test func wipedDataFolderIsRepaired() async throws {
        try await Self.withRepairCluster(4) { cluster in
            let data = testBytes(2 * 65536, seed: 25)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            let wiped = try #require(cluster.chunkservers.first { !chunkFiles($0).isEmpty })
            try FileManager.default.removeItem(at: wiped.directory.appendingPathComponent("chunks"))
            try await waitUntil("the master to forget the wiped replicas") {
                try statusLine(cluster, wiped).dropFirst(2).first == "0"
            }
            try await waitUntil("fsck to be healthy again") { try Self.fsck(cluster).status == 0 }
            #expect(try cluster.gfs(["cat", "/f"]).output == data)
        }
    }

    /// The version of the one chunk `server` holds, if it holds one.
    static func version(_ server: ProcessCluster.Server) -> Int? {
        guard let chunk = chunkFiles(server).first, let version = try? replicaOnDisk(chunk).version else { return nil }
        return Int(exactly: version)
    }

    static func flip(_ file: URL, at offset: UInt64) throws {
        let handle = try FileHandle(forUpdating: file)
        try handle.seek(toOffset: offset)
        let byte = try handle.read(upToCount: 1) ?? Data([0])
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data([~(byte.first ?? 0)]))
        try handle.close()
    }

    /// Reference: GFS §4.5 — a chunkserver frozen (SIGSTOP) while its chunk is written comes back with an old
    /// version: it is never served, its replica is deleted, and the chunk keeps three current replicas.
    @Test func staleReplicaAfterAFreezeIsNeverServed() async throws {
        try await Self.withRepairCluster(4) { cluster in
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: Data("old!".utf8)).status == 0)
            let frozen = try #require(cluster.chunkservers.first { !chunkFiles($0).isEmpty })
            Glibc.kill(frozen.pid, SIGSTOP)
            try await waitUntil("the master to see it dead") { try statusLine(cluster, frozen).dropFirst().first == "dead" }
            let write = try cluster.gfs(["write", "/f", "--offset", "0"], stdin: Data("new!".utf8))
            #expect(write.status == 0, "\(write.stderr)")
            try await waitUntil("three current replicas elsewhere") {
                cluster.chunkservers.filter { $0.pid != frozen.pid && !chunkFiles($0).isEmpty }.count == 3
        }
        Glibc.kill(frozen.pid, SIGCONT)
        // The frozen server's old replica goes, or (when a copy made while it was away was itself left stale
        // by the write) it is the one chosen to take a fresh copy: either way it never keeps the old bytes.
        try await waitUntil("the stale replica to be deleted or replaced") {
            let current = cluster.chunkservers.filter { $0.pid != frozen.pid }.compactMap(Self.version).max()
            return try chunkFiles(frozen).isEmpty || (Self.version(frozen) == current && Self.fsck(cluster).status == 0)
        }
        for _ in 0..<5 { #expect(try cluster.gfs(["cat", "/f"]).stdout == "new!") }
        #expect(try Self.fsck(cluster).status == 0)
        }
    }

    /// Reference: GFS §4.4.1 — rm hides the file, undelete brings it back, and once the grace period is over
    /// the namespace scan reclaims the chunk files on disk.
    @Test func deletedFilesAreRestorableThenCollected() async throws {
        try await Self.withRepairCluster(3, master: ["--deleted-grace", "3s"]) { cluster in
            let data = testBytes(70_000, seed: 23)
            #expect(try cluster.gfs(["put", "-", "/logs"], stdin: data).status == 0)
            #expect(try cluster.gfs(["rm", "/logs"]).status == 0)
            #expect(try cluster.gfs(["cat", "/logs"]).status == 1)
            let listed = try JSONSerialization.jsonObject(with: try cluster.gfs(["ls", "--deleted", "--json"]).output)
            #expect((listed as? [[String: String]])?.first?["path"] == "/logs")
            #expect(try cluster.gfs(["undelete", "/logs"]).status == 0)
            #expect(try cluster.gfs(["cat", "/logs"]).output == data)
            #expect(try cluster.gfs(["rm", "/logs"]).status == 0)
            #expect(cluster.chunkservers.allSatisfy { chunkFiles($0).count == 2 }, "kept during the grace period")
            try await waitUntil("the scan to reclaim the chunk files") {
                cluster.chunkservers.allSatisfy { chunkFiles($0).isEmpty }
        }
        #expect(try cluster.gfs(["ls", "--deleted"]).stdout.isEmpty)
        #expect(try cluster.gfs(["undelete", "/logs"]).status == 1)
        }
    }

    /// A chunkserver stopped gracefully is resting, not dead: its chunks wait out the restart grace.
    @Test func gracefulStopIsARestNotALoss() async throws {
        try await Self.withRepairCluster(4) { cluster in
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: testBytes(1000, seed: 24)).status == 0)
            let stopped = try #require(cluster.chunkservers.first { !chunkFiles($0).isEmpty })
            Glibc.kill(stopped.pid, SIGTERM)
            try await waitUntil("the master to see it resting") { try statusLine(cluster, stopped).dropFirst().first == "resting" }
            let checked = try cluster.gfs(["fsck", "--chunks"])
            #expect(checked.status == 0 && checked.stdout.contains("resting \(stopped.address)"))
            #expect(checked.stdout.contains("waiting out the restart grace of \(stopped.address)"))
        }
    }
}
