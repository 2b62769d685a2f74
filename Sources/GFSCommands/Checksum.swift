import ArgumentParser
import Foundation
import GFSClient
import GFSCore
import GFSProtocol

/// `gfs checksum [--local] PATH…`: a file checksum that depends only on the bytes (HDFS's COMPOSITE-CRC32C).
struct Checksum: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a file checksum that depends only on the bytes: path, COMPOSITE-CRC32C, 8 hex digits.",
        discussion: """
            The chunkservers compose each chunk's CRC32C from the block checksums they keep, so no data moves to \
            the client. Equal bytes give equal checksums whatever the chunk size, the replicas read or the \
            cluster; --local computes the same value of local files, to compare a copy with its source.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Flag(help: "Checksum local files instead of remote ones.")
    var local = false

    @Flag(help: "Print JSON.")
    var json = false

    @Argument(help: ArgumentHelp("Files (remote, or local with --local).", valueName: "path"), completion: RemoteCompletion.kind)
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one file") }
    }

    struct Row: Encodable {
        var path: String, algorithm = "COMPOSITE-CRC32C", checksum: String, bytes: Int64
    }

    func run() async throws {
        var rows: [Row] = []
        if local {
            for path in paths {
                let (crc, size) = try Self.localChecksum(path)
                rows.append(Row(path: path, checksum: ChecksumReply.hex(crc), bytes: size))
            }
        } else {
            let client = try cluster.client()
            for text in paths {
                let path = try remotePath(text)
                let (crc, size) = try await client.checksum(path)
                rows.append(Row(path: path.string, checksum: ChecksumReply.hex(crc), bytes: size))
            }
            await client.close()
        }
        if json { return StandardStreams.output(EntryFormat.json(rows)) }
        Table(rows: rows.map { [$0.path, $0.algorithm, $0.checksum] }).print()
    }

    /// The CRC32C of a local file, read in 1 MiB pieces.
    static func localChecksum(_ path: String) throws(GFSError) -> (UInt32, Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw GFSError(.notFound, "\(path): cannot open (\(String(cString: strerror(errno))))")
        }
        defer { try? handle.close() }
        var crc: UInt32 = 0
        var size: Int64 = 0
        while true {
            let data: Data
            do { data = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw GFSError(.internal, "\(path): \(error.localizedDescription)")
            }
            if data.isEmpty { break }
            crc = data.withUnsafeBytes { CRC32C.checksum($0, seed: crc) }
            size += Int64(data.count)
        }
        return (crc, size)
    }
}
