import ArgumentParser
import GFSProtocol

/// A byte size flag: `67108864`, `64M`, `64MiB`, `1G`.
struct ByteSize: ExpressibleByArgument, Sendable {
    var bytes: Int64

    init(bytes: Int64) { self.bytes = bytes }

    init?(argument: String) {
        guard let bytes = ByteCount.parse(argument) else { return nil }
        self.bytes = bytes
    }

    var defaultValueDescription: String { ByteCount.format(bytes) }
}

/// A time flag: `60`, `60s`, `500ms`, `2m`.
struct TimeSpan: ExpressibleByArgument, Sendable {
    var duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    /// The longest span a flag may give: ten years.
    static let longestSeconds = 10 * 365 * 86_400.0

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = argument
        var scale = 1.0
        for (suffix, factor) in units where argument.hasSuffix(suffix) {
            number = String(argument.dropLast(suffix.count))
            scale = factor
            break
        }
        // Ten years bounds every span the roles use; past it the conversion to milliseconds would trap.
        guard let value = Double(number), value >= 0, value.isFinite, value * scale <= Self.longestSeconds else { return nil }
        duration = .milliseconds(Int64(value * scale * 1000))
    }

    var defaultValueDescription: String {
        let milliseconds = duration.milliseconds
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
