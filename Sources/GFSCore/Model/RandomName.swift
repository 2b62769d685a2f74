/// Names one client operation across its retries, so a master that already carried it out answers a retry as
/// done instead of doing it twice (HDFS's RetryCache): a CREATE or MKDIR whose reply was lost to a master
/// crash may then be sent again, to whichever master is primary next. The client draws it at random, once per
/// operation; 128 bits make two clients' draws never meet.
public typealias ClientCall = RandomName

/// 128 random bits, written as 32 hexadecimal digits: a name no one else draws or guesses.
public struct RandomName: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A fresh, random name.
    public static func random() -> RandomName {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A name drawn from `generator`.
    public static func random(using generator: inout some RandomNumberGenerator) -> RandomName {
        RandomName(high: generator.next(), low: generator.next())
    }

    /// Parses 32 hex digits (no sign, no prefix), in one pass over the bytes: every mutation carries a
    /// ClientCall, and the generic slicing this replaced cost a CREATE a twentieth of its time.
    public init?(_ text: String) {
        var halves: (UInt64, UInt64) = (0, 0)
        var count = 0
        for byte in text.utf8 {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            guard count < 32 else { return nil }
            if count < 16 { halves.0 = halves.0 << 4 | UInt64(digit) } else { halves.1 = halves.1 << 4 | UInt64(digit) }
            count += 1
        }
        guard count == 32 else { return nil }
        self.init(high: halves.0, low: halves.1)
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
