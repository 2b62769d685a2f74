import ArgumentParser
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
            """,
        version: "0.1.0",
        subcommands: [
            Up.self, Master.self, ChunkServerCommand.self,
            Put.self, Append.self, Write.self, Cat.self, Get.self, List.self, Stat.self, MakeDirectory.self, Move.self, Remove.self,
            Snapshot.self, Status.self, Promote.self, Shell.self,
        ]
    )

    public init() {}

    /// Parses `arguments` (without the program name), runs the command and exits: 0 on success, the
    /// error's exit status with one `gfs: …` line on stderr otherwise.
    public static func run(arguments: [String]) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Glibc.exit(0)
        } catch let error as GFSError {
            StandardStreams.error("gfs: \(error.message)")
            Glibc.exit(error.code.exitCode)
        } catch {
            exit(withError: error)
        }
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
