import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs rm [-r] [-f] PATH…`.
struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove remote files or directories.",
        discussion: """
            Removed entries go to the trash: gfs ls --deleted lists them and gfs undelete restores them until \
            the master's grace period (3 days by default) ends and garbage collection reclaims them. Removing \
            a path that is gone but has deleted copies purges those copies at once.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .short, help: "Remove directories and everything in them.")
    var recursive = false

    @Flag(name: .short, help: "Ignore paths that do not exist.")
    var force = false

    @Argument(help: ArgumentHelp("Remote paths.", valueName: "path"), completion: RemoteCompletion.kind)
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one path") }
    }

    func run() async throws {
        let client = try cluster.client()
        for path in paths {
            let target = try remotePath(path)
            if force, (try? await client.master.stat(target)) == nil { continue }
            let purged = try await client.master.remove(target, recursive: recursive)
            if purged > 0 { StandardStreams.output("purged \(target) (\(purged) deleted)") }
        }
        await client.close()
    }
}
