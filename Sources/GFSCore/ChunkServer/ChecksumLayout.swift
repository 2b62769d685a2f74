/// Chunk files are checksummed per 64 KiB block (GFS §5.2); this maps byte ranges to blocks.
public enum ChecksumLayout {
    /// Bytes per checksummed block.
    public static let blockSize = 64 * 1024

    /// The blocks that bytes `[offset, offset + count)` touch.
    public static func blocks(offset: Int64, count: Int) -> Range<Int> {
        guard count > 0 else { return 0..<0 }
        let first = Int(offset / Int64(blockSize))
        let last = Int((offset + Int64(count) - 1) / Int64(blockSize))
        return first..<(last + 1)
    }

    /// The first of `blocks` whose bytes fail their stored CRC32C, or nil when all pass. `data` holds the
    /// blocks back to back from the start of `blocks.lowerBound` (the last may be short); `sums` holds their
    /// little-endian checksums, 4 bytes each. Missing bytes or sums count as a failure. The chunkserver's
    /// verified read and a client's local read share it, so both refuse exactly the same rot.
    public static func firstMismatch(_ data: UnsafeRawBufferPointer, sums: UnsafeRawBufferPointer, blocks: Range<Int>) -> Int? {
        for (position, block) in blocks.enumerated() {
            let from = position * blockSize
            guard from < data.count, (position + 1) * 4 <= sums.count else { return block }
            let sum = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: data[from..<min(from + blockSize, data.count)]))
            guard sum == UInt32(littleEndian: sums.loadUnaligned(fromByteOffset: position * 4, as: UInt32.self)) else {
                return block
            }
        }
        return nil
    }
}
