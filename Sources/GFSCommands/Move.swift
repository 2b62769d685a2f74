import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs mv SOURCE DESTINATION`.
struct Move: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mv", abstract: "Rename a remote file or directory.",
        discussion: "If DESTINATION is an existing directory, SOURCE moves into it.")

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: ArgumentHelp("Remote path to move.", valueName: "source"), completion: RemoteCompletion.kind)
    var source: String

    @Argument(help: ArgumentHelp("New remote path, or an existing directory.", valueName: "destination"), completion: RemoteCompletion.kind)
    var destination: String

    func run() async throws {
        let client = try cluster.client()
        let from = try remotePath(source)
        var to = try remotePath(destination)
        if let entry = try? await client.master.stat(to), entry.kind == .directory { to = to.appending(from.name) }
        try await client.master.move(from, to: to)
        await client.close()
    }
}
