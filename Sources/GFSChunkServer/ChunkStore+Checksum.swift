import GFSCore
import NIOCore

/// A chunk's CRC32C composed from its stored block checksums (GFS §5.2 keeps one per 64 KiB), so a file
/// checksum needs no data moved off the chunkservers.
extension ChunkStore {
    /// The CRC32C of the first `length` bytes of the replica. Whole blocks use their stored checksums; only a
    /// block that `length` cuts short of the replica's end is read (and verified) to sum its prefix. All under
    /// the replica's lock, so a concurrent append cannot make a stored checksum cover more than is summed.
    public func compositeChecksum(_ handle: ChunkHandle, length: Int64) throws(GFSError) -> UInt32 {
        guard let replica = replica(handle) else { throw GFSError(.notFound, "chunk \(handle) not held here") }
        let blockSize = Int64(ChecksumLayout.blockSize)
        return try replica.exclusively { () throws(GFSError) -> UInt32 in
            let held = replica.state.withLockedValue { $0.length }
            guard length >= 0, length <= held else {
                throw GFSError(.badRequest, "chunk \(handle) holds \(held) bytes, not \(length)")
            }
            let blocks = (length + blockSize - 1) / blockSize
            let checksums = try Self.open(path(handle, "crc"), [])
            defer { try? checksums.close() }
            let stored = try readExactly(checksums, at: 0, count: Int(blocks) * 4, path: path(handle, "crc"))
            func sum(_ block: Int64) throws(GFSError) -> UInt32 {
                guard let value = stored.getInteger(at: Int(block) * 4, endianness: .little, as: UInt32.self) else {
                    throw GFSError(.checksum, "chunk \(handle): checksum file too short")
                }
                return value
            }
            var crc: UInt32 = 0
            for block in 0..<blocks {
                let start = block * blockSize
                let count = min(blockSize, length - start)
                // The stored checksum covers the block as far as the replica goes; a shorter count needs the bytes.
                if count == min(blockSize, held - start) {
                    crc = CRC32C.combine(crc, try sum(block), secondLength: count)
                    continue
                }
                let data = try Self.open(path(handle, "chunk"), [])
                defer { try? data.close() }
                let bytes = try readExactly(data, at: start, count: Int(min(blockSize, held - start)), path: path(handle, "chunk"))
                let (whole, prefix) = bytes.withUnsafeReadableBytes { raw in
                    (CRC32C.checksum(raw), CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<Int(count)])))
                }
                guard whole == (try sum(block)) else { throw GFSError(.checksum, "chunk \(handle) block \(block): checksum mismatch") }
                crc = CRC32C.combine(crc, prefix, secondLength: count)
            }
            return crc
        }
    }
}
