// Goal: the chunkserver's mutation decisions that ChunkService and the simulation share — the lease at the
// mutation's turn, serials, offsets, padding, what a secondary applies — and each chunk's queue.
// Method: a ChunkServerState and a ChunkQueue driven by hand, with hand-made instants and replica states.
import GFSCore
import Testing

@Suite struct ChunkServerStateTests {
    static let me = ServerID(host: "127.0.0.1", port: 1)
    static let b = ServerID(host: "127.0.0.1", port: 2)
    static let chunk = ChunkHandle(9)

    static func at(_ seconds: Int) -> Instant { Instant(sinceStart: .seconds(seconds)) }

    static func code(_ body: () throws(GFSError) -> Void) -> GFSError.Code? {
        do { try body() } catch { return error.code }
        return nil
    }

    static func primary(chunkSize: Int64 = 100) -> ChunkServerState {
        var state = ChunkServerState(address: me, chunkSize: chunkSize)
        state.granted(chunk, version: 4, leaseMilliseconds: 60_000, secondaries: [b], arrival: at(0))
        return state
    }

    /// An append goes at the replica's end with serials that carry the version; one that does not fit pads.
    @Test func appendsOrderAtTheEndAndPadWhenFull() throws {
        var state = Self.primary()
        let first = try state.order(Self.chunk, version: 4, held: 4, length: 10, count: 20, at: nil, now: Self.at(1))
        #expect(first.offset == 10 && first.secondaries == [Self.b] && first.serial == 4 << 32 | 1)
        let second = try state.order(Self.chunk, version: 4, held: 4, length: 90, count: 20, at: nil, now: Self.at(1))
        #expect(second.offset == nil && second.paddedSize == 100 && second.serial == 4 << 32 | 2)
        #expect(throws: GFSError.self) { try state.admitAppend(Self.chunk, version: 4, count: 26, at: Self.at(1)) }
    }

    /// The lease and version are checked at the turn: a lease that ended while the mutation waited, or a
    /// replica at another version, refuses it; so does the check before the acknowledgement.
    @Test func theTurnAndTheAcknowledgementCheckTheLease() throws {
        var state = Self.primary()
        try state.admitWrite(Self.chunk, version: 4, offset: 0, count: 5, at: Self.at(1))
        let late = Self.code { () throws(GFSError) in
            _ = try state.order(Self.chunk, version: 4, held: 4, length: 0, count: 5, at: 0, now: Self.at(59))
        }
        let stale = Self.code { () throws(GFSError) in
            _ = try state.order(Self.chunk, version: 4, held: 3, length: 0, count: 5, at: 0, now: Self.at(1))
        }
        let gone = Self.code { () throws(GFSError) in
            _ = try state.order(Self.chunk, version: 4, held: nil, length: 0, count: 5, at: 0, now: Self.at(1))
        }
        #expect(late == .notPrimary && stale == .stale && gone == .unavailable)
        state.revoked(Self.chunk, through: 4)
        #expect(throws: GFSError.self) { try state.confirm(Self.chunk, version: 4, at: Self.at(1)) }
    }

    /// Bounds come from numbers a client sent: huge or negative ones are refused, never trapped on.
    @Test func outOfRangeWritesAreRefused() {
        let state = Self.primary()
        for (offset, count) in [(Int64.max, Int64(1)), (-1, 1), (95, 10), (0, -1)] {
            #expect(throws: GFSError.self) { try state.admitWrite(Self.chunk, version: 4, offset: offset, count: count, at: Self.at(1)) }
            #expect(throws: GFSError.self) { try state.admitApply(Self.chunk, offset: offset, count: count) }
        }
        #expect(throws: GFSError.self) { try state.admitPad(Self.chunk, size: 101) }
    }

    /// A secondary applies a serial once, only after it is written, and only at the lease's version.
    @Test func secondariesApplyEachSerialOnceInOrder() throws {
        var state = ChunkServerState(address: Self.b, chunkSize: 100)
        try state.mayApply(Self.chunk, version: 4, serial: 4 << 32 | 2, held: 4)
        // Not yet written: the same serial may still be applied (a retried forward).
        try state.mayApply(Self.chunk, version: 4, serial: 4 << 32 | 2, held: 4)
        state.applied(4 << 32 | 2, to: Self.chunk)
        #expect(throws: GFSError.self) { try state.mayApply(Self.chunk, version: 4, serial: 4 << 32 | 1, held: 4) }
        #expect(throws: GFSError.self) { try state.mayApply(Self.chunk, version: 5, serial: 5 << 32 | 1, held: 4) }
        try state.mayApply(Self.chunk, version: 5, serial: 5 << 32 | 1, held: 5)
        // A serial must be of the version it is applied at.
        #expect(throws: GFSError.self) { try state.mayApply(Self.chunk, version: 5, serial: 6 << 32 | 9, held: 5) }
        #expect(throws: GFSError.self) { try state.mayApply(Self.chunk, version: 5, serial: 9, held: 5) }
    }

    /// A version past 32 bits cannot sit in a serial's high bits: it would wrap and number below the lease before
    /// it (found by the fuzzer), so the primary refuses to order and a secondary to apply at such a version.
    @Test func versionsPast32BitsAreNotNumbered() throws {
        let top = ChunkServerState.highestNumberedVersion
        var state = ChunkServerState(address: Self.me, chunkSize: 100)
        state.granted(Self.chunk, version: top, leaseMilliseconds: 60_000, secondaries: [], arrival: Self.at(0))
        let last = try state.order(Self.chunk, version: top, held: top, length: 0, count: 5, at: 0, now: Self.at(1))
        #expect(last.serial >> 32 == top)
        state.granted(Self.chunk, version: top + 2, leaseMilliseconds: 60_000, secondaries: [], arrival: Self.at(1))
        let wrapped = Self.code { () throws(GFSError) in
            _ = try state.order(Self.chunk, version: top + 2, held: top + 2, length: 0, count: 5, at: 0, now: Self.at(2))
        }
        #expect(wrapped == .tooLarge)
        let secondary = ChunkServerState(address: Self.b, chunkSize: 100)
        #expect(throws: GFSError.self) { try secondary.mayApply(Self.chunk, version: top + 2, serial: 1 << 32 | 1, held: top + 2) }
    }

    /// A lease whose mutations have used up the serial's 32-bit count stops ordering and is given up, rather
    /// than wrap and send secondaries numbers they have passed; the next lease's version numbers again.
    @Test func aLeaseThatNumberedAllItCanIsGivenUp() throws {
        var state = Self.primary()
        try state.mayApply(Self.chunk, version: 4, serial: 4 << 32 | 0xFFFF_FFFF, held: 4)
        state.applied(4 << 32 | 0xFFFF_FFFF, to: Self.chunk)
        let used = Self.code { () throws(GFSError) in
            _ = try state.order(Self.chunk, version: 4, held: 4, length: 0, count: 5, at: 0, now: Self.at(1))
        }
        #expect(used == .notPrimary)
        #expect(throws: GFSError.self) { try state.confirm(Self.chunk, version: 4, at: Self.at(1)) }
        #expect(state.leasesToExtend(at: Self.at(1)).isEmpty, "not extended")
        state.granted(Self.chunk, version: 5, leaseMilliseconds: 60_000, secondaries: [Self.b], arrival: Self.at(2))
        let next = try state.order(Self.chunk, version: 5, held: 5, length: 0, count: 5, at: 0, now: Self.at(3))
        #expect(next.serial == 5 << 32 | 1)
    }

    /// A grant without a lease (to a secondary) voids a lease this server held at an older version.
    @Test func aGrantWithoutALeaseVoidsAnOlderOne() {
        var state = Self.primary()
        state.granted(Self.chunk, version: 5, leaseMilliseconds: nil, secondaries: [], arrival: Self.at(2))
        #expect(throws: GFSError.self) { try state.confirm(Self.chunk, version: 4, at: Self.at(3)) }
    }

    /// A copy for re-replication installs only over nothing or an older replica, never over a newer one.
    @Test func aLateCopyNeverReplacesANewerReplica() {
        #expect(ChunkServerState.installsCopy(at: 2, over: nil))
        #expect(ChunkServerState.installsCopy(at: 3, over: 2))
        #expect(!ChunkServerState.installsCopy(at: 2, over: 3))
        #expect(!ChunkServerState.installsCopy(at: 2, over: 2))
    }

    /// Each chunk's work runs one at a time, in arrival order; other chunks are not held up.
    @Test func theQueueRunsOneAtATimeInOrder() {
        var queue = ChunkQueue<String>()
        let entered = [queue.enter(Self.chunk, "a"), queue.enter(Self.chunk, "b"), queue.enter(Self.chunk, "c"),
                       queue.enter(ChunkHandle(10), "other")]
        #expect(entered == [true, false, false, true])
        let handedOn = [queue.leave(Self.chunk), queue.leave(Self.chunk)]
        #expect(handedOn == ["b", "c"] && queue.isBusy(Self.chunk))
        let last = queue.leave(Self.chunk)
        #expect(last == nil && !queue.isBusy(Self.chunk))
    }
}
