import GFSCore
import NIOCore

/// A chunk's CRC32C composed from its stored block checksums (GFS §5.2 keeps one per 64 KiB), so a file
/// checksum needs no data moved off the chunkservers.
extension ChunkStore {
    /// The CRC32C of the first `length` bytes of the replica. Whole blocks use their stored checksums; only a
    /// block that `length` cuts short of the replica's end is read (and verified) to sum its prefix.
    public func compositeChecksum(_ handle: ChunkHandle, length: Int64) throws(GFSError) -> UInt32 {
        guard let replica = replica(handle) else { throw GFSError(.notFound, "chunk \(handle) not held here") }
        let blockSize = Int64(ChecksumLayout.blockSize)
        let held = replica.state.withLockedValue { $0.length }
        guard length >= 0, length <= held else {
            throw GFSError(.badRequest, "chunk \(handle) holds \(held) bytes, not \(length)")
        }
        let whole = length == held ? (length + blockSize - 1) / blockSize : length / blockSize
        // The cut block first: `read` verifies it and takes the replica's lock itself.
        var tail: (crc: UInt32, count: Int64)?
        if whole * blockSize < length {
            let bytes = try read(handle, at: whole * blockSize, length: Int(length - whole * blockSize))
            tail = (bytes.withUnsafeReadableBytes { CRC32C.checksum($0) }, Int64(bytes.readableBytes))
        }
        let stored = try replica.exclusively { () throws(GFSError) -> ByteBuffer in
            guard replica.state.withLockedValue({ $0.length }) >= length else {
                throw GFSError(.stale, "chunk \(handle) changed while its checksum was taken")
            }
            let file = try Self.open(path(handle, "crc"), [])
            defer { try? file.close() }
            return try readExactly(file, at: 0, count: Int(whole) * 4, path: path(handle, "crc"))
        }
        var crc: UInt32 = 0
        for block in 0..<Int(whole) {
            guard let sum = stored.getInteger(at: block * 4, endianness: .little, as: UInt32.self) else {
                throw GFSError(.checksum, "chunk \(handle): checksum file too short")
            }
            let count = min(blockSize, length - Int64(block) * blockSize)
            crc = CRC32C.combine(crc, sum, secondLength: count)
        }
        if let tail { crc = CRC32C.combine(crc, tail.crc, secondLength: tail.count) }
        return crc
    }
}
