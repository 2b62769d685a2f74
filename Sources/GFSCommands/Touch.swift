import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs touch PATH…`: creates empty files, or sets an existing file's modification time to now.
struct Touch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create empty remote files, or set existing files' modification time to now.")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Replicas per chunk of a new file (default: the master's).")
    var replication: Int?

    @Flag(help: "Print each file's entry as JSON afterwards.")
    var json = false

    @Argument(help: ArgumentHelp("Remote files.", valueName: "path"), completion: RemoteCompletion.kind)
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one remote path") }
        if let replication, !(1...16).contains(replication) { throw ValidationError("--replication must be 1-16") }
    }

    /// Creates the file; false when it already exists.
    static func create(_ client: Client, _ path: GFSPath, replication: Int?) async throws(GFSError) -> Bool {
        do {
            try await client.master.create(path, replication: replication)
            return true
        } catch {
            guard error.code == .exists else { throw error }
            return false
        }
    }

    func run() async throws {
        let client = try cluster.client()
        var entries: [EntryInfo] = []
        for text in paths {
            let path = try remotePath(text)
            if try await !Self.create(client, path, replication: replication) {
                let entry = try await client.master.stat(path)
                guard entry.kind == .file else { throw GFSError(.isDirectory, "\(path): is a directory") }
                // SETSIZE touch=1 to its own size changes nothing but the modification time.
                try await client.master.setSize(path, size: entry.size, touch: true)
            }
            if json { entries.append(try await client.master.stat(path)) }
        }
        await client.close()
        if json {
            let objects = entries.map(EntryFormat.JSONEntry.init)
            StandardStreams.output(objects.count == 1 ? EntryFormat.json(objects[0]) : EntryFormat.json(objects))
        }
    }
}
