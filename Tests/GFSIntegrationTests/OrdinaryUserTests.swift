// Goal: gfs works for a user who is not root.
// Method: real master and chunkservers on loopback; servers and clients run as the user nobody with setpriv
// (the tests run as root, which no permission stops), and the chunkservers' /status.json counts the bytes
// they served.
import Foundation
import GFSTestSupport
import Testing

@Suite(.serialized) struct OrdinaryUserTests {
    /// Until NIO's TCP_NODELAY was asked for at the TCP level, every connection a non-root user made or took
    /// failed with EACCES (it set SO_DEBUG), so nothing worked unless run by root.
    @Test func aClusterRunByAnOrdinaryUserServesIt() async throws {
        try #require(getuid() == 0, "the test runs the cluster as the user nobody, which takes root")
        let cluster = try ProcessCluster(name: "ordinaryUser")
        defer { cluster.stop() }
        do {
            try cluster.runAs("nobody")
            try await cluster.start(chunkservers: 3, master: nil, chunkserver: ["--http", "127.0.0.1:0"])
            let data = testBytes(3 * 65536 + 5, seed: 17)
            let put = try cluster.gfs(["put", "-", "/f"], stdin: data)
            #expect(put.status == 0, "\(put.stderr)")
            let cat = try cluster.gfs(["cat", "/f"])
            #expect(cat.status == 0, "\(cat.stderr)")
            #expect(cat.output == data)
            // The files are the client's own user's, so it read them itself.
            #expect(try LocalReadTests.bytesServed(cluster) == 0)
            let owner = try FileManager.default.attributesOfItem(atPath: cluster.chunkservers[0].directory.path)[.ownerAccountID]
            #expect((owner as? NSNumber)?.uint32Value == cluster.user?.uid)
        } catch {
            print(cluster.logs())
            throw error
        }
    }
}
