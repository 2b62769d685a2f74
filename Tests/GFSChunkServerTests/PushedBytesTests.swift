import Foundation
import GFSCore
import GFSProtocol
import NIOCore
import Testing

@testable import GFSChunkServer

/// A push kept in the parts it arrived in must be the same bytes, with the same block checksums, as the
/// payload in one buffer, and must never hold much more memory than its bytes.
@Suite struct PushedBytesTests {
    /// Parts of the sizes reads deliver: whole read buffers, odd sizes, single bytes and a run of small reads.
    static let partSizes = [256 << 10, 1, 70_000, 3, 200_000, 131_072, 5000, 5000, 5000, 64 << 10, 256 << 10, 17]
        + [Int](repeating: 1500, count: 300) + [256 << 10, 2]

    static func payload() -> ByteBuffer {
        var generator = SystemRandomNumberGenerator()
        let count = partSizes.reduce(0, +)
        return ByteBuffer(bytes: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The payload in `partSizes` parts: every third in a buffer of its own (kept as it is when 128 KiB or
    /// more), the others slices of one buffer holding the whole payload (each far smaller than it, so copied).
    static func pushed(_ payload: ByteBuffer) -> PushedBytes {
        var pushed = PushedBytes()
        var rest = payload
        for (index, size) in partSizes.enumerated() {
            guard let part = rest.readSlice(length: size) else { break }
            pushed.append(index % 3 == 0 ? ByteBuffer(buffer: part) : part)
        }
        return pushed
    }

    @Test func partsHoldThePayloadAndItsChecksums() throws {
        let payload = Self.payload()
        let pushed = Self.pushed(payload)
        #expect(pushed.count == payload.readableBytes)
        var joined = ByteBuffer()
        for var part in pushed.parts { joined.writeBuffer(&part) }
        #expect(joined == payload)
        // Every block boundary a write could have, and ranges inside, across and at the ends of parts.
        let block = ChecksumLayout.blockSize
        var ranges = stride(from: 0, to: payload.readableBytes, by: block).map { $0..<min($0 + block, payload.readableBytes) }
        ranges += [0..<1, 256 << 10..<(256 << 10) + 1, 100..<400_000, 0..<payload.readableBytes, 5..<5]
        for _ in 0..<200 {
            let lower = Int.random(in: 0..<payload.readableBytes)
            ranges.append(lower..<Int.random(in: lower...payload.readableBytes))
        }
        for range in ranges {
            let expected = payload.withUnsafeReadableBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[range])) }
            #expect(pushed.checksum(range) == expected, "range \(range)")
        }
    }

    @Test func partsHoldAtMostTwiceTheirBytes() {
        let pushed = Self.pushed(Self.payload())
        let held = pushed.parts.reduce(0) { $0 + $1.storageCapacity }
        #expect(held <= 2 * pushed.count, "\(held) bytes held for \(pushed.count)")
        // Slices of 130 KiB from a 2 MiB buffer (as TLS delivers a turn's reads) are copied, not kept; a read
        // that fills its own buffer is kept.
        var big = ByteBuffer(repeating: 5, count: 2 << 20)
        var sliced = PushedBytes()
        while let part = big.readSlice(length: min(130 << 10, big.readableBytes)), part.readableBytes > 0 {
            sliced.append(part)
        }
        let whole = ByteBuffer(repeating: 6, count: 256 << 10)
        sliced.append(whole)
        #expect(sliced.count == (2 << 20) + (256 << 10))
        #expect(sliced.parts.dropLast().allSatisfy { $0.storageCapacity < 2 << 20 }, "no part keeps the 2 MiB buffer")
        #expect(sliced.parts.last == whole && sliced.parts.last?.storageCapacity == whole.storageCapacity)
        let slicedHeld = sliced.parts.reduce(0) { $0 + $1.storageCapacity }
        #expect(slicedHeld <= 2 * sliced.count, "\(slicedHeld) bytes held for \(sliced.count)")
        // Tiny reads that each fill a buffer of their own (a sender trickling bytes) are gathered too.
        var trickled = PushedBytes()
        for index in 0..<10_000 { trickled.append(ByteBuffer(repeating: UInt8(truncatingIfNeeded: index), count: 64)) }
        #expect(trickled.count == 640_000)
        #expect(trickled.parts.count == 5, "\(trickled.parts.count) parts")
    }

    @Test func aReplicaWrittenFromPartsReadsBackTheSameAndVerifies() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gfs-pushed-\(UUID().uuidString)").path
        let store = try ChunkStore(directory: folder)
        defer { try? FileManager.default.removeItem(atPath: (store.folder as NSString).deletingLastPathComponent) }
        let handle = ChunkHandle(11)
        try store.create(handle, version: 1)
        let payload = Self.payload()
        // At an offset inside a block, so the first and last blocks are summed from the file, the rest from parts.
        let offset: Int64 = 1000
        _ = try store.write(handle, at: 0, ByteBuffer(repeating: 7, count: Int(offset)))
        _ = try store.write(handle, at: offset, Self.pushed(payload))
        let back = try store.read(handle, at: offset, length: payload.readableBytes)
        #expect(back == payload)
        // `read` verified every block's checksum; so did the whole replica's.
        _ = try store.read(handle, at: 0, length: Int(offset) + payload.readableBytes)
    }
}
