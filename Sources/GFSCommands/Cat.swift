import ArgumentParser
import GFSClient
import GFSProtocol
import NIOCore

/// `gfs cat REMOTE…`: writes remote files to stdout, in order.
struct Cat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write remote files to standard output.")

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: ArgumentHelp("Remote files.", valueName: "remote"), completion: RemoteCompletion.kind)
    var remotes: [String]

    @OptionGroup var progress: ProgressOptions

    @Flag(help: "Print a record file's bytes as stored (framing, padding, duplicates) instead of its records.")
    var raw = false

    @Flag(help: "Read chunks that only stale replicas hold (fsck: stale-only) from those; they may lack acknowledged writes.")
    var stale = false

    func validate() throws {
        guard !remotes.isEmpty else { throw ValidationError("name at least one remote file") }
    }

    func run() async throws {
        let client = try cluster.client(staleReads: stale)
        for remote in remotes {
            let path = try remotePath(remote)
            let entry = try await client.master.stat(path)
            let records = !raw && entry.records
            // A record file's output is smaller than what is stored, so only its bytes and rate are shown.
            let meter = progress.meter(path.name, total: records ? nil : entry.size)
            let sink = { (piece: ByteBuffer) throws(GFSError) in
                try StandardStreams.write(piece, to: 1)
                meter.advance(piece.readableBytes)
            }
            if records {
                try await client.readRecords(path, into: sink)
            } else {
                try await client.read(path, into: sink)
            }
            meter.finish()
        }
        await client.close()
    }
}
