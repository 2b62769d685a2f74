// Goal: the commands people reach for in HDFS, MooseFS and SeaweedFS work against a real cluster: setrep
// (the repair loop adds and removes replicas), du, count, df, touch, checksum (equal for equal bytes, computed
// by the chunkservers) and tail -f (which rides through a master restart). Each --json prints numbers as
// numbers, in the documented shape.
import Foundation
import GFSTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct ToolCommandTests {
    static let master = ["--chunk-size", "64K", "--lease", "2s", "--heartbeat-timeout", "2s", "--repair-interval", "200ms"]
    static let chunkserver = ["--heartbeat-interval", "200ms", "--report-interval", "1s"]

    /// A command's JSON output as objects.
    static func json(_ cluster: ProcessCluster, _ arguments: [String]) throws -> Any {
        let result = try cluster.gfs(arguments + ["--json"])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try JSONSerialization.jsonObject(with: result.output)
    }

    /// Holds an object to its documented keys, with numbers where numbers are documented.
    static func expectShape(_ object: Any?, numbers: Set<String>, strings: Set<String> = [], _ what: String) {
        guard let object = object as? [String: Any] else {
            Issue.record("\(what): not an object: \(String(describing: object))")
            return
        }
        #expect(Set(object.keys) == numbers.union(strings), "\(what): keys \(object.keys.sorted())")
        for key in numbers { #expect(object[key] is NSNumber && !(object[key] is String), "\(what).\(key) is not a number") }
        for key in strings { #expect(object[key] is String, "\(what).\(key) is not a string") }
    }

    @Test func setrepAddsAndRemovesReplicasAndWaits() async throws {
        try await withCluster(chunkservers: 4, master: Self.master, chunkserver: Self.chunkserver) { cluster in
            let data = testBytes(3 * 65536 + 11, seed: 8)
            #expect(try cluster.gfs(["mkdir", "/r"]).status == 0)
            #expect(try cluster.gfs(["put", "-", "/r/f"], stdin: data).status == 0)
            #expect(try cluster.gfs(["put", "-", "/r/g"], stdin: Data("g".utf8)).status == 0)
            let chunks = 5
            func replicasOnDisk() -> Int { cluster.chunkservers.map { chunkFiles($0).count }.reduce(0, +) }
            #expect(replicasOnDisk() == chunks * 3)

            let down = try #require(try Self.json(cluster, ["setrep", "-R", "-w", "2", "/r"]) as? [Any])
            Self.expectShape(down.first, numbers: ["replication", "filesChanged", "chunks", "chunksAtGoal"], strings: ["path"], "setrep")
            #expect((down.first as? [String: Any])?["chunksAtGoal"] as? Int == chunks)
            try await waitUntil("surplus replicas to leave the disks") { replicasOnDisk() == chunks * 2 }
            #expect(try cluster.gfs(["stat", "/r/f"]).stdout.contains("replication\t2"))

            #expect(try cluster.gfs(["setrep", "-w", "4", "/r/f"]).status == 0)
            let fsck = try #require(try Self.json(cluster, ["fsck", "--chunks", "/r/f"]) as? [String: Any])
            let entries = try #require(fsck["entries"] as? [[String: Any]]).filter { $0["kind"] as? String == "chunk" }
            #expect(entries.count == 4 && entries.allSatisfy { ($0["live"] as? String)?.split(separator: ",").count == 4 })
            #expect(try cluster.gfs(["cat", "/r/f"]).output == data)

            let directory = try cluster.gfs(["setrep", "2", "/r"])
            #expect(directory.status == 1 && directory.stderr.contains("is a directory"))
            #expect(try cluster.gfs(["setrep", "17", "/r/f"]).status == 2)
        }
    }

    @Test func duCountDfAndTouchReportNumbers() async throws {
        try await withCluster(chunkservers: 3, master: Self.master, chunkserver: Self.chunkserver) { cluster in
            #expect(try cluster.gfs(["mkdir", "-p", "/d/e"]).status == 0)
            #expect(try cluster.gfs(["put", "-", "/d/e/f"], stdin: testBytes(100_000)).status == 0)
            #expect(try cluster.gfs(["put", "-", "/d/g"], stdin: testBytes(10)).status == 0)

            let du = try #require(try Self.json(cluster, ["du", "/d"]) as? [[String: Any]])
            #expect(du.map { $0["path"] as? String } == ["/d/e", "/d/g"])
            Self.expectShape(du.first, numbers: ["bytes", "space", "files", "directories"], strings: ["path"], "du")
            #expect(du.first?["bytes"] as? Int == 100_000 && du.first?["space"] as? Int == 300_000)
            #expect(try cluster.gfs(["du", "-s", "/d"]).stdout == "100010\t300030\t/d\n")

            let count = try #require(try Self.json(cluster, ["count", "/d"]) as? [[String: Any]])
            Self.expectShape(count.first, numbers: ["directories", "files", "bytes", "space"], strings: ["path"], "count")
            #expect(try cluster.gfs(["count", "/d"]).stdout == "2\t2\t100010\t/d\n")

            let df = try Self.json(cluster, ["df"])
            Self.expectShape(df, numbers: ["size", "used", "available", "usePercent", "liveServers"], "df")
            #expect((df as? [String: Any])?["liveServers"] as? Int == 3)

            #expect(try cluster.gfs(["touch", "/d/new"]).status == 0)
            #expect(try cluster.gfs(["stat", "/d/new"]).stdout.contains("size\t0"))
            let before = try cluster.gfs(["stat", "--json", "/d/g"]).stdout
            try await waitUntil("touch to move the modification time", within: .seconds(5)) {
                try cluster.gfs(["touch", "/d/g"]).status == 0 && cluster.gfs(["stat", "--json", "/d/g"]).stdout != before
            }
            #expect(try cluster.gfs(["cat", "/d/g"]).output == testBytes(10))  // touch leaves the bytes alone
            #expect(try cluster.gfs(["touch", "/d/e"]).status == 1)
        }
    }

    @Test func checksumDependsOnlyOnTheBytes() async throws {
        try await withCluster(chunkservers: 3, master: Self.master, chunkserver: Self.chunkserver) { cluster in
            let data = testBytes(5 * 65536 + 12345, seed: 3)
            let local = cluster.root.appendingPathComponent("local.bin")
            try data.write(to: local)
            #expect(try cluster.gfs(["put", local.path, "/c1"]).status == 0)
            #expect(try cluster.gfs(["put", "--replication", "1", local.path, "/c2"]).status == 0)
            #expect(try cluster.gfs(["put", "-", "/other"], stdin: testBytes(data.count, seed: 4)).status == 0)
            let rows = try #require(try Self.json(cluster, ["checksum", "/c1", "/c2", "/other"]) as? [[String: Any]])
            Self.expectShape(rows.first, numbers: ["bytes"], strings: ["path", "algorithm", "checksum"], "checksum")
            let sums = rows.compactMap { $0["checksum"] as? String }
            let localSum = try cluster.gfs(["checksum", "--local", local.path]).stdout.split(separator: "\t").last
            #expect(sums.count == 3 && sums[0] == sums[1] && sums[0] != sums[2])
            #expect(localSum.map { String($0.dropLast()) } == sums[0])  // the line ends in a newline
            #expect(try cluster.gfs(["checksum", "/missing"]).status == 1)
        }
    }

    @Test func tailFollowsRecordsThroughAMasterRestart() async throws {
        try await withCluster(chunkservers: 3, master: Self.master, chunkserver: Self.chunkserver) { cluster in
            let first = (1...20).map { "record \($0)\n" }.joined()
            #expect(try cluster.gfs(["append", "--create", "/log"], stdin: Data(first.utf8)).status == 0)
            #expect(try cluster.gfs(["tail", "-n", "2", "/log"]).stdout == "record 19\nrecord 20\n")

            let output = cluster.root.appendingPathComponent("tail.out")
            #expect(FileManager.default.createFile(atPath: output.path, contents: nil))
            let follower = Process()
            follower.executableURL = ProcessCluster.binary
            follower.arguments = ["tail", "-f", "-n", "1", "/log", "--master", cluster.masterAddress]
            var environment = ProcessInfo.processInfo.environment.merging(cluster.clientEnvironment) { $1 }
            if let secret = cluster.secretFile { environment["GFS_SECRET_FILE"] = secret.path }
            follower.environment = environment
            follower.standardOutput = try FileHandle(forWritingTo: output)
            follower.standardError = FileHandle.nullDevice
            try follower.run()
            defer {
                kill(follower.processIdentifier, SIGKILL)
                follower.waitUntilExit()
            }
            func followed() -> String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
            try await waitUntil("the last record") { followed() == "record 20\n" }
            #expect(try cluster.gfs(["append", "/log"], stdin: Data("record 21\n".utf8)).status == 0)
            try await waitUntil("an appended record") { followed() == "record 20\nrecord 21\n" }

            try cluster.restartMaster()
            try await waitUntil("the restarted master to take appends", within: .seconds(30)) {
                try cluster.gfs(["append", "/log"], stdin: Data("record 22\n".utf8)).status == 0
            }
            try await waitUntil("the record appended after the restart", within: .seconds(30)) {
                followed().hasSuffix("record 22\n")
            }
            #expect(followed().components(separatedBy: "record 22\n").count == 2, "\(followed())")
            #expect(follower.isRunning)
        }
    }

    @Test func concatSharesChunksWithoutCopying() async throws {
        try await withCluster(chunkservers: 3, master: Self.master, chunkserver: Self.chunkserver) { cluster in
            let (a, b) = (testBytes(2 * 65536, seed: 1), testBytes(70_000, seed: 2))
            #expect(try cluster.gfs(["put", "-", "/a"], stdin: a).status == 0)
            #expect(try cluster.gfs(["put", "-", "/b"], stdin: b).status == 0)
            let replicasBefore = cluster.chunkservers.map { chunkFiles($0).count }.reduce(0, +)
            let made = try Self.json(cluster, ["concat", "/d", "/a", "/b"]) as? [String: Any]
            #expect(made?["size"] as? Int == a.count + b.count)
            #expect(try cluster.gfs(["cat", "/d"]).output == a + b)
            #expect(cluster.chunkservers.map { chunkFiles($0).count }.reduce(0, +) == replicasBefore, "no chunk was copied")
            #expect(try cluster.gfs(["stat", "/d"]).stdout.contains("shared\t2"))

            // A write to a source copies the shared chunk first: the destination keeps its bytes.
            #expect(try cluster.gfs(["write", "/b", "--offset", "5"], stdin: Data("changed".utf8)).status == 0)
            #expect(try cluster.gfs(["cat", "/d"]).output == a + b)

            let refused = try cluster.gfs(["concat", "/e", "/b", "/a"])
            #expect(refused.status == 2 && refused.stderr.contains("not on a chunk boundary"), "\(refused.stderr)")
            #expect(try cluster.gfs(["stat", "/e"]).status == 1, "a refused concat makes nothing")

            // --pad: /b's last chunk is copied with zeros to the chunk boundary; /b itself is unchanged.
            let changedB = try cluster.gfs(["cat", "/b"]).output
            #expect(try cluster.gfs(["concat", "--pad", "/e", "/b", "/a"]).status == 0)
            let padded = changedB + Data(count: 2 * 65536 - changedB.count) + a
            #expect(try cluster.gfs(["cat", "/e"]).output == padded)
            #expect(try cluster.gfs(["cat", "/b"]).output == changedB)
            let local = cluster.root.appendingPathComponent("padded")
            try padded.write(to: local)
            #expect(try cluster.gfs(["checksum", "/e"]).stdout.split(separator: "\t").last
                    == (try cluster.gfs(["checksum", "--local", local.path]).stdout.split(separator: "\t").last))
        }
    }

    @Test func quotasRefuseCreatesAndWritesPastThem() async throws {
        try await withCluster(chunkservers: 3, master: Self.master, chunkserver: Self.chunkserver) { cluster in
            #expect(try cluster.gfs(["mkdir", "/q"]).status == 0)
            // Bytes count every replica, and a file being written is charged for whole chunks: 3 × 64K each.
            #expect(try cluster.gfs(["quota", "set", "--files", "3", "--bytes", "400K", "/q"]).status == 0)
            #expect(try cluster.gfs(["put", "-", "/q/small"], stdin: testBytes(1000)).status == 0)
            let big = try cluster.gfs(["put", "-", "/q/big"], stdin: testBytes(3 * 65536))
            #expect(big.status == 1 && big.stderr.contains("quota"), "\(big.stderr)")
            #expect(try cluster.gfs(["stat", "/q/big"]).status == 1, "a failed put leaves no file behind")
            #expect(try cluster.gfs(["touch", "/q/t"]).status == 0)
            #expect(try cluster.gfs(["mkdir", "/q/d"]).status == 0)
            let fourth = try cluster.gfs(["touch", "/q/u"])
            #expect(fourth.status == 1 && fourth.stderr.contains("quota of 3 files"), "\(fourth.stderr)")

            let shown = try #require(try Self.json(cluster, ["quota", "show", "/"]) as? [[String: Any]])
            #expect(shown.count == 1)
            Self.expectShape(shown.first, numbers: ["files", "usedFiles", "bytes", "usedBytes"], strings: ["path"], "quota show")
            #expect(shown.first?["usedBytes"] as? Int == 3000)
            #expect(try cluster.gfs(["count", "-q", "/q"]).stdout.hasPrefix("3\t0\t409600\t"))

            #expect(try cluster.gfs(["quota", "clear", "/q"]).status == 0)
            #expect(try cluster.gfs(["put", "-", "/q/big"], stdin: testBytes(3 * 65536)).status == 0)
            #expect(try cluster.gfs(["count", "-q", "/q"]).stdout.hasPrefix("none\tinf\tnone\tinf\t"))
        }
    }

    /// Every --json of the older commands, held to its documented shape: counts and sizes are JSON numbers.
    @Test func jsonOutputsKeepTheirShape() async throws {
        try await withCluster(chunkservers: 3, master: Self.master, chunkserver: Self.chunkserver) { cluster in
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: testBytes(70_000)).status == 0)
            let stat = try #require(try Self.json(cluster, ["stat", "/f"]) as? [String: Any])
            #expect(Set(stat.keys) == ["path", "type", "size", "chunks", "replication", "mtime", "records"])
            #expect(stat["size"] as? Int == 70_000 && stat["replication"] as? Int == 3 && stat["records"] as? Bool == false)
            let listed = try #require(try Self.json(cluster, ["ls", "/"]) as? [[String: Any]])
            #expect(listed.first?["size"] as? Int == 70_000 && listed.first?["chunks"] as? Int == 2)
            let status = try #require(try Self.json(cluster, ["status"]) as? [String: Any])
            let fields = try #require(status["fields"] as? [String: Any])
            #expect(fields["chunks"] as? Int == 2 && fields["servers"] as? Int == 3 && fields["role"] as? String == "primary")
            let servers = try #require(status["chunkservers"] as? [[String: Any]])
            #expect(servers.count == 3 && servers.allSatisfy { $0["chunks"] as? Int == 2 && $0["free"] is NSNumber })
            let fsck = try #require(try Self.json(cluster, ["fsck", "--files", "/"]) as? [String: Any])
            let summary = try #require(fsck["summary"] as? [String: Any])
            #expect(summary["files"] as? Int == 1 && summary["bytes"] as? Int == 70_000 && summary["status"] as? String == "healthy")
            let files = try #require(fsck["entries"] as? [[String: Any]])
            #expect(files.first?["size"] as? Int == 70_000 && files.first?["path"] as? String == "/f")
            let collected = try #require(try Self.json(cluster, ["gc"]) as? [String: Any])
            #expect(!collected.isEmpty && collected.values.allSatisfy { $0 is NSNumber })
        }
    }

    @Test func truncateCutsInsideAChunkAndKeepsSnapshots() async throws {
        try await withCluster(chunkservers: 3, master: Self.master, chunkserver: Self.chunkserver) { cluster in
            let data = testBytes(3 * 65536 + 5000, seed: 6)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            #expect(try cluster.gfs(["snapshot", "/f", "/s"]).status == 0)

            let cut = try Self.json(cluster, ["truncate", "-s", "70000", "/f"]) as? [String: Any]
            #expect(cut?["size"] as? Int == 70_000 && cut?["chunks"] as? Int == 2)
            #expect(try cluster.gfs(["cat", "/f"]).output == data.prefix(70_000))
            #expect(try cluster.gfs(["cat", "/s"]).output == data, "the snapshot keeps every byte")
            let local = cluster.root.appendingPathComponent("prefix")
            try data.prefix(70_000).write(to: local)
            let sums = try cluster.gfs(["checksum", "/f"]).stdout.split(separator: "\t").last
            #expect(sums == (try cluster.gfs(["checksum", "--local", local.path]).stdout.split(separator: "\t").last))

            // What was cut never shows again: appends go after the new end, not after the old bytes.
            let records = (10...29).map { "record \($0)\n" }.joined()  // 20 records of 28 + 10 bytes each
            #expect(try cluster.gfs(["append", "--create", "/r"], stdin: Data(records.utf8)).status == 0)
            #expect(try cluster.gfs(["truncate", "-s", String(5 * 38), "/r"]).status == 0)
            #expect(try cluster.gfs(["append", "/r"], stdin: Data("record 99\n".utf8)).status == 0)
            #expect(try cluster.gfs(["cat", "/r"]).stdout == (10...14).map { "record \($0)\n" }.joined() + "record 99\n")
            let grow = try cluster.gfs(["truncate", "-s", "1M", "/f"])
            #expect(grow.status == 2 && grow.stderr.contains("only shrinks"), "\(grow.stderr)")
            #expect(try cluster.gfs(["truncate", "-s", "0", "/f"]).status == 0)
            #expect(try cluster.gfs(["cat", "/f"]).output.isEmpty)
        }
    }
}
