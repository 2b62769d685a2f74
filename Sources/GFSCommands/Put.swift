import ArgumentParser
import GFSClient
import GFSProtocol

#if canImport(Glibc)
import Glibc
#endif

/// `gfs put LOCAL|- REMOTE`: stores a local file (or stdin) as a new remote file.
struct Put: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store a local file, or standard input (-), as a new remote file.",
        discussion: "If REMOTE is an existing directory, the file keeps its local name inside it.")

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: ArgumentHelp("Local file, or - for standard input.", valueName: "local"), completion: .file())
    var local: String

    @Argument(help: ArgumentHelp("Remote path to create.", valueName: "remote"), completion: RemoteCompletion.kind)
    var remote: String

    @Option(name: .shortAndLong, help: "Replicas per chunk (default: the master's).")
    var replication: Int?

    @Flag(name: .shortAndLong, help: "Replace the remote file if it exists.")
    var force = false

    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        let client = try cluster.client()
        var path = try remotePath(remote)
        if local != "-", let entry = try? await client.master.stat(path), entry.kind == .directory {
            path = path.appending(String(local.split(separator: "/").last ?? "file"))
        }
        let input = local == "-" ? 0 : try StandardStreams.openForReading(local)
        defer { if input != 0 { close(input) } }
        if force, (try? await client.master.stat(path))?.kind == .file { try await client.master.remove(path) }
        try await client.master.create(path, replication: replication)
        var info = stat()
        let regular = fstat(input, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
        let meter = progress.meter(path.name, total: regular ? Int64(info.st_size) : nil)
        defer { meter.finish() }
        do {
            _ = try await client.writeStream(path) { (count) throws(GFSError) in
                let piece = try StandardStreams.read(input, upTo: count)
                meter.advance(piece?.readableBytes ?? 0)
                return piece
            }
        } catch {
            // A half-written file would look like a whole one to the next reader.
            _ = try? await client.master.remove(path)
            throw error
        }
        await client.close()
    }
}
