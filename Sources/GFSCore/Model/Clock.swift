/// A point on the master's monotonic time line, measured from an arbitrary start.
///
/// Decisions (lease expiry, heartbeat deadlines) use this, never wall time, so a clock step cannot expire a
/// lease early or keep a dead chunkserver alive.
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Time since the clock's start.
    public let sinceStart: Duration

    /// An instant `sinceStart` after the clock's start.
    public init(sinceStart: Duration) { self.sinceStart = sinceStart }

    /// This instant moved by `duration`.
    public func advanced(by duration: Duration) -> Instant { Instant(sinceStart: sinceStart + duration) }

    /// The time from `other` to `self`.
    public func duration(since other: Instant) -> Duration { sinceStart - other.sinceStart }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.sinceStart < rhs.sinceStart }

    public var description: String { "\(sinceStart)" }
}

/// The time source injected into every state machine: monotonic time for decisions, wall time only for the
/// modification times users see.
public protocol GFSClock: Sendable {
    /// Monotonic now.
    var now: Instant { get }
    /// Milliseconds since the Unix epoch, for `mtime` fields.
    var wallMilliseconds: Int64 { get }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
