import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs setrep [-R] [-w] N PATH…`: a new replication goal for files already written.
struct SetReplication: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setrep",
        abstract: "Change the replication goal of existing files (with -R, of every file under a directory).",
        discussion: """
            The master's repair loop then copies chunks to new chunkservers or removes surplus replicas. With -w, \
            waits until every chunk of the files has exactly N live replicas, with a progress line on stderr at a \
            terminal. A chunk still shared with a snapshot keeps the higher of the goals until it is written.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .customShort("R"), help: "Every file under a directory.")
    var recursive = false

    @Flag(name: .customShort("w"), help: "Wait until every chunk has exactly N live replicas.")
    var wait = false

    @Flag(help: "Print JSON.")
    var json = false

    @Argument(help: "Replicas per chunk (1-16).")
    var replication: Int

    @Argument(help: ArgumentHelp("Remote files or directories.", valueName: "path"), completion: RemoteCompletion.kind)
    var paths: [String]

    func validate() throws {
        guard (1...16).contains(replication) else { throw ValidationError("replication must be 1-16") }
        guard !paths.isEmpty else { throw ValidationError("name at least one remote path") }
    }

    struct Outcome: Encodable {
        var path: String, replication: Int, filesChanged: Int, chunks: Int, chunksAtGoal: Int
    }

    func run() async throws {
        let client = try cluster.client()
        var outcomes: [Outcome] = []
        for text in paths {
            let path = try remotePath(text)
            let changed = try await client.master.setReplication(path, to: replication, recursive: recursive)
            var (chunks, atGoal) = try await Self.progress(client, path)
            while wait, atGoal < chunks {
                if StandardStreams.isTerminal(2) { StandardStreams.progress("setrep: \(path): \(atGoal) of \(chunks) chunks at \(replication) replicas") }
                try await Task.sleep(for: .milliseconds(500))
                (chunks, atGoal) = try await Self.progress(client, path)
            }
            if wait, StandardStreams.isTerminal(2) { StandardStreams.progress(nil) }
            outcomes.append(Outcome(path: path.string, replication: replication, filesChanged: changed, chunks: chunks,
                                    chunksAtGoal: atGoal))
        }
        await client.close()
        if json { return StandardStreams.output(EntryFormat.json(outcomes)) }
        var table = Table()
        for outcome in outcomes {
            table.add([outcome.path, String(outcome.replication), "\(outcome.filesChanged) files changed",
                       "\(outcome.chunksAtGoal)/\(outcome.chunks) chunks at goal"])
        }
        table.print()
    }

    /// Chunks under `path`, and how many have exactly their goal of live replicas.
    static func progress(_ client: Client, _ path: GFSPath) async throws -> (chunks: Int, atGoal: Int) {
        let reply = try await client.master.fsck(path, files: true, chunks: true)
        var (chunks, atGoal) = (0, 0)
        for case let .chunk(chunk) in reply.items {
            chunks += 1
            if chunk.live.count == chunk.goal { atGoal += 1 }
        }
        return (chunks, atGoal)
    }
}
