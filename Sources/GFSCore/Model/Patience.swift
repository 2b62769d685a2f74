/// How a client waits through a failure it can ride out — a master restarting, the lease fence after a
/// restart, a primary that lost its lease, too few chunkservers — instead of failing: capped exponential
/// backoff with jitter, giving up only once `timeout` has passed with no progress. Pure: time is passed in.
public struct Patience: Sendable {
    /// How long to go on with no progress.
    public let timeout: Duration
    let first: Duration
    let cap: Duration
    private var failures = 0
    /// When something last succeeded.
    private var lastProgress: Instant
    /// Where the timeout counts from: `lastProgress`, or later while a promised wait lasts.
    private var countingFrom: Instant
    private var random: SplitMix64

    /// Patience starting at `now`: pauses of `first`, doubling up to `cap`, each drawn between half and all of
    /// that (the jitter keeps many clients from retrying in step).
    public init(timeout: Duration, now: Instant, seed: UInt64, first: Duration = .milliseconds(50),
                cap: Duration = .seconds(2)) {
        self.timeout = timeout
        self.first = first
        self.cap = cap
        lastProgress = now
        countingFrom = now
        random = SplitMix64(seed: seed)
    }

    /// Something succeeded: the next failure starts from the shortest pause, and the timeout from `now`.
    public mutating func progressed(at now: Instant) {
        failures = 0
        lastProgress = now
        countingFrom = now
    }

    /// The deadline of one mutation call (a chunkserver's PUSH, WRITE or APPEND) under patience `timeout`: a
    /// third of it, so a call that hangs (a frozen replica in a push's chain) leaves time for two more attempts
    /// (with a timeout of 15 s or more), by when the master has usually dropped that replica from the lease;
    /// at least 5 s (no more than the timeout), so a slow but healthy push or sync is not cut short.
    public static func mutationCallTimeout(_ timeout: Duration) -> Duration {
        min(timeout, max(timeout / 3, .seconds(5)))
    }

    /// How long since the last progress.
    public func waited(at now: Instant) -> Duration { now.duration(since: lastProgress) }

    /// The error to give up with once `pause` says so: one that would have passed by itself as UNAVAILABLE (or
    /// TIMEOUT), for exit status 3, anything else with its own code; saying how long it lasted.
    public func exhausted(_ error: GFSError, at now: Instant) -> GFSError {
        let code: GFSError.Code = error.code == .timeout ? .timeout
            : error.isPassing || error.code == .readOnly ? .unavailable : error.code
        return GFSError(code, error.message + " (still so after \(waited(at: now).milliseconds / 1000) s)")
    }

    /// The longest that promised waits may add up to between two successes: a wrong or hostile server, or one
    /// that keeps promising, cannot keep a client waiting for ever.
    public static let longestPromise: Duration = .seconds(300)

    /// The pause before trying again after a failure at `now`, never past the timeout; nil once the timeout
    /// has passed since the last progress and a try since has failed too. That one more try matters when a
    /// single attempt hung for the whole timeout (a stopped peer): the next may well go elsewhere.
    ///
    /// A failure that says when it ends (`promised`: a lease held by a frozen primary runs out in 40 s) is
    /// progress promised: the timeout counts from the end of that wait, not from now.
    public mutating func pause(at now: Instant, promised: Duration? = nil) -> Duration? {
        if let promised, promised > .zero {
            let end = now.advanced(by: min(promised, Self.longestPromise))
            countingFrom = max(countingFrom, min(end, lastProgress.advanced(by: Self.longestPromise)))
        }
        let left = timeout - now.duration(since: countingFrom)
        guard left > .zero || failures == 0 else { return nil }
        failures += 1
        let exponent = min(failures - 1, 20)
        let full = min(cap, first * (1 << exponent))
        let fraction = Double(random.next() >> 11) / Double(1 << 53)
        let drawn = full / 2 + (full / 2) * fraction
        return left > .zero ? min(left, drawn) : drawn
    }
}

extension GFSError {
    /// Whether the failure may pass by itself, so a client waits and tries again rather than giving up: the
    /// cluster is unreachable or short of servers for now, a lease is in the way, or a reply timed out.
    public var isPassing: Bool {
        switch code {
        case .unavailable, .timeout, .lease, .notPrimary: return true
        default: return false
        }
    }
}
