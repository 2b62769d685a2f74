import CISAL

/// CRC32C (Castagnoli), the checksum a chunkserver keeps for every 64 KiB block (GFS §5.2).
///
/// Computed by Intel ISA-L's `crc32_iscsi`, which takes and returns the register un-inverted; the inversions
/// here make it the standard CRC32C (check value of "123456789" is 0xE3069283).
public enum CRC32C {
    /// The checksum of `bytes`, continuing from `seed` (the checksum of the bytes before them).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return seed }
        let pointer = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        return ~crc32_iscsi(pointer, Int32(bytes.count), ~seed)
    }

    /// The checksum of a byte array.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
