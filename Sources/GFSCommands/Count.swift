import ArgumentParser
import GFSClient
import GFSCore
import GFSProtocol

/// `gfs count PATH…`: directories, files and bytes under each path, like `hdfs dfs -count`.
struct Count: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count the directories, files and bytes under each path.",
        discussion: "Prints dirs<TAB>files<TAB>bytes<TAB>path, the path itself counted (as hdfs dfs -count does).",
        helpNames: .long)

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: [.customShort("h"), .customLong("human-readable")], help: "Sizes in K, M, G … (powers of 1024).")
    var human = false

    @Flag(help: "Print JSON.")
    var json = false

    @Argument(help: ArgumentHelp("Remote paths (default /).", valueName: "path"), completion: RemoteCompletion.kind)
    var paths: [String] = []

    struct Row: Encodable {
        var path: String, directories: Int, files: Int, bytes: Int64, space: Int64
    }

    func run() async throws {
        let client = try cluster.client()
        var rows: [Row] = []
        for text in paths.isEmpty ? ["/"] : paths {
            let path = try remotePath(text)
            let usage = try await client.master.usage(path).usage
            rows.append(Row(path: path.string, directories: usage.directories, files: usage.files, bytes: usage.bytes,
                            space: usage.space))
        }
        await client.close()
        if json { return StandardStreams.output(EntryFormat.json(rows)) }
        Table(rows: rows.map { [String($0.directories), String($0.files), ByteCount.text($0.bytes, human: human), $0.path] }).print()
    }
}
