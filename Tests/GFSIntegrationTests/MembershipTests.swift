// Goal (issue 14, DESIGN.md §6: every state change comes from an authenticated peer): with a cluster secret,
// members work as before and nothing else gets in. Every verb of every role, sent without the handshake, gets
// one ERR DENIED and changes nothing; a wrong secret, a replayed proof or an impostor server is refused; a
// chunkserver without the secret never joins.
// Method: real processes with --secret-file, raw sockets for what a stranger would type into nc.
import Foundation
import GFSClient
import GFSProtocol
import GFSTestSupport
import Testing

@Suite(.serialized) struct MembershipTests {
    /// A new secret file in the cluster's folder.
    static func secret(_ cluster: ProcessCluster, _ name: String) throws -> URL {
        let file = cluster.root.appendingPathComponent(name)
        try ClusterSecret.create(file.path)
        return file
    }

    /// Sends `line` (and `payload`) on a fresh connection and returns the first reply line.
    static func stranger(_ address: String, _ line: String, payload: String = "") throws -> String {
        let socket = try RawSocket(address)
        defer { socket.shutdown() }
        socket.send(line + "\n" + payload)
        return socket.readLines(1).first ?? "no reply"
    }

    @Test func membersWorkAndStrangersAreRefusedEverything() async throws {
        let cluster = try ProcessCluster(name: "members")
        defer { cluster.stop() }
        cluster.secretFile = try Self.secret(cluster, "secret")
        do {
            try await cluster.start(chunkservers: 3)
            let data = testBytes(150_000, seed: 3)
            #expect(try cluster.gfs(["put", "-", "/kept"], stdin: data).status == 0)
            let read = try cluster.gfs(["cat", "/kept"])
            #expect(read.status == 0 && read.output == data, "\(read.stderr)")

            let master = cluster.masterAddress, chunkserver = cluster.chunkservers[0].address
            let handle = "00000000000000ff"  // refused before anything looks at it
            let masterLines = ["MKDIR /x", "CREATE /y", "LS /", "STAT /kept", "MV /kept /moved", "RM /kept", "LOOKUP /kept",
                               "ALLOCATE /kept index=9", "LEASE handle=\(handle)", "SETSIZE /kept size=1", "STATUS", "HELP",
                               "CORRUPT handle=\(handle) addr=\(chunkserver)", "HEARTBEAT addr=\(chunkserver) free=1",
                               "TAIL from=1", "CHECKPOINT", "PROMOTE", "SNAPSHOT /kept /copy", "LEAVE addr=\(chunkserver)",
                               "DRAIN addr=\(chunkserver)", "TUNE clones_total=0", "DELETED", "UNDELETE /kept", "GC all=1",
                               "FSCK /", "AUTH proof=\(String(repeating: "0", count: 64))"]
            for line in masterLines {
                let reply = try Self.stranger(master, line)
                #expect(reply.hasPrefix("ERR DENIED"), "master, \(line): \(reply)")
            }
            #expect(try Self.stranger(master, "REGISTER addr=\(chunkserver) capacity=1 free=1 len=0").hasPrefix("ERR DENIED"))
            let chunkLines = ["READ handle=\(handle) version=0 offset=0 length=10", "LOCAL handle=\(handle) version=0",
                              "OPEN ticket=\(String(repeating: "0", count: 32))", "GRANT handle=\(handle) version=99 lease_ms=60000",
                              "REVOKE handle=\(handle) version=1", "CLONE handle=\(handle) new=00000000000000aa version=1",
                              "REPLICATE handle=\(handle) version=1 from=127.0.0.1:9", "SYNC handle=\(handle)",
                              "WRITE handle=\(handle) version=1 offset=0 id=x", "APPEND handle=\(handle) version=1 id=x",
                              "PAD handle=\(handle) version=1 serial=1 size=1 id=x", "STATUS"]
            for line in chunkLines {
                let reply = try Self.stranger(chunkserver, line)
                #expect(reply.hasPrefix("ERR DENIED"), "chunkserver, \(line): \(reply)")
            }
            // The two lines that used to crash a chunkserver, on one connection: a push (its byte dropped), then
            // an APPLY at the largest offset. Both refused, and the connection still answers in order.
            let socket = try RawSocket(chunkserver)
            socket.send("PUSH id=x len=1\nx")
            socket.send("APPLY handle=\(handle) version=1 serial=1 offset=9223372036854775807 id=x\nSTATUS\n")
            let replies = socket.readLines(3)
            #expect(replies.count == 3 && replies.allSatisfy { $0.hasPrefix("ERR DENIED") }, "\(replies)")
            socket.shutdown()

            // Nothing a stranger sent took effect, and members are served as before.
            let listing = try cluster.gfs(["ls", "/"])
            #expect(listing.stdout == "kept\n", "\(listing.stdout) \(listing.stderr)")
            let again = try cluster.gfs(["cat", "/kept"])
            #expect(again.status == 0 && again.output == data)
            #expect(!cluster.master!.exit.hasExited && cluster.chunkservers.allSatisfy { !$0.exit.hasExited })
            // A client without the secret gets one clear line.
            let without = try cluster.gfs(["ls", "/", "--timeout", "2"], environment: ["GFS_SECRET_FILE": ""])
            #expect(without.status == 1 && without.stderr.contains("admits only members") && without.stderr.contains("--secret-file"),
                    "\(without.stderr)")
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    @Test func aWrongSecretAReplayedProofAndAnImpostorAreRefused() async throws {
        let cluster = try ProcessCluster(name: "strangers")
        defer { cluster.stop() }
        let secretFile = try Self.secret(cluster, "secret"), otherFile = try Self.secret(cluster, "other")
        cluster.secretFile = secretFile
        do {
            try await cluster.start(chunkservers: 2)
            let master = cluster.masterAddress
            // A client holding another secret finds that the server does not prove its own.
            let wrong = try cluster.gfs(["ls", "/", "--timeout", "2"], environment: ["GFS_SECRET_FILE": otherFile.path])
            #expect(wrong.status == 1 && wrong.stderr.contains("does not hold this cluster's secret"), "\(wrong.stderr)")

            // A proof is good for its own connection only: the server's nonce differs each time.
            let secret = try ClusterSecret.load(secretFile.path)
            let nonce = ClusterSecret.nonce()
            func hello(_ socket: RawSocket) -> [String: String] {
                socket.send("HELLO principal=cluster nonce=\(nonce)\n")
                return ProcessCluster.fields(socket.readLines(1).first ?? "")
            }
            let first = try RawSocket(master)
            let offer = hello(first)
            let serverNonce = try #require(offer["nonce"])
            #expect(secret.verify(offer["proof"] ?? "", for: HandshakeRequest.proofInput(server: true, clientNonce: nonce,
                                                                                         serverNonce: serverNonce, principal: "cluster")))
            let proof = secret.proof(HandshakeRequest.proofInput(server: false, clientNonce: nonce, serverNonce: serverNonce,
                                                                 principal: "cluster"))
            first.send("AUTH proof=\(proof)\nLS /\n")
            #expect(first.readLines(2) == ["OK principal=cluster", "OK"])
            let second = try RawSocket(master)
            #expect(hello(second)["nonce"] != serverNonce)
            second.send("AUTH proof=\(proof)\nLS /\n")
            #expect(second.readLines(1).first?.hasPrefix("ERR DENIED wrong proof") == true)
            #expect(second.isClosedByPeer(), "one wrong proof ends the connection")

            // A chunkserver with another secret never joins; its log says why.
            let intruder = try cluster.startChunkserver(["--heartbeat-interval", "200ms", "--secret-file", otherFile.path])
            try await waitUntil("the intruder is refused", within: .seconds(20)) {
                ((try? String(contentsOf: intruder.log, encoding: .utf8)) ?? "").contains("does not hold this cluster's secret")
            }
            let status = try cluster.gfs(["status"])
            #expect(!status.stdout.contains(intruder.address), "\(status.stdout)")

            // A stranger who keeps sending gets a few refusals, then the connection ends.
            let pest = try RawSocket(master)
            pest.send(String(repeating: "LS /\n", count: 20))
            #expect(pest.readLines(8).allSatisfy { $0.hasPrefix("ERR DENIED") })
            #expect(pest.isClosedByPeer(), "the connection ends after 8 refusals")

            // A server without the secret is no member either: a client or chunkserver named the secret
            // refuses it (an impostor on a dead master's address would be one).
            let open = try ProcessCluster(name: "impostor")
            defer { open.stop() }
            _ = try open.startMaster()
            let fooled = try open.gfs(["ls", "/", "--timeout", "2"], environment: ["GFS_SECRET_FILE": secretFile.path])
            #expect(fooled.status == 1 && fooled.stderr.contains("cannot prove this cluster's secret"), "\(fooled.stderr)")
            let careful = try open.startChunkserver(["--heartbeat-interval", "200ms", "--secret-file", secretFile.path])
            try await waitUntil("the chunkserver refuses the impostor", within: .seconds(20)) {
                ((try? String(contentsOf: careful.log, encoding: .utf8)) ?? "").contains("cannot prove this cluster's secret")
            }

            // A secret file others can read is refused before the server starts.
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: otherFile.path)
            let loose = try ProcessCluster.run(ProcessCluster.binary, ["master", "--dir", cluster.root.appendingPathComponent("loose").path,
                                                                       "--listen", "127.0.0.1:0", "--secret-file", otherFile.path])
            #expect(loose.status != 0 && loose.stderr.contains("chmod 600"), "\(loose.stderr)")
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    /// Role separation: with the masters' key, a member that is no master (a chunkserver holds the cluster
    /// secret too) cannot give master's orders, and a member posing as a master gets no chunkserver to follow it.
    @Test func onlyHoldersOfTheMastersKeyGiveMastersOrders() async throws {
        let cluster = try ProcessCluster(name: "masterkey")
        defer { cluster.stop() }
        let secretFile = try Self.secret(cluster, "secret")
        cluster.secretFile = secretFile
        let (privateKey, publicKey) = (cluster.root.appendingPathComponent("master.key"), cluster.root.appendingPathComponent("master.pub"))
        try MasterKey.create(privatePath: privateKey.path, publicPath: publicKey.path)
        do {
            try await cluster.start(chunkservers: 3,
                                    master: ["--chunk-size", "64K", "--lease", "2s", "--heartbeat-timeout", "3s", "--master-key", privateKey.path],
                                    chunkserver: ["--heartbeat-interval", "200ms", "--master-public-key", publicKey.path])
            // The real master's grants and heartbeats are taken.
            let data = testBytes(150_000, seed: 21)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            #expect(try cluster.gfs(["cat", "/f"]).output == data)

            // A member without the key (what a chunkserver is) is refused every master's order.
            let member = try AccessTests.login(cluster.chunkservers[0].address, try ClusterSecret.load(secretFile.path))
            for line in ["GRANT handle=00000000000000ff version=99 lease_ms=60000 create=1", "REVOKE handle=00000000000000ff version=1",
                         "CLONE handle=00000000000000ff new=00000000000000aa version=1",
                         "REPLICATE handle=00000000000000ff version=1 from=127.0.0.1:9"] {
                member.send(line + "\n")
                let reply = member.readLines(1).first ?? "no reply"
                #expect(reply.hasPrefix("ERR DENIED") && reply.contains("only a master"), "\(line): \(reply)")
            }
            member.send("STATUS\n")
            #expect(member.readLines(1).first?.hasPrefix("OK") == true, "a member is still served")
            member.shutdown()

            // A member posing as a master (the secret, not the key) gets no chunkserver to register with it.
            let impostor = try ProcessCluster(name: "posing")
            defer { impostor.stop() }
            impostor.secretFile = secretFile
            _ = try impostor.startMaster()
            let fooled = try impostor.startChunkserver(["--heartbeat-interval", "200ms", "--master-public-key", publicKey.path])
            try await waitUntil("the chunkserver refuses the master without the key", within: .seconds(20)) {
                ((try? String(contentsOf: fooled.log, encoding: .utf8)) ?? "").contains("does not sign with the masters' key")
            }
            #expect(try cluster.gfs(["cat", "/f"]).output == data)
        } catch {
            print(cluster.logs())
            throw error
        }
    }
}
