import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs write REMOTE --offset N`: writes standard input into an existing file at an offset (GFS §3.1).
struct Write: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write standard input into a remote file at a byte offset.",
        discussion: """
            The offset may be anywhere up to the file's size (no holes). Concurrent writes to one region leave \
            it consistent but undefined: every replica holds the same bytes, possibly mingled from several writes.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: ArgumentHelp("Remote file to write into.", valueName: "remote"), completion: RemoteCompletion.kind)
    var remote: String

    @Option(help: "Byte offset to write at.")
    var offset: Int64 = 0

    func validate() throws {
        guard offset >= 0 else { throw ValidationError("--offset must not be negative") }
    }

    func run() async throws {
        let client = try cluster.client()
        let path = try remotePath(remote)
        let entry = try await client.master.stat(path)
        guard entry.kind == .file else { throw GFSError(.isDirectory, "\(path): is a directory") }
        guard offset <= entry.size else {
            throw GFSError(.badRequest, "\(path): offset \(offset) is past the end (\(entry.size) bytes); no holes")
        }
        var position = offset
        while let piece = try StandardStreams.read(0, upTo: client.writeUnitBytes) {
            try await client.write(path, at: position, piece)
            position += Int64(piece.readableBytes)
        }
        await client.close()
    }
}
