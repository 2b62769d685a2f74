// Goal (issue 17): the cluster works with every role on a host of its own, reached at the address it
// advertises while it listens on every interface, replicas spread over racks; and a primary cut off from etcd
// and the chunkservers, while a client can still reach it, gets no mutation acknowledged after its election
// lease (DESIGN.md §6: a master that cannot prove it is the primary answers nothing as one).
// Method: each role runs in a network namespace of the test's own (TestNetwork), joined to the test by a
// bridge; partitions are blackhole routes. Needs root, as CI has.
import Foundation
import GFSTestSupport
import Testing

@Suite(.serialized, .enabled(if: TestNetwork.isAvailable || ProcessInfo.processInfo.environment["GFS_REQUIRE_NETNS"] == "1",
                             "network namespaces need root (GFS_REQUIRE_NETNS=1 makes their absence a failure)"))
struct MultiHostTests {
    static let racks = ["cs1": "left", "cs2": "left", "cs3": "right", "cs4": "right"]

    /// Runs `body` with etcd, two elected masters and the chunkservers of `racks`, each on its own test host,
    /// once a primary is elected and every chunkserver registered; stops them all and removes the hosts after.
    static func withHosts(_ name: String, _ body: (ProcessCluster, TestNetwork) async throws -> Void) async throws {
        let network = try TestNetwork(hosts: ["etcd", "m1", "m2"] + racks.keys.sorted())
        defer { network.teardown() }
        let cluster = try ProcessCluster(name: name)
        cluster.network = network
        defer { cluster.stop() }
        let etcd = try await EtcdProcess(network: network, host: "etcd")
        defer { etcd.stop() }
        do {
            try cluster.startElectedMasters(2, etcd: etcd.endpoint, hosts: ["m1", "m2"])
            for host in racks.keys.sorted() {
                try cluster.startChunkserver(host: host, ["--heartbeat-interval", "200ms", "--rack", racks[host] ?? ""])
            }
            try await waitUntil("a primary is elected", within: .seconds(20)) { FailoverTests.primary(cluster) != nil }
            try await cluster.waitForLiveChunkservers(racks.count)
            try await body(cluster, network)
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    @Test func everyRoleOnItsOwnHostWithReplicasAcrossRacks() async throws {
        try await Self.withHosts("hosts") { cluster, network in
            // Every server is known by its host's address, not by the wildcard it listens on.
            let rackOf = Dictionary(uniqueKeysWithValues: try Self.racks.map { (try network.address($0.key), $0.value) })
            let status = try cluster.gfs(["status"])
            for host in rackOf.keys { #expect(status.stdout.contains(host + ":"), "\(host) in \(status.stdout)") }
            #expect(!status.stdout.contains("0.0.0.0"), "\(status.stdout)")

            let data = testBytes(300_000, seed: 7)  // five 64 KiB chunks
            let put = try cluster.gfs(["put", "-", "/spread"], stdin: data)
            #expect(put.status == 0, "\(put.stderr)")
            let read = try cluster.gfs(["cat", "/spread"])
            #expect(read.status == 0 && read.output == data, "\(read.stderr)")
            let append = try cluster.gfs(["append", "--create", "/log"], stdin: Data("one\ntwo\n".utf8))
            #expect(append.status == 0, "\(append.stderr)")

            let fsck = try cluster.gfs(["fsck", "/spread", "--chunks", "--locations"])
            let chunks = fsck.stdout.split(separator: "\n").filter { $0.hasPrefix("chunk\t") }
            #expect(chunks.count == 5, "\(fsck.stdout)")
            for chunk in chunks {
                let columns = chunk.split(separator: "\t")
                let holders = columns.count > 5 ? columns[5].split(separator: " ").dropFirst().first?.split(separator: ",") ?? [] : []
                let racks = Set(holders.compactMap { rackOf[String($0.split(separator: ":").first ?? "")] })
                #expect(holders.count == 3 && racks == ["left", "right"], "replicas of one chunk on both racks: \(chunk)")
            }
        }
    }

    /// The primary is cut off from etcd, the other master and every chunkserver; the test (a client) can still
    /// reach it and keeps sending it MKDIRs and STATUS. Once its election lease has ended it must not say it is
    /// the primary (it exits), nothing it acknowledges may come after that, everything it acknowledged must be
    /// in the new primary's namespace, and the other client's puts, which know both masters, go on.
    @Test func aPartitionedPrimaryAcknowledgesNothingAfterItsLease() async throws {
        try await Self.withHosts("partition", Self.cutOffThePrimary)
    }

    static func cutOffThePrimary(_ cluster: ProcessCluster, _ network: TestNetwork) async throws {
        let old = try #require(FailoverTests.primary(cluster))
        let oldAddress = cluster.elected[old].address
        let stop = LockedFlag(), probed = LockedCounter(), rounds = LockedCounter()
        defer { stop.set() }
        let prober = Task.detached { () -> [(index: Int, at: ContinuousClock.Instant, reply: String)] in
            var replies: [(index: Int, at: ContinuousClock.Instant, reply: String)] = []
            var index = 0
            while !stop.isSet {
                index += 1
                // STATUS on a connection of its own: it must not wait behind a MKDIR waiting for its replica.
                for (request, number) in [("MKDIR /probe-\(index)", index), ("STATUS", -index)] {
                    guard let socket = try? RawSocket(oldAddress, timeout: 3) else { continue }
                    socket.send(request + "\n")
                    replies.append((number, .now, socket.readLines(1).first ?? "no reply"))
                    socket.shutdown()
                }
                probed.increment()
                try? await Task.sleep(for: .milliseconds(50))
            }
            return replies
        }
        let masters = cluster.masterAddress
        let load = Task.detached { () -> (done: [Int], failed: [String]) in
            var done: [Int] = [], failed: [String] = []
            var index = 0
            while !stop.isSet {
                index += 1
                let put = try? ProcessCluster.run(ProcessCluster.binary, ["put", "-", "/load-\(index)", "--master", masters, "--timeout", "60"],
                                                  stdin: testBytes(20_000, seed: UInt64(index)))
                if put?.status == 0 { done.append(index) } else { failed.append("/load-\(index): \(put?.stderr ?? "")") }
                rounds.increment()
            }
            return (done, failed)
        }
        try await waitUntil("probes and puts before the cut", within: .seconds(30)) { probed.count >= 10 && rounds.count >= 2 }

        let oldHost = old == 0 ? "m1" : "m2"
        try network.isolate(oldHost, from: ["etcd", old == 0 ? "m2" : "m1"] + Self.racks.keys.sorted())
        let cutAt = ContinuousClock.now
        try await waitUntil("the other master is the primary", within: .seconds(15)) { FailoverTests.primary(cluster) == 1 - old }
        let seen = rounds.count
        try await waitUntil("puts go on through the new primary", within: .seconds(60)) { rounds.count >= seen + 3 }
        stop.set()
        let replies = await prober.value
        let (done, failed) = await load.value
        try network.healAll()

        // The election lease is 2 s (startElectedMasters), renewed every third of it: a second of slack.
        let leaseEnd = cutAt + .seconds(3)
        let statuses = replies.filter { $0.index < 0 }
        #expect(statuses.contains { $0.at < cutAt && $0.reply.contains("role=primary") }, "it was the primary before the cut")
        let stillPrimary = statuses.filter { $0.at > leaseEnd && $0.reply.contains("role=primary") }
        #expect(stillPrimary.isEmpty, "the cut-off master said it was the primary after its lease: \(stillPrimary.map(\.reply))")
        let acknowledged = replies.filter { $0.index > 0 && $0.reply.hasPrefix("OK") }
        let late = acknowledged.filter { $0.at > leaseEnd }
        #expect(late.isEmpty, "the cut-off primary acknowledged after its lease: \(late.map(\.index))")
        #expect(acknowledged.contains { $0.at < cutAt }, "it acknowledged MKDIRs before the cut")
        let listing = try cluster.gfs(["ls", "/"])
        let names = Set(listing.stdout.split(separator: "\n").map(String.init))
        let lost = acknowledged.filter { !names.contains("probe-\($0.index)") }
        #expect(lost.isEmpty, "acknowledged MKDIRs missing on the new primary: \(lost.map(\.index))")

        #expect(failed.isEmpty, "puts failed across the partition: \(failed)")
        for index in done {
            let read = try cluster.gfs(["cat", "/load-\(index)"])
            #expect(read.status == 0 && read.output == testBytes(20_000, seed: UInt64(index)), "/load-\(index): \(read.stderr)")
        }
        // Healed and started again if it exited, the old primary follows the new one.
        let again = cluster.elected[old].exit.hasExited ? try cluster.restartElected(old) : cluster.elected[old]
        try await waitUntil("the old primary follows the new one", within: .seconds(30)) {
            let mine = FailoverTests.sequence(again.address)
            return FailoverTests.primary(cluster) == 1 - old && mine > 0 && mine == FailoverTests.sequence(cluster.elected[1 - old].address)
        }
    }

    /// A shadow cut off from its primary is left out of the in-sync set and falls behind: it refuses reads
    /// (they would miss acknowledged changes), and a client that lists it first reads from the primary. It
    /// learns so from etcd; cut off from etcd too, it refuses reads once it cannot confirm that it is in
    /// sync. Healed and caught up, it answers reads again.
    @Test func aShadowThePrimaryGoesOnWithoutRefusesReads() async throws {
        try await Self.withHosts("leftbehind") { cluster, network in
            let primary = try #require(FailoverTests.primary(cluster))
            let (primaryAddress, shadowAddress) = (cluster.elected[primary].address, cluster.elected[1 - primary].address)
            let (primaryHost, shadowHost) = primary == 0 ? ("m1", "m2") : ("m2", "m1")
            func statOnShadow(_ name: String) -> String {
                guard let socket = try? RawSocket(shadowAddress, timeout: 3) else { return "no connection" }
                defer { socket.shutdown() }
                socket.send("STAT /\(name)\n")
                return socket.readLines(1).first ?? "no reply"
            }
            for (round, cutOff) in [[primaryHost], [primaryHost, "etcd"]].enumerated() {
                let name = "after-cut-\(round)"
                try network.isolate(shadowHost, from: cutOff)
                // The primary waits out its replica timeout (2 s), records the shadow as behind and goes on.
                let mkdir = try cluster.gfs(["mkdir", "/\(name)", "--master", primaryAddress, "--timeout", "60"])
                #expect(mkdir.status == 0, "\(mkdir.stderr)")
                let refusal = statOnShadow(name)
                #expect(refusal.hasPrefix("ERR READONLY"), "cut off from \(cutOff): \(refusal)")
                let stat = try cluster.gfs(["stat", "/\(name)", "--master", "\(shadowAddress),\(primaryAddress)"])
                #expect(stat.status == 0, "read from the primary past the shadow: \(stat.stderr)")
                try network.healAll()
                try await waitUntil("the shadow answers reads again once caught up", within: .seconds(30)) {
                    statOnShadow(name).hasPrefix("OK")
                }
            }
        }
    }
}
