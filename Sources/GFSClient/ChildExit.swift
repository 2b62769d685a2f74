import Foundation

/// Learns of a child process's exit through its termination handler, with a deadline.
///
/// Foundation's `Process.waitUntilExit()` polls the calling thread's run loop and, off the main thread under
/// load, can miss the exit and wait forever (swift-corelibs-foundation; it hung a CI run of ours). Create
/// this before `run()`, so a child that exits at once is not missed.
public final class ChildExit: @unchecked Sendable {
    // `exited` is guarded by `condition`.
    private let condition = NSCondition()
    private var exited = false

    /// Installs the termination handler on `process`, which must not have been started yet.
    public init(_ process: Process) {
        process.terminationHandler = { [self] _ in
            condition.lock()
            exited = true
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Whether the child has exited.
    public var hasExited: Bool {
        condition.lock()
        defer { condition.unlock() }
        return exited
    }

    /// Waits until the child exits or `limit` passes; returns whether it exited.
    @discardableResult
    public func wait(within limit: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        condition.lock()
        defer { condition.unlock() }
        while !exited {
            if !condition.wait(until: deadline) { return exited }
        }
        return true
    }

    /// Waits up to `grace` seconds, then sends SIGKILL and waits for that; returns whether it had to kill.
    @discardableResult
    public func waitOrKill(_ process: Process, grace: TimeInterval) -> Bool {
        if wait(within: grace) { return false }
        kill(process.processIdentifier, SIGKILL)
        wait(within: 10)
        return true
    }
}
