import Foundation
import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs status`: the master's counters and its chunkservers.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the master's counters and one line per chunkserver.",
        discussion: """
            Chunkserver lines are tab-separated: address, state (alive, dead, draining, or resting: stopped for a \
            restart and within its grace), chunks, free bytes, capacity bytes, rack, seconds since its last \
            heartbeat. The counters include under_replicated chunks (from the primary only) and re-replication \
            copies under way. Aligned at a terminal; -h prints byte counts in K, M, G ….
            """,
        helpNames: .long)

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: [.customShort("h"), .customLong("human-readable")], help: "Sizes in K, M, G … (powers of 1024).")
    var human = false

    @Flag(help: "Print JSON.")
    var json = false

    struct JSONServer: Encodable {
        var address: String, alive: Bool, state: String, chunks: Int, free: Int64, capacity: Int64, rack: String
        var lastHeartbeatSeconds: Double
    }

    struct JSONStatus: Encodable {
        var master: String, fields: [String: JSONScalar], chunkservers: [JSONServer]
    }

    func run() async throws {
        let client = try cluster.client()
        let status = try await client.master.status()
        let (fields, servers) = (status.counters, status.summaries)
        if json {
            let status = JSONStatus(
                master: client.master.address.description,
                fields: Dictionary(fields.map { ($0.key, JSONScalar($0.value, key: $0.key)) }, uniquingKeysWith: { $1 }),
                chunkservers: servers.map {
                    JSONServer(address: $0.server.description, alive: $0.alive, state: $0.state, chunks: $0.chunks,
                               free: $0.freeBytes, capacity: $0.capacityBytes, rack: $0.rack,
                               lastHeartbeatSeconds: Double($0.silentMilliseconds) / 1000)
                })
            StandardStreams.output(EntryFormat.json(status))
        } else {
            var counters = Table(rows: [["master", client.master.address.description]])
            for field in fields { counters.add([field.key, field.value]) }
            counters.print()
            var table = Table()
            for server in servers {
                table.add([server.server.description, server.state, String(server.chunks),
                           ByteCount.text(server.freeBytes, human: human), ByteCount.text(server.capacityBytes, human: human),
                           server.rack, String(format: "%.1f", Double(server.silentMilliseconds) / 1000)])
            }
            table.print()
        }
        await client.close()
    }
}
