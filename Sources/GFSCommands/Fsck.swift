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
        let remote = try remotePath(path)
        // Pages are printed as they come; JSON is one document, so it waits for all of them.
        var totals = FsckSummary()
        var listed: [Line] = []
        try await client.master.fsckPages(remote, files: files || chunks, chunks: chunks) { page in
            totals.add(page.summary)
            if json {
                listed += page.items.map(\.line)
            } else {
                for item in page.items { StandardStreams.output(describe(item)) }
            }
        }
        await client.close()
        let summary = FsckReply(summary: totals, items: []).fields
        if json {
            StandardStreams.output(EntryFormat.json(FsckJSON(summary: EntryFormat.typedFields(Line("OK", [], summary)),
                                                             lines: listed)))
        } else {
            let fields = Dictionary(summary.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
            StandardStreams.output(["files", "directories", "bytes", "chunks", "healthy", "under", "missing", "stale_only",
                                    "stale", "corrupt", "goal_replicas", "live_replicas", "status"]
                .map { "\($0)\t\(fields[$0] ?? "0")" }.joined(separator: "\n"))
        }
        guard totals.isHealthy else {
            StandardStreams.error("gfs: fsck: \(totals.underReplicated) under-replicated, \(totals.missing) missing and \(totals.staleOnly) stale-only of \(totals.chunks) chunks under \(path)")
            throw ExitCode(ExitStatus.integrity)
        }
    }

    /// One tab-separated line for a file or a chunk.
    private func describe(_ item: FsckReply.Item) -> String {
        switch item {
        case let .file(file):
            return ["file", file.path.string, file.status.rawValue, String(file.size), String(file.chunks), String(file.goal)]
                .joined(separator: "\t")
        case let .chunk(chunk):
            func list(_ servers: [ServerID]) -> String { servers.map(\.description).joined(separator: ",") }
            var problems: [String] = []
            if !chunk.stale.isEmpty { problems.append("stale " + chunk.stale.map { "\($0.server)@v\($0.version)" }.joined(separator: ",")) }
            for (key, servers) in [("corrupt", chunk.corrupt), ("dead", chunk.dead), ("resting", chunk.resting),
                                   ("draining", chunk.draining)] where !servers.isEmpty {
                problems.append("\(key) \(list(servers))")
            }
            return ["chunk", chunk.path.string, String(chunk.index), chunk.handle.description, chunk.status.rawValue,
                    "\(chunk.live.count)/\(chunk.goal)" + (locations && !chunk.live.isEmpty ? " \(list(chunk.live))" : ""),
                    problems.isEmpty ? "-" : problems.joined(separator: "; "), chunk.scheduled]
                .joined(separator: "\t")
        }
    }

    struct FsckJSON: Encodable {
        var summary: [String: JSONScalar]
        var problems: [[String: JSONScalar]]

        init(summary: [String: JSONScalar], lines: [Line]) {
            self.summary = summary
            problems = lines.map { line in
                var fields = EntryFormat.typedFields(line)
                fields["kind"] = .text(line.verb.lowercased())
                fields["path"] = line.arguments.first.map { .text($0) }
                return fields
            }
        }

        enum CodingKeys: String, CodingKey { case summary, problems = "entries" }
    }
}
