// Goal: masters that elect their primary in etcd (issue 17) hand over by themselves when the primary dies,
// within 10 s, with nothing acknowledged lost; and a deposed master's orders are refused by chunkservers,
// which keep the highest epoch on disk (DESIGN.md §6, masters are fenced by epoch).
// Method: a real etcd (Debian's etcd-server), two real masters and three chunkservers on loopback; the primary
// is SIGKILLed, again and again, between puts, and started again as an operator's supervisor would.
import Foundation
import GFSTestSupport
import Testing

@Suite(.serialized) struct FailoverTests {
    /// The index in `cluster.elected` of the master that says it is the primary, if exactly one does.
    static func primary(_ cluster: ProcessCluster) -> Int? {
        let primaries = cluster.elected.indices.filter { index in
            guard !cluster.elected[index].exit.hasExited, let socket = try? RawSocket(cluster.elected[index].address, timeout: 2) else {
                return false
            }
            defer { socket.shutdown() }
            socket.send("STATUS\n")
            return ProcessCluster.fields(socket.readLines(1).first ?? "")["role"] == "primary"
        }
        return primaries.count == 1 ? primaries[0] : nil
    }

    static func sequence(_ address: String) -> Int {
        guard let socket = try? RawSocket(address, timeout: 2) else { return -1 }
        defer { socket.shutdown() }
        socket.send("STATUS\n")
        return Int(ProcessCluster.fields(socket.readLines(1).first ?? "")["sequence"] ?? "") ?? -1
    }

    /// Two elected masters and three chunkservers, once one master is the primary and all have registered.
    static func start(_ cluster: ProcessCluster, etcd: EtcdProcess) async throws {
        try cluster.startElectedMasters(2, etcd: etcd.endpoint)
        for _ in 0..<3 { try cluster.startChunkserver() }
        try await waitUntil("a primary is elected", within: .seconds(20)) { Self.primary(cluster) != nil }
        try await cluster.waitForLiveChunkservers(3)
    }

    @Test func killedPrimaryIsReplacedWithinTenSecondsAndNothingAcknowledgedIsLost() async throws {
        let etcd = try await EtcdProcess()
        defer { etcd.stop() }
        let cluster = try ProcessCluster(name: "failover")
        defer { cluster.stop() }
        do {
            try await Self.start(cluster, etcd: etcd)
            // Under etcd only the election makes a primary: one promoted by hand would hold no epoch.
            let first = try #require(Self.primary(cluster))
            let promote = try ProcessCluster.run(ProcessCluster.binary, ["promote", "--master", cluster.elected[1 - first].address])
            #expect(promote.status != 0 && promote.stderr.contains("elected in etcd"), "PROMOTE under etcd: \(promote.stderr)")
            var acknowledged: [String: Data] = [:]
            for round in 0..<3 {
                for index in 0..<3 {
                    let path = "/r\(round)-\(index)", data = testBytes(90_000 + index * 7_000, seed: UInt64(round * 10 + index))
                    let put = try cluster.gfs(["put", "-", path], stdin: data)
                    #expect(put.status == 0, "\(path): \(put.stderr)")
                    if put.status == 0 { acknowledged[path] = data }
                }
                let old = try #require(Self.primary(cluster))
                cluster.kill(cluster.elected[old])
                try await waitUntil("the other master is the primary", within: .seconds(10)) { Self.primary(cluster) == 1 - old }
                // Writes go on through the new primary while the old one is down.
                let path = "/after-\(round)", data = testBytes(70_000, seed: UInt64(100 + round))
                let put = try cluster.gfs(["put", "-", path], stdin: data)
                #expect(put.status == 0, "put after failover \(round): \(put.stderr)")
                if put.status == 0 { acknowledged[path] = data }
                // Started again, it follows the new primary and catches up, so it can take over next round.
                let again = try cluster.restartElected(old)
                let leader = cluster.elected[1 - old].address
                try await waitUntil("the restarted master caught up", within: .seconds(20)) {
                    let mine = Self.sequence(again.address)
                    return mine > 0 && mine == Self.sequence(leader)
                }
                #expect(try cluster.gfs(["mkdir", "/caught-up-\(round)"]).status == 0)
            }
            #expect(acknowledged.count == 12)
            for (path, data) in acknowledged.sorted(by: { $0.key < $1.key }) {
                let read = try cluster.gfs(["cat", path])
                #expect(read.status == 0 && read.output == data, "\(path) after three failovers: \(read.stderr)")
            }
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// Every role restarted in turn, chunkservers with SIGTERM and each master killed and started again, while
    /// a client keeps putting files and making folders: no client operation fails. A CREATE or MKDIR whose
    /// reply the killed primary took with it is sent again with the same `call=`, which the new primary knows.
    @Test func rollingRestartFailsNoClientOperation() async throws {
        let etcd = try await EtcdProcess()
        defer { etcd.stop() }
        let cluster = try ProcessCluster(name: "rolling")
        defer { cluster.stop() }
        do {
            try await Self.start(cluster, etcd: etcd)
            let masters = cluster.masterAddress
            let stop = LockedFlag(), rounds = LockedCounter()
            defer { stop.set() }  // also when a wait below throws: the load must not outlive the test
            let load = Task.detached { () -> (done: [String], failed: [String]) in
                var done: [String] = [], failed: [String] = []
                var index = 0
                while !stop.isSet {
                    index += 1
                    let path = "/rolling-\(index)"
                    let put = try? ProcessCluster.run(ProcessCluster.binary, ["put", "-", path, "--master", masters, "--timeout", "60"],
                                                      stdin: testBytes(20_000, seed: UInt64(index)))
                    let mkdir = try? ProcessCluster.run(ProcessCluster.binary, ["mkdir", path + ".d", "--master", masters, "--timeout", "60"])
                    rounds.increment()
                    if put?.status == 0, mkdir?.status == 0 { done.append(path) } else {
                        failed.append("\(path): \(put?.stderr ?? "") \(mkdir?.stderr ?? "")")
                    }
                }
                return (done, failed)
            }
            // Each restart waits until the client finished a round after it, so the load spans every one.
            func roundAfter(_ what: String) async throws {
                let seen = rounds.count
                try await waitUntil("a client round after \(what)", within: .seconds(90)) { rounds.count > seen + 1 }
            }
            for (index, server) in cluster.chunkservers.enumerated() {
                cluster.terminate(server)
                try cluster.startChunkserver(folder: server.directory)
                try await cluster.waitForLiveChunkservers(3)
                try await roundAfter("restarting chunkserver \(index + 1)")
            }
            for index in cluster.elected.indices {
                cluster.kill(cluster.elected[index])
                let again = try cluster.restartElected(index)
                let other = cluster.elected[1 - index].address
                try await waitUntil("master \(index + 1) is back and caught up", within: .seconds(30)) {
                    let mine = Self.sequence(again.address)
                    return Self.primary(cluster) != nil && mine > 0 && mine == Self.sequence(other)
                }
                try await roundAfter("restarting master \(index + 1)")
            }
            stop.set()
            let (done, failed) = await load.value
            #expect(failed.isEmpty, "client operations failed during the rolling restart: \(failed)")
            #expect(done.count >= 10, "the client kept working (\(done.count) rounds)")
            for path in done {
                let read = try cluster.gfs(["cat", path])
                #expect(read.status == 0 && read.output == testBytes(20_000, seed: UInt64(path.dropFirst(9)) ?? 0), "\(path)")
            }
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// A planned stop (SIGTERM) of the primary hands over at once: it lets its last mutations settle on the
    /// other master, then gives up its election lease, so the other is the primary well before that lease
    /// (10 s here) could have run out; nothing acknowledged is lost, and a client that knows both masters
    /// carries on.
    @Test func terminatedPrimaryHandsOverBeforeItsLeaseRunsOut() async throws {
        let etcd = try await EtcdProcess()
        defer { etcd.stop() }
        let cluster = try ProcessCluster(name: "handover")
        defer { cluster.stop() }
        do {
            try cluster.startElectedMasters(2, etcd: etcd.endpoint, ["--chunk-size", "64K", "--lease", "2s",
                                                                     "--heartbeat-timeout", "3s", "--etcd-ttl", "10s"])
            for _ in 0..<3 { try cluster.startChunkserver() }
            try await waitUntil("a primary is elected", within: .seconds(20)) { Self.primary(cluster) != nil }
            try await cluster.waitForLiveChunkservers(3)
            let data = testBytes(150_000, seed: 5)
            #expect(try cluster.gfs(["put", "-", "/before"], stdin: data).status == 0)
            #expect(try cluster.gfs(["mkdir", "/made-before"]).status == 0)
            let old = try #require(Self.primary(cluster))
            cluster.terminate(cluster.elected[old])
            #expect(cluster.elected[old].process.terminationStatus == 0, "a planned stop exits 0")
            try await waitUntil("the other master is the primary", within: .seconds(5)) { Self.primary(cluster) == 1 - old }
            #expect(try cluster.gfs(["mkdir", "/made-after"]).status == 0)
            let read = try cluster.gfs(["cat", "/before"])
            #expect(read.status == 0 && read.output == data, "\(read.stderr)")
            #expect(try cluster.gfs(["stat", "/made-before"]).status == 0)
            let log = (try? String(contentsOf: cluster.elected[old].log, encoding: .utf8)) ?? ""
            #expect(log.contains("handed over: left the election"), "\(log)")
            // Back and caught up, it is in sync again, so the handover works the other way round too.
            let again = try cluster.restartElected(old)
            try await waitUntil("the old primary caught up", within: .seconds(20)) {
                let mine = Self.sequence(again.address)
                return mine > 0 && mine == Self.sequence(cluster.elected[1 - old].address)
            }
            try await waitUntil("it is in sync again", within: .seconds(20)) {
                try cluster.gfs(["mkdir", "/probe-\(UUID().uuidString.prefix(6))"]).status == 0
                    && ((try? String(contentsOf: cluster.elected[1 - old].log, encoding: .utf8)) ?? "").contains("mutations wait for it again")
            }
            cluster.terminate(cluster.elected[1 - old])
            try await waitUntil("the first master is the primary again", within: .seconds(5)) { Self.primary(cluster) == old }
            #expect(try cluster.gfs(["stat", "/made-after"]).status == 0)
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// A planned stop of a primary whose only peer is down leaves it the one master that may campaign (it
    /// must not record itself as behind, or no master could ever be primary again): started again, it is.
    @Test func aPrimaryStoppedWhileItsPeerIsDownMayLeadAgain() async throws {
        let etcd = try await EtcdProcess()
        defer { etcd.stop() }
        let cluster = try ProcessCluster(name: "handover-alone")
        defer { cluster.stop() }
        do {
            try await Self.start(cluster, etcd: etcd)
            let old = try #require(Self.primary(cluster))
            cluster.kill(cluster.elected[1 - old])
            #expect(try cluster.gfs(["mkdir", "/while-alone"]).status == 0, "goes on without the dead replica")
            cluster.terminate(cluster.elected[old])
            let log = (try? String(contentsOf: cluster.elected[old].log, encoding: .utf8)) ?? ""
            #expect(log.contains("no log replica in sync"), "\(log)")
            try cluster.restartElected(old)
            try await waitUntil("the stopped primary leads again", within: .seconds(20)) { Self.primary(cluster) == old }
            try cluster.restartElected(1 - old)
            #expect(try cluster.gfs(["stat", "/while-alone"]).status == 0)
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// An empty master never becomes the primary of a cluster that has begun (it would serve an empty
    /// namespace and have every chunk deleted): with the only master that has the log down, there is no
    /// primary at all, until that master is back.
    @Test func anEmptyMasterNeverWinsAnElection() async throws {
        let etcd = try await EtcdProcess()
        defer { etcd.stop() }
        let cluster = try ProcessCluster(name: "empty-master")
        defer { cluster.stop() }
        do {
            try cluster.startElectedMasters(2, etcd: etcd.endpoint)
            let (full, empty) = (cluster.elected[0], cluster.elected[1])
            cluster.kill(empty)
            try FileManager.default.removeItem(at: empty.directory)  // its disk replaced
            try await waitUntil("the first master is the primary", within: .seconds(20)) { Self.primary(cluster) == 0 }
            #expect(try cluster.gfs(["mkdir", "/kept"]).status == 0)
            cluster.kill(full)
            try cluster.restartElected(1)
            // Three election leases: the empty master would have won long since.
            let watched = ContinuousClock.now
            while ContinuousClock.now - watched < .seconds(6) {
                #expect(Self.primary(cluster) == nil, "an empty master became the primary")
                try await Task.sleep(for: .milliseconds(300))
            }
            try cluster.restartElected(0)
            try await waitUntil("the master with the log is the primary again", within: .seconds(20)) { Self.primary(cluster) == 0 }
            let listing = try cluster.gfs(["ls", "/"])
            #expect(listing.stdout.contains("kept"), "\(listing.stdout) \(listing.stderr)")
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// A chunkserver that has seen epoch E refuses GRANT from below E, also after it restarts.
    @Test func chunkserversRefuseTheOrdersOfADeposedPrimary() async throws {
        let etcd = try await EtcdProcess()
        defer { etcd.stop() }
        let cluster = try ProcessCluster(name: "epochs")
        defer { cluster.stop() }
        do {
            try await Self.start(cluster, etcd: etcd)
            #expect(try cluster.gfs(["put", "-", "/one"], stdin: testBytes(10_000)).status == 0)
            let server = cluster.chunkservers[0]
            // The higher of the two slots the chunkserver overwrites in turn (`epoch.0`, `epoch.1`).
            func epoch() -> UInt64 {
                ["epoch.0", "epoch.1"].compactMap { slot in
                    let text = try? String(contentsOf: server.directory.appendingPathComponent("chunks/" + slot), encoding: .utf8)
                    guard let text, text.utf8.count == 30 else { return nil }  // a whole line only
                    return text.split(separator: " ").first.flatMap { UInt64($0) }
                }.max() ?? 0
            }
            let first = epoch()
            #expect(first > 0, "the chunkserver keeps the epoch of the master that created the chunk")
            let old = try #require(Self.primary(cluster))
            cluster.kill(cluster.elected[old])
            try await waitUntil("the other master is the primary", within: .seconds(10)) { Self.primary(cluster) == 1 - old }
            #expect(try cluster.gfs(["put", "-", "/two"], stdin: testBytes(10_000, seed: 2)).status == 0)
            try await waitUntil("the chunkserver saw the new epoch", within: .seconds(10)) { epoch() > first }
            func grant(_ address: String) throws -> String {
                let socket = try RawSocket(address)
                defer { socket.shutdown() }
                socket.send("GRANT handle=00000000000000ff version=1 create=1 epoch=\(first)\n")
                return socket.readLines(1).first ?? ""
            }
            #expect(try grant(server.address).hasPrefix("ERR STALE"), "a GRANT of the deposed epoch is refused")
            cluster.kill(server)
            let restarted = try cluster.startChunkserver(folder: server.directory)
            #expect(try grant(restarted.address).hasPrefix("ERR STALE"), "and still after a restart")
        } catch {
            print(cluster.logs())
            throw error
        }
    }
}

/// A master whose log went on past what the next primary had (a primary killed before its shadow fetched its
/// last records) finds that out when it follows the new primary, sets its records aside and starts again
/// from the new primary's checkpoint: it must not skip the new primary's records numbered like its own.
@Suite struct DivergedLogTests {
    @Test func aDivergedShadowStartsAgainFromThePrimary() async throws {
        let flags = ["--chunk-size", "64K", "--lease", "1s"]
        let cluster = try ProcessCluster(name: "diverged")
        defer { cluster.stop() }
        do {
            let old = try cluster.startMaster(flags)
            let shadow = try cluster.startShadow(flags)
            #expect(try cluster.gfs(["mkdir", "/common"]).status == 0)
            try await waitUntil("the shadow has the primary's log") {
                let mine = FailoverTests.sequence(shadow.address)
                return mine > 0 && mine == FailoverTests.sequence(old.address)
            }
            cluster.kill(shadow)
            for name in ["/old-only-1", "/old-only-2", "/old-only-3"] { #expect(try cluster.gfs(["mkdir", name]).status == 0) }
            cluster.kill(old)
            // The shadow's folder becomes the new primary, which writes records of its own.
            let successor = try cluster.startShadow(folder: shadow.directory, of: old.address, flags)
            #expect(try ProcessCluster.run(ProcessCluster.binary, ["promote", "--master", successor.address]).status == 0)
            for name in ["/new-only-1", "/new-only-2", "/new-only-3", "/new-only-4"] {
                #expect(try ProcessCluster.run(ProcessCluster.binary, ["mkdir", name, "--master", successor.address]).status == 0)
            }
            // The old primary's folder, started as the successor's shadow.
            let follower = try cluster.startShadow(folder: old.directory, of: successor.address, flags)
            try await waitUntil("the old primary's folder follows the successor's log", within: .seconds(30)) {
                let mine = FailoverTests.sequence(follower.address)
                return mine > 0 && mine == FailoverTests.sequence(successor.address)
            }
            let listing = try ProcessCluster.run(ProcessCluster.binary, ["ls", "/", "--master", follower.address])
            #expect(listing.stdout.split(separator: "\n").map(String.init).sorted()
                    == ["common", "new-only-1", "new-only-2", "new-only-3", "new-only-4"], "\(listing.stdout)")
            let aside = try FileManager.default.contentsOfDirectory(atPath: old.directory.path).filter { $0.hasPrefix("diverged-") }
            #expect(aside.count == 1, "the diverged records are kept aside")
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// A shadow still catching up (its marker left by a start from a checkpoint, which survives a restart)
    /// lacks records its primary acknowledged: PROMOTE is refused until it has caught up.
    @Test func aShadowStillCatchingUpIsNotPromoted() async throws {
        let flags = ["--chunk-size", "64K", "--lease", "1s"]
        let cluster = try ProcessCluster(name: "catching-up")
        defer { cluster.stop() }
        do {
            let primary = try cluster.startMaster(flags)
            let shadow = try cluster.startShadow(flags)
            #expect(try cluster.gfs(["mkdir", "/kept"]).status == 0)
            try await waitUntil("the shadow has the primary's log") {
                let mine = FailoverTests.sequence(shadow.address)
                return mine > 0 && mine == FailoverTests.sequence(primary.address)
            }
            cluster.kill(shadow)
            cluster.kill(primary)
            let marker = shadow.directory.appendingPathComponent("catching-up").path
            #expect(FileManager.default.createFile(atPath: marker, contents: nil))
            // Its primary is gone, so it cannot catch up by itself.
            let again = try cluster.startShadow(folder: shadow.directory, of: primary.address, flags)
            let refused = try ProcessCluster.run(ProcessCluster.binary, ["promote", "--master", again.address])
            #expect(refused.status != 0 && refused.stderr.contains("still catching up"), "\(refused.stderr)")
            try FileManager.default.removeItem(atPath: marker)
            #expect(try ProcessCluster.run(ProcessCluster.binary, ["promote", "--master", again.address]).status == 0)
            #expect(try ProcessCluster.run(ProcessCluster.binary, ["mkdir", "/after", "--master", again.address]).status == 0)
        } catch {
            print(cluster.logs())
            throw error
        }
    }
}
