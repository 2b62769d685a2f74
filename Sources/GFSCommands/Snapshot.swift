import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs snapshot SOURCE DESTINATION`: an instant copy of a file or directory tree (GFS §3.4).
struct Snapshot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a remote file or directory tree at once; chunks are shared until written.",
        discussion: """
            Nothing is copied at snapshot time: the copy's files point to the same chunks, and a chunk is copied \
            (on the chunkservers that hold it) only at the first write to it from either side. `gfs stat` shows \
            how many files share a file's chunks.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: ArgumentHelp("Remote file or directory to copy.", valueName: "source"), completion: RemoteCompletion.kind)
    var source: String

    @Argument(help: ArgumentHelp("New remote path for the copy.", valueName: "destination"), completion: RemoteCompletion.kind)
    var destination: String

    func run() async throws {
        let client = try cluster.client()
        _ = try await client.master.call(.snapshot(try remotePath(source), to: try remotePath(destination)))
        await client.close()
    }
}
