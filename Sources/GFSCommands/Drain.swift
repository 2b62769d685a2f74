import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs drain ADDR`: moves every replica off a chunkserver before it is retired.
struct Drain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move every replica off a chunkserver, gradually, so it can be retired.",
        discussion: """
            The master places no new replicas on it, copies its chunks elsewhere within the re-replication limits \
            (gfs tune), then has it delete them. gfs status shows it as draining, with its chunk count falling \
            to 0. --stop ends draining.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Flag(help: "Stop draining it.")
    var stop = false

    @Argument(help: ArgumentHelp("The chunkserver's address.", valueName: "host:port"))
    var server: String

    func run() async throws {
        let address = try serverAddress(server, flag: "server")
        let client = try cluster.client()
        _ = try await client.master.call(.drain(address, stop: stop))
        await client.close()
    }
}
