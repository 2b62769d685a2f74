/// When a workload's operations start and end, for the liveness check: once faults heal, every operation
/// completes (succeeds, or is refused for good) within a bounded simulated time.
struct Liveness {
    /// When the operation under way started, nil when none is.
    private(set) var busySince: Int64?
    /// When operations were given up on after running out of patience.
    private(set) var gaveUp: [Int64] = []

    mutating func started(at now: Int64) { busySince = now }

    mutating func finished() { busySince = nil }

    mutating func gaveUp(at now: Int64) {
        gaveUp.append(now)
        busySince = nil
    }

    /// What `who` left undone: an operation still under way more than `bound` after the faults healed (at
    /// `healed`) or after it started, whichever is later; or one given up on more than `bound` after the heal.
    func violations(_ who: String, healed: Int64, end: Int64, bound: Int64) -> [String] {
        var found: [String] = []
        if let busySince, end - max(busySince, healed) > bound {
            found.append("\(who): an operation started at \(busySince / 1_000_000_000) s has not completed "
                         + "\((end - max(busySince, healed)) / 1_000_000_000) s after the faults healed")
        }
        for time in gaveUp where time - healed > bound {
            found.append("\(who): gave up on an operation at \(time / 1_000_000_000) s, "
                         + "\((time - healed) / 1_000_000_000) s after the faults healed")
        }
        return found
    }
}
