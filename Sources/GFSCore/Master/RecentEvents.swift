import DequeModule

/// The master's diagnostic record of what happened to the cluster (GFS §5.3): chunkservers joining, dying or
/// resting, copies started and finished, corrupt replicas, failed lease grants, GC passes. Only the newest
/// `capacity` are kept, so it costs a fixed amount of memory however long the master runs.
public struct RecentEvents: Sendable {
    /// One thing that happened.
    public struct Event: Sendable, Equatable {
        /// Wall-clock milliseconds since 1970.
        public var time: Int64
        /// A short word for filtering: `joined`, `died`, `copy`, `corrupt`, `lease`, `gc` …
        public var kind: String
        /// What happened, for people.
        public var text: String

        /// Creates an event.
        public init(time: Int64, kind: String, text: String) {
            self.time = time
            self.kind = kind
            self.text = text
        }
    }

    /// The most events kept.
    public let capacity: Int
    private var events: Deque<Event> = []

    /// An empty record that keeps the newest `capacity` events.
    public init(capacity: Int = 300) { self.capacity = max(1, capacity) }

    /// Records an event, dropping the oldest past `capacity`.
    public mutating func record(_ event: Event) {
        if events.count >= capacity { events.removeFirst() }
        events.append(event)
    }

    /// The events kept, newest first.
    public var newestFirst: [Event] { events.reversed() }

    /// How many are kept.
    public var count: Int { events.count }
}
