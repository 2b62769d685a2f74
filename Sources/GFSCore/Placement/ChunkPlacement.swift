/// Where new replicas go (GFS §4.2): on distinct chunkservers, spread over racks, preferring servers with
/// below-average disk use and few recent creations (each creation predicts heavy write traffic soon).
public enum ChunkPlacement {
    /// What placement needs to know about one live chunkserver.
    public struct Candidate: Sendable, Equatable {
        /// The server.
        public var server: ServerID
        /// Its rack label; servers without one share the empty rack.
        public var rack: String
        /// Fraction of its disk in use, 0...1.
        public var diskUse: Double
        /// Replicas created on it recently.
        public var recentCreations: Int

        /// Creates a candidate.
        public init(server: ServerID, rack: String = "", diskUse: Double = 0, recentCreations: Int = 0) {
            self.server = server
            self.rack = rack
            self.diskUse = diskUse
            self.recentCreations = recentCreations
        }
    }

    /// Picks up to `count` distinct servers, never one in `excluded`.
    ///
    /// Candidates are ranked by recent creations, then disk use (rounded to 5 % so near-equal servers share
    /// load), with ties broken by `random`; then racks are visited round-robin so replicas spread over racks.
    public static func choose<R: RandomNumberGenerator>(
        _ count: Int, from candidates: [Candidate], excluding excluded: Set<ServerID> = [], using random: inout R
    ) -> [ServerID] {
        let ranked = candidates.filter { !excluded.contains($0.server) }.shuffled(using: &random)
            .sorted { lhs, rhs in
                if lhs.recentCreations != rhs.recentCreations { return lhs.recentCreations < rhs.recentCreations }
                return (lhs.diskUse * 20).rounded(.down) < (rhs.diskUse * 20).rounded(.down)
            }
        var byRack: [String: [ServerID]] = [:]
        var rackOrder: [String] = []
        for candidate in ranked {
            if byRack[candidate.rack] == nil { rackOrder.append(candidate.rack) }
            byRack[candidate.rack, default: []].append(candidate.server)
        }
        var chosen: [ServerID] = []
        var round = 0
        while chosen.count < count {
            var tookAny = false
            for rack in rackOrder where chosen.count < count {
                if let servers = byRack[rack], round < servers.count {
                    chosen.append(servers[round])
                    tookAny = true
                }
            }
            if !tookAny { break }
            round += 1
        }
        return chosen
    }
}
