import GFSCore

/// One line on stderr, redrawn in place: name, percentage, bytes, rate. Unless asked for with `--progress`,
/// transfers that end within half a second never draw it, so copying small files stays as quiet as `cp`.
final class ProgressMeter {
    private let label: String
    private let total: Int64?
    private let enabled: Bool
    private let quietPeriod: Duration
    private let start = ContinuousClock.now
    private var lastDrawn: ContinuousClock.Instant?
    private(set) var bytes: Int64 = 0

    init(label: String, total: Int64?, enabled: Bool, quietPeriod: Duration = .milliseconds(500)) {
        self.label = label
        self.total = total
        self.enabled = enabled
        self.quietPeriod = quietPeriod
    }

    /// Counts `count` more bytes moved, redrawing at most ten times a second.
    func advance(_ count: Int) {
        bytes += Int64(count)
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - start >= quietPeriod else { return }
        if let lastDrawn, now - lastDrawn < .milliseconds(100) { return }
        lastDrawn = now
        draw(now)
    }

    /// Draws the final state and ends the line, if the meter was ever shown.
    func finish() {
        guard enabled, lastDrawn != nil || quietPeriod == .zero else { return }
        draw(ContinuousClock.now)
        StandardStreams.write(text: "\n", to: 2)
    }

    private func draw(_ now: ContinuousClock.Instant) {
        let elapsed = max((now - start) / .seconds(1), 0.001)
        let rate = ByteCount.format(Int64(Double(bytes) / elapsed)) + "/s"
        var parts = [label]
        if let total, total > 0 { parts.append("\(min(bytes * 100 / total, 100))%") }
        parts.append(ByteCount.format(bytes) + (total.map { " of " + ByteCount.format($0) } ?? ""))
        parts.append(rate)
        // \r and erase-to-end-of-line: each draw replaces the last on the same line.
        StandardStreams.write(text: "\r" + parts.joined(separator: "  ") + "\u{1B}[K", to: 2)
    }
}
