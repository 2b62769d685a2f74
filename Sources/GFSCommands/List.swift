import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs ls [-l] [--json] [PATH…]`: lists directories.
struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List directory contents (or describe a file).",
        discussion: """
            -l prints columns: type, replication, size in bytes (-h: K, M, G …), mtime (UTC), name; \
            tab-separated when standard output is not a terminal, aligned when it is.
            """,
        helpNames: .long)

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .short, help: "Long format.")
    var long = false

    @Flag(name: [.customShort("h"), .customLong("human-readable")], help: "Sizes in K, M, G … (powers of 1024).")
    var human = false

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "List deleted files and directories under the paths, still restorable with gfs undelete.")
    var deleted = false

    @Argument(help: ArgumentHelp("Remote paths (default /).", valueName: "path"), completion: RemoteCompletion.kind)
    var paths: [String] = []

    func run() async throws {
        let client = try cluster.client()
        let targets = paths.isEmpty ? ["."] : paths
        if deleted {
            try await listDeleted(targets.map(remotePath), client: client)
            return await client.close()
        }
        var all: [EntryFormat.JSONEntry] = []
        for (number, target) in targets.enumerated() {
            let path = try remotePath(target)
            let entries = try await client.master.list(path)
            if json {
                all += entries.map(EntryFormat.JSONEntry.init)
                continue
            }
            if targets.count > 1 { StandardStreams.output((number > 0 ? "\n" : "") + "\(path):") }
            var table = Table()
            for entry in entries {
                let name = entry.path == path ? path.string : entry.path.name
                table.add(long ? EntryFormat.long(entry, name: name, human: human) : [name])
            }
            table.print()
        }
        if json { StandardStreams.output(EntryFormat.json(all)) }
        await client.close()
    }

    /// `original path, deletion time, type, size`, tab-separated, newest first.
    private func listDeleted(_ targets: [GFSPath], client: Client) async throws {
        var rows: [[String: String]] = []
        for target in targets {
            for entry in try await client.master.deleted(under: target) {
                rows.append(["path": entry.original.string, "deleted": EntryFormat.timestamp(entry.deletedAt),
                             "type": entry.kind.rawValue, "size": String(entry.size)])
            }
        }
        if json { return StandardStreams.output(EntryFormat.json(rows)) }
        var table = Table()
        for row in rows {
            let size = human ? Int64(row["size"] ?? "").map(ByteCount.format) : nil
            table.add(["path", "deleted", "type"].map { row[$0] ?? "" } + [size ?? row["size"] ?? ""])
        }
        table.print()
    }
}
