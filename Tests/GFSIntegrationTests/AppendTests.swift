// Goal: record append with the paper's guarantees (GFS §3.3, §2.7.2): many writers, one file, every record
// at least once on every replica and printed exactly once; padding, retries and dead replicas included.
// Method: real clusters with 64 KiB chunks (so padding happens often) and concurrent `gfs append` processes.
import Foundation
import GFSClient
import GFSCore
import GFSTestSupport
import NIOCore
import Testing

@Suite(.serialized) struct AppendTests {
    static let writers = 8
    static let recordsPerWriter = 300

    /// Writer `w`'s record `k`: a line of varied length that says who wrote it and where it belongs.
    static func record(_ writer: Int, _ index: Int) -> String {
        "w\(writer) k\(index) " + String(repeating: Character(UnicodeScalar(97 + (writer + index) % 26)!),
                                         count: (index * 97 + writer * 13) % 3000) + "\n"
    }

    static func input(_ writer: Int) -> Data {
        Data((1...recordsPerWriter).map { record(writer, $0) }.joined().utf8)
    }

    /// Every record exactly once, intact, each writer's records in its order.
    static func checkRecords(_ output: String) {
        var next = [Int](repeating: 1, count: writers)
        var count = 0
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, let writer = Int(parts[0].dropFirst()), let index = Int(parts[1].dropFirst()),
                writer < writers
            else {
                Issue.record("unexpected line: \(line.prefix(60))")
                return
            }
            #expect(index == next[writer], "writer \(writer): record \(index) where \(next[writer]) was due")
            #expect(String(line) + "\n" == record(writer, index), "record w\(writer) k\(index) is damaged")
            next[writer] = index + 1
            count += 1
        }
        #expect(count == writers * recordsPerWriter)
    }

    /// Every replica of every chunk, on the servers still running, holds the same bytes.
    static func checkReplicasAgree(_ cluster: ProcessCluster) throws {
        var copies: [String: [Data]] = [:]
        for server in cluster.chunkservers where !server.exit.hasExited {
            for file in chunkFiles(server) { copies[file.lastPathComponent, default: []].append(try Data(contentsOf: file)) }
        }
        #expect(!copies.isEmpty)
        for (name, datas) in copies {
            #expect(datas.count >= 2, "chunk \(name) has \(datas.count) live replica(s)")
            #expect(Set(datas).count == 1, "replicas of \(name) differ")
        }
    }

    /// What the raw bytes hold beyond the records: padding and duplicates.
    static func rawStatistics(_ raw: Data) -> RecordDecoder {
        var decoder = RecordDecoder(maximumPayloadBytes: 16 << 10)
        _ = decoder.feed(raw)
        return decoder
    }

    @Test func seqThroughAppendComesBackAsLines() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let seq = Data((1...100).map { "\($0)\n" }.joined().utf8)
            let append = try cluster.gfs(["append", "--create", "/log"], stdin: seq)
            #expect(append.status == 0, "\(append.stderr)")
            #expect(try cluster.gfs(["cat", "/log"]).output == seq)
            #expect(try cluster.gfs(["stat", "/log"]).stdout.contains("records\tyes"))
            let raw = try cluster.gfs(["cat", "--raw", "/log"]).output
            #expect(raw.count == seq.count + 100 * RecordFormat.headerBytes)
            #expect(try cluster.gfs(["append", "/log"], stdin: Data("101\n".utf8)).status == 0)
            #expect(try cluster.gfs(["cat", "/log"]).stdout.hasSuffix("100\n101\n"))
        }
    }

    /// Concurrent calls on one appender: each batch's sequence numbers are taken before it suspends, so the
    /// batches must land in call order, or a reader (which keeps the highest number per writer) would drop
    /// the earlier ones as duplicates.
    @Test func concurrentBatchesOnOneAppenderAllReadBack() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let client = Client(master: try #require(ServerID(cluster.masterAddress)))
            let path = try #require(GFSPath("/batches"))
            try await client.master.create(path, records: true)
            let appender = RecordAppender(client: client, path: path, framed: true)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in 0..<20 {
                    group.addTask {
                        let records = (0..<10).map { ByteBuffer(string: "b\(batch) r\($0)\n") }
                        _ = try await appender.append(batch: records)
                    }
                }
                try await group.waitForAll()
            }
            try await appender.flush()
            var lines: [String] = []
            try await client.readRecords(path) { piece in lines.append(String(buffer: piece)) }
            await client.close()
            let read = lines.joined().split(separator: "\n")
            #expect(read.count == 200 && Set(read).count == 200, "\(read.count) records read back of 200")
        }
    }

    /// Reference: GFS §3.3 — concurrent appenders, records padded past chunk ends, each record whole.
    @Test func concurrentAppendersEachRecordExactlyOnce() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            #expect(try cluster.gfs(["append", "--create", "/log"], stdin: Data()).status == 0)
            let appenders = try (0..<Self.writers).map { try cluster.start(["append", "/log"], stdin: Self.input($0)) }
            for appender in appenders {
                let result = appender.wait()
                #expect(result.status == 0, "\(result.stderr)")
            }
            Self.checkRecords(try cluster.gfs(["cat", "/log"]).stdout)
            let raw = try cluster.gfs(["cat", "--raw", "/log"]).output
            let statistics = Self.rawStatistics(raw)
            #expect(statistics.skippedBytes > 0, "some chunk should have been padded")
            #expect(try cluster.gfs(["stat", "/log"]).stdout.contains("chunks\t"))
            try Self.checkReplicasAgree(cluster)
        }
    }

    /// A secondary killed mid-stream: appends retry, writers finish, nothing acknowledged is lost.
    @Test func secondaryKilledDuringConcurrentAppends() async throws {
        try await withCluster(chunkservers: 4) { cluster in
            #expect(try cluster.gfs(["append", "--create", "/log"], stdin: Data()).status == 0)
            let appenders = try (0..<Self.writers).map { try cluster.start(["append", "/log"], stdin: Self.input($0)) }
            try await waitUntil("the log to span a few chunks") {
                try cluster.gfs(["cat", "--raw", "/log"]).output.count > 3 * 65536
            }
            let lease = try cluster.leaseOnLastChunk("/log")
            let secondary = try #require(lease["secondaries"]?.split(separator: ",").first.map(String.init))
            let victim = try #require(cluster.chunkservers.first { $0.address == secondary })
            cluster.kill(victim)
            for appender in appenders {
                let result = appender.wait()
                #expect(result.status == 0, "\(result.stderr)")
            }
            Self.checkRecords(try cluster.gfs(["cat", "/log"]).stdout)
            let statistics = Self.rawStatistics(try cluster.gfs(["cat", "--raw", "/log"]).output)
            print("after killing a secondary: \(statistics.duplicates) duplicate records, \(statistics.skippedBytes) bytes skipped")
            try Self.checkReplicasAgree(cluster)
        }
    }

    /// The primary killed: the writer waits out the lease, gets a new primary and finishes.
    @Test func primaryKilledDuringAppends() async throws {
        try await withCluster(chunkservers: 4) { cluster in
            let lines = Data((1...400).map { "line \($0)\n" }.joined().utf8)
            let appender = try cluster.start(["append", "--create", "/log"], stdin: lines.prefix(2000), keepOpen: true)
            try await waitUntil("the first records") { try cluster.gfs(["cat", "--raw", "/log"]).output.count > 0 }
            let primary = try #require(try cluster.leaseOnLastChunk("/log")["primary"])
            cluster.kill(try #require(cluster.chunkservers.first { $0.address == primary }))
            try appender.write(lines.dropFirst(2000))
            appender.closeInput()
            let result = appender.wait()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try cluster.gfs(["cat", "/log"]).output == lines)
        }
    }

    @Test func badAppendsAreRefusedClearly() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let missing = try cluster.gfs(["append", "/nope"], stdin: Data("x\n".utf8))
            #expect(missing.status == 1 && missing.stderr == "gfs: /nope: no such file (use --create to make it)\n")
            #expect(try cluster.gfs(["mkdir", "/d"]).status == 0)
            #expect(try cluster.gfs(["append", "/d"], stdin: Data("x\n".utf8)).stderr == "gfs: /d: is a directory\n")
            let huge = Data(String(repeating: "x", count: 20_000).utf8)
            let tooLarge = try cluster.gfs(["append", "--create", "/big"], stdin: huge)
            #expect(tooLarge.status == 1)
            #expect(tooLarge.stderr == "gfs: record of 20000 bytes exceeds the limit of 16356 (a quarter chunk)\n")
            #expect(try cluster.gfs(["append", "--raw", "/big"], stdin: Data("x".utf8)).stderr
                == "gfs: /big is a record file; append without --raw\n")
            #expect(try cluster.gfs(["put", "-", "/plain"], stdin: Data("abc".utf8)).status == 0)
            #expect(try cluster.gfs(["append", "/plain"], stdin: Data("x\n".utf8)).status == 2)
            #expect(try cluster.gfs(["append", "--raw", "/plain"], stdin: Data("de\nf".utf8)).status == 0)
            #expect(try cluster.gfs(["cat", "/plain"]).stdout == "abcde\nf")
            #expect(try cluster.gfs(["append", "-0", "--create", "/nul"], stdin: Data("a\u{0}b\u{0}c".utf8)).status == 0)
            #expect(try cluster.gfs(["cat", "/nul"]).stdout == "a\u{0}b\u{0}c")
            #expect(try cluster.gfs(["append", "--record-size", "2", "--create", "/fixed"], stdin: Data("abcde".utf8)).status == 0)
            #expect(try cluster.gfs(["cat", "/fixed"]).stdout == "abcde")
        }
    }

    /// Reference: GFS §3.1 — a write at an offset replaces those bytes on every replica.
    @Test func writeAtAnOffset() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let data = testBytes(3 * 65536, seed: 9)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            let patch = Data(repeating: 0x41, count: 70_000)
            #expect(try cluster.gfs(["write", "/f", "--offset", "60000"], stdin: patch).status == 0)
            var expected = data
            expected.replaceSubrange(60000..<130_000, with: patch)
            #expect(try cluster.gfs(["cat", "/f"]).output == expected)
            #expect(try cluster.gfs(["write", "/f", "--offset", "\(data.count)"], stdin: Data("tail".utf8)).status == 0)
            #expect(try cluster.gfs(["stat", "/f"]).stdout.contains("size\t\(data.count + 4)"))
            let hole = try cluster.gfs(["write", "/f", "--offset", "999999"], stdin: Data("x".utf8))
            #expect(hole.status == 2 && hole.stderr.contains("past the end"))
            try Self.checkReplicasAgree(cluster)
        }
    }
}
