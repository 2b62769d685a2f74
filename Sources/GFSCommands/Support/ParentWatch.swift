import Foundation
import GFSClient

/// `GFS_PARENT_PID`: the pid of a process this one must not outlive. `gfs up` and `gfs bench --local` set it
/// for the servers they start, and a script may set it for `gfs up`; a process that is killed with SIGKILL
/// cannot pass on a stop. prctl(PR_SET_PDEATHSIG) would fire when the thread that started the child ends,
/// not its process.
enum ParentWatch {
    static let variable = "GFS_PARENT_PID"

    /// Read once, from `GFS.prepareProcess` on the main thread before any other thread starts, and taken out
    /// of the environment then: nothing reads the environment meanwhile, and nothing started later inherits
    /// it. Nil when unset, not a pid, or left over: a living process that is not this one's parent.
    static let parent: pid_t? = {
        guard let raw = getenv(variable) else { return nil }
        let value = String(cString: raw)
        unsetenv(variable)
        guard let pid = pid_t(value), pid > 1 else {
            StandardStreams.error("gfs: ignoring \(variable)=\(value): not a process id")
            return nil
        }
        // A parent that already died leaves this process with another; one alive elsewhere is not ours.
        if getppid() != pid, kill(pid, 0) == 0 || errno == EPERM {
            StandardStreams.error("gfs: ignoring \(variable)=\(pid): not this process's parent")
            return nil
        }
        return pid
    }()

    /// Calls `stop` once this process has been handed to another parent (checked every half second), on a
    /// Dispatch queue as a signal handler would be: `gfs up`'s stop blocks while its children exit, which no
    /// thread of the task pool should.
    static func onParentGone(_ stop: @escaping @Sendable () -> Void) {
        guard let parent else { return }
        Task.detached {
            while getppid() == parent { try? await Task.sleep(for: .milliseconds(500)) }
            StandardStreams.error("gfs: the process that started this one (pid \(parent)) is gone; stopping")
            DispatchQueue.global().async(execute: stop)
        }
    }

    /// The environment for a child that must stop with this process.
    static func environment() -> [String: String] {
        ProcessInfo.processInfo.environment.merging([variable: String(getpid())]) { $1 }
    }
}
