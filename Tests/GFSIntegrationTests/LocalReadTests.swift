// Goal: a client on a chunkserver's machine reads that replica from its files (a short-circuit read) and checks
// every block against its CRC32C itself: it never returns rotten bytes, and a rotten replica still reaches its
// chunkserver, which refuses it and reports it. `--no-local-reads` goes over the sockets as before.
// Method: real master and chunkservers on loopback, 64 KiB chunks; the chunkservers' /status.json counts the
// bytes they served, and bytes are flipped in the replicas' files (with the scrubber off, so only a read can
// find them).
import Foundation
import GFSProtocol
import GFSTestSupport
import Testing

@Suite(.serialized) struct LocalReadTests {
    /// Bytes the chunkservers have served to readers, from their status pages.
    static func bytesServed(_ cluster: ProcessCluster) throws -> Int64 {
        try cluster.chunkservers.map { server in
            let page = try StatusPageTests.page(of: server)
            return try JSONDecoder().decode(ChunkServerReport.self, from: StatusPageTests.fetch(page + "status.json")).bytesRead
        }.reduce(0, +)
    }

    /// Flips one byte of a replica's file.
    static func rot(_ chunk: URL, at offset: Int) throws {
        var bytes = try Data(contentsOf: chunk)
        bytes[offset] ^= 0xFF
        try bytes.write(to: chunk)
    }

    @Test func catOnTheChunkserversMachineReadsTheReplicaFiles() async throws {
        try await withCluster(chunkservers: 3, chunkserver: ["--http", "127.0.0.1:0"]) { cluster in
            let data = testBytes(3 * 65536 + 5, seed: 12)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            let cat = try cluster.gfs(["cat", "/f"])
            #expect(cat.output == data)
            #expect(try Self.bytesServed(cluster) == 0)
            #expect(try cluster.gfs(["cat", "--no-local-reads", "/f"]).output == data)
            #expect(try Self.bytesServed(cluster) == Int64(data.count))
        }
    }

    @Test func localNamesAReplicasFilesAndKeepsTheVersionRule() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let data = testBytes(100_000, seed: 13)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            let server = cluster.chunkservers[0]
            let chunk = try #require(chunkFiles(server).first)
            let (handle, version) = try replicaOnDisk(chunk)
            let socket = try RawSocket(server.address)
            socket.send("LOCAL handle=\(handle) version=\(version)\n")
            let reply = try LocalReply(Reply(line: Line(parsing: try #require(socket.readLines(1).first).utf8)))
            #expect(reply.chunkPath.hasPrefix("/"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: reply.chunkPath)) == Data(contentsOf: chunk))
            #expect(reply.checksumPath == String(reply.chunkPath.dropLast("chunk".count)) + "crc")
            #expect(reply.chunkFile == (try LocalReplicaTests.identity(chunk)))
            #expect(reply.length == 65536)
            // A reader that knows a newer version than the replica holds is refused, as its READ would be.
            socket.send("LOCAL handle=\(handle) version=\(version + 1)\n")
            #expect(socket.readLines(1).first?.hasPrefix("ERR STALE") == true)
        }
    }

    /// Reference: GFS §5.2. A rotten replica is never returned; a read that picks it goes to its chunkserver,
    /// which quarantines it, and the bytes come from another replica.
    @Test func aRottenReplicaIsRefusedAndReported() async throws {
        try await withCluster(chunkservers: 3, chunkserver: ["--scrub-rate", "0"]) { cluster in
            let data = testBytes(150_000, seed: 14)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            let server = cluster.chunkservers[0]
            let chunk = try #require(chunkFiles(server).first)
            try Self.rot(chunk, at: 100)
            // Each read picks its replica at random: read until one picked the rotten one.
            try await waitUntil("a read to reach the rotten replica and its chunkserver to quarantine it") {
                let cat = try cluster.gfs(["cat", "/f"])
                #expect(cat.output == data, "a read returned other bytes: \(cat.stderr)")
                return FileManager.default.fileExists(atPath: chunk.path + ".corrupt")
            }
            let master = try #require(cluster.master)
            try await waitUntil("the master to hear of it") {
                try String(contentsOf: master.log, encoding: .utf8).contains("chunkserver \(server.address) reports its replica")
            }
        }
    }

    @Test func aChunkRottenEverywhereFailsTheRead() async throws {
        try await withCluster(chunkservers: 3, chunkserver: ["--scrub-rate", "0"]) { cluster in
            let data = testBytes(150_000, seed: 15)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            for server in cluster.chunkservers { try Self.rot(try #require(chunkFiles(server).first), at: 70_000 % 65536) }
            let cat = try cluster.gfs(["cat", "--timeout", "3", "/f"])
            #expect(cat.status != 0)
            #expect(cat.output.isEmpty)
        }
    }
}
