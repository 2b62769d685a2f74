// Goal (issue 14, optional TLS): with --tls-cert/--tls-key/--tls-ca on every role, members and clients work
// as before over TLS, and a client that does not speak TLS, or trusts another authority, gets nowhere.
// Method: a real authority and server certificate made with openssl (the address 127.0.0.1 in its names),
// real processes, and a raw socket for a plaintext peer.
import Foundation
import GFSTestSupport
import Testing

@Suite(.serialized) struct TransportSecurityTests {
    /// An authority, and a certificate it signed for 127.0.0.1, in `folder`.
    static func makeCertificates(in folder: URL, name: String) throws -> (authority: URL, certificate: URL, key: URL) {
        let path = { (file: String) in folder.appendingPathComponent("\(name)-\(file)").path }
        let names = folder.appendingPathComponent("\(name)-names.cnf")
        try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: names)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("ca.key"),
             "-out", path("ca.pem"), "-days", "2", "-subj", "/CN=gfs test authority \(name)"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("server.key"),
             "-out", path("server.csr"), "-subj", "/CN=gfs test server"],
            ["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
             "-out", path("server.pem"), "-days", "2", "-extfile", names.path],
        ]
        for step in steps {
            let result = try ProcessCluster.run(URL(fileURLWithPath: "/usr/bin/openssl"), step)
            try #require(result.status == 0, "openssl \(step.joined(separator: " ")): \(result.stderr)")
        }
        return (URL(fileURLWithPath: path("ca.pem")), URL(fileURLWithPath: path("server.pem")), URL(fileURLWithPath: path("server.key")))
    }

    @Test func rolesAndClientsSpeakTLSAndPlaintextGetsNowhere() async throws {
        let cluster = try ProcessCluster(name: "tls")
        defer { cluster.stop() }
        do {
            let (authority, certificate, key) = try Self.makeCertificates(in: cluster.root, name: "cluster")
            let (otherAuthority, _, _) = try Self.makeCertificates(in: cluster.root, name: "other")
            cluster.secretFile = try MembershipTests.secret(cluster, "secret")
            cluster.serverFlags = ["--tls-cert", certificate.path, "--tls-key", key.path, "--tls-ca", authority.path]
            cluster.clientEnvironment = ["GFS_TLS_CA": authority.path]
            try await cluster.start(chunkservers: 3)

            // Members replicate, and clients write and read, over TLS.
            let data = testBytes(300_000, seed: 17)
            let put = try cluster.gfs(["put", "-", "/secret-data"], stdin: data)
            #expect(put.status == 0, "\(put.stderr)")
            #expect(try cluster.gfs(["cat", "/secret-data"]).output == data)

            // A client without TLS, or trusting another authority, is refused; so is a plaintext line.
            let plain = try cluster.gfs(["ls", "/", "--timeout", "2"], environment: ["GFS_TLS_CA": ""])
            #expect(plain.status != 0 && plain.stdout.isEmpty && plain.stderr.contains("--tls-ca"), "\(plain.stdout) \(plain.stderr)")
            let wrong = try cluster.gfs(["ls", "/", "--timeout", "2"], environment: ["GFS_TLS_CA": otherAuthority.path])
            #expect(wrong.status != 0 && wrong.stderr.contains("certificate is not signed by the authority"), "\(wrong.stderr)")
            let socket = try RawSocket(cluster.masterAddress)
            socket.send("LS /\n")
            let reply = socket.readLines(1).first ?? ""
            socket.shutdown()
            #expect(!reply.hasPrefix("OK") && !reply.hasPrefix("ERR"), "a plaintext peer got a protocol reply: \(reply)")
            #expect(!cluster.master!.exit.hasExited && cluster.chunkservers.allSatisfy { !$0.exit.hasExited })

            // A server that accepts but never answers (a stopped process's kernel still accepts) costs the TLS
            // handshake its deadline, not the caller's whole life; a frozen replica is passed over.
            let silent = try SilentListener()
            let hung = try ProcessCluster.run(ProcessCluster.binary, ["ls", "/", "--master", silent.address, "--timeout", "2"],
                                              environment: ["GFS_TLS_CA": authority.path], limit: 60)
            #expect(hung.status != 0 && hung.stderr.contains("did not finish the TLS handshake"), "\(hung.stderr)")
            let frozen = cluster.chunkservers[0]
            kill(frozen.pid, SIGSTOP)
            defer { kill(frozen.pid, SIGCONT) }
            let read = try cluster.gfs(["cat", "/secret-data", "--timeout", "30"])
            #expect(read.status == 0 && read.output == data, "\(read.stderr)")
        } catch {
            print(cluster.logs())
            throw error
        }
    }
}
