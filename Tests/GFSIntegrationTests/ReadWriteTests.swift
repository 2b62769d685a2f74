// Goal: files written through the real write path (push chain + primary) read back byte for byte, also
// when a replica dies or rots. Method: real master and chunkservers on loopback, 64 KiB chunks.
import Foundation
import GFSTestSupport
import Testing

@Suite(.serialized) struct ReadWriteTests {
    /// A file of 5+ chunks put from stdin reads back identical, with every chunk on three servers.
    @Test func putFromStdinThenCatAndGet() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let data = testBytes(5 * 65536 + 1234)
            let put = try cluster.gfs(["put", "-", "/big"], stdin: data)
            #expect(put.status == 0, "\(put.stderr)")
            let stat = try cluster.gfs(["stat", "/big"]).stdout
            #expect(stat.contains("size\t\(data.count)") && stat.contains("chunks\t6") && stat.contains("replication\t3"))
            let cat = try cluster.gfs(["cat", "/big"])
            #expect(cat.status == 0)
            #expect(cat.output == data)
            let local = cluster.root.appendingPathComponent("copy")
            #expect(try cluster.gfs(["get", "/big", local.path]).status == 0)
            #expect(try Data(contentsOf: local) == data)
            for server in cluster.chunkservers { #expect(chunkFiles(server).count == 6) }
            let empty = try cluster.gfs(["put", "-", "/empty"], stdin: Data())
            #expect(empty.status == 0)
            #expect(try cluster.gfs(["cat", "/empty"]).output.isEmpty)
        }
    }

    /// Reference: GFS §4.3 — with one replica gone, reads go to the others.
    @Test func fileStaysReadableAfterAChunkserverIsKilled() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let data = testBytes(200_000, seed: 2)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            // Replicas that return while a lease is live are distrusted; let the put's leases end first.
            try await waitUntil("the put's leases to end") { try cluster.gfs(["status"]).stdout.contains("leases\t0\n") }
            let victim = cluster.chunkservers[0]
            cluster.kill(victim)
            try await waitUntil("the master to see \(victim.address) dead") {
                try statusLine(cluster, victim).dropFirst().first == "dead"
            }
            #expect(try cluster.gfs(["cat", "/f"]).output == data)
            // Restarted on the same folder (on a new port), it reports its replicas again.
            let again = try cluster.startChunkserver(folder: victim.directory)
            try await waitUntil("the restarted chunkserver to report its chunks") {
                try statusLine(cluster, again).dropFirst(2).first == "4"
            }
        }
    }

    /// Reference: GFS §5.2 — a flipped byte fails the block checksum; the reader is served by another replica
    /// and the bad replica is reported and taken out of service.
    @Test func corruptReplicaIsDetectedAndAvoided() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let data = testBytes(150_000, seed: 3)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            let server = cluster.chunkservers[0]
            let chunk = try #require(chunkFiles(server).first)
            var bytes = try Data(contentsOf: chunk)
            bytes[100] ^= 0xFF
            try bytes.write(to: chunk)
            let (handle, version) = try replicaOnDisk(chunk)
            let socket = try RawSocket(server.address)
            socket.send("READ handle=\(handle) version=\(version) offset=0 length=10\n")
            #expect(socket.readLines(1).first?.hasPrefix("ERR CHECKSUM") == true)
            try await waitUntil("the chunkserver to quarantine the corrupt replica") {
                FileManager.default.fileExists(atPath: chunk.path + ".corrupt")
            }
            // The master drops it and copies a good replica (with three servers, back onto this one).
            try await waitUntil("fsck to be healthy again") { try cluster.gfs(["fsck"]).status == 0 }
            #expect(try cluster.gfs(["cat", "/f"]).output == data)
        }
    }

    /// Reference: GFS §3.1 — a replica dying mid-write fails that write; the client retries and the file is whole.
    @Test func putSurvivesAChunkserverKilledMidway() async throws {
        try await withCluster(chunkservers: 4) { cluster in
            let data = testBytes(8 * 65536, seed: 4)
            let put = try cluster.start(["put", "-", "/f"], keepOpen: true)
            try put.write(data.prefix(3 * 65536))
            try await waitUntil("the first chunks to be written") {
                let socket = try RawSocket(cluster.masterAddress)
                socket.send("LOOKUP /f\n")
                return socket.readLines(1).first.map { !$0.contains("n=") } == false
            }
            let socket = try RawSocket(cluster.masterAddress)
            socket.send("LOOKUP /f\n")
            let chunks = socket.readLines(4).filter { $0.hasPrefix("CHUNK") }
            let replicas = try #require(chunks.last?.split(separator: " ").first { $0.hasPrefix("replicas=") })
            let victimAddress = String(replicas.dropFirst(9).split(separator: ",")[0])
            let victim = try #require(cluster.chunkservers.first { $0.address == victimAddress })
            cluster.kill(victim)
            try put.write(data.dropFirst(3 * 65536))
            put.closeInput()
            let result = put.wait()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try cluster.gfs(["cat", "/f"]).output == data)
        }
    }
}
