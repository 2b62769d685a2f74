/// What happened in one simulated history: a digest of every event (so two runs of a seed can be compared
/// bit for bit), and, when asked for, the lines that a failing seed prints.
public struct History {
    /// Whether lines are kept (a failing seed is replayed with this on; passing ones skip the cost).
    public let keepsLines: Bool
    public private(set) var lines: [String] = []
    /// Every recorded event, mixed in.
    public private(set) var digest: UInt64 = 0xcbf2_9ce4_8422_2325

    public init(keepsLines: Bool) { self.keepsLines = keepsLines }

    /// Records an event at `nanoseconds`; `text` is only built when lines are kept.
    public mutating func record(_ nanoseconds: Int64, _ code: UInt64, _ text: @autoclosure () -> String) {
        mix(UInt64(bitPattern: nanoseconds))
        mix(code)
        if keepsLines {
            let millis = String(nanoseconds / 1_000_000 % 1000)
            let stamp = "\(nanoseconds / 1_000_000_000)." + String(repeating: "0", count: 3 - millis.count) + millis + "s"
            lines.append(String(repeating: " ", count: max(0, 10 - stamp.count)) + stamp + "  " + text())
        }
    }

    /// One multiply-rotate step per word (as in wyhash and FxHash): order-sensitive and cheap; a digest only
    /// has to tell two runs of a seed apart, not resist anyone.
    private mutating func mix(_ value: UInt64) {
        let x = (digest ^ value) &* 0x9e37_79b9_7f4a_7c15
        digest = x ^ (x >> 29)
    }
}
