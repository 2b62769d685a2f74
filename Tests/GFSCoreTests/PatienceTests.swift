// Goal: the client's waiting rule (issue 17): backoff grows to a cap with jitter, progress starts it over,
// and it gives up only once the timeout passed with no progress and one more try failed.
// Method: Patience driven by hand-made instants.
import GFSCore
import Testing

@Suite struct PatienceTests {
    static func at(_ milliseconds: Int64) -> Instant { Instant(sinceStart: .milliseconds(milliseconds)) }

    @Test func backoffGrowsToItsCapWithinTheTimeout() throws {
        var patience = Patience(timeout: .seconds(30), now: Self.at(0), seed: 1)
        var pauses: [Duration] = []
        for _ in 0..<10 {
            let pause = patience.pause(at: Self.at(100))
            pauses.append(try #require(pause))
        }
        #expect(pauses[0] >= .milliseconds(25) && pauses[0] <= .milliseconds(50))
        #expect(pauses[3] >= .milliseconds(200) && pauses[3] <= .milliseconds(400))
        #expect(pauses.allSatisfy { $0 <= .seconds(2) } && pauses[9] >= .seconds(1), "capped at 2 s, jittered down to half")
        let last = patience.pause(at: Self.at(29_900))
        let near = try #require(last)
        #expect(near <= .milliseconds(100), "never past the timeout")
    }

    @Test func givesUpAfterTheTimeoutAndOneMoreTry() {
        var patience = Patience(timeout: .seconds(5), now: Self.at(0), seed: 2)
        #expect(patience.pause(at: Self.at(30_000)) != nil, "an attempt that hung past the timeout gets one more try")
        #expect(patience.pause(at: Self.at(31_000)) == nil)
        patience.progressed(at: Self.at(31_000))
        #expect(patience.pause(at: Self.at(32_000)).map { $0 <= .milliseconds(50) } == true, "progress starts it over")
        #expect(patience.waited(at: Self.at(33_000)) == .seconds(2))
    }

    /// A put whose first attempt failed at once and whose second hung on a frozen replica: with a call deadline
    /// of the whole timeout the hang used up the patience and the put gave up (Patience grants the one extra
    /// try only to an attempt whose first failure was the hang); with a third of it, it tries again.
    @Test func aHungMutationCallLeavesTimeToTryAgain() {
        let timeout = Duration.seconds(30)
        #expect(Patience.mutationCallTimeout(timeout) == .seconds(10))
        #expect(Patience.mutationCallTimeout(.seconds(6)) == .seconds(5), "at least 5 s")
        #expect(Patience.mutationCallTimeout(.seconds(2)) == .seconds(2), "never more than the timeout")
        for (call, triesAgain) in [(Patience.mutationCallTimeout(timeout), true), (timeout, false)] {
            var patience = Patience(timeout: timeout, now: Self.at(0), seed: 3)
            let fast = patience.pause(at: Self.at(50))
            #expect(fast != nil)
            let afterHang = patience.pause(at: Self.at(100 + call.milliseconds))
            #expect((afterHang != nil) == triesAgain, "a call deadline of \(call)")
        }
    }

    /// A frozen primary keeps its lease until it ends, up to a minute, and the master says when: a client told
    /// so waits that long and then its whole timeout, where one not told gives up after the timeout.
    @Test func aPromisedWaitIsWaitedOut() {
        var told = Patience(timeout: .seconds(30), now: Self.at(0), seed: 4)
        var untold = told
        #expect(told.pause(at: Self.at(10_000), promised: .seconds(50)) != nil)
        #expect(untold.pause(at: Self.at(10_000)) != nil)
        #expect(told.pause(at: Self.at(45_000)) != nil, "within the promised 50 s")
        #expect(untold.pause(at: Self.at(45_000)) == nil)
        #expect(told.pause(at: Self.at(89_000)) != nil, "the timeout counts from the end of the promise")
        #expect(told.pause(at: Self.at(91_000)) == nil)
        var capped = Patience(timeout: .seconds(1), now: Self.at(0), seed: 5)
        #expect(capped.pause(at: Self.at(0), promised: .seconds(86_400)) != nil)
        let longest = Patience.longestPromise.milliseconds
        #expect(capped.pause(at: Self.at(longest + 500)) != nil)
        #expect(capped.pause(at: Self.at(longest + 1_500)) == nil, "a promise counts for at most longestPromise")
    }

    /// Promises that keep coming (a copy that never finishes, a hostile master) add up to at most
    /// longestPromise between two successes; a success starts that over.
    @Test func promisesAddUpToLongestPromise() {
        let longest = Patience.longestPromise.milliseconds
        var patience = Patience(timeout: .seconds(10), now: Self.at(0), seed: 6)
        for step in stride(from: Int64(0), to: longest, by: 20_000) {
            #expect(patience.pause(at: Self.at(step), promised: .seconds(30)) != nil)
        }
        #expect(patience.pause(at: Self.at(longest + 9_000), promised: .seconds(30)) != nil)
        #expect(patience.pause(at: Self.at(longest + 11_000), promised: .seconds(30)) == nil)
        patience.progressed(at: Self.at(longest + 12_000))
        #expect(patience.pause(at: Self.at(longest + 40_000), promised: .seconds(30)) != nil)
    }

    /// A write's attempts count the promise of the error that failed them.
    @Test func mutationAttemptsWaitOutAPromise() {
        var attempts = MutationAttempts(patience: Patience(timeout: .seconds(10), now: Self.at(0), seed: 7))
        let promise = GFSError(.lease, "primary down; lease ends in 50 s", retryAfter: .seconds(50))
        guard case .again = attempts.failed(promise, at: Self.at(1_000)) else {
            Issue.record("a promise is waited out")
            return
        }
        guard case .again = attempts.failed(GFSError(.unavailable, "push failed"), at: Self.at(55_000)) else {
            Issue.record("a failure within the promised wait and the timeout after it is tried again")
            return
        }
        guard case .giveUp = attempts.failed(GFSError(.unavailable, "push failed"), at: Self.at(62_000)) else {
            Issue.record("gives up once the timeout after the promise has passed")
            return
        }
    }
}
