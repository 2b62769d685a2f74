import GFSClient
import GFSCore
import GFSProtocol
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The meta benchmark's clients, made cheap so the benchmark measures the master and not itself: each owns
/// one connection and sends its next request from the previous reply's callback, on the connection's event
/// loop, with no task, actor or pool in between (as redis-benchmark drives its connections).
enum BenchDriver {
    /// Sends `request(client, number)` for each number below `operations` on each connection, one request
    /// at a time per connection; the first `ERR` or transport failure ends the run with that error, and so
    /// does a connection with no reply for `timeout` to twice that (one watch per connection, not a timer per
    /// request).
    static func run(_ connections: [Connection], operations: Int, timeout: Duration,
                    request: @escaping @Sendable (Int, Int) -> Line) async throws -> (BenchWorkloads.Share, Double) {
        let start = ContinuousClock.now
        let futures = connections.enumerated().map { index, connection in
            connection.eventLoop.flatSubmit {
                let driver = Driver(connection: connection, operations: operations, timeout: timeout) { request(index, $0) }
                driver.watch()
                driver.next()
                return driver.done.futureResult
            }
        }
        var total = BenchWorkloads.Share()
        for future in futures {
            let share = try await future.get()
            total.operations += share.operations
            total.latencies.merge(share.latencies)
        }
        return (total, (ContinuousClock.now - start) / .seconds(1))
    }

    /// One connection's loop; touched only on its event loop.
    private final class Driver {
        let connection: Connection
        let operations: Int
        let timeout: Duration
        let request: (Int) -> Line
        let done: EventLoopPromise<BenchWorkloads.Share>
        var share = BenchWorkloads.Share()
        var sent = ContinuousClock.now
        /// `share.operations` when the watch last looked; nil once it gave up on the connection.
        var watched: Int? = 0

        init(connection: Connection, operations: Int, timeout: Duration, request: @escaping (Int) -> Line) {
            self.connection = connection
            self.operations = operations
            self.timeout = timeout
            self.request = request
            done = connection.eventLoop.makePromise()
        }

        /// Fails the run when a look every `timeout` finds no reply since the last: within `timeout` of the
        /// start when nothing answers, and at most twice `timeout` after the last reply.
        func watch() {
            let bound = NIOLoopBound(self, eventLoop: connection.eventLoop)
            let delay = TimeAmount.milliseconds(timeout.milliseconds)
            let watch = connection.eventLoop.scheduleRepeatedTask(initialDelay: delay, delay: delay) { _ in
                let driver = bound.value
                if driver.share.operations != driver.watched {
                    driver.watched = driver.share.operations
                    return
                }
                driver.watched = nil
                driver.done.fail(GFSError(.timeout, "\(driver.connection.address) answered nothing within \(driver.timeout)"))
            }
            done.futureResult.whenComplete { _ in watch.cancel() }
        }

        func next() {
            guard share.operations < operations else { return done.succeed(share) }
            sent = .now
            let bound = NIOLoopBound(self, eventLoop: connection.eventLoop)
            connection.requestWatchedByCaller(request(share.operations)).whenComplete { result in
                bound.value.received(result)
            }
        }

        private func received(_ result: Result<Reply, any Error>) {
            guard watched != nil else { return }  // the run already failed
            switch result {
            case let .success(reply):
                if let error = reply.error { return done.fail(error) }
                share.latencies.record(ContinuousClock.now - sent)
                share.operations += 1
                next()
            case let .failure(error):
                done.fail(error)
            }
        }
    }

    /// CPU seconds (user plus system) this process has used so far.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// CPU seconds (user plus system) process `pid` has used so far, from /proc; nil when it cannot be read.
    static func cpuSeconds(of pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command's closing parenthesis: state is the 3rd field, utime the 14th, stime the 15th.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
