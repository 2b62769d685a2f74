import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs gc [--now]`: one garbage-collection pass, for cron.
struct GarbageCollect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Run a garbage-collection pass and print what it reclaimed.",
        discussion: """
            Removes deleted files whose grace period (gfs master --deleted-grace, 3 days by default) is over; their \
            chunks' replicas are deleted as the chunkservers next hear from the master. With --now, every deleted \
            file goes, grace period or not. Prints tab-separated: purged entries, bytes, chunks, replicas to delete.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Flag(help: "Purge every deleted file now, ignoring the grace period.")
    var now = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let client = try cluster.client()
        let summary = try await client.master.collectGarbage(all: now)
        await client.close()
        if json {
            StandardStreams.output(EntryFormat.json(EntryFormat.typedFields(summary.reply.line)))
        } else {
            StandardStreams.output(summary.fields.map { "\($0.key)\t\($0.value)" }.joined(separator: "\n"))
        }
    }
}
