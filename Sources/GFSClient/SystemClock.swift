import GFSCore

#if canImport(Glibc)
import Glibc
#endif

/// The real clock: monotonic time from `ContinuousClock`, wall time from `CLOCK_REALTIME`.
public struct SystemClock: GFSClock {
    private let start = ContinuousClock.now

    /// A clock whose monotonic time starts now.
    public init() {}

    public var now: Instant { Instant(sinceStart: ContinuousClock.now - start) }

    public var wallMilliseconds: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
