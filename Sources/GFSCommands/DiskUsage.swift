import ArgumentParser
import GFSClient
import GFSCore
import GFSProtocol

/// `gfs du [-s] [-h] PATH…`: bytes held, and disk space they take with their replicas.
struct DiskUsage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "du",
        abstract: "Show the bytes under each path, and the disk space they take with replication.",
        discussion: """
            Prints size<TAB>space<TAB>path for each entry of a directory (the directory itself with -s, or for a \
            file); space counts every replica, as HDFS's du does. The trash is left out unless asked for.
            """,
        helpNames: .long)

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .customShort("s"), help: "One total per path instead of a line per entry inside it.")
    var summarize = false

    @Flag(name: [.customShort("h"), .customLong("human-readable")], help: "Sizes in K, M, G … (powers of 1024).")
    var human = false

    @Flag(help: "Print JSON.")
    var json = false

    @Argument(help: ArgumentHelp("Remote paths (default /).", valueName: "path"), completion: RemoteCompletion.kind)
    var paths: [String] = []

    struct Row: Encodable {
        var path: String, bytes: Int64, space: Int64, files: Int, directories: Int

        init(_ path: GFSPath, _ usage: MasterStateMachine.Usage) {
            self.path = path.string
            bytes = usage.bytes
            space = usage.space
            files = usage.files
            directories = usage.directories
        }
    }

    func run() async throws {
        let client = try cluster.client()
        var rows: [Row] = []
        for text in paths.isEmpty ? ["/"] : paths {
            let path = try remotePath(text)
            let reply = try await client.master.usage(path, children: !summarize)
            // A file (no directory counted) is its own line; an empty directory has none.
            let isFile = reply.usage.directories == 0
            rows += summarize || isFile ? [Row(path, reply.usage)] : reply.children.map { Row($0.path, $0.usage) }
        }
        await client.close()
        if json { return StandardStreams.output(EntryFormat.json(rows)) }
        Table(rows: rows.map { [ByteCount.text($0.bytes, human: human), ByteCount.text($0.space, human: human), $0.path] }).print()
    }
}
