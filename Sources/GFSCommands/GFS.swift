import ArgumentParser
import CMalloc
import GFSMaster
import GFSProtocol

#if canImport(Glibc)
import Glibc
#endif

/// The root of the `gfs` command tree: every role and every operation is a subcommand.
public struct GFS: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gfs",
        abstract: "The Google File System: a master, chunkservers, and the tools to use them.",
        discussion: """
            Start a local cluster with `gfs up`; every other command finds it with no flags (or use --master / \
            GFS_MASTER). Remote paths are absolute (/logs/a). See gfs(1) and gfs-protocol(5).

            Exit status, for every command and for gfs shell scripts: 0 success; 1 the operation failed (not \
            found, exists, not empty, no space); 2 usage error; 3 the cluster is unavailable (no master, too few \
            chunkservers, a timeout); 4 a data integrity problem (checksum mismatch, stale replica, or fsck \
            found trouble). Every error prints one line on standard error, prefixed "gfs: ".
            """,
        version: "0.1.0",
        subcommands: [
            Up.self, Master.self, ChunkServerCommand.self,
            Put.self, Append.self, Write.self, Cat.self, Tail.self, Get.self, List.self, Stat.self, MakeDirectory.self, Move.self, Remove.self,
            Snapshot.self, Undelete.self, Touch.self, Truncate.self, Concat.self, SetReplication.self, Quota.self, DiskUsage.self, Count.self, DiskFree.self, Checksum.self,
            Fsck.self, GarbageCollect.self, Status.self, Drain.self, Tune.self, Promote.self, Shell.self, Bench.self,
        ]
    )

    public init() {}

    /// Readies the process for the role `arguments` name, on the main thread before any other starts: a
    /// thread's first malloc picks its arena for good (`MasterServer.prepareProcess`); every other role moves
    /// data and keeps freed buffers for reuse (`gfs_malloc_keep_freed`), but `gfs bench memory`, which measures
    /// the master's state machine by its resident size, keeps glibc's defaults. A server takes SIGTERM as the
    /// default until it installs its own stop: `gfs up` and `gfs bench --local` ignore it while they start
    /// their servers, and a server must not inherit that. `GFS_PARENT_PID` is taken here (`ParentWatch`).
    public static func prepareProcess(for arguments: [String]) {
        let measuresMemory = arguments.first == Bench._commandName && arguments.contains(Bench.Mode.memory.rawValue)
        if arguments.first == Master._commandName {
            MasterServer.prepareProcess()
        } else if !measuresMemory {
            gfs_malloc_keep_freed()
        }
        if [Master._commandName, ChunkServerCommand._commandName].contains(arguments.first) { signal(SIGTERM, SIG_DFL) }
        _ = ParentWatch.parent
    }

    /// Parses `arguments` (without the program name), runs the command and exits: 0 on success, the
    /// error's exit status with one `gfs: …` line on stderr otherwise.
    public static func run(arguments: [String]) async -> Never {
        do {
            var command = try await asyncParseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Glibc.exit(0)
        } catch {
            Glibc.exit(report(error))
        }
    }

    /// Prints what `error` means — one `gfs: …` line on stderr, or the help or version asked for on stdout —
    /// and returns the exit status (`ExitStatus`; a usage error is 2).
    static func report(_ error: any Error) -> Int32 {
        if let error = error as? GFSError {
            StandardStreams.error("gfs: \(error.message)")
            return error.code.exitCode
        }
        if let status = error as? ExitCode { return status.rawValue }
        let code = exitCode(for: error)
        guard code != .success else {
            StandardStreams.output(fullMessage(for: error))
            return 0
        }
        var text = message(for: error)
        if text.hasPrefix("Error: ") { text.removeFirst(7) }
        StandardStreams.error("gfs: \(text)")
        return code == .validationFailure ? ExitStatus.usage : code.rawValue
    }

    /// The arguments for a busybox-style invocation: through a link named `gfs-cat` (or `cat`), the
    /// subcommand comes from the program's name.
    public static func arguments(from commandLine: [String]) -> [String] {
        let name = commandLine.first.map { String($0.split(separator: "/").last ?? "") } ?? "gfs"
        let rest = Array(commandLine.dropFirst())
        let subcommand = name.hasPrefix("gfs-") ? String(name.dropFirst(4)) : name
        let known = configuration.subcommands.map { $0._commandName }
        return subcommand != "gfs" && known.contains(subcommand) ? [subcommand] + rest : rest
    }
}
