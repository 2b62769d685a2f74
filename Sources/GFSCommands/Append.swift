import ArgumentParser
import GFSClient
import GFSProtocol
import NIOCore

/// `producer | gfs append REMOTE`: record append from standard input (GFS §3.3).
struct Append: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Append standard input to a remote file as records, each atomically and at least once.",
        discussion: """
            By default every input line is one record. Records are framed (length, checksum, id) so that \
            `gfs cat` prints each exactly once even when a retry stored it twice; --raw appends unframed bytes \
            to an ordinary file. Many appenders may write to one file at once. A record is at most a quarter \
            of the chunk size.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: ArgumentHelp("Remote file to append to.", valueName: "remote"), completion: RemoteCompletion.kind)
    var remote: String

    @Flag(help: "Create the file if it does not exist.")
    var create = false

    @Flag(help: "Append unframed bytes (to an ordinary file, not a record file).")
    var raw = false

    @Flag(name: [.customShort("0"), .customLong("null")], help: "Records end with a NUL byte instead of a newline.")
    var null = false

    @Option(help: ArgumentHelp("Records of exactly this many bytes instead of lines.", valueName: "bytes"))
    var recordSize: Int?

    @Option(name: .shortAndLong, help: "Replicas per chunk when --create makes the file.")
    var replication: Int?

    func validate() throws {
        if let recordSize, recordSize < 1 { throw ValidationError("--record-size must be at least 1") }
        if null, recordSize != nil { throw ValidationError("use either --null or --record-size") }
    }

    func run() async throws {
        let client = try cluster.client()
        let path = try remotePath(remote)
        try await prepare(path, client: client)
        let appender = RecordAppender(client: client, path: path, framed: !raw)
        var splitter = RecordSplitter(recordSize.map { .size($0) } ?? .delimiter(null ? 0 : UInt8(ascii: "\n")))
        var lastFlush = ContinuousClock.now
        do {
            let bufferBytes = 1 << 20
            while let input = try StandardStreams.readAvailable(0, upTo: bufferBytes) {
                // The records that arrived together go as few atomic appends, not one round trip each.
                try await appender.append(contentsOf: splitter.feed(input))
                // Make records visible to readers when the producer pauses, and at least twice a second.
                if input.readableBytes < bufferBytes || ContinuousClock.now - lastFlush > .milliseconds(500) {
                    try await appender.flush()
                    lastFlush = .now
                }
            }
            if let last = splitter.finish() { try await appender.append(last) }
        } catch {
            // What was acknowledged stays visible even when a later record fails.
            try? await appender.flush()
            throw error
        }
        try await appender.flush()
        await client.close()
    }

    /// Checks the file is of the kind asked for, creating it with --create.
    private func prepare(_ path: GFSPath, client: Client) async throws {
        // (`catch where` on typed throws crashes Swift 6.3's SIL verifier, so the error is read as a result.)
        let result: Result<EntryInfo, GFSError>
        do { result = .success(try await client.master.stat(path)) } catch { result = .failure(error) }
        let entry: EntryInfo
        switch result {
        case let .success(found):
            entry = found
        case let .failure(error) where error.code == .notFound:
            guard create else { throw GFSError(.notFound, "\(path): no such file (use --create to make it)") }
            try await client.master.create(path, replication: replication, records: !raw)
            return
        case let .failure(error):
            throw error
        }
        guard entry.kind == .file else { throw GFSError(.isDirectory, "\(path): is a directory") }
        if entry.records, raw { throw GFSError(.badRequest, "\(path) is a record file; append without --raw") }
        if !entry.records, !raw, entry.size > 0 {
            throw GFSError(.badRequest, "\(path) is not a record file; use --raw to append bytes to it")
        }
    }
}
