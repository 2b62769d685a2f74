// Goal: the chunkserver's lease decisions (DESIGN.md §6) — whom a primary forwards to, when its lease counts,
// which extensions it takes — without sockets or sleeps.
// Method: a PrimaryLeases driven by hand-made instants, as the chunkserver drives it from its own clock.
import GFSCore
import Testing

@Suite struct PrimaryLeasesTests {
    static let chunk = ChunkHandle(7)
    static let b = ServerID(host: "127.0.0.1", port: 2)
    static let c = ServerID(host: "127.0.0.1", port: 3)

    static func at(_ seconds: Int) -> Instant { Instant(sinceStart: .seconds(seconds)) }

    /// The secondaries come from the grant, and a mutation is checked against the lease when it is applied.
    @Test func grantNamesTheSecondariesAndTheLeaseIsCheckedAtApply() throws {
        var leases = PrimaryLeases()
        leases.granted(Self.chunk, version: 3, secondaries: [Self.b, Self.c], duration: .seconds(60), arrival: Self.at(0))
        #expect(try leases.authorize(Self.chunk, version: 3, at: Self.at(10)) == [Self.b, Self.c])
        #expect(throws: GFSError.self) { try leases.authorize(Self.chunk, version: 2, at: Self.at(10)) }
        // The lease ends a margin (a tenth, at most 1 s) before the master's 60 s.
        #expect(throws: GFSError.self) { try leases.authorize(Self.chunk, version: 3, at: Self.at(59)) }
    }

    /// A new grant at a newer version replaces the set; an older grant arriving late changes nothing.
    @Test func newerGrantReplacesOlderOneIsIgnored() throws {
        var leases = PrimaryLeases()
        leases.granted(Self.chunk, version: 3, secondaries: [Self.b, Self.c], duration: .seconds(60), arrival: Self.at(0))
        leases.granted(Self.chunk, version: 4, secondaries: [Self.b], duration: .seconds(60), arrival: Self.at(5))
        leases.granted(Self.chunk, version: 3, secondaries: [Self.b, Self.c], duration: .seconds(60), arrival: Self.at(6))
        #expect(try leases.authorize(Self.chunk, version: 4, at: Self.at(10)) == [Self.b])
        #expect(throws: GFSError.self) { try leases.authorize(Self.chunk, version: 3, at: Self.at(10)) }
    }

    /// A late extension cannot bring back a revoked lease, nor extend one at another version.
    @Test func extensionsNeedTheSameLiveLease() throws {
        var leases = PrimaryLeases()
        leases.granted(Self.chunk, version: 3, secondaries: [], duration: .seconds(10), arrival: Self.at(0))
        let sameVersion = leases.extended(Self.chunk, version: 3, duration: .seconds(10), sent: Self.at(5))
        #expect(sameVersion && leases.holds(Self.chunk, at: Self.at(13)))
        let otherVersion = leases.extended(Self.chunk, version: 2, duration: .seconds(10), sent: Self.at(6))
        #expect(!otherVersion)
        leases.revoked(Self.chunk)
        let afterRevoke = leases.extended(Self.chunk, version: 3, duration: .seconds(10), sent: Self.at(7))
        #expect(!afterRevoke && !leases.holds(Self.chunk, at: Self.at(8)))
        // An extension asked for after the lease ran out does not revive it either.
        leases.granted(Self.chunk, version: 5, secondaries: [], duration: .seconds(10), arrival: Self.at(20))
        let afterExpiry = leases.extended(Self.chunk, version: 5, duration: .seconds(10), sent: Self.at(40))
        #expect(!afterExpiry)
    }

    /// A REVOKE voids the lease, and a grant at or below its version that arrives after it (sent just before a
    /// snapshot began) does not make this server primary; a later, newer grant does.
    @Test func revokeVoidsLateGrantsUpToItsVersion() throws {
        var leases = PrimaryLeases()
        leases.granted(Self.chunk, version: 3, secondaries: [], duration: .seconds(60), arrival: Self.at(0))
        leases.revoked(Self.chunk, through: 4)
        #expect(!leases.holds(Self.chunk, at: Self.at(1)))
        leases.granted(Self.chunk, version: 4, secondaries: [], duration: .seconds(60), arrival: Self.at(2))
        #expect(!leases.holds(Self.chunk, at: Self.at(3)))
        leases.granted(Self.chunk, version: 5, secondaries: [Self.b], duration: .seconds(60), arrival: Self.at(4))
        #expect(try leases.authorize(Self.chunk, version: 5, at: Self.at(5)) == [Self.b])
    }

    /// A replica told of a newer version as a secondary is no longer primary at the old one.
    @Test func becomingASecondaryAtANewerVersionEndsTheLease() {
        var leases = PrimaryLeases()
        leases.granted(Self.chunk, version: 3, secondaries: [Self.b], duration: .seconds(60), arrival: Self.at(0))
        leases.versionChanged(Self.chunk, to: 4)
        #expect(!leases.holds(Self.chunk, at: Self.at(1)))
    }

    /// Only leases mutated since the last heartbeat are asked to be extended, once each.
    @Test func onlyMutatedLeasesAreExtended() {
        var leases = PrimaryLeases()
        leases.granted(Self.chunk, version: 3, secondaries: [], duration: .seconds(60), arrival: Self.at(0))
        leases.granted(ChunkHandle(8), version: 1, secondaries: [], duration: .seconds(60), arrival: Self.at(0))
        leases.noteMutation(Self.chunk)
        let first = leases.leasesToExtend(at: Self.at(1))
        let second = leases.leasesToExtend(at: Self.at(2))
        #expect(first == [Self.chunk] && second.isEmpty)
    }
}
