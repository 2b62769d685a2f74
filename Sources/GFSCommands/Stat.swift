import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs stat PATH…`: describes files and directories.
struct Stat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe remote files or directories.",
        discussion: """
            Prints key<TAB>value lines: path, type, size, chunks, replication, mtime, records, shared (files \
            sharing a chunk, after snapshots); aligned at a terminal.
            """,
        helpNames: .long)

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: [.customShort("h"), .customLong("human-readable")], help: "Sizes in K, M, G … (powers of 1024).")
    var human = false

    @Flag(help: "Print JSON.")
    var json = false

    @Argument(help: ArgumentHelp("Remote paths.", valueName: "path"), completion: RemoteCompletion.kind)
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one remote path") }
    }

    func run() async throws {
        let client = try cluster.client()
        var entries: [EntryInfo] = []
        for path in paths { entries.append(try await client.master.stat(try remotePath(path))) }
        if json {
            let objects = entries.map(EntryFormat.JSONEntry.init)
            StandardStreams.output(objects.count == 1 ? EntryFormat.json(objects[0]) : EntryFormat.json(objects))
        } else {
            for (number, entry) in entries.enumerated() {
                if number > 0 { StandardStreams.output("") }
                Table(rows: EntryFormat.keyValues(entry, human: human)).print()
            }
        }
        await client.close()
    }
}
