/// What a client keeps from the master for a while — chunk locations (GFS §2.4), leases (§3.1) — shared by
/// the client library and the simulation's clients. Pure: time is passed in. Over `capacity` entries it
/// starts over, so a long shell session stays small.
public struct ExpiringCache<Key: Hashable, Value> {
    private var entries: [Key: (value: Value, until: Instant)] = [:]
    private let capacity: Int

    /// An empty cache of at most `capacity` entries.
    public init(capacity: Int) { self.capacity = capacity }

    /// The value kept for `key`, unless it expired by `now`.
    public func value(for key: Key, at now: Instant) -> Value? {
        guard let entry = entries[key], now < entry.until else { return nil }
        return entry.value
    }

    /// Keeps `value` for `key` until `until`.
    public mutating func keep(_ value: Value, for key: Key, until: Instant) {
        if entries.count >= capacity, entries[key] == nil { entries.removeAll() }
        entries[key] = (value, until)
    }

    /// Forgets `key`.
    public mutating func forget(_ key: Key) { entries[key] = nil }
}

/// How a client uses the leases the master names for it.
public enum ClientLease {
    /// How long a client uses a lease the master gave with `remaining` left: it stops a little before the
    /// master's deadline (a quarter, at most 2 s), since the master extends it while writes go on.
    public static func usable(remaining: Duration) -> Duration { remaining - min(remaining / 4, .seconds(2)) }
}

extension ExpiringCache: Sendable where Key: Sendable, Value: Sendable {}
