// Goal: the serial order of GFS §3.1 as a secondary keeps it: each serial applied once, never one it passed,
// and a serial looked at but not applied stays available (a failed write must not use it up).
// Method: a MutationOrder driven by hand.
import GFSCore
import Testing

@Suite struct MutationOrderTests {
    static let chunk = ChunkHandle(9)
    static let other = ChunkHandle(10)

    @Test func primaryNumbersEachChunkOnItsOwn() {
        var order = MutationOrder()
        let first = order.nextSerial(for: Self.chunk, version: 0)
        let second = order.nextSerial(for: Self.chunk, version: 0)
        let otherFirst = order.nextSerial(for: Self.other, version: 0)
        order.reset(Self.chunk)
        let afterReset = order.nextSerial(for: Self.chunk, version: 0)
        #expect([first, second, otherFirst, afterReset] == [1, 2, 1, 1])
    }

    /// Each version counts from 1 above every number of the versions before it; a count used up, or a version
    /// older than one already seen, gives no number rather than one that goes back.
    @Test func serialsOnlyGrowAcrossVersionsAndNeverWrap() {
        var order = MutationOrder()
        let first = order.nextSerial(for: Self.chunk, version: 3)
        let second = order.nextSerial(for: Self.chunk, version: 3)
        let newLease = order.nextSerial(for: Self.chunk, version: 5)
        let older = order.nextSerial(for: Self.chunk, version: 4)
        let accepted = order.accept(5 << 32 | 0xFFFF_FFFE, for: Self.chunk)
        let last = order.nextSerial(for: Self.chunk, version: 5)
        let wrapped = order.nextSerial(for: Self.chunk, version: 5)
        let nextLease = order.nextSerial(for: Self.chunk, version: 6)
        let pastBits = order.nextSerial(for: Self.other, version: MutationOrder.highestVersion + 1)
        #expect([first, second, newLease] == [3 << 32 | 1, 3 << 32 | 2, 5 << 32 | 1])
        #expect(older == nil, "an older version would number below")
        #expect(accepted && last == 5 << 32 | 0xFFFF_FFFF)
        #expect(wrapped == nil, "the count would wrap")
        #expect(nextLease == 6 << 32 | 1)
        #expect(pastBits == nil)
    }

    @Test func secondaryAcceptsOnlySerialsPastTheLastApplied() {
        var order = MutationOrder()
        #expect(order.isNew(4, for: Self.chunk))
        #expect(order.isNew(4, for: Self.chunk), "looking does not take the serial")
        let applied = order.accept(4, for: Self.chunk)
        let again = order.accept(4, for: Self.chunk)
        let passed = order.accept(2, for: Self.chunk)
        #expect(applied)
        #expect(!again, "a serial is applied once")
        #expect(!passed, "never one it has passed")
        #expect(!order.isNew(3, for: Self.chunk))
        let gap = order.accept(7, for: Self.chunk)
        let otherChunk = order.accept(1, for: Self.other)
        #expect(gap, "gaps are allowed: a mutation may fail on the primary")
        #expect(otherChunk)
    }
}
