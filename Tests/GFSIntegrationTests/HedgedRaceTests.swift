// Goal: a read asks the next replica at once when one fails, and one more each time the latest is silent
// past the hedge delay, never two at once; the first full answer wins, and a short one counts as a failure.
// Method: HedgedRace with candidates made of closures (answer, fail, or stay silent). The hedge delay is long
// where nothing should be hedged, so a slow machine does not make a hedge the test did not mean.
@testable import GFSClient
import GFSProtocol
import Testing

@Suite struct HedgedRaceTests {
    enum Behaviour: Sendable { case answer(Int), fail, silent }

    actor Asked {
        var order: [Int] = []
        func add(_ index: Int) { order.append(index) }
    }

    /// Runs a race over candidates behaving as `behaviours`; returns the outcome, who was asked in what
    /// order, who failed and who was left as slow.
    static func race(_ behaviours: [Behaviour], hedgeAfter: Duration = .seconds(10),
                     full: Int = 10) async -> (HedgedRace.Outcome<Int>, [Int], [Int], [Int]) {
        let asked = Asked()
        var failed: [Int] = []
        var slow: [Int] = []
        let outcome = await HedgedRace.run(
            count: behaviours.count, hedgeAfter: hedgeAfter,
            ask: { (index) async throws(GFSError) -> Int in
                await asked.add(index)
                switch behaviours[index] {
                case let .answer(value): return value
                case .fail: throw GFSError(.unavailable, "down")
                case .silent:
                    try? await Task.sleep(for: .seconds(30))
                    throw GFSError(.timeout, "no answer")
                }
            },
            check: { (value) throws(GFSError) in
                guard value == full else { throw GFSError(.internal, "short read") }
            },
            failed: { index, _ in failed.append(index) },
            slow: { index in slow.append(index) })
        return (outcome, await asked.order, failed, slow)
    }

    static func winner(_ outcome: HedgedRace.Outcome<Int>) -> Int? {
        if case let .answered(index, _, _) = outcome { return index }
        return nil
    }

    @Test func aSilentReplicaHasOnlyTheNextAskedAsWell() async {
        let (outcome, asked, failed, slow) = await Self.race([.silent, .answer(10), .answer(10)], hedgeAfter: .seconds(1))
        #expect(Self.winner(outcome) == 1)
        #expect(asked == [0, 1], "the third replica was not asked: the second answered")
        #expect(failed.isEmpty && slow == [0])
    }

    @Test func aFailureMovesOnAtOnce() async {
        let (outcome, asked, failed, slow) = await Self.race([.fail, .answer(10), .answer(10)])
        #expect(Self.winner(outcome) == 1)
        #expect(asked == [0, 1] && failed == [0] && slow.isEmpty)
    }

    @Test func twoSilentReplicasAreLeftOneAfterTheOther() async {
        let (outcome, asked, failed, slow) = await Self.race([.silent, .silent, .answer(10)], hedgeAfter: .milliseconds(50))
        #expect(Self.winner(outcome) == 2)
        #expect(asked == [0, 1, 2] && failed.isEmpty && slow == [0, 1])
    }

    @Test func aShortAnswerIsAFailure() async {
        let (outcome, asked, failed, _) = await Self.race([.answer(3), .answer(10)])
        #expect(Self.winner(outcome) == 1)
        #expect(asked == [0, 1] && failed == [0])
    }

    @Test func allFailing() async {
        let (outcome, asked, failed, _) = await Self.race([.fail, .answer(3), .fail])
        #expect(Self.winner(outcome) == nil)
        #expect(asked == [0, 1, 2] && failed.sorted() == [0, 1, 2])
    }
}
