// Goal: gfs works for a user who is not root, and keeps a server's files from every other user: each server's
// folder is its owner's alone (HDFS keeps a DataNode's data folders 0700), so the only way to a replica is
// through its chunkserver, with a token: over its port, or as files it hands a local reader open.
// Method: real master and chunkservers on loopback; servers and clients run as the user nobody with setpriv
// (the tests run as root, which no permission stops), and the chunkservers' /status.json counts the bytes
// they served.
import Foundation
import GFSClient
import GFSProtocol
import GFSTestSupport
import Testing

@Suite(.serialized) struct OrdinaryUserTests {
    /// Root, or told it must be (CI sets GFS_REQUIRE_ROOT=1, so a run without root fails rather than skips).
    static let canSwitchUser = getuid() == 0 || ProcessInfo.processInfo.environment["GFS_REQUIRE_ROOT"] == "1"

    /// The permission bits of the file or folder at `url`.
    static func mode(_ url: URL) throws -> Int {
        try #require((try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue)
    }

    /// Until NIO's TCP_NODELAY was asked for at the TCP level, every connection a non-root user made or took
    /// failed with EACCES (it set SO_DEBUG), so nothing worked unless run by root.
    @Test(.enabled(if: OrdinaryUserTests.canSwitchUser, "running as another user takes root"))
    func aClusterRunByAnOrdinaryUserServesIt() async throws {
        try await withCluster(chunkservers: 3, chunkserver: ["--http", "127.0.0.1:0"], user: "nobody") { cluster in
            let data = testBytes(3 * 65536 + 5, seed: 17)
            let put = try cluster.gfs(["put", "-", "/f"], stdin: data)
            #expect(put.status == 0, "\(put.stderr)")
            let cat = try cluster.gfs(["cat", "/f"])
            #expect(cat.status == 0, "\(cat.stderr)")
            #expect(cat.output == data)
            // On the chunkservers' machine, the client read the files it was handed itself.
            #expect(try LocalReadTests.bytesServed(cluster) == 0)
            let owner = try FileManager.default.attributesOfItem(atPath: cluster.chunkservers[0].directory.path)[.ownerAccountID]
            #expect((owner as? NSNumber)?.uint32Value == cluster.user?.uid)
        }
    }

    /// Another user of the machine cannot read a replica off the disk, yet that user's client still reads
    /// locally: the chunkserver hands it the files it asked for, open, on its descriptor socket.
    @Test(.enabled(if: OrdinaryUserTests.canSwitchUser, "running as another user takes root"))
    func anotherUsersClientReadsTheFilesItIsHanded() async throws {
        try await withCluster(chunkservers: 3, chunkserver: ["--http", "127.0.0.1:0"]) { cluster in
            // The test's own folder is opened to all, so only the servers' folders can keep others out.
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: cluster.root.path)
            let data = testBytes(3 * 65536 + 5, seed: 16)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            let master = try #require(cluster.master)
            for server in cluster.chunkservers + [master] { #expect(try Self.mode(server.directory) == 0o700) }
            #expect(try Self.mode(try #require(chunkFiles(cluster.chunkservers[0]).first)) == 0o600)
            try cluster.runAs("nobody")
            let cat = try cluster.gfs(["cat", "/f"])
            #expect(cat.status == 0, "\(cat.stderr)")
            #expect(cat.output == data)
            #expect(try LocalReadTests.bytesServed(cluster) == 0)
            #expect(try cluster.gfs(["cat", "--no-local-reads", "/f"]).output == data)
            #expect(try LocalReadTests.bytesServed(cluster) == Int64(data.count))
        }
    }

    /// A folder an older gfs made, or an operator opened, is closed again when its server takes it.
    @Test func aServersFolderIsClosedToOthersWhenTaken() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gfs-lock-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        try #require(try Self.mode(folder) == 0o755)
        let lock = try DirectoryLock(folder.path, role: "chunkserver")
        #expect(try Self.mode(folder) == 0o700)
        // A second server is told the folder is in use; one given a file is refused before it touches it.
        #expect(throws: GFSError.self) { try DirectoryLock(folder.path, role: "chunkserver") }
        let file = folder.appendingPathComponent("LOCK")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(throws: GFSError.self) { try DirectoryLock(file.path, role: "chunkserver") }
        #expect(try Self.mode(file) == 0o644)
        withExtendedLifetime(lock) {}
    }
}
