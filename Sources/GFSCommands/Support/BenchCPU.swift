#if canImport(Glibc)
import Glibc
#endif

/// The CPU seconds the benchmark (this process: the clients), a local master and its chunkservers use from
/// the start of a phase to its end, noted in the phase: where a figure's CPU went, and whether the client
/// is the cheaper side. A server whose /proc entry cannot be read is left out of the notes, not counted as 0.
struct BenchCPU {
    private let master: Int32?
    private let chunkservers: [Int32]
    private let start: (client: Double, master: Double?, chunkservers: Double?)

    init(master: Int32?, chunkservers: [Int32] = []) {
        self.master = master
        self.chunkservers = chunkservers
        start = (BenchDriver.ownCPUSeconds(), master.flatMap(BenchDriver.cpuSeconds), Self.total(chunkservers))
    }

    /// Notes `client_cpu_seconds`, and `master_cpu_seconds` and `chunkservers_cpu_seconds` where known.
    func note(in phase: inout BenchPhase) {
        // To the hundredth: /proc counts in clock ticks of 10 ms.
        func seconds(_ value: Double) -> Double { (value * 100).rounded() / 100 }
        phase.notes["client_cpu_seconds"] = seconds(BenchDriver.ownCPUSeconds() - start.client)
        if let before = start.master, let now = master.flatMap(BenchDriver.cpuSeconds) {
            phase.notes["master_cpu_seconds"] = seconds(now - before)
        }
        if let before = start.chunkservers, let now = Self.total(chunkservers) {
            phase.notes["chunkservers_cpu_seconds"] = seconds(now - before)
        }
    }

    /// All of `pids`' CPU seconds; nil for none, or when one cannot be read.
    private static func total(_ pids: [Int32]) -> Double? {
        guard !pids.isEmpty else { return nil }
        var sum = 0.0
        for pid in pids {
            guard let seconds = BenchDriver.cpuSeconds(of: pid) else { return nil }
            sum += seconds
        }
        return sum
    }
}
