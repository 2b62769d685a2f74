/// The globally unique, immutable 64-bit name the master gives a chunk when it creates it (GFS §2.3).
public struct ChunkHandle: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The raw 64-bit value.
    public let rawValue: UInt64

    /// Wraps a raw handle value.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Parses the 16-digit hexadecimal form used on the wire and in chunk file names.
    public init?(hex: some StringProtocol) {
        guard !hex.isEmpty, hex.count <= 16, let value = UInt64(hex, radix: 16) else { return nil }
        self.rawValue = value
    }

    /// Zero-padded 16-digit lowercase hexadecimal, so file names sort by handle.
    public var description: String {
        let digits = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public static func < (lhs: ChunkHandle, rhs: ChunkHandle) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A chunk's version number: bumped by the master on every new lease, so a replica that missed mutations
/// while its chunkserver was down shows up as stale (GFS §4.5).
public typealias ChunkVersion = UInt64
