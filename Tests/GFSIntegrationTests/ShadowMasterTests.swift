// Goal: shadow masters (GFS §5.1.3) follow the primary's log, serve reads, refuse writes naming the primary,
// catch up after falling behind, and can be promoted with no acknowledged mutation lost.
// Method: a real primary, shadow and chunkservers (which report to both) on loopback.
import Foundation
import GFSCore
import GFSTestSupport
import Testing

@Suite(.serialized) struct ShadowMasterTests {
    static let flags = ["--chunk-size", "64K", "--lease", "1s", "--heartbeat-timeout", "3s"]

    /// The master's durable log sequence, from STATUS.
    static func sequence(_ address: String) throws -> Int {
        let socket = try RawSocket(address)
        socket.send("STATUS\n")
        return Int(ProcessCluster.fields(socket.readLines(1).first ?? "")["sequence"] ?? "") ?? -1
    }

    static func creates(_ address: String, _ names: [String]) throws -> (sent: RawSocket, replies: (Int) -> [String]) {
        let socket = try RawSocket(address)
        socket.send(names.map { "CREATE \($0)\n" }.joined())
        return (socket, { socket.readLines($0) })
    }

    /// With a log replica, a batch's view is published once the replica confirmed its records: creates under
    /// way at once are still seen by reads once acknowledged.
    @Test func concurrentCreatesWithALogReplicaAreSeenOnceAcknowledged() async throws {
        let shadowPort = try ProcessCluster.freePort()
        let cluster = try ProcessCluster(name: "replicaviews")
        defer { cluster.stop() }
        _ = try cluster.startMaster(Self.flags + ["--log-replicas", "127.0.0.1:\(shadowPort)"])
        _ = try cluster.startShadow(port: shadowPort, Self.flags)
        try WireTests.concurrentCreatesAreSeen(at: cluster.masterAddress)
    }

    /// With the shadow as a log replica, a mutation is acknowledged only once the shadow has it; the primary
    /// killed mid-storm, the shadow promoted: every acknowledged create is there, and writes go on.
    @Test func promotedShadowHasEveryAcknowledgedMutation() async throws {
        let shadowPort = try ProcessCluster.freePort()
        let cluster = try ProcessCluster(name: "promote")
        defer { cluster.stop() }
        do {
            _ = try cluster.startMaster(Self.flags + ["--log-replicas", "127.0.0.1:\(shadowPort)"])
            let shadow = try cluster.startShadow(port: shadowPort, Self.flags + ["--http", "127.0.0.1:0"])
            for _ in 0..<3 { try cluster.startChunkserver() }
            try await cluster.waitForLiveChunkservers(3)
            let data = testBytes(120_000, seed: 8)
            #expect(try cluster.gfs(["put", "-", "/kept"], stdin: data).status == 0)
            #expect(try cluster.gfs(["mkdir", "/storm"]).status == 0)
            let names = (0..<500).map { "/storm/f\($0)" }
            let (_, replies) = try Self.creates(cluster.masterAddress, names)
            let acknowledged = zip(names, replies(200)).filter { $0.1 == "OK" }.map(\.0)
            #expect(acknowledged.count == 200)
            let primary = try #require(cluster.master)
            cluster.kill(primary)

            let both = "\(primary.address),\(shadow.address)"
            // With only a shadow up, a write waits for a primary within --timeout, then gives up.
            let readOnly = try ProcessCluster.run(ProcessCluster.binary, ["mkdir", "/x", "--master", both, "--timeout", "2"])
            #expect(readOnly.status == 3)
            #expect(readOnly.stderr.hasPrefix("gfs: this master is a shadow of \(primary.address); send writes there (still so"),
                    "\(readOnly.stderr)")
            let page = try StatusPageTests.page(of: shadow)
            #expect(try StatusPageTests.report(page).health == .shadow)
            let promote = try ProcessCluster.run(ProcessCluster.binary, ["promote", "--master", shadow.address])
            #expect(promote.status == 0, "\(promote.stderr)")
            // Promoted, it counts replica health again.
            let counted = try StatusPageTests.report(page).health
            #expect(counted.status != "shadow" && counted.chunks == 2, "\(counted)")

            let listed = try ProcessCluster.run(ProcessCluster.binary, ["ls", "/storm", "--master", shadow.address])
            let present = Set(listed.stdout.split(separator: "\n").map { "/storm/" + $0 })
            #expect(Set(acknowledged).isSubset(of: present), "lost: \(Set(acknowledged).subtracting(present).count)")
            #expect(try ProcessCluster.run(ProcessCluster.binary, ["mkdir", "/after", "--master", both]).status == 0)
            try await waitUntil("the new primary to serve /kept") {
                try ProcessCluster.run(ProcessCluster.binary, ["cat", "/kept", "--master", both]).output == data
            }
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// A namespace change sent again with the same `call=` (its reply lost) is answered as done, by the
    /// primary, by the primary after a restart (from its log), and by a promoted shadow (from the records it
    /// followed); a different call, or none, is refused as it always was.
    @Test func aRetriedNamespaceChangeIsAnsweredAsDoneEvenAfterFailover() async throws {
        let shadowPort = try ProcessCluster.freePort()
        let cluster = try ProcessCluster(name: "retry")
        defer { cluster.stop() }
        do {
            _ = try cluster.startMaster(Self.flags + ["--log-replicas", "127.0.0.1:\(shadowPort)"])
            let shadow = try cluster.startShadow(port: shadowPort, Self.flags)
            let (first, second, third) = (ClientCall.random(), ClientCall.random(), ClientCall.random())
            func send(_ address: String, _ lines: [String]) throws -> [String] {
                let socket = try RawSocket(address)
                defer { socket.shutdown() }
                socket.send(lines.map { $0 + "\n" }.joined())
                return socket.readLines(lines.count)
            }
            let made = try send(cluster.masterAddress, ["MKDIR /d call=\(first)", "MKDIR /d call=\(first)",
                                                        "MKDIR /d call=\(second)", "MKDIR /d", "CREATE /f call=\(second)",
                                                        "RM /f call=\(third)", "RM /f call=\(third)", "RM /f",
                                                        "MKDIR /e call=nothex"])
            #expect(made[0] == "OK" && made[1] == "OK", "\(made)")
            #expect(made[2].hasPrefix("ERR EXISTS") && made[3].hasPrefix("ERR EXISTS"), "\(made)")
            #expect(made[4] == "OK", "\(made)")
            // A blind second RM purges the file from the trash for good; the retry must not.
            #expect(made[5] == "OK" && made[6] == "OK" && made[7] == "OK purged=1", "\(made)")
            #expect(made[8].hasPrefix("ERR BADREQ"), "\(made)")

            try cluster.restartMaster()
            #expect(try send(cluster.masterAddress, ["MKDIR /d call=\(first)", "CREATE /f call=\(second)"]) == ["OK", "OK"])
            try await waitUntil("the shadow has the primary's log") {
                try Self.sequence(shadow.address) == (try Self.sequence(cluster.masterAddress))
            }
            cluster.kill(try #require(cluster.master))
            #expect(try ProcessCluster.run(ProcessCluster.binary, ["promote", "--master", shadow.address]).status == 0)
            let promoted = try send(shadow.address, ["MKDIR /d call=\(first)", "CREATE /f call=\(second)", "MKDIR /d"])
            #expect(promoted[0] == "OK" && promoted[1] == "OK" && promoted[2].hasPrefix("ERR EXISTS"), "\(promoted)")
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// A retry arriving while the first try still waits for the log replica gets the first try's outcome (OK),
    /// not EXISTS drawn from the first try's own, not yet confirmed, change.
    @Test func aRetryDuringTheFirstTryGetsItsOutcome() async throws {
        let shadowPort = try ProcessCluster.freePort()
        let cluster = try ProcessCluster(name: "retry-during")
        defer { cluster.stop() }
        do {
            _ = try cluster.startMaster(Self.flags + ["--log-replicas", "127.0.0.1:\(shadowPort)"])
            let call = ClientCall.random()
            let (first, second) = (try RawSocket(cluster.masterAddress, timeout: 20), try RawSocket(cluster.masterAddress, timeout: 20))
            first.send("MKDIR /x call=\(call)\n")
            second.send("MKDIR /x call=\(call)\n")
            // Both wait for the log replica, which starts only now.
            try cluster.startShadow(port: shadowPort, Self.flags)
            #expect(first.readLines(1) == ["OK"])
            #expect(second.readLines(1) == ["OK"])
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// A log replica that is down and silent past the replica timeout (10 s): mutations are refused before they
    /// take effect (they used to be applied and logged here, then reported failed), and go on once it is back.
    @Test func mutationsWaitForASilentLogReplicaWithoutTakingEffect() async throws {
        let shadowPort = try ProcessCluster.freePort()
        let cluster = try ProcessCluster(name: "replicadown")
        defer { cluster.stop() }
        do {
            _ = try cluster.startMaster(Self.flags + ["--log-replicas", "127.0.0.1:\(shadowPort)"])
            let shadow = try cluster.startShadow(port: shadowPort, Self.flags)
            #expect(try cluster.gfs(["mkdir", "/before"]).status == 0)
            cluster.kill(shadow)
            try await waitUntil("mutations to be refused while the replica is silent", within: .seconds(90)) {
                let result = try cluster.gfs(["mkdir", "--timeout", "15", "/probe"])
                return result.status != 0 && result.stderr.contains("silent")
            }
            let refused = try cluster.gfs(["mkdir", "--timeout", "3", "/refused"])
            #expect(refused.status == 3 && refused.stderr.contains("log replica"), "\(refused.stderr)")
            #expect(try cluster.gfs(["stat", "/refused"]).status == 1, "a refused mutation must not take effect")
            try cluster.startShadow(port: shadowPort, folder: shadow.directory, Self.flags)
            try await waitUntil("mutations to go through again", within: .seconds(30)) {
                try cluster.gfs(["mkdir", "/after"]).status == 0
            }
            #expect(try cluster.gfs(["stat", "/before"]).status == 0)
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// A TAIL asking for records past the end of the log is refused, and does not count as a log replica's
    /// acknowledgement (it used to satisfy every wait for replicas).
    @Test func tailPastTheLogIsNoAcknowledgement() async throws {
        let replica = "127.0.0.1:\(try ProcessCluster.freePort())"
        let cluster = try ProcessCluster(name: "tailack")
        defer { cluster.stop() }
        do {
            _ = try cluster.startMaster(Self.flags + ["--log-replicas", replica])
            let socket = try RawSocket(cluster.masterAddress)
            socket.send("TAIL from=999999999 addr=\(replica)\n")
            #expect(socket.readLines(1).first?.hasPrefix("ERR BADREQ") == true)
            let mkdir = try cluster.gfs(["mkdir", "--timeout", "15", "/unconfirmed"])
            // Done but unconfirmed: the client asks again with the same call (never told EXISTS for its own mkdir)
            // until its timeout, and then says that it may or may not have been done.
            #expect(mkdir.status == 3 && mkdir.stderr.contains(replica) && mkdir.stderr.contains("may or may not have been done")
                    && !mkdir.stderr.contains("EXISTS"), "\(mkdir.stderr)")
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// A shadow whose log write failed (its disk full, here its file-size limit) follows again once it has
    /// room, without a restart. It used to fail every later batch with the first error and serve reads from
    /// what it had for as long as it ran (chaos seed 421, `--etcd`). While behind, it refuses reads.
    @Test func aShadowFollowsAgainOnceItsDiskHasRoom() async throws {
        let cluster = try ProcessCluster(name: "shadowfull")
        defer { cluster.stop() }
        _ = try cluster.startMaster(Self.flags)
        let shadow = try cluster.startShadow(port: 0, Self.flags, fileSizeLimitKiB: 4)
        let (_, replies) = try Self.creates(cluster.masterAddress, (0..<200).map { "/before-\($0)" })
        #expect(replies(200).allSatisfy { $0 == "OK" })
        try await waitUntil("the shadow's log write to fail") {
            try String(contentsOf: shadow.log, encoding: .utf8).contains("File too large")
        }
        let stuck = try Self.sequence(shadow.address), primary = try Self.sequence(cluster.masterAddress)
        #expect(stuck >= 0 && stuck < primary, "the shadow is behind")
        // Meanwhile it refuses the reads it would answer wrong, and a client that lists it first reads from the
        // primary. It used to answer NOTFOUND.
        let direct = try RawSocket(shadow.address)
        direct.send("STAT /before-199\n")
        let refusal = direct.readLines(1).first ?? ""
        #expect(refusal.hasPrefix("ERR READONLY") && refusal.contains("behind"), "\(refusal)")
        let stat = try ProcessCluster.run(ProcessCluster.binary,
                                          ["stat", "/before-199", "--master", "\(shadow.address),\(cluster.masterAddress)"])
        #expect(stat.status == 0, "\(stat.stderr)")
        let raised = try ProcessCluster.run(URL(fileURLWithPath: "/usr/bin/prlimit"),
                                            ["--pid", "\(shadow.pid)", "--fsize=unlimited"])
        try #require(raised.status == 0, "prlimit: \(raised.stderr)")
        #expect(try cluster.gfs(["mkdir", "/after"]).status == 0)
        let target = try Self.sequence(cluster.masterAddress)
        try await waitUntil("the shadow to catch up") { try Self.sequence(shadow.address) >= target }
        let listed = try ProcessCluster.run(ProcessCluster.binary, ["ls", "/", "--master", shadow.address]).stdout
        #expect(listed.contains("after") && listed.contains("before-199"))
    }

    /// FSCK is the primary's: a shadow knows replicas only from chunkservers' reports, and nothing of the
    /// primary's copies, so right after a repair its own count still found the dead server's replicas missing
    /// (under=2 of 3 chunks, when this test was written). A client listing the shadow first got that answer.
    /// A client given only the shadow is told whom to ask, and the shadow's status page counts no health.
    @Test func replicaHealthIsThePrimarysAnswerEvenWithTheShadowListedFirst() async throws {
        let cluster = try ProcessCluster(name: "shadowfsck")
        defer { cluster.stop() }
        do {
            let http = ["--http", "127.0.0.1:0"]
            let primary = try cluster.startMaster(RepairEndToEndTests.master + http)
            let shadow = try cluster.startShadow(port: 0, RepairEndToEndTests.master + http)
            for _ in 0..<4 { try cluster.startChunkserver(["--heartbeat-interval", "200ms"]) }
            try await cluster.waitForLiveChunkservers(4)
            let data = testBytes(3 * 65536, seed: 12)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            let victim = try #require(cluster.chunkservers.first { !chunkFiles($0).isEmpty })
            cluster.kill(victim)
            let live = cluster.chunkservers.filter { $0.address != victim.address }
            try await waitUntil("the primary to copy the dead server's replicas") {
                try live.map { chunkFiles($0).count }.reduce(0, +) == 3 * 3 && cluster.gfs(["fsck"]).status == 0
            }
            let direct = try RawSocket(shadow.address)
            direct.send("FSCK /\n")
            let refusal = direct.readLines(1).first ?? ""
            #expect(refusal.hasPrefix("ERR READONLY") && refusal.contains(cluster.masterAddress), "\(refusal)")
            let checked = try ProcessCluster.run(ProcessCluster.binary,
                                                 ["fsck", "--master", "\(shadow.address),\(cluster.masterAddress)"])
            #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
            let alone = try ProcessCluster.run(ProcessCluster.binary, ["fsck", "--master", shadow.address, "--timeout", "1"])
            #expect(alone.status == 3 && alone.stderr.contains("replica health is the primary's; ask \(cluster.masterAddress)"),
                    "\(alone.stderr)")
            #expect(try ProcessCluster.run(ProcessCluster.binary, ["cat", "/f", "--master", shadow.address]).output == data)
            let shadowPage = try StatusPageTests.page(of: shadow)
            #expect(try StatusPageTests.report(shadowPage).health == .shadow)
            #expect(try String(decoding: StatusPageTests.fetch(shadowPage), as: UTF8.self).contains("Counted by the primary"))
            let counted = try StatusPageTests.report(StatusPageTests.page(of: primary)).health
            #expect(counted.status == "healthy" && counted.chunks == 3, "\(counted)")
            // STATUS leaves the count out on the shadow, and gives it on the primary.
            func status(_ server: ProcessCluster.Server) throws -> [String: String] {
                let socket = try RawSocket(server.address)
                socket.send("STATUS\n")
                return ProcessCluster.fields(socket.readLines(1).first ?? "")
            }
            #expect(try status(shadow)["under_replicated"] == nil && status(primary)["under_replicated"] == "0")
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// A shadow serves reads while following; restarted after falling behind past the primary's checkpoints,
    /// it fetches a checkpoint and catches up from there.
    @Test func shadowServesReadsAndCatchesUpAfterARestart() async throws {
        let cluster = try ProcessCluster(name: "shadow")
        defer { cluster.stop() }
        do {
            _ = try cluster.startMaster(Self.flags + ["--checkpoint-bytes", "4K"])
            let shadow = try cluster.startShadow(port: 0, Self.flags)
            for _ in 0..<3 { try cluster.startChunkserver() }
            try await cluster.waitForLiveChunkservers(3)
            let data = testBytes(100_000, seed: 10)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            try await waitUntil("the shadow to serve /f") {
                try ProcessCluster.run(ProcessCluster.binary, ["cat", "/f", "--master", shadow.address]).output == data
            }
            cluster.kill(shadow)
            // Rounds of pipelined creates (a round shares log batches, so it rolls the log over about once),
            // until the first log file, which holds what the shadow lacks, is checkpointed away.
            let folder = try #require(cluster.master).directory
            func firstLogGone() throws -> Bool {
                try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("log-") }
                    .allSatisfy { (UInt64($0.dropFirst(4)) ?? 0) > 1 }
            }
            for round in 0..<40 {
                if try firstLogGone() { break }
                let (_, replies) = try Self.creates(cluster.masterAddress, (0..<100).map { "/g\(round)-\($0)" })
                #expect(replies(100).allSatisfy { $0 == "OK" }, "round \(round)")
            }
            try await waitUntil("the first log file to be checkpointed away") { try firstLogGone() }
            // A restarted primary has only its files: the records the shadow needs were checkpointed away.
            try cluster.restartMaster()
            let restarted = try cluster.startShadow(port: 0, folder: shadow.directory, Self.flags)
            let target = try Self.sequence(cluster.masterAddress)
            try await waitUntil("the restarted shadow to catch up") { try Self.sequence(restarted.address) == target }
            let primaryListing = try cluster.gfs(["ls", "-l", "/"]).stdout
            let shadowListing = try ProcessCluster.run(ProcessCluster.binary, ["ls", "-l", "/", "--master", restarted.address]).stdout
            #expect(shadowListing == primaryListing)
            let log = try String(contentsOf: restarted.log, encoding: .utf8)
            #expect(log.contains("installed the primary's checkpoint"))
        } catch {
            print(cluster.logs())
            throw error
        }
    }
}
