import Foundation
import GFSCore
import Histogram

/// Latencies of one kind of operation, kept in an HDR histogram (microseconds, 3 significant digits).
struct Latencies: Sendable {
    private var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        _ = histogram.record(UInt64(max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)))
    }

    mutating func merge(_ other: Latencies) { histogram.add(other.histogram) }

    /// p50, p90, p99 and max, in milliseconds.
    var summary: LatencySummary {
        func milliseconds(_ microseconds: UInt64) -> Double { (Double(microseconds) / 10).rounded() / 100 }
        return LatencySummary(p50: milliseconds(histogram.valueAtPercentile(50)),
                              p90: milliseconds(histogram.valueAtPercentile(90)),
                              p99: milliseconds(histogram.valueAtPercentile(99)),
                              max: milliseconds(histogram.max))
    }
}

struct LatencySummary: Encodable {
    var p50: Double, p90: Double, p99: Double, max: Double
}

/// What a rate counts per second.
enum RateUnit: String, Encodable {
    case megabytes = "MB/s", records = "records/s", operations = "ops/s"
}

/// What the machine itself does for the same work, measured in the same run.
struct BenchBound: Encodable {
    var what: String
    var rate: Double
    var unit: RateUnit
    /// The phase's rate over this one, once compared.
    var ratio: Double?
}

/// One measured phase of a benchmark: its rate, its latencies, and its bounds.
struct BenchPhase: Encodable {
    var name: String
    var clients: Int
    var operations: Int
    var bytes: Int64
    var seconds: Double
    var rate: Double
    var unit: RateUnit
    var latencyMs: LatencySummary
    var bounds: [BenchBound] = []
    /// `rate` over the first bound's rate.
    var ratio: Double?
    /// Extra figures of this phase (the master's bytes of memory per file, records per operation …).
    var notes: [String: Double] = [:]

    init(name: String, clients: Int, operations: Int, bytes: Int64, seconds: Double, latencies: Latencies,
         perSecond unit: RateUnit) {
        self.name = name
        self.clients = clients
        self.operations = operations
        self.bytes = bytes
        self.seconds = seconds
        self.unit = unit
        let count = unit == .megabytes ? Double(bytes) / 1e6 : Double(operations)
        rate = seconds > 0 ? count / seconds : 0
        latencyMs = latencies.summary
    }

    /// Adds what the machine does for the same work; the phase's `ratio` is against the first bound, and each
    /// bound keeps its own.
    mutating func compare(with bound: BenchBound) {
        var bound = bound
        bound.ratio = bound.rate > 0 ? rate / bound.rate : nil
        if bounds.isEmpty { ratio = bound.ratio }
        bounds.append(bound)
    }

    /// Human lines: the phase, then each bound.
    var lines: [[String]] {
        var rows = [[name, Self.rate(rate, unit), "\(operations) ops", "\(clients) clients",
                     "p50 \(latencyMs.p50) ms", "p90 \(latencyMs.p90) ms", "p99 \(latencyMs.p99) ms",
                     "max \(latencyMs.max) ms"]]
        for (key, value) in notes.sorted(by: { $0.key < $1.key }) { rows.append(["", "\(key) \(Self.number(value))"]) }
        for bound in bounds {
            let ratio = bound.ratio.map { String(format: "ratio %.2f", $0) } ?? ""
            rows.append(["", Self.rate(bound.rate, bound.unit), "bound: " + bound.what, ratio])
        }
        return rows
    }

    static func rate(_ value: Double, _ unit: RateUnit) -> String { number(value) + " " + unit.rawValue }

    static func number(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: "%.2f", value)
    }
}
