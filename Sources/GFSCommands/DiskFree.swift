import ArgumentParser
import GFSClient
import GFSCore
import GFSProtocol

/// `gfs df [-h]`: the cluster's disk space, from the live chunkservers' last heartbeats.
struct DiskFree: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "df",
        abstract: "Show the cluster's disk space: size, used, available, use%, live chunkservers.",
        discussion: "Sums the disks of the live chunkservers as their last heartbeats reported them.",
        helpNames: .long)

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: [.customShort("h"), .customLong("human-readable")], help: "Sizes in K, M, G … (powers of 1024).")
    var human = false

    @Flag(help: "Print JSON.")
    var json = false

    struct Space: Encodable {
        var size: Int64 = 0, used: Int64 = 0, available: Int64 = 0, usePercent = 0, liveServers = 0
    }

    func run() async throws {
        let client = try cluster.client()
        let status = try await client.master.status()
        await client.close()
        var space = Space()
        for server in status.summaries where server.alive {
            space.liveServers += 1
            space.size = space.size.addingReportingOverflow(server.capacityBytes).overflow ? .max : space.size + server.capacityBytes
            space.available = space.available.addingReportingOverflow(server.freeBytes).overflow ? .max : space.available + server.freeBytes
        }
        space.used = max(0, space.size - space.available)
        space.usePercent = space.size > 0 ? Int((Double(space.used) * 100 / Double(space.size)).rounded(.up)) : 0
        if json { return StandardStreams.output(EntryFormat.json(space)) }
        Table(rows: [["size", "used", "available", "use%", "servers"],
                     [ByteCount.text(space.size, human: human), ByteCount.text(space.used, human: human),
                      ByteCount.text(space.available, human: human), "\(space.usePercent)%", String(space.liveServers)]]).print()
    }
}
