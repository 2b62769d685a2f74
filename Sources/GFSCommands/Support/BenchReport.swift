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
    /// Which of `gfs bench --rounds` measured it.
    var round: Int?
    /// For the rounds' summary: how many rounds each figure is the median of.
    var medianOf: Int?

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
        let label = name + (round.map { " round \($0)" } ?? "") + (medianOf.map { " median of \($0)" } ?? "")
        var rows = [[label, Self.rate(rate, unit), "\(operations) ops", "\(clients) clients",
                     "p50 \(latencyMs.p50) ms", "p90 \(latencyMs.p90) ms", "p99 \(latencyMs.p99) ms",
                     "max \(latencyMs.max) ms"]]
        for (key, value) in notes.sorted(by: { $0.key < $1.key }) { rows.append(["", "\(key) \(Self.number(value))"]) }
        for bound in bounds {
            let ratio = bound.ratio.map { String(format: "ratio %.2f", $0) } ?? ""
            rows.append(["", Self.rate(bound.rate, bound.unit), "bound: " + bound.what, ratio])
        }
        return rows
    }

    /// One summary per phase name: each figure the median of the rounds' (a ratio, of the ratios each round
    /// took against its own bound, since the machine's speed moves between rounds).
    static func medians(of phases: [BenchPhase]) -> [BenchPhase] {
        var names: [String] = []
        for phase in phases where !names.contains(phase.name) { names.append(phase.name) }
        return names.compactMap { name in
            let group = phases.filter { $0.name == name }
            guard var summary = group.first else { return nil }
            func middle(_ figure: (BenchPhase) -> Double?) -> Double? { median(group.compactMap(figure)) }
            summary.round = nil
            summary.medianOf = group.count
            summary.seconds = middle { $0.seconds } ?? summary.seconds
            summary.rate = middle { $0.rate } ?? summary.rate
            // In hundredths of a millisecond, as each round's are: the mean of two middles has more digits.
            func latency(_ figure: (LatencySummary) -> Double) -> Double {
                ((middle { figure($0.latencyMs) } ?? 0) * 100).rounded() / 100
            }
            summary.latencyMs = LatencySummary(p50: latency { $0.p50 }, p90: latency { $0.p90 }, p99: latency { $0.p99 },
                                               max: latency { $0.max })
            for key in summary.notes.keys { summary.notes[key] = middle { $0.notes[key] } }
            for index in summary.bounds.indices {
                let bound = { (phase: BenchPhase) in index < phase.bounds.count ? phase.bounds[index] : nil }
                summary.bounds[index].rate = middle { bound($0)?.rate } ?? 0
                summary.bounds[index].ratio = middle { bound($0)?.ratio }
            }
            summary.ratio = summary.bounds.first?.ratio
            return summary
        }
    }

    /// The middle value, or the mean of the two middle ones; nil for none.
    static func median(_ values: [Double]) -> Double? {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return nil }
        let half = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2
    }

    static func rate(_ value: Double, _ unit: RateUnit) -> String { number(value) + " " + unit.rawValue }

    static func number(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: "%.2f", value)
    }
}
