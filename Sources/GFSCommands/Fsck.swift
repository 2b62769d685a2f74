import ArgumentParser
import GFSClient
import GFSCore
import GFSProtocol

/// `gfs fsck [PATH]`: the health of files and chunks, for people and for cron.
struct Fsck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the health of files and chunks under a path (default /).",
        discussion: """
            Prints a tab-separated line per file in trouble (path, status, size, chunks, goal) and per chunk in \
            trouble (path, chunk index, handle, status, live replicas of goal, what is wrong, what the master has \
            scheduled), then a summary. Exits 0 when every chunk has its goal of live replicas, and 4 with a \
            one-line summary on stderr otherwise, so a cron job mails only on trouble.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Flag(help: "List every file, healthy or not.")
    var files = false

    @Flag(help: "List every chunk of the files listed.")
    var chunks = false

    @Flag(help: "Name the servers holding each replica.")
    var locations = false

    @Flag(help: "Print JSON.")
    var json = false

    @Argument(help: ArgumentHelp("Remote path to check.", valueName: "path"), completion: RemoteCompletion.kind)
    var path: String = "/"

    func run() async throws {
        let client = try cluster.client()
        let reply = try await client.master.call(.fsck(try remotePath(path), files: files || chunks, chunks: chunks))
        await client.close()
        let summary = EntryFormat.fields(reply.line)
        if json {
            StandardStreams.output(EntryFormat.json(FsckJSON(summary: summary, lines: reply.body)))
        } else {
            for line in reply.body { StandardStreams.output(describe(line)) }
            StandardStreams.output(["files", "directories", "bytes", "chunks", "healthy", "under", "missing", "stale_only",
                                    "stale", "corrupt", "goal_replicas", "live_replicas", "status"]
                .map { "\($0)\t\(summary[$0] ?? "0")" }.joined(separator: "\n"))
        }
        guard summary["status"] == "healthy" else {
            StandardStreams.error("gfs: fsck: \(summary["under"] ?? "?") under-replicated, \(summary["missing"] ?? "?") missing and \(summary["stale_only"] ?? "0") stale-only of \(summary["chunks"] ?? "?") chunks under \(path)")
            throw ExitCode(ExitStatus.integrity)
        }
    }

    /// One tab-separated line for a FILE or CHUNK line.
    private func describe(_ line: Line) -> String {
        let path = line.arguments.first ?? ""
        if line.verb == "FILE" {
            return ["file", path, line["status"] ?? "", line["size"] ?? "", line["chunks"] ?? "", line["goal"] ?? ""]
                .joined(separator: "\t")
        }
        let live = (line["live"] ?? "").split(separator: ",")
        var problems: [String] = []
        for key in ["stale", "corrupt", "dead", "resting", "draining"] {
            if let servers = line[key] { problems.append("\(key) \(servers)") }
        }
        return ["chunk", path, line["index"] ?? "", line["handle"] ?? "", line["status"] ?? "",
                "\(live.count)/\(line["goal"] ?? "?")" + (locations && !live.isEmpty ? " \(live.joined(separator: ","))" : ""),
                problems.isEmpty ? "-" : problems.joined(separator: "; "), line["scheduled"] ?? ""]
            .joined(separator: "\t")
    }

    struct FsckJSON: Encodable {
        var summary: [String: String]
        var problems: [[String: String]]

        init(summary: [String: String], lines: [Line]) {
            self.summary = summary
            problems = lines.map { line in
                var fields = EntryFormat.fields(line)
                fields["kind"] = line.verb.lowercased()
                fields["path"] = line.arguments.first
                return fields
            }
        }

        enum CodingKeys: String, CodingKey { case summary, problems = "entries" }
    }
}
