import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs concat DST SRC…`: a file made of other files' whole chunks, without copying data.
struct Concat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Append the chunks of source files to a destination file (made if missing) without copying data.",
        discussion: """
            The destination shares the sources' chunks, as a snapshot does (MooseFS's mfsappendchunks): the \
            sources stay, and a later write to either side copies the chunk first. Since whole chunks are \
            shared, every source but the last, and an existing destination, must end on a chunk boundary; \
            otherwise concat refuses and changes nothing, unless --pad: then such a source's last chunk is \
            copied on its chunkservers, padded with zeros to the chunk size.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Replicas per chunk of a new destination (default: the master's).")
    var replication: Int?

    @Flag(help: "Pad sources that end mid-chunk with zeros to the chunk boundary (their last chunk is copied locally).")
    var pad = false

    @Flag(help: "Print the destination's entry as JSON afterwards.")
    var json = false

    @Argument(help: ArgumentHelp("Destination file.", valueName: "destination"), completion: RemoteCompletion.kind)
    var destination: String

    @Argument(help: ArgumentHelp("Source files, in order.", valueName: "source"), completion: RemoteCompletion.kind)
    var sources: [String]

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("name at least one source") }
        if let replication, !(1...16).contains(replication) { throw ValidationError("--replication must be 1-16") }
    }

    func run() async throws {
        let client = try cluster.client()
        let target = try remotePath(destination)
        var paths: [GFSPath] = []
        for source in sources { paths.append(try remotePath(source)) }
        try await client.master.concat(paths, into: target, replication: replication, pad: pad)
        if json { StandardStreams.output(EntryFormat.json(EntryFormat.JSONEntry(try await client.master.stat(target)))) }
        await client.close()
    }
}
