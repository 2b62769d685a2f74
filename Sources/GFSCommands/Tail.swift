import ArgumentParser
import GFSClient
import GFSCore
import GFSProtocol
import NIOCore

/// `gfs tail [-f] [-n N] PATH`: the end of a file (lines) or record file (records), then what is appended.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the last lines of a remote file (the last records of a record file); -f keeps printing what is appended.",
        discussion: """
            With -f, new lines or records are printed as they are written until interrupted, like tail -F: the \
            size is asked of the master a few times a second, and a master restart or failover is waited out.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .customShort("n"), help: "How many lines (records) to print first.")
    var lines = 10

    @Flag(name: .customShort("f"), help: "Keep printing what is appended, until interrupted.")
    var follow = false

    @Flag(help: "Treat a record file as plain bytes (framing included).")
    var raw = false

    @Argument(help: ArgumentHelp("Remote file.", valueName: "path"), completion: RemoteCompletion.kind)
    var path: String

    func validate() throws {
        guard (0...1_000_000).contains(lines) else { throw ValidationError("-n must be 0-1000000") }
    }

    func run() async throws {
        let client = try cluster.client()
        let path = try remotePath(path)
        let entry = try await client.master.stat(path)
        guard entry.kind == .file else { throw GFSError(.isDirectory, "\(path): is a directory") }
        let layout = try await client.master.lookup(path)
        var follower = entry.records && !raw
            ? try await Self.lastRecords(client, path, layout, count: lines)
            : try await Self.lastLines(client, path, layout, count: lines)
        if follow {
            try await client.follow(path, &follower) { (piece) throws(GFSError) in try StandardStreams.write(piece, to: 1) }
        }
        await client.close()
    }

    /// Prints the last `count` lines, reading back from the end in growing steps; returns a follower at the end.
    static func lastLines(_ client: Client, _ path: GFSPath, _ layout: FileLayout, count: Int) async throws -> Client.Follower {
        let size = layout.size
        var span: Int64 = 64 << 10
        while true {
            let from = max(0, size - span)
            var tail = ByteBuffer()
            try await client.read(path, from: from, layout: layout) { (piece: ByteBuffer) throws(GFSError) in
                var piece = piece
                tail.writeBuffer(&piece)
            }
            let bytes = tail.readableBytesView
            // The last `count` lines start after the (count+1)-th newline from the end when the text ends in one.
            var wanted = count + (bytes.last == UInt8(ascii: "\n") ? 1 : 0)
            var start: Int? = nil
            if count == 0 { start = bytes.endIndex }
            var index = bytes.endIndex
            while start == nil, index > bytes.startIndex {
                index -= 1
                if bytes[index] == UInt8(ascii: "\n") {
                    wanted -= 1
                    if wanted == 0 { start = index + 1 }
                }
            }
            if let start {
                try StandardStreams.write(ByteBuffer(bytes: bytes[start...]), to: 1)
                return Client.Follower(position: size, records: false, chunkSize: layout.chunkSize)
            }
            if from == 0 {
                try StandardStreams.write(tail, to: 1)
                return Client.Follower(position: size, records: false, chunkSize: layout.chunkSize)
            }
            span = span > Int64.max / 2 ? Int64.max : span * 2
        }
    }

    /// Prints the last `count` records, decoding from chunk boundaries further back until there are enough
    /// (records never cross a chunk); returns the follower that decoded them, so what it saw is not repeated.
    static func lastRecords(_ client: Client, _ path: GFSPath, _ layout: FileLayout, count: Int) async throws -> Client.Follower {
        let chunkSize = layout.chunkSize
        var boundary = layout.size > 0 ? (layout.size - 1) / chunkSize * chunkSize : 0
        while true {
            var follower = Client.Follower(position: boundary, records: true, chunkSize: chunkSize)
            var records: [ArraySlice<UInt8>] = []
            try await client.read(path, from: boundary, layout: layout) { (piece: ByteBuffer) throws(GFSError) in
                records += follower.records(piece) ?? []
            }
            if records.count >= count || boundary == 0 {
                var out = ByteBuffer()
                for record in records.suffix(count) { out.writeBytes(record) }
                try StandardStreams.write(out, to: 1)
                return follower
            }
            boundary -= chunkSize
        }
    }
}
