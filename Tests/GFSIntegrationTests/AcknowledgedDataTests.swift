// Goal: nothing acknowledged is lost when a chunkserver is stopped past the heartbeat timeout and comes back
// (DESIGN.md §6: a replica that missed a mutation is never current again).
// Method: a real cluster; SIGSTOP one chunkserver while `gfs append` runs, SIGCONT it, let the cluster heal,
// then SIGKILL the other two, so the replica that was stopped is the only one left to read from.
import Foundation
import GFSCore
import GFSTestSupport
import Testing

@Suite(.serialized) struct AcknowledgedDataTests {
    static func records(_ range: ClosedRange<Int>) -> Data {
        Data(range.map { "record \($0) " + String(repeating: "x", count: $0 % 40) + "\n" }.joined().utf8)
    }

    /// The reproduction from the fault-injection issue: before the fix, the stopped replica kept the current
    /// version, was called healthy, and `gfs cat` from it lost the second half.
    @Test func replicaStoppedDuringAppendsIsNeverTrustedWithoutTheirRecords() async throws {
        let master = ["--chunk-size", "1M", "--lease", "8s", "--heartbeat-timeout", "2s", "--repair-interval", "200ms"]
        let acknowledgements = FileManager.default.temporaryDirectory.appendingPathComponent("acks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: acknowledgements) }
        let chunkserver = ["--heartbeat-interval", "200ms", "--ack-log", acknowledgements.path]
        try await withCluster(chunkservers: 3, master: master, chunkserver: chunkserver) { cluster in
            let first = try cluster.gfs(["append", "--create", "/r"], stdin: Self.records(1...2000))
            try #require(first.status == 0, "\(first.stderr)")
            // Stop a secondary of the lease the appends go through (its connection stays open, as in a hang).
            let lease = try cluster.leaseOnLastChunk("/r")
            let secondary = try #require(lease["secondaries"]?.split(separator: ",").first.map(String.init))
            let stopped = try #require(cluster.chunkservers.first { $0.address == secondary })
            kill(stopped.pid, SIGSTOP)
            var resumed = false
            defer { if !resumed { kill(stopped.pid, SIGCONT) } }
            // Appends go on without it once the master counts it dead (2 s), and are acknowledged.
            let second = try cluster.gfs(["append", "/r"], stdin: Self.records(2001...4000))
            #expect(second.status == 0, "\(second.stderr)")
            kill(stopped.pid, SIGCONT)
            resumed = true
            try await waitUntil("fsck healthy", within: .seconds(60)) { try cluster.gfs(["fsck"]).status == 0 }
            for other in cluster.chunkservers where other.pid != stopped.pid { cluster.kill(other) }
            try await waitUntil("the master to see two chunkservers gone", within: .seconds(20)) {
                try cluster.gfs(["status"]).stdout.split(separator: "\n").filter { $0.contains("\talive\t") }.count == 1
            }
            let read = try cluster.gfs(["cat", "/r"])
            #expect(read.status == 0, "\(read.stderr)")
            #expect(read.output == Self.records(1...4000), "the replica left read back \(read.output.count) bytes")
        }
        try Self.checkNoOverlappingLeases(try String(contentsOf: acknowledgements, encoding: .utf8))
    }

    /// From the chunkservers' `--ack-log` lines: one primary per chunk version, and no primary acknowledging
    /// at a version after another acknowledged a newer one (two leases in force at once).
    static func checkNoOverlappingLeases(_ log: String) throws {
        var primaries: [String: Set<String>] = [:]
        var acks: [String: [(time: Int, version: Int)]] = [:]
        for line in log.split(separator: "\n") {
            let fields = ProcessCluster.fields(String(line))
            let handle = try #require(fields["handle"]), server = try #require(fields["server"])
            let version = try #require(fields["version"].flatMap { Int($0) })
            let time = try #require(fields["time_ms"].flatMap { Int($0) })
            primaries["\(handle) v\(version)", default: []].insert(server)
            acks[handle, default: []].append((time, version))
        }
        #expect(!acks.isEmpty, "the ack log is empty")
        for (chunk, servers) in primaries { #expect(servers.count == 1, "chunk \(chunk) had primaries \(servers)") }
        for (handle, list) in acks {
            let ordered = list.sorted { $0.time < $1.time }
            for (earlier, later) in zip(ordered, ordered.dropFirst()) {
                #expect(later.version >= earlier.version, "chunk \(handle): v\(later.version) acknowledged after v\(earlier.version)")
            }
        }
    }

    /// No write is acknowledged by one replica alone (make chaos lost writes made on a single replica whose
    /// disk then flipped a byte): with one of three chunkservers left, a write fails; once a second is back
    /// and holds the chunk, writes go on.
    @Test func writesNeedTwoReplicas() async throws {
        let master = ["--chunk-size", "64K", "--lease", "2s", "--heartbeat-timeout", "2s", "--repair-interval", "200ms"]
        try await withCluster(chunkservers: 3, master: master) { cluster in
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: Data("old bytes\n".utf8)).status == 0)
            let (a, b) = (cluster.chunkservers[0], cluster.chunkservers[1])
            cluster.kill(a)
            cluster.kill(b)
            try await waitForAlive(cluster, 1)
            let alone = try cluster.gfs(["write", "--offset", "0", "/f"], stdin: Data("new".utf8))
            #expect(alone.status != 0 && alone.stderr.contains("writes need 2"), "\(alone.stderr)")
            try cluster.startChunkserver(folder: a.directory)
            try await waitForAlive(cluster, 2)
            try await waitUntil("a write to succeed with two replicas") {
                try cluster.gfs(["write", "--offset", "0", "/f"], stdin: Data("new".utf8)).status == 0
            }
            #expect(try cluster.gfs(["cat", "/f"]).stdout == "new bytes\n")
        }
    }

    /// Never the last copy: when the only current replica is gone and the others are stale, the chunk is kept,
    /// fsck says stale-only, a plain read fails, and `gfs cat --stale` reads the old bytes.
    @Test func staleOnlyChunksAreKeptAndReadableOnRequest() async throws {
        // --min-replicas 1: the test writes on one replica on purpose (the default refuses that).
        let master = ["--chunk-size", "64K", "--lease", "2s", "--heartbeat-timeout", "2s", "--repair-interval", "200ms",
                      "--min-replicas", "1"]
        try await withCluster(chunkservers: 3, master: master) { cluster in
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: Data("old bytes\n".utf8)).status == 0)
            let (a, b, c) = (cluster.chunkservers[0], cluster.chunkservers[1], cluster.chunkservers[2])
            cluster.kill(a)
            cluster.kill(b)
            try await waitForAlive(cluster, 1)
            // Written on c alone: the new lease moves the version on, so a and b are stale from now on.
            let write = try cluster.gfs(["write", "--offset", "0", "/f"], stdin: Data("new".utf8))
            #expect(write.status == 0, "\(write.stderr)")
            cluster.kill(c)
            try cluster.startChunkserver(folder: a.directory)
            try cluster.startChunkserver(folder: b.directory)
            try await waitForAlive(cluster, 2)
            let fsck = try cluster.gfs(["fsck"])
            #expect(fsck.status == 4 && fsck.stdout.contains("stale_only\t1"), "\(fsck.stdout)")
            #expect(try cluster.gfs(["cat", "/f"]).status != 0)
            let stale = try cluster.gfs(["cat", "--stale", "/f"])
            #expect(stale.status == 0 && stale.stdout == "old bytes\n", "\(stale.stderr)")
            for server in cluster.chunkservers where !server.exit.hasExited {
                #expect(chunkFiles(server).count == 1, "\(server.name) must keep its stale copy")
            }
        }
    }

    /// Reference: GFS §5.2 — a write covering part of a block verifies the block's kept bytes first. A byte
    /// flipped on one replica's disk (the scrubber off, nobody reading it) used to be summed into the new
    /// checksum with the written bytes, so that replica then served the flipped byte as good data.
    @Test func partialBlockWritesDoNotBlessCorruption() async throws {
        try await withCluster(chunkservers: 3, master: ["--chunk-size", "64K", "--lease", "2s", "--heartbeat-timeout", "3s"],
                              chunkserver: ["--heartbeat-interval", "200ms", "--scrub-rate", "0"]) { cluster in
            let data = testBytes(100_000, seed: 21)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            let bad = cluster.chunkservers[0]
            let tail = try #require(chunkFiles(bad).first { (try? Data(contentsOf: $0).count) == 100_000 - 65_536 })
            var bytes = try Data(contentsOf: tail)
            bytes[100] ^= 0x5A
            try bytes.write(to: tail)
            let write = try cluster.gfs(["write", "--offset", "66536", "/f"], stdin: Data("Y".utf8))
            #expect(write.status == 0, "\(write.stderr)")
            var expected = data
            expected[66_536] = UInt8(ascii: "Y")
            // Every replica the master hands out for chunk 1 must hold exactly the expected bytes.
            let master = try RawSocket(cluster.masterAddress)
            master.send("LOOKUP /f\n")
            let count = Int(ProcessCluster.fields(master.readLines(1).first ?? "")["n"] ?? "0") ?? 0
            let chunk = ProcessCluster.fields(try #require(master.readLines(count).last))
            let handle = try #require(chunk["handle"]), version = try #require(chunk["version"])
            let replicas = try #require(chunk["replicas"]).split(separator: ",").map(String.init)
            #expect(!replicas.isEmpty)
            for replica in replicas {
                let socket = try RawSocket(replica)
                socket.send("READ handle=\(handle) version=\(version) offset=0 length=65536\n")
                let head = socket.readLines(1).first ?? ""
                let length = Int(ProcessCluster.fields(head)["len"] ?? "") ?? -1
                #expect(length == 100_000 - 65_536, "\(replica): \(head)")
                if length > 0 {
                    #expect(Data(socket.readBytes(length)) == expected[65_536...], "\(replica) serves wrong bytes")
                }
            }
            #expect(try cluster.gfs(["cat", "/f"]).output == expected)
        }
    }

    private func waitForAlive(_ cluster: ProcessCluster, _ count: Int) async throws {
        try await waitUntil("\(count) live chunkserver(s)", within: .seconds(20)) {
            try cluster.gfs(["status"]).stdout.split(separator: "\n").filter { $0.contains("\talive\t") }.count == count
        }
    }
}
