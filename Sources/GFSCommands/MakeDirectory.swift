import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs mkdir [-p] PATH…`.
struct MakeDirectory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mkdir", abstract: "Make remote directories.")

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .short, help: "Make missing parents; an existing directory is not an error.")
    var parents = false

    @Argument(help: ArgumentHelp("Remote directories.", valueName: "path"), completion: RemoteCompletion.kind)
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one directory") }
    }

    func run() async throws {
        let client = try cluster.client()
        for path in paths { try await client.master.makeDirectory(try remotePath(path), parents: parents) }
        await client.close()
    }
}
