// Goal: the master never forgets (GFS §2.6.3): every acknowledged mutation survives SIGKILL, checkpoints
// and logs recover automatically, damage is detected and skipped, and a restarted master says UNAVAILABLE
// rather than answer what it cannot know yet. Method: real processes, killed and restarted on one folder.
import Foundation
import GFSCore
import GFSTestSupport
import Testing

@Suite(.serialized) struct MasterDurabilityTests {
    static let smallCheckpoints = ["--chunk-size", "64K", "--lease", "1s", "--heartbeat-timeout", "3s",
                                   "--checkpoint-bytes", "4K"]

    /// Every entry under `path`, as the master lists it (mtimes and sizes included), walked recursively.
    static func listing(_ cluster: ProcessCluster, _ path: String = "/") throws -> [String] {
        let socket = try RawSocket(cluster.masterAddress)
        var result: [String] = []
        var queue = [path]
        while let next = queue.popLast() {
            socket.send("LS \(next)\n")
            let head = socket.readLines(1).first ?? ""
            guard head.hasPrefix("OK") else { throw ClusterError("LS \(next): \(head)") }
            let count = Int(ProcessCluster.fields(head)["n"] ?? "0") ?? 0
            for line in socket.readLines(count) {
                result.append(line)
                let fields = ProcessCluster.fields(line)
                if fields["type"] == "directory", let child = fields["path"] { queue.append(child) }
            }
        }
        return result.sorted()
    }

    /// Ten folders made, then the master SIGKILLed: returns what it listed and its newest log file.
    static func tenFoldersThenKill(_ cluster: ProcessCluster) throws -> (listing: [String], log: URL) {
        for index in 0..<10 { #expect(try cluster.gfs(["mkdir", "/d\(index)"]).status == 0) }
        let before = try listing(cluster)
        let folder = try #require(cluster.master).directory
        cluster.kill(try #require(cluster.master))
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix("log-") }.sorted().last)
        return (before, folder.appendingPathComponent(name))
    }

    /// Reference: GFS §2.6.3 — a storm of creates, the master SIGKILLed at a random point, many times over.
    @Test func everyAcknowledgedCreateSurvivesCrashes() async throws {
        try await withCluster(chunkservers: 3, master: Self.smallCheckpoints) { cluster in
            let data = testBytes(150_000, seed: 5)
            #expect(try cluster.gfs(["put", "-", "/kept"], stdin: data).status == 0)
            #expect(try cluster.gfs(["mkdir", "/storm"]).status == 0)
            var random = SystemRandomNumberGenerator()
            var acknowledged: Set<String> = []
            for round in 0..<5 {
                let socket = try RawSocket(cluster.masterAddress)
                let names = (0..<400).map { "/storm/r\(round)-\($0)" }
                socket.send(names.map { "CREATE \($0)\n" }.joined())
                let stopAfter = Int.random(in: 50..<350, using: &random)
                for (index, reply) in socket.readLines(stopAfter).enumerated() where reply == "OK" {
                    acknowledged.insert(names[index])
                }
                cluster.kill(try #require(cluster.master))
                try cluster.restartMaster()
                let present = Set(try Self.listing(cluster, "/storm").compactMap { ProcessCluster.fields($0)["path"] })
                let lost = acknowledged.subtracting(present)
                #expect(lost.isEmpty, "round \(round): acknowledged creates lost: \(lost.sorted().prefix(5))")
                try await cluster.waitForLiveChunkservers(3)
                #expect(try cluster.gfs(["cat", "/kept"]).output == data, "round \(round)")
            }
            #expect(acknowledged.count >= 250)
            // A checkpoint is written off the request path, so every kill may have come before one was done:
            // more creates until one is, then one more crash, so a restart from a checkpoint is checked too.
            let folder = try #require(cluster.master).directory
            var batch = 0
            try await waitUntil("a checkpoint") {
                let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                if files.contains(where: { $0.hasPrefix("checkpoint-") && !$0.hasSuffix(".tmp") }) { return true }
                let names = (0..<100).map { "/storm/more\(batch)-\($0)" }
                batch += 1
                // A connection per batch: replies a timed-out read left behind are never taken for the next's.
                let socket = try RawSocket(cluster.masterAddress)
                socket.send(names.map { "CREATE \($0)\n" }.joined())
                for (index, reply) in socket.readLines(names.count).enumerated() where reply == "OK" {
                    acknowledged.insert(names[index])
                }
                return false
            }
            cluster.kill(try #require(cluster.master))
            try cluster.restartMaster()
            let present = Set(try Self.listing(cluster, "/storm").compactMap { ProcessCluster.fields($0)["path"] })
            #expect(acknowledged.subtracting(present).isEmpty, "lost after a restart from a checkpoint")
        }
    }

    /// A damaged newest checkpoint: the master falls back to the previous one plus the log.
    @Test func damagedCheckpointFallsBackToThePreviousOne() async throws {
        try await withCluster(chunkservers: 1, master: Self.smallCheckpoints + ["--replication", "1"]) { cluster in
            let socket = try RawSocket(cluster.masterAddress)
            let folder = try #require(cluster.master).directory
            func checkpoints() throws -> Int {
                try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
                    $0.hasPrefix("checkpoint-") && !$0.hasSuffix(".tmp")
                }.count
            }
            // Pipelined requests share a log batch, and a batch rolls the log over once: so rounds of them,
            // until two checkpoints are under way or written.
            for round in 0..<40 {
                if try checkpoints() >= 2 { break }
                socket.send((0..<100).map { "MKDIR /a\(round)-\($0)/b parents=1\n" }.joined())
                #expect(socket.readLines(100).allSatisfy { $0 == "OK" }, "round \(round)")
            }
            try await waitUntil("two checkpoints") { try checkpoints() >= 2 }
            let before = try Self.listing(cluster)
            cluster.kill(try #require(cluster.master))
            let newest = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasPrefix("checkpoint-") && !$0.hasSuffix(".tmp") }.sorted().last)
            let file = folder.appendingPathComponent(newest)
            var bytes = try Data(contentsOf: file)
            bytes[bytes.count / 2] ^= 0xFF
            try bytes.write(to: file)
            try cluster.restartMaster()
            #expect(try Self.listing(cluster) == before)
            let log = try String(contentsOf: try #require(cluster.master).log, encoding: .utf8)
            #expect(log.contains("skipping damaged checkpoint \(newest)"))
        }
    }

    /// Where a log file's records end: the master writes zeros ahead of them.
    static func recordsEnd(_ bytes: Data) -> Int {
        LogFileFormat.decodeAll([UInt8](bytes), from: 0, inBatchesOf: 1 << 10) { _ in }.end
    }

    /// A torn last batch (a crash mid-write: its header and a few bytes, over the zeros written ahead) is
    /// reported and cut; everything before it is there.
    @Test func tornLogTailIsCut() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            let (before, log) = try Self.tenFoldersThenKill(cluster)
            let handle = try FileHandle(forWritingTo: log)
            try handle.seek(toOffset: UInt64(Self.recordsEnd(try Data(contentsOf: log))))
            let batch = try LogFileFormat.batch([UInt8](repeating: 7, count: 2048), first: 1_000)
            try handle.write(contentsOf: Data(batch.prefix(LogFileFormat.batchHeaderBytes + 30)))
            try handle.close()
            try cluster.restartMaster()
            #expect(try Self.listing(cluster) == before)
            #expect(try cluster.gfs(["mkdir", "/after"]).status == 0)
            cluster.kill(try #require(cluster.master))
            try cluster.restartMaster()
            #expect(try Self.listing(cluster).count == before.count + 1)
            let text = try String(contentsOf: try #require(cluster.master).log, encoding: .utf8)
            #expect(!text.contains("torn"), "the cut tail must not come back")
        }
    }

    /// Damage in the middle of the last log file, with acknowledged records after it, is not a torn tail: the
    /// master refuses to start rather than cut those records, and says why.
    @Test func damageBeforeAcknowledgedRecordsIsNotCut() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            let path = try Self.tenFoldersThenKill(cluster).log
            var bytes = try Data(contentsOf: path)
            bytes[Self.recordsEnd(bytes) / 2] ^= 0x40
            try bytes.write(to: path)
            do {
                try cluster.restartMaster()
                Issue.record("the master started on a log damaged before acknowledged records")
            } catch {
                #expect("\(error)".contains("not a torn tail"), "\(error)")
            }
            #expect(try Data(contentsOf: path) == bytes, "nothing was cut")
        }
    }

    /// A log that outgrows the zeros written ahead of it gets more (synced before a batch goes over them), and
    /// every acknowledged record past them survives a SIGKILL.
    @Test func aLogPastItsFirstZerosSurvivesACrash() throws {
        let cluster = try ProcessCluster(name: "longlog")
        defer { cluster.stop() }
        _ = try cluster.startMaster(["--chunk-size", "64K", "--replication", "1"])
        let socket = try RawSocket(cluster.masterAddress)
        socket.send("MKDIR /big\n")
        #expect(socket.readLines(1) == ["OK"])
        let padding = String(repeating: "n", count: 150)
        let names = (0..<12_000).map { "/big/\(padding)-\($0)" }
        for start in stride(from: 0, to: names.count, by: 2_000) {
            socket.send(names[start..<(start + 2_000)].map { "CREATE \($0)\n" }.joined())
            #expect(Set(socket.readLines(2_000)) == ["OK"])
        }
        let folder = try #require(cluster.master).directory
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix("log-") }.sorted().last)
        let bytes = try Data(contentsOf: folder.appendingPathComponent(name))
        #expect(Self.recordsEnd(bytes) > 2 << 20 && bytes.count > Self.recordsEnd(bytes), "\(bytes.count) bytes")
        cluster.kill(try #require(cluster.master))
        try cluster.restartMaster()
        let listed = try cluster.gfs(["ls", "/big"]).stdout.split(separator: "\n")
        #expect(listed.count == names.count)
    }

    /// A log written before batches (records one after another to the end of the file) is replayed as it
    /// was, and the master goes on in a new, batched file after it.
    @Test func aLogFromBeforeBatchesIsReadAndContinued() throws {
        let cluster = try ProcessCluster(name: "oldlog")
        defer { cluster.stop() }
        let folder = cluster.root.appendingPathComponent("master")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let old = ["/old-a", "/old-b"].enumerated().flatMap {
            LogRecord(sequence: UInt64($0.offset + 1), mutation: .makeDirectory(GFSPath($0.element)!, modified: 1)).framed
        }
        let oldLog = folder.appendingPathComponent("log-00000000000000000001")
        try Data(old).write(to: oldLog)
        _ = try cluster.startMaster(["--chunk-size", "64K", "--replication", "1"])
        #expect(try cluster.gfs(["mkdir", "/new"]).status == 0)
        cluster.kill(try #require(cluster.master))
        try cluster.restartMaster()
        let paths = try Self.listing(cluster).compactMap { ProcessCluster.fields($0)["path"] }
        #expect(Set(["/old-a", "/old-b", "/new"]).isSubset(of: paths), "\(paths)")
        #expect(try Data(contentsOf: oldLog) == Data(old), "the old file is left as it was")
        let newer = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("log-") }.sorted()
        #expect(newer.first == "log-00000000000000000001" && newer.count >= 2, "\(newer)")
        let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(try #require(newer.last))))
        #expect(LogFileFormat.isBatched(bytes))
    }

    /// Reference: GFS §2.6.2 — locations are rebuilt from reports; until then reads wait, and within --timeout
    /// they fail as UNAVAILABLE.
    @Test func restartedMasterIsUnavailableUntilChunkserversReport() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let data = testBytes(100_000, seed: 6)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            let folders = cluster.chunkservers.map(\.directory)
            for server in cluster.chunkservers { cluster.kill(server) }
            try cluster.restartMaster()
            let early = try cluster.gfs(["cat", "--timeout", "2", "/f"])
            #expect(early.status == 3)
            #expect(early.stderr.contains("no live replica of chunk 0") && early.stderr.contains("heard from 0 chunkserver"))
            #expect(try cluster.gfs(["stat", "/f"]).stdout.contains("size\t100000"))
            for folder in folders { try cluster.startChunkserver(folder: folder) }
            #expect(try cluster.gfs(["cat", "/f"]).output == data, "a read waits for the chunkservers to report")
        }
    }

    /// A full disk under pipelined mutations, which the master answers in batches sharing one fsync: a batch
    /// whose write fails is refused whole, and what was acknowledged survives a SIGKILL.
    @Test func pipelinedMutationsOnAFullDiskAcknowledgeOnlyWhatSurvives() async throws {
        let cluster = try ProcessCluster(name: "fullpipe")
        defer { cluster.stop() }
        _ = try cluster.startMaster(["--chunk-size", "64K", "--replication", "1"], fileSizeLimitKiB: 4)
        let socket = try RawSocket(cluster.masterAddress)
        let names = (0..<400).map { "/a-rather-long-directory-name-to-fill-the-log-\($0)" }
        // The first few one at a time, so they fit before the disk fills: all 400 may come in one batch,
        // which fails whole.
        var replies: [String] = []
        for name in names.prefix(3) {
            socket.send("MKDIR \(name)\n")
            replies += socket.readLines(1)
        }
        #expect(replies == ["OK", "OK", "OK"])
        socket.send(names.dropFirst(3).map { "MKDIR \($0)\n" }.joined())
        replies += socket.readLines(names.count - 3)
        try #require(replies.count == names.count, "every request is answered (\(replies.count))")
        let acknowledged = Set(zip(names, replies).filter { $0.1 == "OK" }.map(\.0))
        #expect(!acknowledged.isEmpty && acknowledged.count < names.count, "\(acknowledged.count) acknowledged")
        #expect(replies.allSatisfy { $0 == "OK" || $0.hasPrefix("ERR ") }, "\(Set(replies))")
        let listing = try Self.listing(cluster)
        let listed = Set(listing.compactMap { ProcessCluster.fields($0)["path"] })
        #expect(acknowledged.isSubset(of: listed), "every acknowledged folder is served")
        cluster.kill(try #require(cluster.master))
        try cluster.restartMaster()
        #expect(try Self.listing(cluster) == listing, "what was served is exactly what survives")
    }

    /// A full disk: mutations fail with NOSPACE, nothing half-applied stays in memory, reads go on.
    @Test func fullDiskFailsMutationsButServesReads() async throws {
        let cluster = try ProcessCluster(name: "full")
        defer { cluster.stop() }
        _ = try cluster.startMaster(["--chunk-size", "64K", "--replication", "1"], fileSizeLimitKiB: 4)
        try cluster.startChunkserver()
        try await cluster.waitForLiveChunkservers(1)
        #expect(try cluster.gfs(["put", "-", "/f"], stdin: Data("kept".utf8)).status == 0)
        var failure: (name: String, result: CommandResult)?
        for index in 0..<400 {
            let name = "/a-rather-long-directory-name-to-fill-the-log-\(index)"
            let result = try cluster.gfs(["mkdir", name])
            if result.status != 0 {
                failure = (name, result)
                break
            }
        }
        let (failedName, full) = try #require(failure, "the log never hit the 4 KiB limit")
        #expect(full.status == 1)
        #expect(full.stderr.contains("File too large") || full.stderr.contains("No space"))
        let listing = try Self.listing(cluster)
        #expect(!listing.contains { $0.contains("path=\(failedName) ") }, "a failed mutation must not linger in memory")
        #expect(try cluster.gfs(["cat", "/f"]).stdout == "kept")
        #expect(try cluster.gfs(["mkdir", failedName]).status == 1)
        cluster.kill(try #require(cluster.master))
        try cluster.restartMaster()
        #expect(try Self.listing(cluster) == listing, "what was acknowledged is exactly what survives")
    }
}
