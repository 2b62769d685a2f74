import GFSCore
import Synchronization

/// A clock that moves only when a test says so, so lease and heartbeat decisions are tested without sleeps.
public final class ManualClock: GFSClock {
    private let state = Mutex<(now: Instant, wall: Int64)>((Instant(sinceStart: .zero), 1_700_000_000_000))

    /// A clock at its start, with wall time in November 2023.
    public init() {}

    public var now: Instant { state.withLock { $0.now } }

    public var wallMilliseconds: Int64 { state.withLock { $0.wall } }

    /// Moves both monotonic and wall time forward.
    public func advance(by duration: Duration) {
        state.withLock {
            $0.now = $0.now.advanced(by: duration)
            $0.wall += duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        }
    }
}
