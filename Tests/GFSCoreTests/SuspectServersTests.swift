// Goal: a client's reads ask a replica that lately failed or stayed silent last, until it answers or its
// suspicion lapses.
// Method: SuspectServers driven by hand-made instants.
import GFSCore
import Testing

@Suite struct SuspectServersTests {
    static func at(_ seconds: Int64) -> Instant { Instant(sinceStart: .seconds(seconds)) }

    @Test func suspectsComeLastUntilTheyAnswerOrLapse() {
        var suspects = SuspectServers<String>(period: .seconds(30))
        #expect(suspects.ordered(["a", "b", "c"], at: Self.at(0)) == ["a", "b", "c"])
        suspects.suspect("a", at: Self.at(0))
        suspects.suspect("b", at: Self.at(5))
        #expect(suspects.ordered(["a", "b", "c"], at: Self.at(10)) == ["c", "a", "b"], "the longest suspected first among them")
        #expect(suspects.ordered(["b", "c"], at: Self.at(10)) == ["c", "b"])
        #expect(suspects.ordered(["a", "b", "c"], at: Self.at(31)) == ["a", "c", "b"], "a's suspicion lapsed")
        suspects.answered("b")
        #expect(!suspects.isSuspect("b", at: Self.at(31)))
        #expect(suspects.ordered(["b", "c"], at: Self.at(31)) == ["b", "c"])
    }

    @Test func staysSmall() {
        var suspects = SuspectServers<Int>(period: .seconds(30), capacity: 4)
        for server in 0..<4 { suspects.suspect(server, at: Self.at(0)) }
        suspects.suspect(9, at: Self.at(0))
        #expect(suspects.isSuspect(9, at: Self.at(1)) && !suspects.isSuspect(0, at: Self.at(1)), "over capacity it started over")
    }
}

@Suite struct HedgeDelayTests {
    @Test func hedgesOnlyWhatIsFarSlowerThanLately() {
        var hedge = HedgeDelay(minimum: .seconds(1))
        #expect(hedge.delay == .seconds(1), "nothing read yet")
        for _ in 0..<20 { hedge.observe(.milliseconds(10)) }
        #expect(hedge.delay == .seconds(1), "fast pieces: the minimum")
        for _ in 0..<40 { hedge.observe(.seconds(2)) }
        #expect(hedge.delay > .seconds(7) && hedge.delay <= .seconds(8), "a slow link: four times its pieces")
        hedge.observe(.milliseconds(10))
        #expect(hedge.delay > .seconds(6), "one fast piece moves it an eighth of the way")
    }
}
