/// The primary's serial numbers (GFS §3.1): it numbers every mutation of a chunk it holds the lease on, and
/// every replica applies them in that order. Secondaries refuse a number they have already passed, so a
/// retried or reordered forward can never be applied out of order.
public struct MutationOrder: Sendable {
    private var lastSerial: [ChunkHandle: UInt64] = [:]

    /// No mutations seen.
    public init() {}

    /// The primary's next serial number for `handle`.
    public mutating func nextSerial(for handle: ChunkHandle) -> UInt64 {
        let serial = (lastSerial[handle] ?? 0) + 1
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
