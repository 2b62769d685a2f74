// Goal: the master knows a retried namespace change it already carried out (HDFS's RetryCache), from its log
// alone, for as long as a client may retry, and forgets calls after that so memory stays bounded.
// Method: the pure state machine and cache, with times given.
import GFSCore
import GFSTestSupport
import Testing

@Suite struct RetryCacheTests {
    @Test func aCallIsRememberedUntilItIsTooOldToBeRetried() {
        var cache = RetryCache()
        let first = ClientCall(high: 1, low: 1)
        cache.insert(first, at: 0)
        #expect(cache.contains(first))
        #expect(!cache.contains(ClientCall(high: 1, low: 2)))
        // Plenty of later calls, all within the keep time: the first stays.
        for number in 0..<5_000 { cache.insert(ClientCall(high: 2, low: UInt64(number)), at: 1_000) }
        #expect(cache.contains(first))
        // Later still: it goes, and so do the others of its age once the cache sweeps.
        let later = RetryCache.keepMilliseconds + 2_000
        for number in 0..<20_000 { cache.insert(ClientCall(high: 3, low: UInt64(number)), at: later) }
        #expect(!cache.contains(first))
        #expect(!cache.contains(ClientCall(high: 2, low: 0)))
        #expect(cache.contains(ClientCall(high: 3, low: 19_999)))
        #expect(cache.count <= 20_000)
    }

    @Test func callsAreRecoveredFromTheLog() throws {
        let clock = ManualClock()
        var master = MasterStateMachine(configuration: MasterConfiguration(), clock: clock)
        let call = ClientCall.random()
        var log = try master.makeDirectory(GFSPath("/d")!, parents: false)
        log.append(master.finishCall(call))
        #expect(master.calls.contains(call))
        var replayed = MasterStateMachine(configuration: MasterConfiguration(), clock: clock)
        for mutation in log { try replayed.applyChecked(mutation) }
        #expect(replayed.calls.contains(call))
        #expect(ClientCall(call.description) == call)
        #expect(ClientCall("xyz") == nil && ClientCall(String(repeating: "g", count: 32)) == nil)
        #expect(ClientCall(String(repeating: "F", count: 31)) == nil && ClientCall(String(repeating: "f", count: 33)) == nil)
        #expect(ClientCall("0123456789abcdefFEDCBA9876543210") == ClientCall(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210))
        #expect(ClientCall("+" + String(repeating: "0", count: 15) + String(repeating: "1", count: 16)) == nil, "no sign")
    }
}
