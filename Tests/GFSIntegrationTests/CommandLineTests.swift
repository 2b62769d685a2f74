// Goal: the CLI behaves like a Unix tool: tab-separated output, JSON on request, one clear stderr line and
// a telling exit status on every failure. Method: run the real binary against a real cluster.
import Foundation
import GFSTestSupport
import Testing

@Suite(.serialized) struct CommandLineTests {
    @Test func namespaceCommands() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            #expect(try cluster.gfs(["mkdir", "-p", "/a/b"]).status == 0)
            #expect(try cluster.gfs(["mkdir", "-p", "/a/b"]).status == 0)
            #expect(try cluster.gfs(["put", "-", "/a/f"], stdin: Data("hello\n".utf8)).status == 0)
            #expect(try cluster.gfs(["ls", "/a"]).stdout == "b\nf\n")
            let long = try cluster.gfs(["ls", "-l", "/a"]).stdout.split(separator: "\n").map { $0.split(separator: "\t") }
            #expect(long.map { $0.count } == [5, 5])
            #expect(long[1][0] == "-" && long[1][1] == "3" && long[1][2] == "6" && long[1][4] == "f")
            let json = try JSONSerialization.jsonObject(with: try cluster.gfs(["ls", "--json", "/a"]).output) as? [[String: Any]]
            #expect(json?.compactMap { $0["path"] as? String } == ["/a/b", "/a/f"])
            #expect(try cluster.gfs(["stat", "/a/f"]).stdout.hasPrefix("path\t/a/f\ntype\tfile\nsize\t6\n"))
            // -h is ls -h, not help, for the commands that print sizes; --help still is.
            #expect(try cluster.gfs(["put", "-", "/a/big"], stdin: Data(count: 3 << 20 | 512)).status == 0)
            #expect(try cluster.gfs(["ls", "-l", "-h", "/a/big"]).stdout.split(separator: "\t")[2] == "3M")
            #expect(try cluster.gfs(["stat", "-h", "/a/big"]).stdout.contains("size\t3M\n"))
            #expect(try cluster.gfs(["ls", "--help"]).stdout.contains("USAGE: gfs ls"))
            // A progress line only when asked for (stderr here is a pipe), ending at 100%.
            let quiet = try cluster.gfs(["get", "/a/big", "-"])
            #expect(quiet.stderr.isEmpty && quiet.output.count == 3 << 20 | 512)
            let shown = try cluster.gfs(["get", "--progress", "/a/big", cluster.root.appendingPathComponent("big").path])
            #expect(shown.status == 0 && shown.stderr.hasPrefix("\rbig  ") && shown.stderr.contains("100%  3M of 3M"))

            #expect(try cluster.gfs(["mv", "/a/f", "/a/b"]).status == 0)
            #expect(try cluster.gfs(["cat", "/a/b/f"]).stdout == "hello\n")
            #expect(try cluster.gfs(["mv", "/a/b/f", "/g"]).status == 0)
            #expect(try cluster.gfs(["cat", "/g"]).stdout == "hello\n")

            let notEmpty = try cluster.gfs(["rm", "/a"])
            #expect(notEmpty.status == 1)
            #expect(notEmpty.stderr == "gfs: /a: directory not empty\n")
            #expect(try cluster.gfs(["rm", "-r", "/a"]).status == 0)
            #expect(try cluster.gfs(["ls", "/"]).stdout == "g\n")
            #expect(try cluster.gfs(["rm", "-f", "/nothing"]).status == 0)
            #expect(try cluster.gfs(["rm", "/g"]).status == 0)
            #expect(try cluster.gfs(["ls", "--deleted"]).stdout.split(separator: "\n").map { $0.split(separator: "\t")[0] }
                == ["/g", "/a"])
            #expect(try cluster.gfs(["gc", "--now"]).stdout.hasPrefix("purged\t2\n"))
            // The purged files' replicas are deleted from the chunkservers through heartbeat replies.
            try await waitUntil("replicas of removed files to be deleted") {
                cluster.chunkservers.allSatisfy { chunkFiles($0).isEmpty }
            }
        }
    }

    @Test func badInputGetsOneClearLineAndAStatus() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let missing = try cluster.gfs(["cat", "/nope"])
            #expect(missing.status == 1)
            #expect(missing.stderr == "gfs: /nope: no such file or directory\n")
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: Data("x".utf8)).status == 0)
            let exists = try cluster.gfs(["put", "-", "/f"], stdin: Data("y".utf8))
            #expect(exists.status == 1)
            #expect(exists.stderr == "gfs: /f: already exists\n")
            #expect(try cluster.gfs(["put", "--force", "-", "/f"], stdin: Data("y".utf8)).status == 0)
            #expect(try cluster.gfs(["cat", "/f"]).stdout == "y")
            let noParent = try cluster.gfs(["put", "-", "/no/f"], stdin: Data("x".utf8))
            #expect(noParent.stderr == "gfs: /no: no such directory\n")
            let isDirectory = try cluster.gfs(["cat", "/"])
            #expect(isDirectory.stderr == "gfs: /: is a directory\n")
            let noLocal = try cluster.gfs(["put", "/does/not/exist", "/x"])
            #expect(noLocal.status == 1 && noLocal.stderr.contains("/does/not/exist"))
            let usage = try cluster.gfs(["cat"])
            #expect(usage.status == 2 && usage.stderr.hasPrefix("gfs: "))
        }
    }

    /// Issue 17: a put goes on with fewer chunkservers than the goal, down to --min-replicas (2), and fsck
    /// shows the file under-replicated until a server joins; below the minimum the put waits out --timeout,
    /// then reports with status 3, and a server joining during the wait lets it go on.
    @Test func fewerChunkserversThanTheGoal() async throws {
        try await withCluster(chunkservers: 2) { cluster in
            let data = testBytes(1000)
            let put = try cluster.gfs(["put", "-", "/f"], stdin: data)
            #expect(put.status == 0, "two of three replicas are enough to write: \(put.stderr)")
            #expect(try cluster.gfs(["cat", "/f"]).output == data)
            let fsck = try cluster.gfs(["fsck", "/"])
            #expect(fsck.status != 0 && fsck.stdout.contains("under-replicated"), "\(fsck.stdout)")
            try cluster.startChunkserver()
            try await waitUntil("repair to bring /f to its goal") { try cluster.gfs(["fsck", "/"]).status == 0 }
        }
        try await withCluster(chunkservers: 1) { cluster in
            let put = try cluster.gfs(["put", "--timeout", "2", "-", "/f"], stdin: testBytes(1000))
            #expect(put.status == 3)
            #expect(put.stderr.hasPrefix("gfs: /f needs 2 live chunkservers to write (its goal is 3), only 1 alive (still so after"),
                    "\(put.stderr)")
            #expect(try cluster.gfs(["ls", "/"]).stdout.isEmpty, "a failed put leaves no file behind")
            let waiting = try cluster.start(["put", "-", "/g"], stdin: testBytes(1000))
            try cluster.startChunkserver()
            let joined = waiting.wait(within: 60)
            #expect(joined.status == 0, "a second chunkserver joined during the wait: \(joined.stderr)")
        }
    }

    @Test func unreachableMasterIsNamed() throws {
        let result = try ProcessCluster.run(ProcessCluster.binary, ["ls", "--master", "127.0.0.1:1", "--timeout", "1"])
        #expect(result.status == 3)
        #expect(result.stderr == "gfs: cannot connect to 127.0.0.1:1: Connection refused (still so after 1 s)\n")
        let environment = try ProcessCluster.run(ProcessCluster.binary, ["ls", "--timeout", "1"],
                                                 environment: ["GFS_MASTER": "127.0.0.1:2"])
        #expect(environment.stderr.contains("127.0.0.1:2"))
    }

    /// Busybox dispatch: a link named gfs-ls runs `gfs ls`.
    /// A server listening on every interface must be told the address others reach it at; it says so before
    /// it touches its folder.
    @Test func aWildcardListenNeedsAnAdvertisedAddress() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gfs-wildcard-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        for role in ["master", "chunkserver"] {
            let bare = try ProcessCluster.run(ProcessCluster.binary, [role, "--dir", folder.path, "--listen", "0.0.0.0:0"])
            #expect(bare.status == 2 && bare.stderr.contains("give --advertise host:port"), "\(role): \(bare.stderr)")
            let wild = try ProcessCluster.run(ProcessCluster.binary, [role, "--dir", folder.path, "--listen", "0.0.0.0:0",
                                                                      "--advertise", "0.0.0.0:7700"])
            #expect(wild.status == 2 && wild.stderr.contains("not a wildcard"), "\(role): \(wild.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    /// A duration too large to hold is one clear error, not a trap in the conversion.
    @Test func hugeDurationsAreRefused() throws {
        for flags in [["--lease", "1e19s"], ["--heartbeat-timeout", "18446744073709551615ms"], ["--etcd-ttl", "1e300s"]] {
            let result = try ProcessCluster.run(ProcessCluster.binary, ["master", "--dir", "/nonexistent/gfs-flags", "--listen", "127.0.0.1:0"] + flags)
            #expect(result.status == 2 && result.stderr.contains("is invalid for '\(flags[0])"), "\(flags): \(result.stderr)")
        }
    }

    @Test func linkNamesPickTheSubcommand() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            let link = cluster.root.appendingPathComponent("gfs-mkdir")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: ProcessCluster.binary)
            let made = try ProcessCluster.run(link, ["/via-link", "--master", cluster.masterAddress])
            #expect(made.status == 0, "\(made.stderr)")
            #expect(try cluster.gfs(["ls"]).stdout == "via-link\n")
        }
    }
}
