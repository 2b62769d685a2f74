// Goal: `gfs snapshot` copies at once and copies chunks only when written (GFS §3.4), on the chunkserver that
// holds them; either side can be removed; it survives a master restart.
// Method: a real cluster with 64 KiB chunks; chunk files counted on disk.
import Foundation
import GFSTestSupport
import Testing

@Suite(.serialized) struct SnapshotEndToEndTests {
    /// A 10-chunk file snapshotted, then overwritten and appended: old bytes in the snapshot, new in the source,
    /// and exactly the two touched chunks copied, on every server that held them.
    @Test func copyOnWriteTouchesOnlyWrittenChunks() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let data = testBytes(9 * 65536 + 30_000, seed: 11)
            #expect(try cluster.gfs(["put", "-", "/src"], stdin: data).status == 0)
            #expect(cluster.chunkservers.allSatisfy { chunkFiles($0).count == 10 })
            let snapshot = try cluster.gfs(["snapshot", "/src", "/snap"])
            #expect(snapshot.status == 0, "\(snapshot.stderr)")
            #expect(try cluster.gfs(["stat", "/snap"]).stdout.contains("shared\t2"))
            #expect(cluster.chunkservers.allSatisfy { chunkFiles($0).count == 10 }, "nothing is copied at snapshot time")

            let patch = Data(repeating: 0x5A, count: 1000)
            #expect(try cluster.gfs(["write", "/src", "--offset", "100"], stdin: patch).status == 0)
            #expect(try cluster.gfs(["append", "--raw", "/src"], stdin: Data("tail\n".utf8)).status == 0)
            var expected = data
            expected.replaceSubrange(100..<1100, with: patch)
            expected.append(Data("tail\n".utf8))
            #expect(try cluster.gfs(["cat", "/src"]).output == expected)
            #expect(try cluster.gfs(["cat", "/snap"]).output == data)
            #expect(cluster.chunkservers.allSatisfy { chunkFiles($0).count == 12 }, "two chunks copied on each server")

            cluster.kill(try #require(cluster.master))
            try cluster.restartMaster()
            try await cluster.waitForLiveChunkservers(3)
            #expect(try cluster.gfs(["cat", "/snap"]).output == data)
            #expect(try cluster.gfs(["stat", "/src"]).stdout.contains("shared\t2"))

            #expect(try cluster.gfs(["rm", "/src"]).status == 0)
            // Deleting the deleted file again purges it at once (GFS §4.4.2).
            #expect(try cluster.gfs(["rm", "/src"]).stdout == "purged /src (1 deleted)\n")
            #expect(try cluster.gfs(["cat", "/snap"]).output == data)
            try await waitUntil("the source's own two chunks to be deleted") {
                cluster.chunkservers.allSatisfy { chunkFiles($0).count == 10 }
            }
            #expect(try cluster.gfs(["rm", "/snap"]).status == 0)
            #expect(try cluster.gfs(["gc", "--now"]).stdout.hasPrefix("purged\t1\n"))
            try await waitUntil("the last references' chunks to be deleted") {
                cluster.chunkservers.allSatisfy { chunkFiles($0).isEmpty }
            }
        }
    }

    /// A tree of 1,000 files, and bad requests.
    @Test func directoryTreesAndBadRequests() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let socket = try RawSocket(cluster.masterAddress)
            socket.send("MKDIR /tree/sub parents=1\n" + (0..<1000).map { "CREATE /tree/sub/f\($0)\n" }.joined())
            #expect(socket.readLines(1001).allSatisfy { $0 == "OK" })
            let data = testBytes(70_000, seed: 12)
            #expect(try cluster.gfs(["put", "-", "/tree/data"], stdin: data).status == 0)
            #expect(try cluster.gfs(["snapshot", "/tree", "/copy"]).status == 0)
            #expect(try cluster.gfs(["ls", "/copy/sub"]).stdout.split(separator: "\n").count == 1000)
            #expect(try cluster.gfs(["cat", "/copy/data"]).output == data)
            #expect(try cluster.gfs(["snapshot", "/tree", "/copy"]).stderr == "gfs: /copy: already exists\n")
            #expect(try cluster.gfs(["snapshot", "/nope", "/x"]).status == 1)
            #expect(try cluster.gfs(["snapshot", "/tree", "/tree/sub/x"]).stderr
                == "gfs: cannot snapshot /tree into itself (/tree/sub/x)\n")
        }
    }

    /// A snapshot of a file while 4 appenders write to it holds, per writer, an unbroken run of its records
    /// from the first; the source gets them all.
    @Test func snapshotDuringConcurrentAppends() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            #expect(try cluster.gfs(["append", "--create", "/log"], stdin: Data()).status == 0)
            let inputs = (0..<4).map { writer in Data((1...150).map { "w\(writer) \($0)\n" }.joined().utf8) }
            let appenders = try inputs.map { try cluster.start(["append", "/log"], stdin: $0) }
            try await waitUntil("some records") { try cluster.gfs(["cat", "--raw", "/log"]).output.count > 2000 }
            let snapshot = try cluster.gfs(["snapshot", "/log", "/snap"])
            #expect(snapshot.status == 0, "\(snapshot.stderr)")
            for appender in appenders { #expect(appender.wait().status == 0) }
            let all = try cluster.gfs(["cat", "/log"]).stdout.split(separator: "\n")
            #expect(all.count == 600)
            let snapshotted = try cluster.gfs(["cat", "/snap"]).stdout.split(separator: "\n")
            #expect(snapshotted.count > 0 && snapshotted.count <= 600)
            for writer in 0..<4 {
                let numbers = snapshotted.filter { $0.hasPrefix("w\(writer) ") }.compactMap { Int($0.split(separator: " ")[1]) }
                #expect(numbers == Array(0..<numbers.count).map { $0 + 1 }, "writer \(writer)'s run has a gap")
            }
        }
    }

    /// A replica down during copy-on-write: the write goes on with the replicas that copied.
    @Test func copyOnWriteWithAChunkserverDown() async throws {
        try await withCluster(chunkservers: 4) { cluster in
            let data = testBytes(50_000, seed: 13)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            #expect(try cluster.gfs(["snapshot", "/f", "/g"]).status == 0)
            let holder = try #require(cluster.chunkservers.first { !chunkFiles($0).isEmpty })
            cluster.kill(holder)
            try await waitUntil("the master to see the holder dead") {
                try statusLine(cluster, holder).dropFirst().first == "dead"
            }
            let write = try cluster.gfs(["write", "/f", "--offset", "0"], stdin: Data("new".utf8))
            #expect(write.status == 0, "\(write.stderr)")
            var expected = data
            expected.replaceSubrange(0..<3, with: Data("new".utf8))
            #expect(try cluster.gfs(["cat", "/f"]).output == expected)
            #expect(try cluster.gfs(["cat", "/g"]).output == data)
        }
    }

    /// Copy-on-write verifies the source before copying it: a replica corrupted on disk (and read by nobody,
    /// the scrubber being off) is quarantined and reported at the copy, instead of being copied into a new
    /// chunk the master would count as good.
    @Test func copyOnWriteDoesNotCopyACorruptReplica() async throws {
        try await withCluster(chunkservers: 3, chunkserver: ["--heartbeat-interval", "200ms", "--scrub-rate", "0"]) { cluster in
            let data = testBytes(100_000, seed: 12)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            #expect(try cluster.gfs(["snapshot", "/f", "/s"]).status == 0)
            let bad = cluster.chunkservers[0]
            let full = try #require(chunkFiles(bad).first { (try? Data(contentsOf: $0).count) == 65_536 })
            var bytes = try Data(contentsOf: full)
            bytes[1_000] ^= 0x5A
            try bytes.write(to: full)
            let write = try cluster.gfs(["write", "--offset", "0", "/f"], stdin: Data("X".utf8))
            #expect(write.status == 0, "\(write.stderr)")
            let folder = bad.directory.appendingPathComponent("chunks")
            try await waitUntil("the corrupt source to be quarantined at the copy", within: .seconds(10)) {
                try FileManager.default.contentsOfDirectory(atPath: folder.path).contains { $0.hasSuffix(".chunk.corrupt") }
            }
            var expected = data
            expected[0] = UInt8(ascii: "X")
            #expect(try cluster.gfs(["cat", "/f"]).output == expected)
            #expect(try cluster.gfs(["cat", "/s"]).output == data)
        }
    }
}
