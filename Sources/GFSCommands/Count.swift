import ArgumentParser
import GFSClient
import GFSCore
import GFSProtocol

/// `gfs count PATH…`: directories, files and bytes under each path, like `hdfs dfs -count`.
struct Count: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count the directories, files and bytes under each path.",
        discussion: """
            Prints dirs<TAB>files<TAB>bytes<TAB>path, the path itself counted (as hdfs dfs -count does). With -q, \
            four columns come first: the files quota and what remains of it, the bytes quota and what remains \
            (none and inf without one).
            """,
        helpNames: .long)

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: [.customShort("h"), .customLong("human-readable")], help: "Sizes in K, M, G … (powers of 1024).")
    var human = false

    @Flag(name: .customShort("q"), help: "Also the path's quota: limits and what remains of them.")
    var quota = false

    @Flag(help: "Print JSON.")
    var json = false

    @Argument(help: ArgumentHelp("Remote paths (default /).", valueName: "path"), completion: RemoteCompletion.kind)
    var paths: [String] = []

    struct Row: Encodable {
        var path: String, directories: Int, files: Int, bytes: Int64, space: Int64
        var filesQuota: Int64?, remainingFiles: Int64?, bytesQuota: Int64?, remainingBytes: Int64?
    }

    func run() async throws {
        let client = try cluster.client()
        var rows: [Row] = []
        for text in paths.isEmpty ? ["/"] : paths {
            let path = try remotePath(text)
            let usage = try await client.master.usage(path).usage
            var row = Row(path: path.string, directories: usage.directories, files: usage.files, bytes: usage.bytes,
                          space: usage.space)
            if quota, let limits = try await client.master.quotas(path).first(where: { $0.path == path })?.quota {
                row.filesQuota = limits.files
                row.remainingFiles = limits.files.map { $0 - limits.usedFiles }
                row.bytesQuota = limits.bytes
                row.remainingBytes = limits.bytes.map { $0 - limits.usedBytes }
            }
            rows.append(row)
        }
        await client.close()
        if json { return StandardStreams.output(EntryFormat.json(rows)) }
        Table(rows: rows.map { row in
            let limits = quota ? [row.filesQuota.map(String.init) ?? "none", row.remainingFiles.map(String.init) ?? "inf",
                                  row.bytesQuota.map { ByteCount.text($0, human: human) } ?? "none",
                                  row.remainingBytes.map { ByteCount.text($0, human: human) } ?? "inf"] : []
            return limits + [String(row.directories), String(row.files), ByteCount.text(row.bytes, human: human), row.path]
        }).print()
    }
}
