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
        let first = order.nextSerial(for: Self.chunk)
        let second = order.nextSerial(for: Self.chunk)
        let otherFirst = order.nextSerial(for: Self.other)
        order.reset(Self.chunk)
        let afterReset = order.nextSerial(for: Self.chunk)
        #expect([first, second, otherFirst, afterReset] == [1, 2, 1, 1])
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
