// Goal: a LOCAL ticket opens its replica's files once, only within its lifetime, and the tickets a chunkserver
// holds stay bounded however many readers never come back.
// Method: LocalTickets driven by hand-set instants and a seeded generator.
import GFSCore
import Testing

@Suite struct LocalTicketsTests {
    let start = Instant(sinceStart: .seconds(100))

    @Test func aTicketOpensItsChunkOnceWithinItsLifetime() {
        var tickets = LocalTickets()
        var random = SplitMix64(seed: 1)
        let first = tickets.issue(ChunkHandle(7), now: start, using: &random).ticket
        let (second, proof) = tickets.issue(ChunkHandle(8), now: start, using: &random)
        #expect(first != second && proof != second)
        #expect(tickets.redeem(second, now: start.advanced(by: .seconds(1))) == LocalTickets.Grant(handle: ChunkHandle(8), proof: proof))
        #expect(tickets.redeem(second, now: start.advanced(by: .seconds(1))) == nil)
        #expect(tickets.redeem(LocalTickets.Ticket(high: 1, low: 2), now: start) == nil)
        #expect(tickets.redeem(first, now: start.advanced(by: LocalTickets.lifetime)) == nil)
        #expect(tickets.count == 0)
    }

    @Test func theOldestTicketsGoPastTheCapacity() {
        var tickets = LocalTickets()
        var random = SplitMix64(seed: 2)
        let oldest = tickets.issue(ChunkHandle(1), now: start, using: &random).ticket
        var newest = oldest
        for index in 0..<LocalTickets.capacity { newest = tickets.issue(ChunkHandle(UInt64(index)), now: start, using: &random).ticket }
        #expect(tickets.count == LocalTickets.capacity)
        #expect(tickets.redeem(oldest, now: start) == nil)
        #expect(tickets.redeem(newest, now: start)?.handle == ChunkHandle(UInt64(LocalTickets.capacity - 1)))
    }

    /// One ticket never used, then many used at once: what is kept track of stays bounded all the same.
    @Test func usedTicketsBehindAnUnusedOneStayBounded() {
        var tickets = LocalTickets()
        var random = SplitMix64(seed: 3)
        let kept = tickets.issue(ChunkHandle(1), now: start, using: &random).ticket
        for index in 0..<(3 * LocalTickets.capacity) {
            let ticket = tickets.issue(ChunkHandle(UInt64(index)), now: start, using: &random).ticket
            #expect(tickets.redeem(ticket, now: start)?.handle == ChunkHandle(UInt64(index)))
        }
        #expect(tickets.held <= LocalTickets.capacity)
        #expect(tickets.redeem(kept, now: start) == nil)
    }

    @Test func aRandomNameIsWrittenAsThirtyTwoHexDigits() {
        let ticket = RandomName(high: 0xab, low: 0x1234_5678_9abc_def0)
        #expect(ticket.description == "00000000000000ab123456789abcdef0")
        #expect(RandomName(ticket.description) == ticket)
        for bad in ["", "ab", String(repeating: "g", count: 32), String(repeating: "0", count: 33), "+" + String(repeating: "0", count: 31),
                    String(repeating: "é", count: 16)] {
            #expect(RandomName(bad) == nil, "\(bad)")
        }
    }
}
