// Goal: `gfs bench --rounds` summarises rounds by their medians, with each ratio taken within its round.
// Method: the summary function alone, on phases made up here; likewise the choice between a bound's runs.
@testable import GFSCommands
import Testing

struct BenchMedianTests {
    @Test func medianOfOddEvenAndNone() {
        #expect(BenchPhase.median([3, 1, 2]) == 2)
        #expect(BenchPhase.median([4, 1, 3, 2]) == 2.5)
        #expect(BenchPhase.median([]) == nil)
    }

    /// A machine twice as fast in one round: the median of the ratios is 0.9, while the ratio of the medians
    /// of gfs (100) and of the bound (150) would be 0.67.
    @Test func ratiosAreTakenWithinRounds() throws {
        func round(_ number: Int, rate: Double, bound: Double) -> BenchPhase {
            var phase = BenchPhase(name: "write", clients: 1, operations: 1, bytes: Int64(rate * 1e6), seconds: 1,
                                   latencies: Latencies(), perSecond: .megabytes)
            phase.round = number
            phase.compare(with: BenchBound(what: "disk", rate: bound, unit: .megabytes))
            return phase
        }
        let rounds = [round(1, rate: 90, bound: 100), round(2, rate: 180, bound: 200), round(3, rate: 100, bound: 150)]
        let summary = try #require(BenchPhase.medians(of: rounds).first)
        #expect(BenchPhase.medians(of: rounds).count == 1)
        #expect(summary.medianOf == 3 && summary.round == nil)
        #expect(summary.rate == 100)
        #expect(summary.bounds.first?.rate == 150)
        #expect(abs((summary.ratio ?? 0) - 0.9) < 1e-9)
    }

    /// A bound run before gfs and after is the faster of the two, whichever it was, and both runs are noted.
    @Test func aBoundIsTheFasterOfItsTwoRuns() {
        for (before, after) in [(300.0, 200.0), (200.0, 300.0)] {
            var phase = BenchPhase(name: "write", clients: 1, operations: 1, bytes: 150_000_000, seconds: 1,
                                   latencies: Latencies(), perSecond: .megabytes)
            let best = Bench.faster(BenchBound(what: "disk", rate: before, unit: .megabytes),
                                    BenchBound(what: "disk", rate: after, unit: .megabytes), noting: "chain", in: &phase)
            #expect(best.rate == 300)
            #expect(phase.notes["chain_before_mb_per_s"] == before && phase.notes["chain_after_mb_per_s"] == after)
        }
    }

    /// Latencies stay in hundredths of a millisecond: the mean of 1.27 and 1.3 prints as 1.29, not
    /// 1.2850000000000001.
    @Test func evenMediansOfLatenciesKeepTheirDigits() throws {
        func round(_ number: Int, milliseconds: Int) -> BenchPhase {
            var latencies = Latencies()
            latencies.record(.microseconds(milliseconds * 10))
            var phase = BenchPhase(name: "create", clients: 1, operations: 1, bytes: 0, seconds: 1, latencies: latencies,
                                   perSecond: .operations)
            phase.round = number
            return phase
        }
        let summary = try #require(BenchPhase.medians(of: [round(1, milliseconds: 127), round(2, milliseconds: 130)]).first)
        #expect(summary.latencyMs.p50 == 1.29 || summary.latencyMs.p50 == 1.28)
        #expect(summary.lines[0].contains("p50 \(summary.latencyMs.p50) ms"))
        #expect(!summary.lines[0].joined().contains("00000"))
    }
}
