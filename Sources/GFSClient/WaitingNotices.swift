import NIOConcurrencyHelpers

/// What a client is waiting out, for the one line a terminal shows. Several calls of one command can wait at
/// once (the pieces of a put in flight together); the line shows the latest reason of those still waiting,
/// and is wiped only when the last of them is over, never by one that ends while another still waits.
public final class WaitingNotices: Sendable {
    private struct State {
        var nextWaiter: UInt64 = 0
        var stamp: UInt64 = 0
        /// Each waiting call's reason, with the stamp of when it was set.
        var reasons: [UInt64: (stamp: UInt64, text: String)] = [:]
        var shown: String?

        var latest: String? { reasons.values.max { $0.stamp < $1.stamp }?.text }
    }

    private let state = NIOLockedValueBox(State())
    private let show: @Sendable (String?) -> Void

    /// Notices shown by `show`: a reason, or nil to wipe the line.
    public init(_ show: @escaping @Sendable (String?) -> Void) {
        self.show = show
    }

    /// An id for one call that may wait.
    func waiter() -> UInt64 {
        state.withLockedValue { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
    }

    /// `waiter` waits, for `reason`.
    func wait(_ waiter: UInt64, _ reason: String) {
        update { state in
            state.stamp += 1
            state.reasons[waiter] = (state.stamp, reason)
        }
    }

    /// `waiter` waits no more.
    func done(_ waiter: UInt64) {
        update { state in state.reasons[waiter] = nil }
    }

    /// Shown under the lock, so two changes cannot reach the terminal in the other order.
    private func update(_ change: (inout State) -> Void) {
        state.withLockedValue { state in
            change(&state)
            let latest = state.latest
            guard latest != state.shown else { return }
            state.shown = latest
            show(latest)
        }
    }
}
