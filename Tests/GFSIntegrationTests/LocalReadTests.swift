// Goal: a client on a chunkserver's machine reads that replica from its files (a short-circuit read) and checks
// every block against its CRC32C itself: it never returns rotten bytes, and a rotten replica still reaches its
// chunkserver, which refuses it and reports it. `--no-local-reads` goes over the sockets as before.
// Method: real master and chunkservers on loopback, 64 KiB chunks; the chunkservers' /status.json counts the
// bytes they served, and bytes are flipped in the replicas' files (with the scrubber off, so only a read can
// find them).
import Foundation
@testable import GFSClient
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

    /// The whole contents of an open file, read from its start.
    static func contents(_ descriptor: Int32) -> Data {
        var bytes = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = pread(descriptor, &buffer, buffer.count, off_t(bytes.count))
            if count <= 0 { return bytes }
            bytes.append(contentsOf: buffer[..<count])
        }
    }

    /// The descriptor socket's answer to `text` and a newline.
    static func ask(_ text: String, at name: String) throws -> String? {
        let descriptor = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        DescriptorSocket.setPatience(timeval(tv_sec: 10, tv_usec: 0), on: descriptor)
        try #require(DescriptorSocket.withAddress(name) { connect(descriptor, $0, $1) } == 0)
        let bytes = Array((text + "\n").utf8)
        try #require(send(descriptor, bytes, bytes.count, 0) == bytes.count)
        var reply = [UInt8](repeating: 0, count: 1024)
        let count = recv(descriptor, &reply, reply.count, 0)
        return count > 0 ? String(decoding: reply[..<count], as: UTF8.self) : nil
    }

    /// The code of the error `body` throws, if any.
    static func refusal(_ body: () throws(GFSError) -> DescriptorSocket.Redeemed) -> GFSError.Code? {
        do throws(GFSError) { _ = try body(); return nil } catch { return error.code }
    }

    @Test func localGivesATicketForTheReplicasFilesOnceAndKeepsTheVersionRule() async throws {
        try await withCluster(chunkservers: 3) { cluster in
            let data = testBytes(100_000, seed: 13)
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: data).status == 0)
            let server = cluster.chunkservers[0]
            let chunk = try #require(chunkFiles(server).first)
            let (handle, version) = try replicaOnDisk(chunk)
            let socket = try RawSocket(server.address)
            socket.send("LOCAL handle=\(handle) version=\(version)\n")
            let reply = try LocalReply(Reply(line: Line(parsing: try #require(socket.readLines(1).first).utf8)))
            #expect(reply.length == 65536)
            #expect(!reply.socket.contains("/"), "a name in the abstract namespace, not a path: \(reply.socket)")
            guard case let .files(chunkFile, checksumFile) = try DescriptorSocket.redeem(reply.ticket, proof: reply.proof,
                                                                                         at: reply.socket) else {
                Issue.record("the descriptor socket \(reply.socket) is not on this machine")
                return
            }
            defer {
                close(chunkFile)
                close(checksumFile)
            }
            #expect(Self.contents(chunkFile) == (try Data(contentsOf: chunk)))
            #expect(Self.contents(checksumFile) == (try Data(contentsOf: chunk.deletingPathExtension().appendingPathExtension("crc"))))
            // Handed over for reading only.
            #expect(fcntl(chunkFile, F_GETFL) & O_ACCMODE == O_RDONLY)
            #expect(fcntl(checksumFile, F_GETFL) & O_ACCMODE == O_RDONLY)
            // A ticket opens once, and only one LOCAL gave; OPEN is refused on the protocol port.
            #expect(Self.refusal { () throws(GFSError) in try DescriptorSocket.redeem(reply.ticket, proof: reply.proof, at: reply.socket) } == .denied)
            #expect(Self.refusal { () throws(GFSError) in
                try DescriptorSocket.redeem(RandomName.random(), proof: reply.proof, at: reply.socket)
            } == .denied)
            socket.send("OPEN ticket=\(reply.ticket)\n")
            #expect(socket.readLines(1).first?.hasPrefix("ERR BADREQ") == true)
            // On the descriptor socket, anything but OPEN is BADREQ, and it goes on answering.
            for garbage in ["READ handle=\(handle) version=\(version) offset=0 length=1", "OPEN ticket=zz", "%zz", "\n"] {
                #expect(try Self.ask(garbage, at: reply.socket)?.hasPrefix("ERR BADREQ") == true, "\(garbage)")
            }
            // Files gone since LOCAL are NOTFOUND, so the reader asks with READ, which finds and reports them.
            socket.send("LOCAL handle=\(handle) version=\(version)\n")
            let again = try LocalReply(Reply(line: Line(parsing: try #require(socket.readLines(1).first).utf8)))
            try FileManager.default.removeItem(at: chunk.deletingPathExtension().appendingPathExtension("crc"))
            #expect(Self.refusal { () throws(GFSError) in try DescriptorSocket.redeem(again.ticket, proof: again.proof, at: again.socket) }
                == .notFound)
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
