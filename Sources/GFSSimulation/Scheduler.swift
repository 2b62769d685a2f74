import GFSCore
import HeapModule
import Synchronization

/// The simulation's one time line and event queue: everything happens at a virtual instant, in the order it
/// was scheduled within one instant, on one thread. With the seeded generator, one seed is one history,
/// replayed bit for bit (FoundationDB's and TigerBeetle's simulators work this way).
public final class Scheduler {
    private struct Event: Comparable {
        let at: Int64  // nanoseconds since the start
        let order: UInt64  // ties broken by scheduling order, never by chance
        let action: () -> Void

        static func < (lhs: Event, rhs: Event) -> Bool { (lhs.at, lhs.order) < (rhs.at, rhs.order) }
        static func == (lhs: Event, rhs: Event) -> Bool { (lhs.at, lhs.order) == (rhs.at, rhs.order) }
    }

    private var queue = Heap<Event>()
    private var scheduled: UInt64 = 0
    /// Nanoseconds since the start; shared with the roles' clocks.
    public let time = SimulatedTime()
    /// Every random choice of the history comes from here.
    public var random: SplitMix64
    /// Events run so far.
    public private(set) var steps = 0

    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// Now, in nanoseconds since the start.
    public var now: Int64 { time.nanoseconds }

    /// Now, as the state machines count time.
    public var instant: Instant { Instant(sinceStart: .nanoseconds(now)) }

    /// Runs `action` `delay` nanoseconds from now (0: after what is already due now).
    public func after(_ delay: Int64, _ action: @escaping () -> Void) {
        scheduled &+= 1
        queue.insert(Event(at: now &+ max(0, delay), order: scheduled, action: action))
    }

    /// Runs events until the queue is empty or the next one is past `end`; time ends at `end`.
    public func run(until end: Int64) {
        while let next = queue.min, next.at <= end {
            _ = queue.removeMin()
            time.set(next.at)
            steps += 1
            next.action()
        }
        time.set(max(now, end))
    }

    /// Events waiting.
    public var pending: Int { queue.count }

    /// Drops every pending event (the history is over).
    public func clear() { queue = Heap() }

    /// A uniformly drawn integer in `range`.
    public func draw(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &random) }

    /// True with probability `p`.
    public func chance(_ p: Double) -> Bool { p > 0 && Double.random(in: 0..<1, using: &random) < p }
}

/// The simulated time, readable by the roles' clocks (which the state machines require to be Sendable).
public final class SimulatedTime: Sendable {
    private let value = Atomic<Int64>(0)

    public init() {}

    public var nanoseconds: Int64 { value.load(ordering: .relaxed) }

    func set(_ nanoseconds: Int64) { value.store(nanoseconds, ordering: .relaxed) }
}

/// One role's clock: the simulated time as that role sees it, running fast or slow by up to the drift bound
/// (parts per million), from an offset of its own. Leases must hold under such drift (GFS §3.1 relies on it).
public struct DriftingClock: GFSClock {
    let time: SimulatedTime
    /// Parts per million faster (positive) or slower (negative) than simulated time.
    public let drift: Int64
    /// Where this role's monotonic clock started.
    public let offset: Int64

    public init(time: SimulatedTime, drift: Int64, offset: Int64) {
        self.time = time
        self.drift = drift
        self.offset = offset
    }

    public var now: Instant {
        let t = time.nanoseconds
        return Instant(sinceStart: .nanoseconds(offset &+ t &+ t / 1_000_000 &* drift))
    }

    public var wallMilliseconds: Int64 { 1_700_000_000_000 &+ time.nanoseconds / 1_000_000 }
}
