/// Names one client operation across its retries, so a master that already carried it out answers a retry as
/// done instead of doing it twice (HDFS's RetryCache): a CREATE or MKDIR whose reply was lost to a master
/// crash may then be sent again, to whichever master is primary next. The client draws it at random, once per
/// operation; 128 bits make two clients' draws never meet.
public struct ClientCall: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A fresh, random name.
    public static func random() -> ClientCall {
        ClientCall(high: .random(in: 0...UInt64.max), low: .random(in: 0...UInt64.max))
    }

    /// Parses 32 hex digits.
    public init?(_ text: some StringProtocol) {
        // Hex digits only: UInt64(_:radix:) would also take a sign.
        guard text.utf8.count == 32, text.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }),
            let high = UInt64(text.prefix(16), radix: 16), let low = UInt64(text.suffix(16), radix: 16)
        else { return nil }
        self.init(high: high, low: low)
    }

    /// 32 hex digits.
    public var description: String {
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(high) + hex(low)
    }
}
