// Goal: a person with nc can drive every role, and hostile bytes get an ERR, never a dead server.
// Method: raw sockets against real processes (after memcached's t/issue_70.t and redis's protocol.tcl).
import Foundation
import GFSClient
import GFSProtocol
import GFSTestSupport
import Testing

@Suite(.serialized) struct WireTests {
    /// The fields of the CHUNK line of /f's one chunk, asked with LOOKUP on `master`.
    static func firstChunk(_ master: RawSocket) throws -> [String: String] {
        master.send("LOOKUP /f\n")
        let chunk = try #require(master.readLines(2).last)
        return Dictionary(uniqueKeysWithValues: chunk.split(separator: " ").dropFirst().map {
            let parts = $0.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        })
    }

    @Test func pipelinedRequestsAndMalformedLines() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            let socket = try RawSocket(cluster.masterAddress)
            socket.send("MKDIR /a%20b\r\nLS /\nBOGUS\nLS relative\nSTAT /nope\nLS /a%zz\nstatus\n")
            let lines = socket.readLines(8)
            #expect(lines[0] == "OK")
            #expect(lines[1] == "OK n=1")
            #expect(lines[2].hasPrefix("ENTRY path=/a%20b type=directory"))
            #expect(lines[3] == "ERR BADREQ unknown verb BOGUS; try HELP")
            #expect(lines[4] == "ERR BADREQ LS: relative is not an absolute path")
            #expect(lines[5] == "ERR NOTFOUND /nope: no such file or directory")
            #expect(lines[6] == "ERR BADREQ bad percent escape in token")
            #expect(lines[7].hasPrefix("OK role=primary sequence=1 "))
        }
    }

    /// Pipelined namespace requests overlap (they share fsyncs) but must still run and answer in order: each
    /// sees the ones before it, and every acknowledged create survives a SIGKILL of the master.
    @Test func pipelinedMutationsRunInOrderAndStayDurable() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            let socket = try RawSocket(cluster.masterAddress)
            let count = 300
            var batch = "MKDIR /p\n"
            for i in 0..<count { batch += "CREATE /p/f\(i)\nSTAT /p/f\(i)\n" }
            batch += "RM /p/f0\nSTAT /p/f0\nCREATE /p/f1\nMV /p/f1 /p/moved\nSTAT /p/moved\nLS /p\n"
            socket.send(batch)
            let lines = socket.readLines(1 + 2 * count + 5 + 1 + count - 1)
            try #require(lines.count == 1 + 2 * count + 5 + count, "every reply arrives (\(lines.count))")
            #expect(lines[0] == "OK")
            for i in 0..<count {
                #expect(lines[1 + 2 * i] == "OK", "CREATE /p/f\(i)")
                #expect(lines[2 + 2 * i].hasPrefix("OK path=/p/f\(i) type=file"), "STAT /p/f\(i): \(lines[2 + 2 * i])")
            }
            let tail = Array(lines[(1 + 2 * count)...])
            #expect(tail[0].hasPrefix("OK"), "RM: \(tail[0])")
            #expect(tail[1].hasPrefix("ERR NOTFOUND"), "STAT after RM: \(tail[1])")
            #expect(tail[2].hasPrefix("ERR EXISTS"), "CREATE of an existing file: \(tail[2])")
            #expect(tail[3] == "OK", "MV: \(tail[3])")
            #expect(tail[4].hasPrefix("OK path=/p/moved type=file"), "STAT after MV: \(tail[4])")
            #expect(tail[5] == "OK n=\(count - 1)", "LS: \(tail[5])")

            try cluster.restartMaster()
            let after = try RawSocket(cluster.masterAddress)
            after.send("LS /p\n")
            #expect(after.readLines(1).first == "OK n=\(count - 1)", "every acknowledged create is recovered")
        }
    }

    /// A retry (the same `call=`) pipelined behind its first try is told the first try's outcome, not EXISTS;
    /// a pipelined SETSIZE, MV and RM run in order; the calls done are remembered across a SIGKILL.
    @Test func pipelinedRetriesOfOneCallAreCarriedOutOnce() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            let (a, b, c, d) = (String(repeating: "a", count: 32), String(repeating: "b", count: 32),
                                String(repeating: "c", count: 32), String(repeating: "d", count: 32))
            let socket = try RawSocket(cluster.masterAddress)
            socket.send("MKDIR /c\nCREATE /c/f call=\(a)\nCREATE /c/f call=\(a)\nCREATE /c/f call=\(b)\n"
                        + "SETSIZE /c/f size=0 touch=1\nSETSIZE /c/f size=1\nMV /c/f /c/g call=\(c)\nMV /c/f /c/g call=\(c)\n"
                        + "STAT /c/g\nRM /c/g call=\(d)\nRM /c/g call=\(d)\nSTAT /c/g\n")
            let lines = socket.readLines(12)
            try #require(lines.count == 12, "\(lines)")
            #expect(lines[0...2] == ["OK", "OK", "OK"], "MKDIR, CREATE and its retry: \(lines)")
            #expect(lines[3].hasPrefix("ERR EXISTS"), "another call's CREATE: \(lines[3])")
            #expect(lines[4] == "OK", "SETSIZE touch: \(lines[4])")
            #expect(lines[5].hasPrefix("ERR BADREQ"), "SETSIZE past the chunks: \(lines[5])")
            #expect(lines[6...7] == ["OK", "OK"], "MV and its retry: \(lines)")
            #expect(lines[8].hasPrefix("OK path=/c/g type=file"), "STAT after MV: \(lines[8])")
            #expect(lines[9].hasPrefix("OK") && lines[10].hasPrefix("OK"), "RM and its retry: \(lines)")
            #expect(lines[11].hasPrefix("ERR NOTFOUND"), "STAT after RM: \(lines[11])")

            let master = try #require(cluster.master)
            cluster.kill(master)
            try cluster.restartMaster()
            let after = try RawSocket(cluster.masterAddress)
            after.send("CREATE /c/f call=\(a)\nMV /c/f /c/g call=\(c)\nSTAT /c/f\n")
            let again = after.readLines(3)
            #expect(again.first == "OK" && again.dropFirst().first == "OK", "the calls are remembered: \(again)")
            #expect(again.last?.hasPrefix("ERR NOTFOUND") == true, "and not carried out again: \(again)")
        }
    }

    /// A connection's requests take three ways (answered on the event loop, queued straight into the
    /// pipeline, handed to the connection's loop) and switch between them from one request to the next: in
    /// each round the first CREATE is queued by the event loop, the STAT and LS behind it wait their turn, a
    /// BOGUS line and the CREATE after it go through the loop, a lone STAT is answered on the event loop, and
    /// a LOOKUP takes the loop again. Replies come in request order, and each sees every request before it.
    @Test func requestsSwitchingWaysMidPipelineAnswerInOrder() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            let socket = try RawSocket(cluster.masterAddress)
            socket.send("MKDIR /q\n")
            #expect(socket.readLines(1) == ["OK"])
            for i in 0..<30 {
                socket.send("CREATE /q/f\(i)\nSTAT /q/f\(i)\nLS /q\n")
                let first = socket.readLines(3 + 3 * i + 1)
                try #require(first.count == 3 + 3 * i + 1, "round \(i): \(first)")
                #expect(first[0] == "OK", "CREATE /q/f\(i): \(first[0])")
                #expect(first[1].hasPrefix("OK path=/q/f\(i) type=file"), "STAT behind the CREATE: \(first[1])")
                #expect(first[2] == "OK n=\(3 * i + 1)", "LS behind them: \(first[2])")
                let listed = first.dropFirst(3).compactMap { ProcessCluster.fields($0)["path"] }
                #expect(listed.contains("/q/f\(i)"), "the LS sees the CREATE two requests before it")
                socket.send("BOGUS\nCREATE /q/g\(i)\n")
                #expect(socket.readLines(2) == ["ERR BADREQ unknown verb BOGUS; try HELP", "OK"])
                socket.send("STAT /q/g\(i)\n")
                let stat = socket.readLines(1)
                #expect(stat.first?.hasPrefix("OK path=/q/g\(i) type=file") == true, "STAT after the reply: \(stat)")
                socket.send("LOOKUP /q/f\(i)\nCREATE /q/h\(i)\nSTAT /q/h\(i)\n")
                let last = socket.readLines(3)
                try #require(last.count == 3, "round \(i): \(last)")
                #expect(last[0].hasPrefix("OK") && last[0].contains("size=0"), "LOOKUP /q/f\(i): \(last[0])")
                #expect(last[1] == "OK", "CREATE /q/h\(i): \(last[1])")
                #expect(last[2].hasPrefix("OK path=/q/h\(i) type=file"), "STAT /q/h\(i): \(last[2])")
            }
        }
    }

    /// Requests that wait on chunkservers (ALLOCATE, LEASE) run in a batch beside namespace changes: every
    /// reply comes in request order, and a STAT or CREATE behind an ALLOCATE sees the chunk it added.
    @Test func pipelinedAllocationsAndLeasesMixWithNamespaceChanges() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            try await cluster.waitForLiveChunkservers(1)
            let socket = try RawSocket(cluster.masterAddress)
            socket.send("MKDIR /m\nCREATE /m/f\nALLOCATE /m/f index=0\nSTAT /m/f\nCREATE /m/g\nALLOCATE /m/g index=0\n"
                        + "ALLOCATE /m/g index=1\nSTAT /m/g\nRM /m/f\nSTAT /m/f\nALLOCATE /m/nope index=0\nSTAT /m\n")
            let lines = socket.readLines(12)
            try #require(lines.count == 12, "\(lines)")
            #expect(lines[0...1] == ["OK", "OK"], "\(lines)")
            #expect(lines[2].hasPrefix("OK ") && lines[2].contains("handle="), "ALLOCATE: \(lines[2])")
            #expect(lines[3].hasPrefix("OK path=/m/f ") && lines[3].contains(" chunks=1 "), "STAT: \(lines[3])")
            #expect(lines[4] == "OK", "\(lines[4])")
            #expect(lines[5].contains("handle=") && lines[6].contains("handle="), "\(lines[5...6])")
            #expect(lines[7].hasPrefix("OK path=/m/g ") && lines[7].contains(" chunks=2 "), "STAT: \(lines[7])")
            #expect(lines[8].hasPrefix("OK"), "RM: \(lines[8])")
            #expect(lines[9].hasPrefix("ERR NOTFOUND"), "STAT after RM: \(lines[9])")
            #expect(lines[10].hasPrefix("ERR NOTFOUND"), "ALLOCATE of a missing file: \(lines[10])")
            #expect(lines[11].hasPrefix("OK path=/m type=directory"), "\(lines[11])")
        }
    }

    /// STAT and LS are answered on the event loop when nothing sent before is still under way: each must
    /// still come after the reply to a slower request sent just before it, and a read on another connection
    /// must see every create already acknowledged.
    @Test func readsAnsweredOnTheEventLoopKeepOrderAndSeeAcknowledgedCreates() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            let writer = try RawSocket(cluster.masterAddress)
            let reader = try RawSocket(cluster.masterAddress)
            writer.send("MKDIR /r\n")
            #expect(writer.readLines(1) == ["OK"])
            for i in 0..<100 {
                // Two writes, so the STAT most likely arrives while the CREATE waits for its fsync.
                writer.send("CREATE /r/f\(i)\n")
                writer.send("STAT /r/f\(i)\n")
                let replies = writer.readLines(2)
                #expect(replies.first == "OK", "CREATE /r/f\(i): \(replies)")
                #expect(replies.last?.hasPrefix("OK path=/r/f\(i) type=file") == true, "STAT after CREATE /r/f\(i): \(replies)")
                reader.send("STAT /r/f\(i)\n")
                let read = reader.readLines(1)
                #expect(read.first?.hasPrefix("OK path=/r/f\(i) type=file") == true, "STAT on another connection: \(read)")
            }
            // A slow request (a LOOKUP naming a missing file goes through the master's loop) then reads.
            reader.send("LOOKUP /r/nope\nSTAT /r/f1\nLS /r limit=1\nSTAT /nope\n")
            let mixed = reader.readLines(5)
            #expect(mixed.first?.hasPrefix("ERR NOTFOUND") == true, "\(mixed)")
            #expect(mixed.dropFirst().first?.hasPrefix("OK path=/r/f1 ") == true, "\(mixed)")
            #expect(mixed.dropFirst(2).first.map { $0.contains("n=1") && $0.contains("next=f0") } == true, "\(mixed)")
            #expect(mixed.dropFirst(3).first?.hasPrefix("ENTRY path=/r/f0 ") == true, "\(mixed)")
            #expect(mixed.last == "ERR NOTFOUND /nope: no such file or directory", "\(mixed)")
        }
    }

    /// Creates on many connections at once share fsyncs, and each batch publishes its view once durable:
    /// once a create is acknowledged, a STAT on another connection (answered on the event loop from the
    /// published view) must find it.
    @Test func concurrentCreatesAreSeenByReadsOnceAcknowledged() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            try Self.concurrentCreatesAreSeen(at: cluster.masterAddress)
        }
    }

    /// 8 connections create 40 files each, all 8 under way at once; after each OK, a STAT on another
    /// connection must find the file.
    static func concurrentCreatesAreSeen(at master: String) throws {
        let writers = try (0..<8).map { _ in try RawSocket(master) }
        let reader = try RawSocket(master)
        writers[0].send("MKDIR /c\n")
        #expect(writers[0].readLines(1) == ["OK"])
        for round in 0..<40 {
            // Every CREATE is sent before any reply is read: they are under way in the master together.
            for (index, writer) in writers.enumerated() { writer.send("CREATE /c/f\(round)-\(index)\n") }
            for (index, writer) in writers.enumerated() {
                let name = "/c/f\(round)-\(index)"
                #expect(writer.readLines(1) == ["OK"], "CREATE \(name)")
                reader.send("STAT \(name)\n")
                let read = reader.readLines(1)
                #expect(read.first?.hasPrefix("OK path=\(name) type=file") == true, "STAT \(name) after its OK: \(read)")
            }
        }
        reader.send("LS /c limit=1000\n")
        #expect(reader.readLines(1).first?.contains("n=320") == true, "every create is listed")
    }

    /// LS answers a large directory in pages (`next=` names where to go on), and `gfs ls` follows them all;
    /// FSCK checks a large tree in pages the same way, and `gfs fsck` adds them up.
    @Test func listingsAndFsckComeInPages() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            let socket = try RawSocket(cluster.masterAddress)
            socket.send("MKDIR /d\n" + ["c", "a", "e", "b", "d"].map { "CREATE /d/\($0)\n" }.joined())
            #expect(socket.readLines(6).allSatisfy { $0 == "OK" })
            socket.send("LS /d limit=2\nLS /d after=b limit=2\nLS /d after=d limit=2\nLS /d limit=0\nLS /d limit=10001\n")
            let lines = socket.readLines(3 + 3 + 2 + 2)
            let names = lines.compactMap { $0.split(separator: " ").first { $0.hasPrefix("path=") } }
            #expect(names == ["path=/d/a", "path=/d/b", "path=/d/c", "path=/d/d", "path=/d/e"], "\(lines)")
            #expect(lines[0].hasPrefix("OK") && lines[0].contains("next=b") && lines[0].contains("n=2"), "\(lines[0])")
            #expect(lines[3].contains("next=d"), "\(lines[3])")
            #expect(lines[6] == "OK n=1", "the last page says no next: \(lines[6])")
            #expect(lines[8].hasPrefix("ERR BADREQ") && lines[9].hasPrefix("ERR BADREQ"), "\(lines[8...])")

            // A connection that counts body lines (the bench's) stays in frame across listings and answers.
            let counting = try await Connection.connect(to: try #require(ServerID(cluster.masterAddress)), bodies: .counted)
            defer { counting.close() }
            let d = try #require(GFSPath("/d"))
            let counted = [counting.request(MasterRequest.list(d, after: nil, limit: 2).line),
                         counting.request(MasterRequest.stat(d.appending("e")).line),
                         counting.request(MasterRequest.list(d, after: "d", limit: 2).line)]
            let (page, stat, last) = (try await counted[0].get(), try await counted[1].get(), try await counted[2].get())
            #expect(page.body.isEmpty && page.line["n"] == "2" && page.line["next"] == "b", "\(page)")
            #expect(stat.error == nil && stat.line["path"] == "/d/e", "\(stat)")
            #expect(last.line["n"] == "1" && last.line["next"] == nil, "\(last)")

            // More than one page of 10,000: the command line goes through every page, in order.
            let count = 10_050
            var batch = "MKDIR /big\n"
            for i in 0..<count { batch += "CREATE /big/f\(i)\n" }
            socket.send(batch)
            let created = socket.readLines(count + 1)
            #expect(created.count == count + 1 && created.allSatisfy { $0 == "OK" })
            socket.send("LS /big\n")
            #expect(socket.readLines(1).first?.contains("next=") == true, "the first page is not all")
            let listed = try cluster.gfs(["ls", "/big"])
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.stdout.split(separator: "\n").map(String.init) == (0..<count).map { "f\($0)" }.sorted())

            // A new connection: the first LS page's body is still unread on the old one.
            let checker = try RawSocket(cluster.masterAddress)
            checker.send("FSCK /d files=1 limit=2\nFSCK /d files=1 after=/d/a limit=2\nFSCK /d files=1 after=/d/c limit=2\n")
            let pages = checker.readLines(2 + 3 + 3)
            #expect(pages[0].contains("files=1 directories=1") && pages[0].contains("next=/d/a"), "\(pages)")
            #expect(pages[2].contains("files=2 directories=0") && pages[2].contains("next=/d/c"), "\(pages)")
            #expect(pages[5].contains("files=2") && !pages[5].contains("next="), "the last page says no next: \(pages[5])")
            checker.send("FSCK /\n")
            let whole = checker.readLines(1).first ?? ""
            #expect(whole.contains("files=\(count + 5) ") && !whole.contains("next="), "without limit=, all at once: \(whole)")
            let checked = pages.filter { $0.hasPrefix("FILE") }.compactMap { $0.split(separator: " ").dropFirst().first }
            #expect(checked == ["/d/a", "/d/b", "/d/c", "/d/d", "/d/e"], "\(pages)")
            let fsck = try cluster.gfs(["fsck", "--files", "--json", "/"])
            #expect(fsck.status == 0, "\(fsck.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(fsck.stdout.utf8)) as? [String: Any])
            let summary = try #require(report["summary"] as? [String: Any])
            #expect(summary["files"] as? Int == count + 5 && summary["directories"] as? Int == 3, "\(summary)")
            let entries = try #require(report["entries"] as? [[String: Any]]).compactMap { $0["path"] as? String }
            #expect(entries.count == count + 5 && Set(entries).count == count + 5)
        }
    }

    @Test func overlongLinesAndBrokenPayloadsCloseOnlyThatConnection() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            let chunkserver = cluster.chunkservers[0].address
            let long = try RawSocket(cluster.masterAddress)
            long.send(String(repeating: "A", count: 70_000) + "\n")
            #expect(long.readLines(1) == ["ERR TOOLARGE line longer than 65536 bytes"])
            #expect(long.isClosedByPeer())

            let badLength = try RawSocket(chunkserver)
            badLength.send("PUSH id=1 len=lots\n")
            #expect(badLength.readLines(1).first?.hasPrefix("ERR BADREQ bad len=") == true)

            let oversize = try RawSocket(chunkserver)
            oversize.send("PUSH id=1 len=999999999999\n")
            #expect(oversize.readLines(1).first?.hasPrefix("ERR TOOLARGE payload of 999999999999 bytes") == true)

            let short = try RawSocket(chunkserver)
            short.send("PUSH id=2 len=100\nonly ten b")
            short.shutdown()

            let after = try RawSocket(chunkserver)
            after.send("STATUS\nHELP\n")
            let lines = after.readLines(2)
            #expect(lines[0].hasPrefix("OK role=chunkserver"))
            #expect(lines[0].contains("buffered=0"))
            #expect(lines[1] == "OK role=chunkserver n=\(Verb.helpReply(for: .chunkserver).body.count)")

            // A connection whose read buffers grew on a payload of a megabyte still frames what follows in the
            // same write, and still refuses an overlong line after it.
            let grown = try RawSocket(chunkserver)
            grown.send("PUSH id=big len=\(1 << 20)\n" + String(repeating: "x", count: 1 << 20)
                       + "PUSH id=small len=3\nabcSTATUS\n" + String(repeating: "B", count: 70_000) + "\n")
            let answers = grown.readLines(4)
            #expect(answers.count == 4, "\(answers)")
            #expect(Array(answers.prefix(2)) == ["OK", "OK"], "\(answers)")
            #expect(answers.dropFirst(2).first?.contains("buffered=1048579") == true, "both pushes held: \(answers)")
            #expect(answers.last == "ERR TOOLARGE line longer than 65536 bytes")
            #expect(grown.isClosedByPeer())
        }
    }

    @Test func pushForwardsAlongTheChainAndWriteGoesThroughThePrimary() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: Data("0123456789".utf8)).status == 0)
            let master = try RawSocket(cluster.masterAddress)
            let handle = try #require(try Self.firstChunk(master)["handle"])
            master.send("LEASE handle=\(handle)\n")
            let lease = try #require(master.readLines(1).first)
            let primary = try #require(lease.split(separator: " ").first { $0.hasPrefix("primary=") }?.dropFirst(8))
            let secondaries = try #require(lease.split(separator: " ").first { $0.hasPrefix("secondaries=") }?.dropFirst(12))
            let version = try #require(lease.split(separator: " ").first { $0.hasPrefix("version=") }?.dropFirst(8))
            let chain = secondaries.split(separator: ",").joined(separator: ",")

            let push = try RawSocket(String(primary))
            push.send("PUSH id=raw1 chain=\(chain) len=5\nHELLO")
            #expect(push.readLines(1) == ["OK"])
            // The client names no secondaries: the primary forwards to those the master granted it.
            push.send("WRITE handle=\(handle) version=\(version) offset=2 id=raw1\n")
            #expect(push.readLines(1) == ["OK length=10"])
            for server in [String(primary)] + secondaries.split(separator: ",").map(String.init) {
                let reader = try RawSocket(server)
                reader.send("READ handle=\(handle) version=\(version) offset=0 length=100\n")
                #expect(reader.readLines(1) == ["OK len=10"])
                #expect(String(decoding: reader.readBytes(10), as: UTF8.self) == "01HELLO789")
            }
            let secondary = try RawSocket(String(secondaries.split(separator: ",")[0]))
            secondary.send("WRITE handle=\(handle) version=\(version) offset=0 id=x\n")
            #expect(secondary.readLines(1).first?.hasPrefix("ERR NOTPRIMARY") == true)
            secondary.send("SYNC handle=\(handle)\nSYNC handle=00000000000fffff\n")
            let synced = secondary.readLines(2)
            #expect(synced.first == "OK")
            #expect(synced.last?.hasPrefix("ERR NOTFOUND") == true)
        }
    }

    /// A secondary applies a chunk's mutations in the primary's serial order: an APPLY whose serial it has
    /// passed is refused and leaves the bytes alone, and one refused for its version does not use up its
    /// serial (GFS §3.1; the claim 7).
    /// A push chain that loops (this server, or one server twice) is refused before any byte is buffered
    /// or forwarded; the connection stays usable.
    @Test func loopingPushChainsAreRefused() async throws {
        try await withCluster(chunkservers: 2, master: ["--replication", "2", "--chunk-size", "64K"]) { cluster in
            let (first, second) = (cluster.chunkservers[0].address, cluster.chunkservers[1].address)
            let socket = try RawSocket(first)
            socket.send("PUSH id=a len=1 chain=\(first)\nx")
            socket.send("PUSH id=b len=1 chain=\(second),\(second)\ny")
            socket.send("PUSH id=c len=1 chain=\(second)\nz")
            let replies = socket.readLines(3)
            #expect(replies.count == 3 && replies[0].hasPrefix("ERR BADREQ PUSH chain=") && replies[1].hasPrefix("ERR BADREQ PUSH chain="),
                    "\(replies)")
            #expect(replies.last == "OK", "a proper chain still works: \(replies)")
        }
    }

    /// No input exhausts a server (issue 14): pushes still arriving cannot together claim more than the push
    /// buffer, one address cannot hold every connection, and a path is at most 255 names deep.
    @Test func pushesConnectionsAndPathsAreBounded() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "1M"],
                              chunkserver: ["--heartbeat-interval", "200ms", "--push-buffer", "1M"]) { cluster in
            let chunkserver = cluster.chunkservers[0].address
            // A push that has sent its line but few of its bytes holds its room: a second one is refused at once.
            let slow = try RawSocket(chunkserver)
            slow.send("PUSH id=a len=900000\n" + String(repeating: "x", count: 10))
            let second = try RawSocket(chunkserver)
            second.send("PUSH id=b len=900000\n" + String(repeating: "y", count: 900_000) + "STATUS\n")
            let replies = second.readLines(2)
            #expect(replies.first?.hasPrefix("ERR NOSPACE push buffers full") == true, "\(replies)")
            #expect(replies.last?.hasPrefix("OK") == true, "the connection stays in frame: \(replies)")
            // Once the first push is gone, its room is free again.
            slow.shutdown()
            try await waitUntil("the abandoned push's room is released", within: .seconds(10)) {
                let retry = try RawSocket(chunkserver)
                defer { retry.shutdown() }
                retry.send("PUSH id=c len=900000\n" + String(repeating: "z", count: 900_000))
                return retry.readLines(1).first == "OK"
            }

            // A server started under a low soft descriptor limit (a user's login gets 1,024) raises it to the
            // hard one, so it does not turn clients away for a limit kept only for select(2).
            let raised = try cluster.startChunkserver(softDescriptorLimit: 300)
            let limits = try String(contentsOfFile: "/proc/\(raised.pid)/limits", encoding: .utf8)
            let openFiles = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
            // "Max open files  SOFT  HARD  files"; the raise stops at 2^20, and an unlimited hard limit is 2^20 then.
            let fields = openFiles.split(separator: " ", omittingEmptySubsequences: true)
            try #require(fields.count >= 5, "\(openFiles)")
            let hard = fields[4] == "unlimited" ? 1 << 20 : min(try #require(Int(fields[4])), 1 << 20)
            #expect(hard > 300 && fields[3] == "\(hard)", "\(openFiles)")

            // One address holds at most a quarter of the descriptors (a server under `ulimit -n 300`: 11).
            let limited = try cluster.startChunkserver(descriptorLimit: 300)
            var held: [RawSocket] = []
            defer { for socket in held { socket.shutdown() } }
            var refusal: String?
            for _ in 0..<40 where refusal == nil {
                let socket = try RawSocket(limited.address)
                held.append(socket)
                socket.send("HELP\n")
                let first = socket.readLines(1).first ?? ""
                if first.hasPrefix("ERR") { refusal = first }
            }
            #expect(refusal?.hasPrefix("ERR UNAVAILABLE too many connections") == true, "\(String(describing: refusal))")
            #expect(held.count < 40)
            for socket in held { socket.shutdown() }
            held = []
            try await waitUntil("connections are counted out as they close", within: .seconds(10)) {
                let socket = try RawSocket(limited.address)
                defer { socket.shutdown() }
                socket.send("HELP\n")
                return socket.readLines(1).first?.hasPrefix("OK") == true
            }

            // MKDIR parents of a path 300 names deep, or with a 256-byte name, is refused and makes nothing.
            let deep = "/" + Array(repeating: "d", count: 300).joined(separator: "/")
            let tooDeep = try cluster.gfs(["mkdir", "-p", deep])
            #expect(tooDeep.status == 2 && tooDeep.stderr.contains("at most 255 names"), "\(tooDeep.stderr)")
            let long = try cluster.gfs(["mkdir", "/" + String(repeating: "n", count: 256)])
            #expect(long.status == 2, "\(long.stderr)")
            #expect(try cluster.gfs(["ls", "/"]).stdout == "")
            let deepest = "/" + Array(repeating: "d", count: 255).joined(separator: "/")
            #expect(try cluster.gfs(["mkdir", "-p", deepest]).status == 0)
        }
    }

    @Test func secondaryRefusesSerialsItHasPassed() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1"]) { cluster in
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: Data("0123456789".utf8)).status == 0)
            let fields = try Self.firstChunk(try RawSocket(cluster.masterAddress))
            let handle = try #require(fields["handle"])
            let version = try #require(fields["version"].flatMap { UInt64($0) })
            let server = try RawSocket(cluster.chunkservers[0].address)
            func apply(_ serial: UInt64, _ byte: String, version: UInt64 = version) -> String {
                server.send("PUSH id=\(byte)\(serial) len=1\n\(byte)")
                guard server.readLines(1) == ["OK"] else { return "push failed" }
                server.send("APPLY handle=\(handle) version=\(version) serial=\(version << 32 | serial) offset=0 id=\(byte)\(serial)\n")
                return server.readLines(1).first ?? "no reply"
            }
            #expect(apply(5, "A").hasPrefix("OK"))
            #expect(apply(3, "B").hasPrefix("ERR"), "serial 3 comes after 5 has been applied")
            #expect(apply(5, "C").hasPrefix("ERR"), "a serial is applied once")
            #expect(apply(6, "D", version: version + 1).hasPrefix("ERR STALE"))
            #expect(apply(6, "E").hasPrefix("OK"), "the refused APPLY did not take serial 6")
            server.send("READ handle=\(handle) version=\(version) offset=0 length=3\n")
            #expect(server.readLines(1) == ["OK len=3"])
            #expect(String(decoding: server.readBytes(3), as: UTF8.self) == "E12")
        }
    }

    /// A chunkserver works on the requests of one connection at once but answers them in order: a request
    /// stuck on a silent peer neither blocks the one behind it nor lets its reply overtake.
    @Test func chunkserverRequestsRunTogetherAndAnswerInOrder() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1"]) { cluster in
            let silent = try SilentListener()
            let pipelined = try RawSocket(cluster.chunkservers[0].address, timeout: 0.2)
            pipelined.send("REPLICATE handle=0000000000000abc version=1 from=\(silent.address)\n"
                           + "GRANT handle=0000000000000def version=1 create=1\nHELP\n")
            let observer = try RawSocket(cluster.chunkservers[0].address)
            let deadline = ContinuousClock.now + .seconds(10)
            var status = ""
            repeat {
                observer.send("STATUS\n")
                status = observer.readLines(1).first ?? ""
            } while !status.contains(" chunks=1 ") && ContinuousClock.now < deadline
            #expect(status.contains(" chunks=1 "), "the GRANT behind the stuck REPLICATE ran")
            #expect(silent.hasBeenCalled)
            #expect(pipelined.readLines(1).isEmpty, "no reply overtakes the REPLICATE's")
        }
    }
}
