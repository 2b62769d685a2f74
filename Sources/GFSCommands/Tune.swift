import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs tune`: re-replication limits of a running master.
struct Tune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or change the running master's re-replication limits.",
        discussion: "Prints tab-separated: clones_per_server, clones_total, clone_rate (bytes per second per copy).")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Copies at once per chunkserver, as source or target.")
    var clonesPerServer: Int?

    @Option(help: "Copies at once in the whole cluster.")
    var clonesTotal: Int?

    @Option(help: "Bytes per second each copy may read (e.g. 20M).")
    var cloneRate: ByteSize?

    func validate() throws {
        guard (clonesPerServer ?? 0) >= 0, (clonesTotal ?? 0) >= 0, (cloneRate?.bytes ?? 1) > 0 else {
            throw ValidationError("limits must be 0 or more, and --clone-rate positive")
        }
    }

    func run() async throws {
        let client = try cluster.client()
        let reply = try await client.master.tune(clonesPerServer: clonesPerServer, clonesTotal: clonesTotal,
                                                 cloneBytesPerSecond: cloneRate?.bytes)
        await client.close()
        for field in reply.fields { StandardStreams.output("\(field.key)\t\(field.value)") }
    }
}
