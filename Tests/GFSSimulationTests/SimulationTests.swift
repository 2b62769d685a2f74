// Goal: histories of the whole cluster under faults keep DESIGN.md §6: every acknowledged record on every
// replica the master calls live, one primary per chunk version, and a healthy fsck once faults stop.
// Method: the GFSSimulation histories of a fixed set of seeds (1-60 and the corpus, about a minute in a debug
// build on 2 cores; SIM_SEEDS=N, or SIM_SEED=S to replay one);
// a failing seed is replayed with its history kept and the end of that history printed.
import Foundation
import GFSSimulation
import Testing

@Suite struct SimulationTests {
    static var seeds: [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let one = environment["SIM_SEED"].flatMap(UInt64.init) { return [one] }
        let count = environment["SIM_SEEDS"].flatMap(UInt64.init) ?? 60
        let first = environment["SIM_FIRST"].flatMap(UInt64.init) ?? 1
        return Array(Set(Array(first..<(first + count)) + corpus)).sorted()
    }

    /// Seeds that once failed, run every time (each names what it found). A change to what the schedule
    /// draws changes every seed's history, so an older entry stays as one more seed, not a replay.
    static let corpus: [UInt64] = [
        139,  // a failed grant's version bump was not logged; after a master crash the chunk was lost
        9, 15,  // a create retried during a stalled log fsync was told EXISTS, then the master crashed
        6,  // a snapshot right after a master restart revoked no lease and went on changing
        34,  // an appender's old handle was leased after copy-on-write, writing into the snapshot
        18,  // a snapshot that failed to log left its source's leases blocked for good (liveness)
    ]

    /// The settings of one seed's history (SIM_SHADOW=0 leaves the shadow out).
    static func settings(_ seed: UInt64) -> Simulation.Settings {
        var settings = Simulation.Settings(seed: seed)
        settings.shadow = ProcessInfo.processInfo.environment["SIM_SHADOW"] != "0"
        return settings
    }

    /// Runs the histories of `seeds`, as many at once as there are cores (each is one thread's work).
    static func outcomes(_ seeds: [UInt64]) async -> [Simulation.Outcome] {
        let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
        return await withTaskGroup(of: Simulation.Outcome.self) { group in
            var results: [Simulation.Outcome] = []
            var next = seeds.makeIterator()
            for _ in 0..<width {
                guard let seed = next.next() else { break }
                group.addTask { Simulation.run(Self.settings(seed)) }
            }
            for await outcome in group {
                results.append(outcome)
                if let seed = next.next() { group.addTask { Simulation.run(Self.settings(seed)) } }
            }
            return results.sorted { $0.seed < $1.seed }
        }
    }

    @Test func historiesKeepTheInvariants() async {
        let started = ContinuousClock.now
        let outcomes = await Self.outcomes(Self.seeds)
        let elapsed = ContinuousClock.now - started
        let verbose = !(ProcessInfo.processInfo.environment["SIM_VERBOSE"] ?? "").isEmpty
        for outcome in outcomes where verbose || !outcome.passed { print(outcome.summary) }
        let failed = outcomes.filter { !$0.passed }
        for outcome in failed.prefix(1) {
            var replay = Self.settings(outcome.seed)
            replay.keepHistory = true
            let again = Simulation.run(replay)
            #expect(again.digest == outcome.digest, "seed \(outcome.seed) replays bit for bit")
            let count = ProcessInfo.processInfo.environment["SIM_HISTORY"].flatMap(Int.init) ?? 150
            print("history of seed \(outcome.seed) (last \(count) events, SIM_HISTORY=N for more; make sim SIM_SEED=\(outcome.seed) replays it):")
            for line in again.history.suffix(count) { print(line) }
            for violation in outcome.violations.prefix(10) { print("violation: \(violation)") }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let minutes = outcomes.first.map { Simulation.Settings(seed: $0.seed).minutes } ?? 0
        print("simulation: \(outcomes.count) histories of \(minutes) simulated minutes in \(String(format: "%.1f", seconds)) s "
              + "(\(Int(Double(outcomes.count) * 60 / max(seconds, 0.001))) per minute); failing seeds: \(failed.map(\.seed))")
        #expect(failed.isEmpty, "failing seeds: \(failed.map(\.seed))")
    }

    /// Needs SWIFT_DETERMINISTIC_HASHING=1 (make test and make sim set it): Swift otherwise seeds every
    /// dictionary's hashing differently, and the state machines iterate dictionaries.
    @Test func oneSeedReplaysBitForBit() {
        guard ProcessInfo.processInfo.environment["SWIFT_DETERMINISTIC_HASHING"] != nil else {
            Issue.record("run with SWIFT_DETERMINISTIC_HASHING=1 (make test sets it), or one seed cannot replay")
            return
        }
        var settings = Simulation.Settings(seed: 7)
        settings.minutes = 3
        let first = Simulation.run(settings), second = Simulation.run(settings)
        #expect(first.digest == second.digest && first.steps == second.steps && first.appended == second.appended)
        #expect(first.appended > 0, "the clients appended")
    }
}

/// The simulation must find bugs: defects of the kind the fault-injection issue fixed, put back, are caught
/// within a few seeds.
@Suite struct DefectTests {
    static func firstFailing(_ defect: Simulation.Defect, within seeds: ClosedRange<UInt64>) -> Simulation.Outcome? {
        for seed in seeds {
            var settings = Simulation.Settings(seed: seed)
            settings.defects = [defect]
            let outcome = Simulation.run(settings)
            if !outcome.passed { return outcome }
        }
        return nil
    }

    @Test(arguments: [Simulation.Defect.acknowledgeBeforeSync, .leaseCheckedOnlyOnArrival, .versionSentBeforeLogged,
                      .refusalBeforeDurable, .snapshotSkipsUnansweredLeases])
    func reintroducedDefectIsFound(_ defect: Simulation.Defect) throws {
        let started = ContinuousClock.now
        let seeds = Self.searched(defect)
        let failing = try #require(Self.firstFailing(defect, within: seeds), "\(defect) went unnoticed in seeds \(seeds)")
        print("\(defect): found by seed \(failing.seed) (searching \(seeds)) in \(ContinuousClock.now - started): "
              + failing.violations[0])
    }

    /// The seeds searched, from 1 until one fails: at most 80 (SIM_DEFECT_SEEDS=N searches N from 1, as the
    /// closing notes' figures were taken). Two defects bite only at a moment the schedule aims at: a version
    /// sent before it is logged, when the master crashes between a grant and its log record and the replica
    /// that took the version stays away past the next grant (the master and that primary crash at once: 42
    /// of seeds 1...100 find it, where before the aim 1 in about 3000 did); a refusal before it is durable,
    /// when the master dies during a stalled log (17 of seeds 1...100).
    static func searched(_ defect: Simulation.Defect) -> ClosedRange<UInt64> {
        if let count = ProcessInfo.processInfo.environment["SIM_DEFECT_SEEDS"].flatMap(UInt64.init) { return 1...max(1, count) }
        return 1...80
    }
}
