import GFSCore
import GFSProtocol
import NIOConcurrencyHelpers
import Prometheus

/// One process's metrics, in Prometheus's text format at `/metrics`. Labels come only from fixed sets (the
/// protocol's verbs, chunk health words), never from what a peer sends, so their number stays bounded.
public final class RoleMetrics: Sendable {
    /// The registry `/metrics` prints.
    public let registry = PrometheusCollectorRegistry()
    /// `master` or `chunkserver`.
    public let role: String
    private let histograms: NIOLockedValueBox<[String: DurationHistogram]> = NIOLockedValueBox([:])
    private let rate = NIOLockedValueBox(RateWindow())

    /// Request latency buckets: a cached STAT to a multi-second copy.
    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    /// Metrics labelled with `role`.
    public init(role: String) { self.role = role }

    /// Records one answered request: its latency by verb, and the operations-per-second count.
    public func request(_ verb: String, took duration: Duration) {
        let label = Verb(rawValue: verb)?.rawValue ?? "OTHER"
        let histogram = histograms.withLockedValue { histograms in
            if let known = histograms[label] { return known }
            let made = registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(metricName: "gfs_request_duration", unitName: "seconds",
                                                 helpText: "Time to answer a request, by verb."),
                labels: [("role", role), ("verb", label)], buckets: Self.latencyBuckets)
            histograms[label] = made
            return made
        }
        histogram.record(duration)
        rate.withLockedValue { $0.count(at: .now) }
    }

    /// Requests answered per second over the last few seconds.
    public var operationsPerSecond: Double { rate.withLockedValue { $0.perSecond(at: .now) } }

    /// A counter (created on first use).
    public func counter(_ name: String, help: String, labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "total", helpText: help),
                             labels: labels)
    }

    /// A gauge (created on first use).
    public func gauge(_ name: String, unit: String = "", help: String, labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: unit, helpText: help), labels: labels)
    }

    /// A latency histogram (created on first use).
    public func durations(_ name: String, help: String) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: MetricNameDescriptor(metricName: name, unitName: "seconds", helpText: help),
                                       buckets: Self.latencyBuckets)
    }

    /// The text `/metrics` answers.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}

/// Counts events into one-second slots and gives their rate over the last `window` full seconds.
struct RateWindow {
    static let window = 10
    private var slots = [Int](repeating: 0, count: RateWindow.window + 1)
    private var slotSeconds = [Int64](repeating: -1, count: RateWindow.window + 1)

    mutating func count(at now: ContinuousClock.Instant) {
        let second = Self.second(now)
        let index = Int(second % Int64(slots.count))
        if slotSeconds[index] != second {
            slotSeconds[index] = second
            slots[index] = 0
        }
        slots[index] += 1
    }

    /// The full seconds before the current one, so a rate read early in a second is not low.
    func perSecond(at now: ContinuousClock.Instant) -> Double {
        let current = Self.second(now)
        var total = 0
        for (index, second) in slotSeconds.enumerated() where second < current && second >= current - Int64(Self.window) {
            total += slots[index]
        }
        return Double(total) / Double(Self.window)
    }

    private static let origin = ContinuousClock.now
    private static func second(_ instant: ContinuousClock.Instant) -> Int64 {
        max(0, (instant - origin).components.seconds)  // an instant taken just before `origin` was set
    }
}
