import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs cat REMOTE…`: writes remote files to stdout, in order.
struct Cat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write remote files to standard output.")

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: ArgumentHelp("Remote files.", valueName: "remote"))
    var remotes: [String]

    func validate() throws {
        guard !remotes.isEmpty else { throw ValidationError("name at least one remote file") }
    }

    func run() async throws {
        let client = try cluster.client()
        for remote in remotes {
            try await client.read(try remotePath(remote)) { (piece) throws(GFSError) in
                try StandardStreams.write(piece, to: 1)
            }
        }
        await client.close()
    }
}
