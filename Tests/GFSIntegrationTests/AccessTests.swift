// Goal (issue 14: only members get in; chunk tokens; exports): a client principal does what its exports
// allow and nothing else, and each refusal is one ERR DENIED in the audit log; on a chunkserver, a peer that
// is not a member gets data only with a genuine, unexpired token for that chunk and mode, and never makes a
// chunkserver push to a host of its choosing.
// Method: real processes with --secret-file, --principals, --exports and --audit-log; the gfs CLI as each
// principal, and raw sockets for what a hostile client would send.
import Foundation
import GFSClient
import GFSProtocol
import GFSTestSupport
import Testing

@Suite(.serialized) struct AccessTests {
    static let alice = "alice 0123456789abcdef0123456789abcdef"
    static let bob = "bob fedcba9876543210fedcba9876543210"

    /// A 0600 file holding `text`.
    static func privateFile(_ cluster: ProcessCluster, _ name: String, _ text: String) throws -> URL {
        let file = cluster.root.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return file
    }

    /// A cluster with a secret, principals alice and bob, and exports giving alice her home (at most 2
    /// replicas) and everyone /pub read-only.
    static func start(_ name: String) async throws -> (ProcessCluster, audit: URL) {
        let cluster = try ProcessCluster(name: name)
        cluster.secretFile = try MembershipTests.secret(cluster, "secret")
        let principals = try privateFile(cluster, "principals", alice + "\n" + bob + "\n")
        let exports = try privateFile(cluster, "exports", """
            # address     path          options
            127.0.0.0/8   /home/alice   rw,principal=alice,maxrep=2
            *             /pub          ro
            10.0.0.0/8    /             rw,admin
            """)
        let audit = cluster.root.appendingPathComponent("audit.log")
        try await cluster.start(chunkservers: 3, master: ["--chunk-size", "64K", "--lease", "2s", "--heartbeat-timeout", "3s",
                                                          "--principals", principals.path, "--exports", exports.path,
                                                          "--audit-log", audit.path])
        #expect(try cluster.gfs(["mkdir", "-p", "/home/alice", "/pub"]).status == 0)
        return (cluster, audit)
    }

    /// A connection to `address` that has proved `secret` (HELLO, then AUTH), as a hostile but authenticated
    /// client would hold.
    static func login(_ address: String, _ secret: ClusterSecret) throws -> RawSocket {
        let socket = try RawSocket(address)
        let nonce = ClusterSecret.nonce()
        socket.send("HELLO principal=\(secret.principal) nonce=\(nonce)\n")
        let offer = ProcessCluster.fields(socket.readLines(1).first ?? "")
        let serverNonce = try #require(offer["nonce"])
        let proof = secret.proof(HandshakeRequest.proofInput(server: false, clientNonce: nonce, serverNonce: serverNonce,
                                                             principal: secret.principal))
        socket.send("AUTH proof=\(proof)\n")
        #expect(socket.readLines(1) == ["OK principal=\(secret.principal)"])
        return socket
    }

    @Test func principalsAreHeldToTheirExports() async throws {
        let (cluster, audit) = try await Self.start("exports")
        defer { cluster.stop() }
        do {
            let aliceFile = try Self.privateFile(cluster, "alice.secret", Self.alice)
            let bobFile = try Self.privateFile(cluster, "bob.secret", Self.bob)
            let asAlice = ["GFS_SECRET_FILE": aliceFile.path], asBob = ["GFS_SECRET_FILE": bobFile.path]
            let data = testBytes(200_000, seed: 14)
            #expect(try cluster.gfs(["put", "-", "/pub/data"], stdin: data).status == 0)

            // What her rules allow works, through tokens on every chunkserver.
            let put = try cluster.gfs(["put", "-", "/home/alice/mine"], stdin: data, environment: asAlice)
            #expect(put.status == 0, "\(put.stderr)")
            #expect(try cluster.gfs(["cat", "/home/alice/mine"], environment: asAlice).output == data)
            #expect(try cluster.gfs(["cat", "/pub/data"], environment: asAlice).output == data)
            let appended = try cluster.gfs(["append", "--create", "/home/alice/log"], stdin: Data("one\ntwo\n".utf8),
                                           environment: asAlice)
            #expect(appended.status == 0, "\(appended.stderr)")
            #expect(try cluster.gfs(["cat", "/home/alice/log"], environment: asAlice).stdout == "one\ntwo\n")
            // maxrep=2 holds whatever she asks for.
            let stat = try cluster.gfs(["stat", "/home/alice/mine"], environment: asAlice)
            #expect(stat.stdout.contains("replication\t2"), "\(stat.stdout)")
            #expect(try cluster.gfs(["snapshot", "/home/alice/mine", "/home/alice/copy"], environment: asAlice).status == 0)
            #expect(try cluster.gfs(["setrep", "3", "/home/alice/copy"], environment: asAlice).status == 0)
            #expect(try cluster.gfs(["stat", "/home/alice/copy"], environment: asAlice).stdout.contains("replication\t2"),
                    "setrep is held to maxrep too")

            // Everything else is one clear refusal, and changes nothing.
            let refused: [([String], [String: String])] = [
                (["put", "-", "/pub/x"], asAlice), (["rm", "/pub/data"], asAlice), (["mkdir", "/elsewhere"], asAlice),
                (["mv", "/home/alice/mine", "/pub/mine"], asAlice),
                (["snapshot", "/pub/data", "/home/alice/pub"], asAlice), (["gc", "--now"], asAlice), (["fsck", "/"], asAlice),
                (["tune", "--clones-total", "0"], asAlice), (["ls", "/home/alice"], asBob), (["cat", "/home/alice/mine"], asBob),
                (["ls", "/"], asBob),
                // The newer verbs: a concat needs every source writable, DU of / and quotas need admin.
                (["concat", "/home/alice/stolen", "/pub/data"], asAlice), (["setrep", "1", "/pub/data"], asAlice),
                (["truncate", "-s", "0", "/pub/data"], asAlice), (["du", "/"], asAlice),
                (["quota", "set", "--files", "9", "/home/alice"], asAlice),
            ]
            for (arguments, environment) in refused {
                let result = try cluster.gfs(arguments + ["--timeout", "5"], stdin: Data("x".utf8), environment: environment)
                #expect(result.status == 1 && result.stderr.contains("may not"), "\(arguments): \(result.stderr)")
            }
            #expect(try cluster.gfs(["cat", "/pub/data"]).output == data)
            #expect(try cluster.gfs(["ls", "/"]).stdout == "home\npub\n")

            // An unknown principal, and a known one with the wrong secret, get nowhere.
            let carol = try Self.privateFile(cluster, "carol.secret", "carol 0123456789abcdef0123456789abcdef")
            let stranger = try cluster.gfs(["ls", "/pub", "--timeout", "2"], environment: ["GFS_SECRET_FILE": carol.path])
            #expect(stranger.status == 1 && stranger.stderr.contains("unknown principal carol"), "\(stranger.stderr)")
            let impostor = try Self.privateFile(cluster, "fake.secret", "alice 00000000000000000000000000000000")
            let faked = try cluster.gfs(["ls", "/pub", "--timeout", "2"], environment: ["GFS_SECRET_FILE": impostor.path])
            #expect(faked.status == 1, "\(faked.stderr)")

            // An authenticated principal is still no master or chunkserver.
            let socket = try Self.login(cluster.masterAddress, try ClusterSecret(text: Self.alice))
            let chunkserver = cluster.chunkservers[0].address
            // (Payloads of such requests are dropped as they arrive, and the connection stays in frame.)
            for line in ["REGISTER addr=\(chunkserver) capacity=1 free=1 len=5", "HEARTBEAT addr=\(chunkserver) free=1",
                         "REPORT addr=\(chunkserver) len=5", "LS /pub len=5", "LEAVE addr=\(chunkserver)", "TAIL from=1", "CHECKPOINT",
                         "CORRUPT handle=00000000000000ff addr=\(chunkserver)", "LEASE handle=00000000000000ff", "PROMOTE",
                         "DRAIN addr=\(chunkserver)"] {
                socket.send(line + "\n" + (line.hasSuffix("len=5") ? "abcde" : ""))
                let reply = socket.readLines(1).first ?? "no reply"
                if line.hasPrefix("LS") {
                    #expect(reply.hasPrefix("OK"), "\(line): \(reply)")
                    _ = socket.readLines(Int(ProcessCluster.fields(reply)["n"] ?? "0") ?? 0)
                } else {
                    #expect(reply.hasPrefix("ERR DENIED"), "\(line): \(reply)")
                }
            }
            socket.shutdown()

            // The audit log has her changes and every refusal, with who and from where.
            // (Written within a second, in batches.)
            var entries: [String] = []
            try await waitUntil("the audit log has the refused REGISTER", within: .seconds(10)) {
                entries = ((try? String(contentsOf: audit, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
                return entries.contains { $0.hasPrefix("REGISTER ") }
            }
            #expect(entries.contains { $0.hasPrefix("CREATE /home/alice/mine ") && $0.contains("principal=alice addr=127.0.0.1 result=OK") },
                    "\(entries)")
            #expect(entries.contains { $0.hasPrefix("RM /pub/data ") && $0.contains("principal=alice") && $0.contains("result=DENIED") })
            #expect(entries.contains { $0.hasPrefix("LS /home/alice ") && $0.contains("principal=bob") && $0.contains("result=DENIED") })
            #expect(entries.contains { $0.hasPrefix("REGISTER ") && $0.contains("result=DENIED") })
            #expect(!cluster.master!.exit.hasExited)
        } catch {
            print(cluster.logs())
            throw error
        }
    }

    @Test func chunkOperationsNeedAGenuineTokenForThatChunk() async throws {
        let (cluster, _) = try await Self.start("tokens")
        defer { cluster.stop() }
        do {
            let data = testBytes(100_000, seed: 15)
            #expect(try cluster.gfs(["put", "-", "/pub/data"], stdin: data).status == 0)
            #expect(try cluster.gfs(["put", "-", "/home/alice/mine"], stdin: data).status == 0)
            let alice = try ClusterSecret(text: Self.alice)
            let master = try Self.login(cluster.masterAddress, alice)
            defer { master.shutdown() }
            master.send("LOOKUP /pub/data\n")
            let head = ProcessCluster.fields(master.readLines(1).first ?? "")
            let chunkLines = master.readLines(Int(head["n"] ?? "0") ?? 0)
            let chunk = ProcessCluster.fields(try #require(chunkLines.first))
            let (handle, version, token) = (try #require(chunk["handle"]), try #require(chunk["version"]), try #require(chunk["token"]))
            let replica = try #require(chunk["replicas"]?.split(separator: ",").first.map(String.init))
            func send(_ line: String, to address: String = replica) throws -> String {
                let socket = try RawSocket(address)
                defer { socket.shutdown() }
                socket.send(line + "\n")
                return socket.readLines(1).first ?? "no reply"
            }
            let read = "READ handle=\(handle) version=\(version) offset=0 length=100"
            // Its token reads it; a member's connection needs none.
            #expect(try send(read + " token=\(token)").hasPrefix("OK"))

            // Without, forged, on another chunk or version, for another mode, or expired: refused.
            var forged = Array(token)
            forged[forged.count - 1] = forged.last == "0" ? "1" : "0"
            let keys = ChunkTokenKeys(secret: try ClusterSecret.load(try #require(cluster.secretFile).path))
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let other = try ClusterSecret(text: "ffffffffffffffffffffffffffffffff")
            let hostile: [(String, String)] = [
                (read, "needs token="),
                (read + " token=\(String(forged))", "bad signature"),
                (read + " token=garbage", "not a chunk token"),
                (read + " token=\(String(repeating: "9", count: 300))", "longer than any token"),
                ("READ handle=00000000000000ff version=\(version) offset=0 length=100 token=\(token)", "not 00000000000000ff"),
                ("READ handle=\(handle) version=\(UInt64(version)! + 1) offset=0 length=100 token=\(token)", "ask the master again"),
                ("WRITE handle=\(handle) version=\(version) offset=0 id=x token=\(token)", "grants reads only"),
                (read + " token=" + keys.issue(ChunkHandle(hex: handle)!, version: UInt64(version)!, mode: .read,
                                               principal: "alice", now: now - ChunkTokenKeys.period - 1000), "expired"),
                (read + " token=" + keys.issue(ChunkHandle(hex: handle)!, version: UInt64(version)!, mode: .read,
                                               principal: "alice", now: now - 3 * ChunkTokenKeys.period), "not in use"),
                (read + " token=" + ChunkTokenKeys(secret: other).issue(ChunkHandle(hex: handle)!, version: UInt64(version)!,
                                                                        mode: .read, principal: "alice", now: now), "bad signature"),
                ("GRANT handle=\(handle) version=99 lease_ms=60000 token=\(token)", "only the master and chunkservers"),
                ("REPLICATE handle=\(handle) version=1 from=127.0.0.1:9 token=\(token)", "only the master and chunkservers"),
                ("APPLY handle=\(handle) version=1 serial=1 offset=9223372036854775807 id=x token=\(token)", "only the master"),
            ]
            for (line, why) in hostile {
                let reply = try send(line)
                #expect(reply.hasPrefix("ERR DENIED") && reply.contains(why), "\(line): \(reply)")
            }

            // A write token lets its bytes go only along the replicas the master named.
            master.send("LOOKUP /home/alice/mine\n")
            let mineHead = ProcessCluster.fields(master.readLines(1).first ?? "")
            let mine = ProcessCluster.fields(master.readLines(Int(mineHead["n"] ?? "0") ?? 0).first ?? "")
            master.send("LEASE /home/alice/mine handle=\(try #require(mine["handle"]))\n")
            let lease = ProcessCluster.fields(master.readLines(1).first ?? "")
            let primary = try #require(lease["primary"]), writeToken = try #require(lease["token"])
            let secondaries = (lease["secondaries"] ?? "").split(separator: ",").map(String.init)
            let socket = try RawSocket(primary)
            socket.send("PUSH id=ab len=3 chain=\(secondaries.joined(separator: ",")) token=\(writeToken)\nabc")
            socket.send("PUSH id=ab len=3 chain=127.0.0.1:9 token=\(writeToken)\nabc")
            socket.send("PUSH id=ab len=3 token=\(token)\nabc")
            let replies = socket.readLines(3)
            socket.shutdown()
            #expect(replies.first == "OK", "\(replies)")
            #expect(replies.dropFirst().first?.contains("not the replicas the master gave") == true, "\(replies)")
            #expect(replies.last?.contains("PUSH needs a write token") == true, "\(replies)")

            // Nothing refused changed anything, and every server is up.
            #expect(try cluster.gfs(["cat", "/pub/data"]).output == data)
            #expect(!cluster.master!.exit.hasExited && cluster.chunkservers.allSatisfy { !$0.exit.hasExited })
        } catch {
            print(cluster.logs())
            throw error
        }
    }
}
