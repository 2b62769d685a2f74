import ArgumentParser
import GFSClient
import GFSProtocol

#if canImport(Glibc)
import Glibc
#endif

/// `gfs get REMOTE LOCAL|-`: copies a remote file to a local one (or stdout).
struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a remote file to a local file, or to standard output (-).",
        discussion: "The local file appears only when the copy is complete.")

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: ArgumentHelp("Remote file.", valueName: "remote"), completion: RemoteCompletion.kind)
    var remote: String

    @Argument(help: ArgumentHelp("Local file, or - for standard output.", valueName: "local"), completion: .file())
    var local: String

    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        let client = try cluster.client()
        let path = try remotePath(remote)
        let meter = progress.meter(path.name, total: try await client.master.stat(path).size)
        defer { meter.finish() }
        guard local != "-" else {
            try await client.read(path) { (piece) throws(GFSError) in
                try StandardStreams.write(piece, to: 1)
                meter.advance(piece.readableBytes)
            }
            return await client.close()
        }
        var target = local
        var info = stat()
        if stat(local, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { target += "/" + path.name }
        let temporary = target + ".gfs-partial"
        let output = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw GFSError(.notFound, "\(temporary): \(String(cString: strerror(errno)))") }
        do {
            try await client.read(path) { (piece) throws(GFSError) in
                try StandardStreams.write(piece, to: output)
                meter.advance(piece.readableBytes)
            }
            close(output)
            guard rename(temporary, target) == 0 else {
                throw GFSError(.internal, "\(target): \(String(cString: strerror(errno)))")
            }
        } catch {
            close(output)
            unlink(temporary)
            throw error
        }
        await client.close()
    }
}
