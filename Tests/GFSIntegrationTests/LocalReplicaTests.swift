// Goal: a client reads a replica's files itself only when they are the very files its chunkserver named, and
// returns only bytes that match their checksums: another file at the same path, a path named for another
// chunk, a FIFO, a short file or a flipped byte is refused, never read past or waited on.
// Method: LocalReplica over files written here, with their device and inode from stat(2).
@testable import GFSClient
import Foundation
import GFSCore
import GFSProtocol
import NIOCore
import Testing

@Suite struct LocalReplicaTests {
    let handle = ChunkHandle(0xab)
    let folder: URL
    let data = Data((0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("local-replica-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try data.write(to: path("chunk"))
        var sums = Data()
        for start in stride(from: 0, to: data.count, by: ChecksumLayout.blockSize) {
            let sum = CRC32C.checksum(Array(data[start..<min(start + ChecksumLayout.blockSize, data.count)]))
            withUnsafeBytes(of: sum.littleEndian) { sums.append(contentsOf: $0) }
        }
        try sums.write(to: path("crc"))
    }

    func path(_ kind: String) -> URL { folder.appendingPathComponent("\(handle).\(kind)") }

    static func identity(_ url: URL) throws -> LocalReply.FileIdentity {
        var status = stat()
        guard stat(url.path, &status) == 0 else { throw GFSError(.notFound, url.path) }
        return LocalReply.FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    func reply(chunk: URL? = nil, chunkFile: LocalReply.FileIdentity? = nil) throws -> LocalReply {
        let chunk = chunk ?? path("chunk")
        return LocalReply(chunkPath: chunk.path, chunkFile: try chunkFile ?? Self.identity(chunk), checksumPath: path("crc").path,
                          checksumFile: try Self.identity(path("crc")), length: Int64(data.count))
    }

    func code(_ body: () throws(GFSError) -> ByteBuffer) -> GFSError.Code? {
        do throws(GFSError) { _ = try body(); return nil } catch { return error.code }
    }

    @Test func theNamedFilesReadBackVerified() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let replica = LocalReplica(try reply(), handle: handle)
        let bytes = try replica.read(offset: 70_000, length: 50_000)
        #expect(Data(bytes.readableBytesView) == data[70_000..<120_000])
        #expect(try replica.read(offset: 140_000, length: 50_000).readableBytes == 10_000)
        #expect(try replica.read(offset: 150_000, length: 10).readableBytes == 0)
    }

    @Test func otherFilesAreRefused() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let elsewhere = try reply(chunkFile: LocalReply.FileIdentity(device: 1, inode: 2))
        #expect(code { () throws(GFSError) in try LocalReplica(elsewhere, handle: handle).read(offset: 0, length: 10) } == .unavailable)
        let another = LocalReplica(try reply(), handle: ChunkHandle(0xac))
        #expect(code { () throws(GFSError) in try another.read(offset: 0, length: 10) } == .unavailable)
        let fifo = folder.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let named = try reply(chunk: fifo)
        #expect(code { () throws(GFSError) in try LocalReplica(named, handle: handle).read(offset: 0, length: 10) } == .unavailable)
    }

    @Test func rotOrAShortFileIsAChecksumFailure() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var rotten = data
        rotten[100_000] ^= 0x01
        let handleFile = try FileHandle(forWritingTo: path("chunk"))
        try handleFile.seek(toOffset: 100_000)
        try handleFile.write(contentsOf: rotten[100_000..<100_001])
        let replica = LocalReplica(try reply(), handle: handle)
        #expect(try replica.read(offset: 0, length: 65_536).readableBytes == 65_536)
        #expect(code { () throws(GFSError) in try replica.read(offset: 90_000, length: 20_000) } == .checksum)
        try handleFile.truncate(atOffset: 80_000)
        try handleFile.close()
        #expect(code { () throws(GFSError) in try replica.read(offset: 0, length: 100_000) } == .checksum)
    }
}
