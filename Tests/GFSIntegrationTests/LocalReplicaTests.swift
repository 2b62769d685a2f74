// Goal: a client reading a replica's files itself returns only bytes that match their checksums: a short file
// or a flipped byte is refused, never read past.
// Method: LocalReplica over files written and opened here, as a chunkserver's descriptor socket hands them over.
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

    /// The files opened read-only, as `OPEN` hands them over.
    func replica() throws -> LocalReplica {
        let chunk = open(path("chunk").path, O_RDONLY | O_CLOEXEC)
        let checksum = open(path("crc").path, O_RDONLY | O_CLOEXEC)
        try #require(chunk >= 0 && checksum >= 0)
        return LocalReplica(chunk: chunk, checksum: checksum, length: Int64(data.count))
    }

    func code(_ body: () throws(GFSError) -> ByteBuffer) -> GFSError.Code? {
        do throws(GFSError) { _ = try body(); return nil } catch { return error.code }
    }

    @Test func theHandedFilesReadBackVerified() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let replica = try replica()
        defer {
            close(replica.chunk)
            close(replica.checksum)
        }
        let bytes = try replica.read(offset: 70_000, length: 50_000)
        #expect(Data(bytes.readableBytesView) == data[70_000..<120_000])
        #expect(try replica.read(offset: 140_000, length: 50_000).readableBytes == 10_000)
        #expect(try replica.read(offset: 150_000, length: 10).readableBytes == 0)
    }

    @Test func rotOrAShortFileIsAChecksumFailure() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var rotten = data
        rotten[100_000] ^= 0x01
        let handleFile = try FileHandle(forWritingTo: path("chunk"))
        try handleFile.seek(toOffset: 100_000)
        try handleFile.write(contentsOf: rotten[100_000..<100_001])
        let replica = try replica()
        defer {
            close(replica.chunk)
            close(replica.checksum)
        }
        #expect(try replica.read(offset: 0, length: 65_536).readableBytes == 65_536)
        #expect(code { () throws(GFSError) in try replica.read(offset: 90_000, length: 20_000) } == .checksum)
        try handleFile.truncate(atOffset: 80_000)
        try handleFile.close()
        #expect(code { () throws(GFSError) in try replica.read(offset: 0, length: 100_000) } == .checksum)
    }
}
