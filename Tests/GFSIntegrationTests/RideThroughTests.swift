// Goal: clients wait out failures that pass instead of failing (issue 17): a `gfs append` pipeline and
// puts ride through master restarts, reads right after a restart wait for the chunkservers' reports, and a
// command gives up with status 3 only once --timeout passes with no progress.
// Method: real processes on loopback; the master is killed with SIGKILL and started again on its address
// while a client is mid-stream.
import Foundation
import GFSTestSupport
import Testing

/// Numbered lines written to a running `gfs append`, and all of them so far.
final class RecordFeed {
    let append: RunningCommand
    private(set) var expected = ""
    private(set) var count = 0

    init(_ append: RunningCommand) { self.append = append }

    /// Writes the next `lines` records.
    func feed(_ lines: Int) throws {
        var text = ""
        for _ in 0..<lines {
            count += 1
            text += "record \(count)\n"
        }
        expected += text
        try append.write(Data(text.utf8))
    }
}

@Suite struct RideThroughTests {
    @Test func appendPipelineSurvivesMasterRestarts() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let append = try cluster.start(["append", "--create", "/app"], keepOpen: true)
            let records = RecordFeed(append)
            func feed(_ count: Int) throws { try records.feed(count) }
            for _ in 0..<4 {
                try feed(40)
                let master = try #require(cluster.master)
                cluster.kill(master)
                try feed(40)  // arrives while no master runs
                try cluster.restartMaster()
            }
            try feed(40)
            append.closeInput()
            let result = append.wait(within: 90)
            #expect(result.status == 0, "\(result.stderr)")
            let read = try cluster.gfs(["cat", "/app"])
            #expect(read.status == 0, "\(read.stderr)")
            #expect(read.stdout == records.expected, "every record once, in order")
        }
    }

    /// The bar: a pipeline fed while the master is SIGKILLed and started again 20 times, with a
    /// chunkserver SIGKILLed (and started again) every fourth time, exits 0 with every record there once.
    @Test func appendPipelineSurvivesTwentyMasterRestartsAndChunkserverKills() async throws {
        try await withCluster(chunkservers: 4) { cluster in
            let append = try cluster.start(["append", "--create", "/app", "--timeout", "120"], keepOpen: true)
            let records = RecordFeed(append)
            func feed(_ count: Int) throws { try records.feed(count) }
            var downChunkserver: ProcessCluster.Server?
            for round in 0..<20 {
                try feed(25)
                cluster.kill(try #require(cluster.master))
                try feed(25)
                try cluster.restartMaster()
                if let down = downChunkserver {
                    try cluster.startChunkserver(folder: down.directory)
                    downChunkserver = nil
                } else if round % 4 == 3 {
                    let victim = cluster.chunkservers.filter { !$0.exit.hasExited }[round % 3]
                    cluster.kill(victim)
                    downChunkserver = victim
                }
                // The client gets a word in before the next kill: a record of this round is readable.
                try await waitUntil("the pipeline makes progress in round \(round)", within: .seconds(60)) {
                    try cluster.gfs(["cat", "/app"]).stdout.contains("record \(records.count - 25)\n")
                }
            }
            try feed(25)
            append.closeInput()
            let result = append.wait(within: 120)
            #expect(result.status == 0, "\(result.stderr)")
            let read = try cluster.gfs(["cat", "/app"])
            #expect(read.status == 0, "\(read.stderr)")
            #expect(read.stdout == records.expected, "every record once, in order")
        }
    }

    @Test func putAndCatRightAfterAMasterRestart() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let data = testBytes(300_000, seed: 17)
            #expect(try cluster.gfs(["put", "-", "/before"], stdin: data).status == 0)
            let master = try #require(cluster.master)
            cluster.kill(master)
            let put = try cluster.start(["put", "-", "/during"], stdin: data)
            try cluster.restartMaster()
            let cat = try cluster.gfs(["cat", "/before"])
            #expect(cat.status == 0 && cat.output == data, "a read right after the restart waits for reports: \(cat.stderr)")
            let putResult = put.wait(within: 90)
            #expect(putResult.status == 0, "a put started while the master was down: \(putResult.stderr)")
            #expect(try cluster.gfs(["cat", "/during"]).output == data)
        }
    }

    /// With a 30 s lease, appends after a master restart need not wait the 30 s fence: the chunkservers report
    /// the leases they hold when they register again, and a chunk one of whose replicas reported and whose
    /// primary holds no lease is granted at once.
    @Test func noFullLeaseStallAfterARestart() async throws {
        let flags = ["--chunk-size", "64K", "--lease", "30s", "--heartbeat-timeout", "3s"]
        try await withCluster(chunkservers: 3, master: flags) { cluster in
            #expect(try cluster.gfs(["append", "--create", "/log"], stdin: Data("one\n".utf8)).status == 0)
            // Revoked by a snapshot, the lease is gone on every chunkserver; the restarted master knows none.
            #expect(try cluster.gfs(["snapshot", "/log", "/snap"]).status == 0)
            try cluster.restartMaster()
            let append = try cluster.gfs(["append", "--timeout", "15", "/log"], stdin: Data("two\n".utf8))
            #expect(append.status == 0, "appended within 15 s of a restart with a 30 s lease: \(append.stderr)")
            #expect(try cluster.gfs(["cat", "/log"]).stdout == "one\ntwo\n")
        }
    }

    /// A chunkserver frozen (SIGSTOP) while the master still lists it: its kernel takes every read request and
    /// nothing answers. A read asks another replica after a second rather than waiting out its reply timeout
    /// for each piece that chose the frozen one (a 1 GiB cat took 205 s that way). `gfs checksum` does too.
    @Test func readsPassOverAFrozenReplica() async throws {
        let flags = ["--chunk-size", "64K", "--lease", "2s", "--heartbeat-timeout", "120s"]
        try await withCluster(chunkservers: 3, master: flags) { cluster in
            let data = testBytes(2_000_000, seed: 23)  // 31 chunks, each on all three chunkservers
            #expect(try cluster.gfs(["put", "-", "/file"], stdin: data).status == 0)
            let frozen = cluster.chunkservers[1]
            kill(frozen.pid, SIGSTOP)
            defer { kill(frozen.pid, SIGCONT) }
            // Each piece asks the frozen replica first with odds of 1 in 3; one that waited for its 60 s reply
            // timeout would outlast the 45 s this read is given.
            let read = try cluster.gfs(["cat", "--timeout", "60", "/file"], limit: 45)
            #expect(read.status == 0 && read.output == data, "\(read.stderr)")
            // So does `gfs checksum`, which asked the replicas strictly in turn.
            let local = cluster.root.appendingPathComponent("file.local")
            try data.write(to: local)
            let expected = try #require(try cluster.gfs(["checksum", "--local", local.path]).stdout.split(separator: "\t").last)
            let sum = try cluster.gfs(["checksum", "--timeout", "60", "/file"], limit: 45)
            #expect(sum.status == 0 && sum.stdout.split(separator: "\t").last == expected, "\(sum.stderr)")
        }
    }

    /// A replica frozen (SIGSTOP) mid-put, while the lease the client holds still names it: its kernel takes
    /// the pushed bytes and nothing drains them, so the push through the chain hangs. The put asks again once
    /// its call times out, by when the master has dropped the frozen replica from the lease (or, if it was the
    /// primary, its 5 s lease has run out). A PUSH waits a third of --timeout, so this takes about 10 s; with
    /// a call deadline of the whole --timeout it took 30 s, and a put whose hang was not its first failure gave
    /// up then with status 3 (PatienceTests.aHungMutationCallLeavesTimeToTryAgain holds that rule).
    @Test func putRidesThroughAFrozenReplica() async throws {
        try await withCluster(chunkservers: 3, master: ["--heartbeat-timeout", "3s", "--lease", "5s"]) { cluster in
            try await Self.put(on: cluster, timeout: 30, seed: 29) { _ in [cluster.chunkservers[1]] }
        }
    }

    /// A frozen primary keeps its lease until the lease ends (the master must not grant another before), here
    /// up to 20 s, longer than the put's --timeout of 8 s. The master's refusal says when the lease ends
    /// (`retry_ms=`), and the put waits that out rather than give up after its timeout.
    @Test func putWaitsOutTheLeaseOfAFrozenPrimary() async throws {
        try await withCluster(chunkservers: 3, master: ["--heartbeat-timeout", "3s", "--lease", "20s"]) { cluster in
            // The client pushes to, and writes through, the primary alone.
            try await Self.put(on: cluster, timeout: 8, seed: 31) { put in
                let peers = Self.remotePorts(of: put.process.processIdentifier)
                return cluster.chunkservers.filter { server in
                    server.address.split(separator: ":").last.flatMap { Int($0) }.map(peers.contains) == true
                }
            }
        }
    }

    /// A 24 MiB `put --timeout` fed from a pipe, which must finish with the same bytes although the chunkserver
    /// `freezing` names is stopped (SIGSTOP) once the first 8 MiB piece is on every replica, so the client
    /// holds a lease naming all three. `freezing` is asked until it names exactly one.
    static func put(on cluster: ProcessCluster, timeout: Int, seed: UInt64,
                    freezing: (RunningCommand) -> [ProcessCluster.Server]) async throws {
        let data = testBytes(24 << 20, seed: seed)
        let put = try cluster.start(["put", "--timeout", String(timeout), "-", "/file"], keepOpen: true)
        var frozen: ProcessCluster.Server?
        defer { if let frozen { kill(frozen.pid, SIGCONT) } }
        do {
            try put.write(data.prefix(9 << 20))
            try await waitUntil("the first piece on every replica, and one chunkserver to freeze", within: .seconds(30)) {
                let named = freezing(put)
                guard named.count == 1,
                      cluster.chunkservers.allSatisfy({ Self.chunkBytes(under: $0.directory) >= 8 << 20 }) else { return false }
                frozen = named.first
                return true
            }
        } catch {
            let result = put.wait(within: 1)
            throw ClusterError("\(error); the put: status \(result.status), \(result.stderr)")
        }
        kill(try #require(frozen).pid, SIGSTOP)
        try? put.write(data.dropFirst(9 << 20))  // a put that gave up has closed its end
        put.closeInput()
        let result = put.wait(within: 90)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try cluster.gfs(["cat", "/file"]).output == data)
    }

    /// The remote ports of a process's TCP connections: its socket descriptors matched against the kernel's table.
    static func remotePorts(of pid: Int32) -> Set<Int> {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        let inodes = Set(fds.compactMap { fd -> String? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                  target.hasPrefix("socket:[") else { return nil }
            return String(target.dropFirst(8).dropLast())
        })
        var ports = Set<Int>()
        for table in ["tcp", "tcp6"] {
            // Read to the end: the kernel hands a long table out a page per read.
            let bytes = try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/\(pid)/net/\(table)")).readToEnd()
            let text = String(decoding: bytes ?? Data(), as: UTF8.self)
            for row in text.split(separator: "\n").dropFirst() {
                let columns = row.split(separator: " ")
                guard columns.count > 9, inodes.contains(String(columns[9])),
                      let port = columns[2].split(separator: ":").last.flatMap({ Int($0, radix: 16) }) else { continue }
                ports.insert(port)
            }
        }
        return ports
    }

    /// Bytes in the replica files under a chunkserver's folder.
    static func chunkBytes(under folder: URL) -> Int {
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey])
        var total = 0
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "chunk" else { continue }
            total += (try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        }
        return total
    }

    @Test func givesUpWithStatus3OnlyAfterTheTimeout() throws {
        let started = ContinuousClock.now
        let result = try ProcessCluster.run(ProcessCluster.binary, ["ls", "--master", "127.0.0.1:1", "--timeout", "2"])
        let took = ContinuousClock.now - started
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("gfs: cannot connect to 127.0.0.1:1: Connection refused (still so after"), "\(result.stderr)")
        #expect(took >= .seconds(2), "it waited out --timeout")
    }
}
