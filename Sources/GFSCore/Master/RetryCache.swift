import HashTreeCollections

/// The client operations the master carried out lately (`ClientCall`), rebuilt from the log on every master
/// that replays it, so a new primary knows them too. Entries go after `keepMilliseconds` of record time, well
/// past any client's retries; the tree is persistent, so a checkpoint's snapshot of the state stays cheap.
public struct RetryCache: Sendable {
    /// How long a finished call is remembered, by the times its records carry.
    public static let keepMilliseconds: Int64 = 300_000
    private var finished: TreeDictionary<ClientCall, Int64> = [:]
    private var newest: Int64 = .min
    /// Sweeping when the count doubles keeps insertion amortized O(1).
    private var nextSweep = 4_096

    public init() {}

    public var count: Int { finished.count }

    /// The calls still remembered and when each finished, for a checkpoint.
    public var remembered: [(call: ClientCall, at: Int64)] {
        let oldest = newest.subtractingReportingOverflow(Self.keepMilliseconds)
        let cutoff = oldest.overflow ? Int64.min : oldest.partialValue
        return finished.filter { $0.value >= cutoff }.map { ($0.key, $0.value) }
    }

    /// Whether `call` was carried out (and is still remembered).
    public func contains(_ call: ClientCall) -> Bool { finished[call] != nil }

    /// Remembers `call`, finished at `at` (wall milliseconds), and forgets the calls too old to be retried.
    public mutating func insert(_ call: ClientCall, at: Int64) {
        finished[call] = at
        newest = max(newest, at)
        guard finished.count >= nextSweep else { return }
        let oldest = newest.subtractingReportingOverflow(Self.keepMilliseconds)
        let cutoff = oldest.overflow ? Int64.min : oldest.partialValue
        finished = finished.filter { $0.value >= cutoff }
        nextSweep = max(4_096, finished.count * 2)
    }
}
