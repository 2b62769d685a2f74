/// A client's rule for retrying one mutation (GFS §3.1: a failed mutation leaves its region inconsistent until
/// a retry succeeds), shared by the client library and the simulation's clients: a request that cannot succeed
/// is given up at once, anything else is tried again after `Patience`'s pause until it runs out.
public struct MutationAttempts: Sendable {
    public var patience: Patience
    /// Attempts that failed and were tried again (each may have left a copy of a record behind).
    public private(set) var retries = 0

    /// What to do after a failure.
    public enum Next: Sendable, Equatable {
        /// Try again after this pause.
        case again(after: Duration)
        /// Stop, reporting this error.
        case giveUp(GFSError)
    }

    /// Attempts waiting with `patience`.
    public init(patience: Patience) { self.patience = patience }

    /// An attempt failed at `now` with `error`.
    public mutating func failed(_ error: GFSError, at now: Instant) -> Next {
        if error.isFinal { return .giveUp(error) }
        retries += 1
        guard let pause = patience.pause(at: now, promised: error.retryAfter) else {
            return .giveUp(patience.exhausted(error, at: now))
        }
        return .again(after: pause)
    }

    /// Something succeeded at `now`: waiting starts over.
    public mutating func progressed(at now: Instant) { patience.progressed(at: now) }
}

extension GFSError {
    /// Whether retrying the same mutation cannot help: the request itself is wrong, or its target is.
    /// Everything else (a dead replica, a lost lease, a full push buffer) is worth another attempt (GFS §3.1).
    public var isFinal: Bool {
        switch code {
        case .badRequest, .tooLarge, .notFound, .isDirectory, .readOnly: return true
        default: return false
        }
    }
}
