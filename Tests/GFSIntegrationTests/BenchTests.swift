// Goal: every `gfs bench` mode runs end to end and reports what it measured: rates, latency percentiles,
// bounds and ratios. Method: tiny sizes against a real cluster, and once against the throwaway cluster of
// --local. No timing is asserted (speed is for release builds, not tests).
import Foundation
import GFSTestSupport
import Testing

@Suite(.serialized) struct BenchTests {
    /// The phases a bench run printed as JSON.
    static func phases(_ result: CommandResult) throws -> [[String: Any]] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: result.output) as? [[String: Any]])
    }

    static func expectMeasured(_ phase: [String: Any], name: String, operations: Int? = nil) {
        #expect(phase["name"] as? String == name)
        #expect((phase["rate"] as? Double ?? 0) > 0)
        if let operations { #expect(phase["operations"] as? Int == operations) }
        let latency = phase["latencyMs"] as? [String: Double] ?? [:]
        #expect(Set(latency.keys) == ["p50", "p90", "p99", "max"])
        #expect((latency["p50"] ?? -1) <= (latency["max"] ?? -2))
        let bounds = phase["bounds"] as? [[String: Any]] ?? []
        #expect(!bounds.isEmpty && (bounds[0]["rate"] as? Double ?? 0) > 0 && (phase["ratio"] as? Double ?? 0) > 0)
        #expect(bounds.allSatisfy { ($0["ratio"] as? Double ?? 0) > 0 }, "each bound's own ratio")
    }

    @Test func dataModesAgainstACluster() async throws {
        try await withCluster(chunkservers: 3, master: ["--chunk-size", "1M"]) { cluster in
            let common = ["--clients", "2", "--size", "3M", "--baseline", "--json"]
            let write = try Self.phases(cluster.gfs(["bench", "write"] + common))
            Self.expectMeasured(write[0], name: "write")
            #expect(write[0]["bytes"] as? Int == 3 << 20)
            // Each write bound (3 files; a relay chain over loopback) is run before gfs and after, and the
            // faster run is the bound.
            let notes = write[0]["notes"] as? [String: Double] ?? [:]
            let bounds = write[0]["bounds"] as? [[String: Any]] ?? []
            #expect(bounds.count == 2, "the files bound and the chain bound")
            for (index, key) in ["bound", "chain"].enumerated() {
                let runs = [notes["\(key)_before_mb_per_s"], notes["\(key)_after_mb_per_s"]].compactMap { $0 }
                #expect(runs.count == 2 && runs.allSatisfy { $0 > 0 }, "\(key): \(notes)")
                let bound = index < bounds.count ? bounds[index]["rate"] as? Double ?? 0 : 0
                #expect(abs(bound.rounded() - (runs.max() ?? -1)) <= 1, "\(key) \(bound) is the faster of \(runs)")
            }
            // Another cluster's servers are not the benchmark's to watch: only its own CPU is noted.
            #expect(notes["client_cpu_seconds"] != nil && notes["chunkservers_cpu_seconds"] == nil
                        && notes["master_cpu_seconds"] == nil, "\(notes)")
            let read = try Self.phases(cluster.gfs(["bench", "read"] + common))
            Self.expectMeasured(read[0], name: "read")
            #expect(read[0]["bytes"] as? Int == 3 << 20)
            #expect((read[0]["bounds"] as? [[String: Any]])?.count == 3, "socket, file-over-socket and read(2) bounds")
            let append = try Self.phases(cluster.gfs(["bench", "append", "--record-size", "1K", "--batch", "8",
                                                      "--clients", "2", "--size", "1M", "--baseline", "--json"]))
            Self.expectMeasured(append[0], name: "append", operations: 1 << 10)
            // The benchmark's files are gone, purged rather than left in the trash.
            #expect(try cluster.gfs(["ls", "/"]).stdout == "")
            #expect(try cluster.gfs(["ls", "--deleted"]).stdout == "")
            let human = try cluster.gfs(["bench", "write", "--size", "1M"])
            #expect(human.status == 0 && human.stdout.hasPrefix("write ") && human.stdout.contains(" MB/s"))
            // Each round's folder goes too.
            let rounds = try cluster.gfs(["bench", "write", "--size", "1M", "--rounds", "2"])
            #expect(rounds.status == 0 && rounds.stdout.contains("write median of 2 "), "\(rounds.stdout)")
            #expect(try cluster.gfs(["ls", "/"]).stdout == "")
            #expect(try cluster.gfs(["ls", "--deleted"]).stdout == "")
        }
    }

    @Test func metaAgainstALocalCluster() throws {
        let result = try ProcessCluster.run(ProcessCluster.binary, ["bench", "meta", "--local", "--baseline", "--json",
                                                                     "--files", "300", "--clients", "3"], limit: 120)
        let phases = try Self.phases(result)
        #expect(phases.map { $0["name"] as? String } == ["create", "stat", "ls", "delete"])
        for phase in phases {
            Self.expectMeasured(phase, name: phase["name"] as? String ?? "", operations: phase["name"] as? String == "ls" ? 30 : 300)
        }
        #expect((phases[0]["notes"] as? [String: Double])?["master_bytes_per_file"] != nil)
    }

    /// A local cluster's phases say where the CPU went: to the benchmark, the master or the chunkservers.
    @Test func localPhasesNoteWhereTheCPUWent() throws {
        let result = try ProcessCluster.run(ProcessCluster.binary, ["bench", "write", "--local", "--json", "--size", "32M"],
                                            limit: 120)
        let phases = try Self.phases(result)
        let notes = try #require(phases.first?["notes"] as? [String: Double])
        // 32 MiB stored three times is checksummed, written and synced by the chunkservers: well past a tick.
        #expect((notes["chunkservers_cpu_seconds"] ?? 0) > 0, "\(notes)")
        #expect(notes["client_cpu_seconds"] != nil, "\(notes)")
        #expect((notes["master_cpu_seconds"] ?? -1) >= 0, "\(notes)")
    }

    /// `--rounds` measures gfs and its bound once per round, then adds the rounds' medians: the ratio is the
    /// median of the ratios each round took against its own bound, not the ratio of the medians.
    @Test func roundsEndWithTheirMedians() throws {
        let result = try ProcessCluster.run(ProcessCluster.binary, ["bench", "write", "--local", "--baseline", "--json",
                                                                     "--rounds", "3", "--size", "2M"], limit: 180)
        let phases = try Self.phases(result)
        try #require(phases.count == 4)
        #expect(phases.map { $0["round"] as? Int } == [1, 2, 3, nil])
        let summary = phases[3]
        Self.expectMeasured(summary, name: "write")
        #expect(summary["medianOf"] as? Int == 3)
        func middle(_ values: [Double]) throws -> Double {
            try #require(values.count == 3)
            return values.sorted()[1]
        }
        let rounds = phases.prefix(3)
        #expect(summary["rate"] as? Double == (try middle(rounds.compactMap { $0["rate"] as? Double })))
        #expect(summary["ratio"] as? Double == (try middle(rounds.compactMap { $0["ratio"] as? Double })))
        let boundRates = rounds.compactMap { (($0["bounds"] as? [[String: Any]])?.first?["rate"]) as? Double }
        #expect((summary["bounds"] as? [[String: Any]])?.first?["rate"] as? Double == (try middle(boundRates)))
        // A local round waits for the last round's replicas to be deleted, rather than paying for their deletes.
        let waits = rounds.map { ($0["notes"] as? [String: Double])?["deletes_waited_seconds"] }
        #expect(waits[0] != nil && waits[1] != nil && waits[2] == nil, "\(waits)")
        #expect(!result.stderr.contains("still on disk"), "\(result.stderr)")

        let human = try ProcessCluster.run(ProcessCluster.binary, ["bench", "append", "--local", "--rounds", "2",
                                                                    "--size", "64K", "--record-size", "1K"], limit: 180)
        #expect(human.status == 0, "\(human.stderr)")
        #expect(human.stdout.contains("append round 2 ") && human.stdout.contains("append median of 2 "), "\(human.stdout)")
        for rounds in ["0", "101"] {
            let refused = try ProcessCluster.run(ProcessCluster.binary, ["bench", "write", "--rounds", rounds], limit: 30)
            #expect(refused.status != 0 && refused.stderr.contains("--rounds must be 1...100"), "\(refused.stderr)")
        }
        let memory = try ProcessCluster.run(ProcessCluster.binary, ["bench", "memory", "--rounds", "2"], limit: 30)
        #expect(memory.status != 0 && memory.stderr.contains("--rounds does not apply to memory"), "\(memory.stderr)")
    }

    /// The meta bench watches each connection as a whole, with no timer per request: a master that stops
    /// answering mid-run (SIGSTOP) still fails the run, with the reason, once `--timeout` passes.
    @Test func metaAgainstAFrozenMasterFailsOnceItsTimeoutPasses() async throws {
        try await withCluster(chunkservers: 1) { cluster in
            let master = try #require(cluster.master)
            // 20000 files: 200 folders made first, then 20000 creates and as many stats, far more than are done
            // by the freeze.
            let bench = try cluster.start(["bench", "meta", "--clients", "2", "--files", "20000", "--timeout", "3"])
            var ended = false
            defer { if !ended { kill(bench.process.processIdentifier, SIGKILL); _ = bench.wait(within: 10) } }
            try await waitUntil("the bench to create files", within: .seconds(60)) {
                let count = try cluster.gfs(["count", "/"]).stdout.split(separator: "\t")
                return count.count > 1 && (Int(count[1]) ?? 0) > 100
            }
            kill(master.pid, SIGSTOP)
            defer { kill(master.pid, SIGCONT) }
            let frozen = ContinuousClock.now
            let result = bench.wait(within: 60)
            ended = true
            #expect(result.status != 0)
            #expect(result.stderr.contains("answered nothing within"), "\(result.stderr)")
            // The watch gives up after 3 to 6 s; the bench's cleanup after it, after about as long again.
            #expect(ContinuousClock.now - frozen < .seconds(25), "the run ended \(ContinuousClock.now - frozen) after the freeze")
        }
    }

    /// A bench stopped by SIGTERM (`timeout`, a script) stops the servers of its --local cluster and removes
    /// their folder, rather than leaving them running.
    @Test func aSignalledLocalBenchStopsItsCluster() async throws {
        let bench = try RunningCommand(ProcessCluster.binary, ["bench", "write", "--local", "--size", "64G"])
        let marker = "gfs-bench-\(bench.process.processIdentifier)-"
        // Whatever happens below, no server of this test is left running.
        defer {
            if bench.process.isRunning { kill(bench.process.processIdentifier, SIGKILL) }
            for pid in Self.servers(marker) { kill(pid, SIGKILL) }
        }
        try await waitUntil("the local cluster's 4 servers run", within: .seconds(60)) { Self.servers(marker).count == 4 }
        bench.process.terminate()
        let result = bench.wait(within: 60)
        #expect(result.status == 128 + SIGTERM, "\(result.stderr)")
        try await waitUntil("the servers are gone", within: .seconds(20)) { Self.servers(marker).isEmpty }
        let temporary = FileManager.default.temporaryDirectory.path
        let left = (try? FileManager.default.contentsOfDirectory(atPath: temporary))?.filter { $0.hasPrefix(marker) } ?? []
        #expect(left.isEmpty, "left behind: \(left)")
    }

    /// A bench killed by SIGKILL cannot stop its servers; they notice it is gone and stop themselves, rather
    /// than hold their ports and folders until someone finds them.
    @Test func theServersOfAKilledLocalBenchStopThemselves() async throws {
        let bench = try RunningCommand(ProcessCluster.binary, ["bench", "write", "--local", "--size", "64G"])
        let marker = "gfs-bench-\(bench.process.processIdentifier)-"
        let temporary = FileManager.default.temporaryDirectory
        defer {
            if bench.process.isRunning { kill(bench.process.processIdentifier, SIGKILL) }
            for pid in Self.servers(marker) { kill(pid, SIGKILL) }
            // Nobody is left to remove the cluster's folder.
            for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix(marker) {
                try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
            }
        }
        try await waitUntil("the local cluster's 4 servers run", within: .seconds(60)) { Self.servers(marker).count == 4 }
        kill(bench.process.processIdentifier, SIGKILL)
        #expect(bench.wait(within: 60).status == SIGKILL, "killed by the signal, not exited")
        try await waitUntil("the servers are gone", within: .seconds(20)) { Self.servers(marker).isEmpty }
        // Gone by their own planned stop, not by a crash.
        let folder = try #require((try FileManager.default.contentsOfDirectory(atPath: temporary.path)).first { $0.hasPrefix(marker) })
        let log = try String(contentsOf: temporary.appendingPathComponent(folder).appendingPathComponent("servers.log"), encoding: .utf8)
        #expect(log.components(separatedBy: "is gone; stopping").count - 1 == 4, "\(log)")
    }

    /// The pids of the running processes whose command line holds `marker`.
    static func servers(_ marker: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let arguments = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: arguments, as: UTF8.self).contains(marker)
        }
    }

    /// The memory probe needs no cluster: its two phases carry the bytes per file and per chunk.
    @Test func memoryProbeCountsBytesPerFileAndChunk() throws {
        let result = try ProcessCluster.run(ProcessCluster.binary, ["bench", "memory", "--files", "2000", "--chunks", "6000",
                                                                     "--json"], limit: 120)
        let phases = try Self.phases(result)
        #expect(phases.map { $0["name"] as? String } == ["create", "allocate"])
        #expect(phases.map { $0["operations"] as? Int } == [2000, 6000])
        let perFile = (phases[0]["notes"] as? [String: Double])?["bytes_per_file"] ?? 0
        let perChunk = (phases[1]["notes"] as? [String: Double])?["bytes_per_chunk"] ?? 0
        #expect(perFile > 0 && perFile < 100_000, "bytes per file: \(perFile)")
        #expect(perChunk > 0 && perChunk < 100_000, "bytes per chunk: \(perChunk)")
        #expect(try ProcessCluster.run(ProcessCluster.binary, ["bench", "memory", "--chunks", "-1"]).status == 2)
    }

    @Test func badArgumentsAreUsageErrors() throws {
        let result = try ProcessCluster.run(ProcessCluster.binary, ["bench", "fly"])
        #expect(result.status == 2 && result.stderr.contains("fly"))
        #expect(try ProcessCluster.run(ProcessCluster.binary, ["bench", "write", "--clients", "0"]).status == 2)
    }
}
