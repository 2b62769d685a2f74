// Goal: a terminal's waiting line stays up while any call of the command still waits, shows the latest
// reason, and is wiped once, when the last wait ends; a call that never waited changes nothing.
// Method: WaitingNotices with a recording `show`, driven by hand in the order concurrent writes would; and a
// MasterClient pointed at a loopback port nothing listens on, so its call waits, then gives up.
@testable import GFSClient
import GFSProtocol
import GFSTestSupport
import NIOConcurrencyHelpers
import Testing

@Suite struct WaitingNoticesTests {
    /// Notices and what they showed, in order.
    static func notices() -> (WaitingNotices, NIOLockedValueBox<[String?]>) {
        let shown = NIOLockedValueBox<[String?]>([])
        return (WaitingNotices { notice in shown.withLockedValue { $0.append(notice) } }, shown)
    }

    @Test func oneWaitEndingLeavesAnothersNoticeUp() {
        let (notices, shown) = Self.notices()
        let first = notices.waiter(), second = notices.waiter()
        notices.wait(first, "LEASE: primary frozen")
        notices.wait(second, "ALLOCATE: no master")
        notices.done(first)
        #expect(shown.withLockedValue { $0 } == ["LEASE: primary frozen", "ALLOCATE: no master"])
        notices.done(second)
        #expect(shown.withLockedValue { $0 } == ["LEASE: primary frozen", "ALLOCATE: no master", nil])
    }

    @Test func theLatestReasonStillWaitingIsShown() {
        let (notices, shown) = Self.notices()
        let first = notices.waiter(), second = notices.waiter()
        notices.wait(first, "a")
        notices.wait(second, "b")
        notices.done(second)
        notices.wait(first, "c")
        notices.done(first)
        #expect(shown.withLockedValue { $0 } == ["a", "b", "a", "c", nil])
    }

    @Test func aCallThatNeverWaitedWipesNothing() {
        let (notices, shown) = Self.notices()
        let idle = notices.waiter(), waiting = notices.waiter()
        notices.wait(waiting, "LEASE: primary frozen")
        notices.done(idle)
        #expect(shown.withLockedValue { $0 } == ["LEASE: primary frozen"])
    }

    @Test func aMasterCallThatWaitedWipesItsLineOnceWhenItGivesUp() async throws {
        let shown = NIOLockedValueBox<[String?]>([])
        let pool = ConnectionPool(connectTimeout: .seconds(1))
        let master = MasterClient(addresses: [ServerID(host: "127.0.0.1", port: try ProcessCluster.freePort())], pool: pool,
                                  timeout: .seconds(1), waiting: { notice in shown.withLockedValue { $0.append(notice) } })
        let path = try #require(GFSPath("/"))
        await #expect(throws: GFSError.self) { _ = try await master.stat(path) }
        await pool.closeAll()
        let notices = shown.withLockedValue { $0 }
        #expect(notices.first??.hasPrefix("STAT: ") == true)
        #expect(notices.last == .some(nil))
        #expect(notices.filter { $0 == nil }.count == 1)
    }
}
