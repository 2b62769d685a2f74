import Foundation
import GFSClient
import NIOConcurrencyHelpers

/// One server started by `gfs up`.
struct Child {
    var process: Process
    var exit: ChildExit
    /// Starts it again when it exits on its own (the masters of `gfs up --ha`); nil: its exit stops the group.
    var relaunch: (@Sendable () throws -> Child)?
}

/// The children of `gfs up`: stopped together on SIGINT or SIGTERM, or when any one of them exits (except
/// those that are started again).
final class ProcessGroup: @unchecked Sendable {
    // Process is not Sendable; every access after launch is a read of its state or a signal, under `lock`.
    private var children: [Child]
    private let lock = NIOLock()
    private var sources: [any DispatchSourceSignal] = []
    private var command = "gfs up"
    private var cleanup: @Sendable () -> Void = {}
    /// Set once a signal asked everything to stop: children exiting after that are the stop, not a failure.
    private var stopping = false

    init(_ children: [Child]) { self.children = children }

    /// Starts a child and adds it, under the lock: a signal arriving meanwhile stops it with the rest, once
    /// it is here, rather than leave it running unknown.
    func launch(_ start: () throws -> Child) throws {
        try lock.withLock { children.append(try start()) }
    }

    private var current: [Child] { lock.withLock { children } }

    var allRunning: Bool { !current.contains { $0.exit.hasExited } }

    /// On SIGINT or SIGTERM: stops every child, runs `cleanup`, and exits with `status`, or as the shell
    /// reports a signal (128 + its number) when nil: `gfs up` is meant to be stopped so; an interrupted
    /// `gfs bench --local` is not, and removes its folder.
    func stopOnSignals(as command: String = "gfs up", status: Int32? = 0,
                       cleanup: @escaping @Sendable () -> Void = {}) {
        lock.withLock {
            self.command = command
            self.cleanup = cleanup
        }
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in stop(status: status ?? 128 + signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops every child, runs the cleanup `stopOnSignals` was given, and exits with `status`.
    func stop(status: Int32) -> Never {
        let (command, cleanup) = lock.withLock {
            stopping = true
            return (self.command, self.cleanup)
        }
        StandardStreams.error("\(command): stopping")
        stopAll()
        cleanup()
        Foundation.exit(status)
    }

    /// SIGTERM to every child; one that has not exited 10 s later gets SIGKILL.
    func stopAll() {
        let children = current
        for child in children where !child.exit.hasExited { child.process.terminate() }
        for child in children { child.exit.waitOrKill(child.process, grace: 10) }
    }

    /// Waits until a child that is not started again exits, stops the rest, and returns a status for this
    /// process. Ctrl-C reaches the children too (they share the terminal's process group), so a child ended
    /// by SIGINT or SIGTERM is a requested stop, not a failure.
    func waitForFirstExit() async -> Int32 {
        while true {
            try? await Task.sleep(for: .milliseconds(200))
            for (index, child) in current.enumerated() where child.exit.hasExited {
                let process = child.process
                let signalled = process.terminationReason == .uncaughtSignal && [SIGINT, SIGTERM].contains(process.terminationStatus)
                let requested = signalled || lock.withLock { stopping }
                if let relaunch = child.relaunch, !requested, let again = try? relaunch() {
                    StandardStreams.error("gfs up: \(process.arguments?.first ?? "a server") exited (status \(process.terminationStatus)); started it again")
                    lock.withLock { children[index] = again }
                    continue
                }
                if !requested {
                    StandardStreams.error("gfs up: a server exited (status \(process.terminationStatus)); stopping the rest")
                }
                stopAll()
                return requested ? 0 : 1
            }
        }
    }
}
