/// What happened in one simulated history: a digest of every event (so two runs of a seed can be compared
/// bit for bit), and, when asked for, the lines that a failing seed prints.
public struct History {
    /// Whether lines are kept (a failing seed is replayed with this on; passing ones skip the cost).
    public let keepsLines: Bool
    public private(set) var lines: [String] = []
    /// FNV-1a over every recorded event.
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

    private mutating func mix(_ value: UInt64) {
        var v = value
        for _ in 0..<8 {
            digest = (digest ^ (v & 0xff)) &* 0x100_0000_01b3
            v >>= 8
        }
    }
}
