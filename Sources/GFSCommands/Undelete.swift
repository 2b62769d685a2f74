import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs undelete PATH…`: brings back deleted files within the grace period.
struct Undelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore deleted files or directories (the newest deleted copy of each path).",
        discussion: "gfs ls --deleted lists what can be restored; gfs rm of a deleted path purges it at once.")

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: ArgumentHelp("Original remote paths.", valueName: "path"), completion: RemoteCompletion.kind)
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one path") }
    }

    func run() async throws {
        let client = try cluster.client()
        for path in paths { _ = try await client.master.call(.undelete(try remotePath(path))) }
        await client.close()
    }
}
