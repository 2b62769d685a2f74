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

extension CRC32C {
    /// The reflected CRC32C polynomial.
    private static let polynomial: UInt32 = 0x82F6_3B78

    /// The checksum of `A` followed by `B`, from the checksum of `A`, that of `B` and `B`'s length: how a file
    /// checksum is composed from chunkservers' block checksums without moving the bytes (HDFS's
    /// COMPOSITE-CRC). The arithmetic is zlib's `crc32_combine`, in GF(2) modulo the polynomial.
    public static func combine(_ first: UInt32, _ second: UInt32, secondLength: Int64) -> UInt32 {
        guard secondLength > 0 else { return first }
        return multiply(xToThePower(secondLength, doublings: 3), first) ^ second
    }

    /// `a * b` modulo the polynomial (bit 31 is x^0).
    private static func multiply(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var (a, b) = (a, b)
        var mask: UInt32 = 1 << 31
        var product: UInt32 = 0
        while mask != 0, a != 0 {
            if a & mask != 0 {
                product ^= b
                a ^= mask
            }
            mask >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ polynomial : b >> 1
        }
        return product
    }

    /// x^(2^k) modulo the polynomial, for k = 0..<32.
    private static let powers: [UInt32] = {
        var power: UInt32 = 1 << 30  // x^1
        var table: [UInt32] = []
        for _ in 0..<32 {
            table.append(power)
            power = multiply(power, power)
        }
        return table
    }()

    /// x^(n * 2^doublings) modulo the polynomial: with 3 doublings, the shift of n bytes.
    private static func xToThePower(_ n: Int64, doublings: Int) -> UInt32 {
        var (n, k) = (UInt64(n), doublings)
        var result: UInt32 = 1 << 31  // x^0
        while n != 0 {
            if n & 1 != 0 { result = multiply(powers[k & 31], result) }
            n >>= 1
            k += 1
        }
        return result
    }
}
