// Goal: replicas land on distinct servers, spread over racks, away from busy or full servers (GFS §4.2).
// Method: table-driven candidate sets with a seeded generator, plus a property check over many seeds.
import GFSCore
import Testing

@Suite struct PlacementTests {
    static func server(_ port: Int) -> ServerID { ServerID(host: "127.0.0.1", port: port) }

    /// Recent creations are counted by binary search over times in the order they happened.
    @Test func recentCreationsAreCountedAfterAnInstant() {
        let times = [1, 2, 3, 3, 5].map { Instant(sinceStart: .seconds($0)) }
        for (since, expected) in [(0, 5), (1, 4), (3, 1), (4, 1), (5, 0), (9, 0)] {
            #expect(MasterStateMachine.count(times, after: Instant(sinceStart: .seconds(since))) == expected, "after \(since)")
        }
        #expect(MasterStateMachine.count([], after: Instant(sinceStart: .zero)) == 0)
    }

    @Test func choosesDistinctServers() {
        var random = SplitMix64(seed: 7)
        let candidates = (1...5).map { ChunkPlacement.Candidate(server: Self.server($0)) }
        let chosen = ChunkPlacement.choose(3, from: candidates, using: &random)
        #expect(chosen.count == 3)
        #expect(Set(chosen).count == 3)
    }

    @Test func neverReturnsMoreThanAvailableOrExcluded() {
        var random = SplitMix64(seed: 1)
        let candidates = (1...2).map { ChunkPlacement.Candidate(server: Self.server($0)) }
        #expect(ChunkPlacement.choose(3, from: candidates, using: &random).count == 2)
        #expect(ChunkPlacement.choose(3, from: candidates, excluding: [Self.server(1)], using: &random) == [Self.server(2)])
    }

    /// Reference: GFS §4.2 — spread replicas across racks.
    @Test func spreadsOverRacksFirst() {
        var random = SplitMix64(seed: 3)
        let candidates = [
            ChunkPlacement.Candidate(server: Self.server(1), rack: "a"),
            ChunkPlacement.Candidate(server: Self.server(2), rack: "a"),
            ChunkPlacement.Candidate(server: Self.server(3), rack: "a"),
            ChunkPlacement.Candidate(server: Self.server(4), rack: "b"),
        ]
        for _ in 0..<20 {
            let chosen = ChunkPlacement.choose(2, from: candidates, using: &random)
            #expect(chosen.contains(Self.server(4)))
        }
    }

    /// Reference: GFS §4.2 — prefer below-average disk use and few recent creations.
    @Test func prefersIdleEmptyServers() {
        var random = SplitMix64(seed: 11)
        let candidates = [
            ChunkPlacement.Candidate(server: Self.server(1), diskUse: 0.9),
            ChunkPlacement.Candidate(server: Self.server(2), diskUse: 0.1, recentCreations: 5),
            ChunkPlacement.Candidate(server: Self.server(3), diskUse: 0.1),
            ChunkPlacement.Candidate(server: Self.server(4), diskUse: 0.2),
        ]
        #expect(ChunkPlacement.choose(2, from: candidates, using: &random) == [Self.server(3), Self.server(4)])
    }

    /// Property: the result always equals the obvious reference — min(count, n) distinct, non-excluded servers.
    @Test func matchesTheReferenceOverManySeeds() {
        for seed in UInt64(0)..<200 {
            var random = SplitMix64(seed: seed)
            let total = Int(seed % 7)
            let candidates = (0..<total).map {
                ChunkPlacement.Candidate(server: Self.server($0), rack: "r\($0 % 3)", diskUse: Double($0) / 10)
            }
            let excluded: Set<ServerID> = seed % 2 == 0 ? [Self.server(0)] : []
            let want = Int(seed % 4)
            let chosen = ChunkPlacement.choose(want, from: candidates, excluding: excluded, using: &random)
            let available = candidates.filter { !excluded.contains($0.server) }.count
            #expect(chosen.count == min(want, available))
            #expect(Set(chosen).count == chosen.count)
            #expect(chosen.allSatisfy { !excluded.contains($0) })
        }
    }
}
