// Goal: the simulator's own parts keep their promises, since every history rests on them: one seed replays
// bit for bit, cuts and heals act on exactly the links named, a crash loses exactly what was not synced, and
// a drifting clock stays within its bound.
// Method: small histories on the real Scheduler, Network and SimulatedDisk.
import GFSCore
import GFSSimulation
import Testing

@Suite struct FoundationTests {
    /// A chatty history: nodes 0...3 send each other numbered messages through a lossy, duplicating network.
    static func chatter(seed: UInt64) -> (digest: UInt64, delivered: Int, dropped: Int) {
        let scheduler = Scheduler(seed: seed)
        var faults = NetworkFaults()
        faults.loss = 0.1
        faults.duplication = 0.05
        let network = Network<Int, Int>(scheduler: scheduler, faults: faults)
        var history = History(keepsLines: false)
        network.onDeliver { from, to, message in
            history.record(scheduler.now, UInt64(from * 1000 + to) << 32 | UInt64(message), "\(from)->\(to) \(message)")
            if message < 200 { network.send(message + 1, from: to, to: Int(scheduler.draw(0...3))) }
        }
        for node in 0..<4 { network.send(node * 1000, from: node, to: (node + 1) % 4) }
        scheduler.after(3_000_000) { network.cut(1, 2) }
        scheduler.after(9_000_000) { network.healAll() }
        scheduler.run(until: 60_000_000_000)
        return (history.digest, network.delivered, network.dropped)
    }

    @Test func oneSeedIsOneHistory() {
        let first = Self.chatter(seed: 42), again = Self.chatter(seed: 42), other = Self.chatter(seed: 43)
        #expect(first.digest == again.digest && first.delivered == again.delivered)
        #expect(first.digest != other.digest)
        #expect(first.dropped > 0, "loss and the cut dropped messages")
    }

    @Test func cutsAreOneWayAndHeal() {
        let scheduler = Scheduler(seed: 1)
        let network = Network<String, String>(scheduler: scheduler)
        var got: [String] = []
        network.onDeliver { from, to, message in got.append("\(from)>\(to):\(message)") }
        network.cut("a", "b")
        network.send("1", from: "a", to: "b")
        network.send("2", from: "b", to: "a")
        scheduler.run(until: 1_000_000_000)
        #expect(got == ["b>a:2"])
        // A message in flight when its link is cut is lost too.
        network.heal("a", "b")
        network.send("3", from: "a", to: "b")
        network.partition(["a"], from: ["b", "c"])
        scheduler.run(until: 2_000_000_000)
        #expect(got == ["b>a:2"])
        network.healAll()
        network.send("4", from: "a", to: "c")
        scheduler.run(until: 3_000_000_000)
        #expect(got == ["b>a:2", "a>c:4"])
    }

    @Test func crashLosesWhatWasNotSynced() {
        var disk = SimulatedDisk<String, [Int]>(capacity: 10) { $0.count }
        let first = disk.write("chunk", [1, 2, 3])
        disk.sync("chunk")
        let second = disk.write("chunk", [1, 2, 3, 4]), version = disk.write("version", [7])
        let big = disk.write("big", Array(repeating: 0, count: 8))
        #expect(first && second && version)
        #expect(!big, "past the capacity: a full disk")
        disk.crash { _ in false }
        #expect(disk["chunk"] == [1, 2, 3])
        #expect(disk["version"] == nil)
        let again = disk.write("version", [8])
        #expect(again)
        disk.crash { $0 == "version" }
        #expect(disk["version"] == [8], "the kernel may have written a page back before the crash")
        disk.remove("chunk")
        #expect(disk.names == ["version"])
        disk.crash { _ in false }
        #expect(disk.names == ["chunk", "version"], "an unsynced removal is undone by a crash")
    }

    @Test func driftStaysWithinItsBound() {
        let scheduler = Scheduler(seed: 5)
        let fast = DriftingClock(time: scheduler.time, drift: 200, offset: 0)
        let slow = DriftingClock(time: scheduler.time, drift: -200, offset: 1_000)
        scheduler.after(600_000_000_000) {}
        scheduler.run(until: 600_000_000_000)
        let fastElapsed = fast.now.sinceStart, slowElapsed = slow.now.sinceStart - .nanoseconds(1_000)
        #expect(fastElapsed == .seconds(600) + .milliseconds(120))
        #expect(slowElapsed == .seconds(600) - .milliseconds(120))
    }
}
