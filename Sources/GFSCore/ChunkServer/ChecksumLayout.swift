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
}
