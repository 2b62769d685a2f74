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

    @Flag(help: "After the end, keep printing what is appended until interrupted (like tail -F; one file only).")
    var follow = false

    func validate() throws {
        guard !remotes.isEmpty else { throw ValidationError("name at least one remote file") }
        guard !follow || remotes.count == 1 else { throw ValidationError("--follow takes one file") }
    }

    func run() async throws {
        let client = try cluster.client(staleReads: stale)
        for remote in remotes {
            let path = try remotePath(remote)
            let entry = try await client.master.stat(path)
            let records = !raw && entry.records
            if follow {
                var follower = Client.Follower(position: 0, records: records, chunkSize: (try await client.master.lookup(path)).chunkSize)
                try await client.follow(path, &follower) { (piece) throws(GFSError) in try StandardStreams.write(piece, to: 1) }
                break
            }
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
