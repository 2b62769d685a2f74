import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs rm [-r] [-f] PATH…`.
struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove remote files or directories.")

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .short, help: "Remove directories and everything in them.")
    var recursive = false

    @Flag(name: .short, help: "Ignore paths that do not exist.")
    var force = false

    @Argument(help: ArgumentHelp("Remote paths.", valueName: "path"))
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one path") }
    }

    func run() async throws {
        let client = try cluster.client()
        for path in paths {
            let target = try remotePath(path)
            if force, (try? await client.master.stat(target)) == nil { continue }
            try await client.master.remove(target, recursive: recursive)
        }
        await client.close()
    }
}
