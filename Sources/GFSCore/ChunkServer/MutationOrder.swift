/// The primary's serial numbers (GFS §3.1): it numbers every mutation of a chunk it holds the lease on, and
/// every replica applies them in that order. Secondaries refuse a number they have already passed, so a
/// retried or reordered forward can never be applied out of order.
public struct MutationOrder: Sendable {
    private var lastSerial: [ChunkHandle: UInt64] = [:]

    /// No mutations seen.
    public init() {}

    /// The highest version a serial can carry: it holds the version in its high 32 bits.
    public static let highestVersion = UInt64(UInt32.max)

    /// The primary's next serial number for `handle` under a lease at `version`: the version in the high 32
    /// bits, so a new lease's numbers follow every number of the old one, and a count in the low 32 that
    /// starts at 1 for each version. Nil when the version is past 32 bits, or the version's count is used up
    /// (over four billion mutations under one lease), so the numbers would wrap and go back.
    public mutating func nextSerial(for handle: ChunkHandle, version: UInt64) -> UInt64? {
        let last = lastSerial[handle] ?? 0
        guard version <= Self.highestVersion, last >> 32 <= version else { return nil }
        let count = last >> 32 == version ? (last & 0xFFFF_FFFF) + 1 : 1
        guard count <= 0xFFFF_FFFF else { return nil }
        let serial = version << 32 | count
        lastSerial[handle] = serial
        return serial
    }

    /// Whether `serial` is past the last applied, without taking it.
    public func isNew(_ serial: UInt64, for handle: ChunkHandle) -> Bool { serial > (lastSerial[handle] ?? 0) }

    /// Whether a secondary may apply `serial` now; if so it becomes the last applied.
    public mutating func accept(_ serial: UInt64, for handle: ChunkHandle) -> Bool {
        guard serial > (lastSerial[handle] ?? 0) else { return false }
        lastSerial[handle] = serial
        return true
    }

    /// Forgets a chunk (deleted, or a new lease restarts numbering).
    public mutating func reset(_ handle: ChunkHandle) { lastSerial[handle] = nil }
}
