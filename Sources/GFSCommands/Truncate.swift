import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs truncate -s SIZE PATH…`: cuts files short.
struct Truncate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cut remote files to a size (shrink only).",
        discussion: """
            Chunks wholly past the new end are dropped; a chunk the end falls inside is replaced by a shortened \
            copy its chunkservers make locally, so a snapshot sharing it keeps every byte. Writers holding a \
            lease on those chunks are stopped first.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .customShort("s"), help: "The new size in bytes (64K, 1M … allowed).")
    var size: ByteSize

    @Flag(help: "Print each file's entry as JSON afterwards.")
    var json = false

    @Argument(help: ArgumentHelp("Remote files.", valueName: "path"), completion: RemoteCompletion.kind)
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one remote file") }
    }

    func run() async throws {
        let client = try cluster.client()
        var entries: [EntryInfo] = []
        for text in paths {
            let path = try remotePath(text)
            try await client.master.truncate(path, to: size.bytes)
            if json { entries.append(try await client.master.stat(path)) }
        }
        await client.close()
        if json {
            let objects = entries.map(EntryFormat.JSONEntry.init)
            StandardStreams.output(objects.count == 1 ? EntryFormat.json(objects[0]) : EntryFormat.json(objects))
        }
    }
}
