import ArgumentParser
import GFSClient
import GFSCore
import GFSProtocol

/// `gfs quota set|clear|show`: limits on what a directory may hold, as HDFS's name and space quotas.
struct Quota: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set, clear and show directory quotas (files and directories; bytes counting every replica).",
        discussion: """
            A create, mkdir, move, snapshot, concat or setrep that would take a directory past its quota fails \
            with QUOTA (exit 1) and changes nothing. Bytes count once per replica, as HDFS's space quota does, \
            and a chunk being written is charged whole until its length is known.
            """,
        subcommands: [Set.self, Clear.self, Show.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Limit the files and bytes under a directory (needs admin).")

        @OptionGroup var cluster: ClusterOptions

        @Option(help: "Most files and directories under it.")
        var files: Int64?

        @Option(help: "Most bytes under it, each replica counted (64M, 1.5G …).")
        var bytes: ByteSize?

        @Argument(help: ArgumentHelp("Remote directory.", valueName: "path"), completion: RemoteCompletion.kind)
        var path: String

        func validate() throws {
            guard files != nil || bytes != nil else { throw ValidationError("give --files, --bytes or both (quota clear removes a quota)") }
            if let files, files < 0 { throw ValidationError("--files cannot be negative") }
        }

        func run() async throws {
            let client = try cluster.client()
            try await client.master.setQuota(try remotePath(path), files: files, bytes: bytes?.bytes)
            await client.close()
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a directory's quota (needs admin).")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: ArgumentHelp("Remote directory.", valueName: "path"), completion: RemoteCompletion.kind)
        var path: String

        func run() async throws {
            let client = try cluster.client()
            try await client.master.setQuota(try remotePath(path), files: nil, bytes: nil)
            await client.close()
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the quotas at or under a path: path, files limit and use, bytes limit and use.",
            helpNames: .long)

        @OptionGroup var cluster: ClusterOptions

        @Flag(name: [.customShort("h"), .customLong("human-readable")], help: "Sizes in K, M, G … (powers of 1024).")
        var human = false

        @Flag(help: "Print JSON.")
        var json = false

        @Argument(help: ArgumentHelp("Remote path (default /).", valueName: "path"), completion: RemoteCompletion.kind)
        var path = "/"

        struct Row: Encodable {
            var path: String, files: Int64?, usedFiles: Int64, bytes: Int64?, usedBytes: Int64
        }

        func run() async throws {
            let client = try cluster.client()
            let items = try await client.master.quotas(try remotePath(path))
            await client.close()
            let rows = items.map { Row(path: $0.path.string, files: $0.quota.files, usedFiles: $0.quota.usedFiles,
                                       bytes: $0.quota.bytes, usedBytes: $0.quota.usedBytes) }
            if json { return StandardStreams.output(EntryFormat.json(rows)) }
            Table(rows: rows.map { row in
                [row.path, row.files.map(String.init) ?? "none", String(row.usedFiles),
                 row.bytes.map { ByteCount.text($0, human: human) } ?? "none", ByteCount.text(row.usedBytes, human: human)]
            }).print()
        }
    }
}
