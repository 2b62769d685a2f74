import GFSCore
import NIOCore

/// A file's size and chunk locations: the `LOOKUP` reply.
public struct FileLayout: ReplyMessage, Equatable {
    /// Bytes in the file.
    public var size: Int64
    /// Bytes per chunk in this cluster.
    public var chunkSize: Int64
    /// Every chunk, in order.
    public var chunks: [ChunkLocation]

    public init(size: Int64, chunkSize: Int64, chunks: [ChunkLocation]) {
        self.size = size
        self.chunkSize = chunkSize
        self.chunks = chunks
    }

    public var reply: Reply {
        .ok([.init("size", String(size)), .init("chunksize", String(chunkSize))], body: chunks.map(\.line))
    }

    public init(_ reply: Reply) throws(GFSError) {
        var chunks: [ChunkLocation] = []
        for line in reply.body { chunks.append(try ChunkLocation(line)) }
        self.init(size: try reply.line.requireInteger("size"),
                  chunkSize: try reply.line.requireInteger("chunksize", in: 1...Limits.maximumChunkBytes), chunks: chunks)
    }
}

/// What the master tells a chunkserver: the body of a `REGISTER`, `HEARTBEAT` or `REPORT` reply.
public struct InstructionsReply: ReplyMessage, Equatable {
    public var instructions: [ChunkServerInstruction]
    /// The epoch of the master that gave them (0 without etcd).
    public var epoch: UInt64
    /// With a cluster secret, the chunk token key periods to accept (`ChunkTokenKeys`).
    public var tokenKeys: [UInt64]

    public init(_ instructions: [ChunkServerInstruction], epoch: UInt64 = 0, tokenKeys: [UInt64] = []) {
        self.instructions = instructions
        self.epoch = epoch
        self.tokenKeys = tokenKeys
    }

    public var reply: Reply {
        Reply(line: TokenKeysField.stamp(Epoch.stamp(Reply.ok().line, epoch), tokenKeys), body: instructions.map(\.line))
    }

    public init(_ reply: Reply) throws(GFSError) {
        var instructions: [ChunkServerInstruction] = []
        for line in reply.body { instructions.append(try ChunkServerInstruction(line)) }
        self.init(instructions, epoch: try Epoch.of(reply.line), tokenKeys: try TokenKeysField.of(reply.line))
    }
}

/// `keys=N,N` on the master's replies to chunkservers: the token key periods to accept.
enum TokenKeysField {
    static let field = "keys"

    static func stamp(_ line: Line, _ keys: [UInt64]) -> Line {
        guard !keys.isEmpty else { return line }
        var line = line
        line.fields.append(.init(field, keys.map(String.init).joined(separator: ",")))
        return line
    }

    static func of(_ line: Line) throws(GFSError) -> [UInt64] {
        guard let text = line[field] else { return [] }
        var keys: [UInt64] = []
        for part in text.split(separator: ",") {
            guard let key = UInt64(part), keys.count < 8 else { throw GFSError(.badRequest, "\(field)=\(text): want a few numbers") }
            keys.append(key)
        }
        return keys
    }
}

/// The `REGISTER` reply: the cluster's chunk size, the master's role, and what to do.
public struct RegisterReply: ReplyMessage, Equatable {
    public var chunkSize: Int64
    public var role: MasterRole
    public var instructions: [ChunkServerInstruction]
    /// The epoch of the master that answered (0 without etcd).
    public var epoch: UInt64
    /// With a cluster secret, the chunk token key periods to accept.
    public var tokenKeys: [UInt64]

    public init(chunkSize: Int64, role: MasterRole, instructions: [ChunkServerInstruction], epoch: UInt64 = 0,
                tokenKeys: [UInt64] = []) {
        self.chunkSize = chunkSize
        self.role = role
        self.instructions = instructions
        self.epoch = epoch
        self.tokenKeys = tokenKeys
    }

    public var reply: Reply {
        let line = Reply.ok([.init("chunksize", String(chunkSize)), .init("role", role.description)]).line
        return Reply(line: TokenKeysField.stamp(Epoch.stamp(line, epoch), tokenKeys), body: instructions.map(\.line))
    }

    public init(_ reply: Reply) throws(GFSError) {
        self.init(chunkSize: try reply.line.requireInteger("chunksize", in: 1...Limits.maximumChunkBytes),
                  role: try MasterRole(try reply.line.require("role")),
                  instructions: try InstructionsReply(reply).instructions, epoch: try Epoch.of(reply.line),
                  tokenKeys: try TokenKeysField.of(reply.line))
    }
}

/// The master's `STATUS`: its counters and one summary per chunkserver.
public struct MasterStatus: ReplyMessage, Equatable {
    public var role: MasterRole
    /// The last durable log record.
    public var sequence: UInt64
    public var chunkSize: Int64
    public var entries: Int
    public var chunks: Int
    public var leases: Int
    /// Live chunkservers.
    public var servers: Int
    /// Chunks below their goal; nil from a shadow, which counts no replica health (as it answers no FSCK).
    public var underReplicated: Int?
    /// Re-replication copies under way.
    public var copies: Int
    public var summaries: [ServerSummary]
    /// The status page's address (`--http`), if it serves one.
    public var http: ServerID?

    public init(role: MasterRole, sequence: UInt64, chunkSize: Int64, entries: Int, chunks: Int, leases: Int,
                servers: Int, underReplicated: Int?, copies: Int, summaries: [ServerSummary], http: ServerID? = nil) {
        self.http = http
        self.role = role
        self.sequence = sequence
        self.chunkSize = chunkSize
        self.entries = entries
        self.chunks = chunks
        self.leases = leases
        self.servers = servers
        self.underReplicated = underReplicated
        self.copies = copies
        self.summaries = summaries
    }

    /// The counters as `gfs status` prints them, in wire order.
    public var counters: [Line.Field] {
        var fields: [Line.Field] = [
            .init("role", role.description), .init("sequence", String(sequence)), .init("chunksize", String(chunkSize)),
            .init("entries", String(entries)), .init("chunks", String(chunks)), .init("leases", String(leases)),
            .init("servers", String(servers)),
        ]
        if let underReplicated { fields.append(.init("under_replicated", String(underReplicated))) }
        fields.append(.init("copies", String(copies)))
        if let http { fields.append(.init("http", http.description)) }
        return fields
    }

    public var reply: Reply { .ok(counters, body: summaries.map(\.line)) }

    public init(_ reply: Reply) throws(GFSError) {
        let line = reply.line
        func count(_ key: String) throws(GFSError) -> Int { Int(try line.requireInteger(key, in: 0...Int64(Int32.max))) }
        var summaries: [ServerSummary] = []
        for body in reply.body { summaries.append(try ServerSummary(body)) }
        // A shadow leaves it out.
        let underReplicated = line["under_replicated"] == nil ? nil : try count("under_replicated")
        self.init(role: try MasterRole(try line.require("role")), sequence: UInt64(try line.requireInteger("sequence")),
                  chunkSize: try line.requireInteger("chunksize", in: 1...Int64.max), entries: try count("entries"),
                  chunks: try count("chunks"), leases: try count("leases"), servers: try count("servers"),
                  underReplicated: underReplicated, copies: try count("copies"), summaries: summaries,
                  http: line["http"].flatMap { ServerID($0) })
    }
}

/// The `RM` reply: how many deleted entries a removal from the trash purged for good (0: none, or a plain rm).
public struct RemoveReply: ReplyMessage, Equatable {
    public var purged: Int

    public init(purged: Int) { self.purged = purged }

    public var reply: Reply { purged > 0 ? .ok([.init("purged", String(purged))]) : .ok() }

    public init(_ reply: Reply) throws(GFSError) {
        purged = Int(try reply.line.integer("purged", in: 0...Int64(Int32.max)) ?? 0)
    }
}

/// The `PROMOTE` reply: the master's role now and, once promoted, its last durable log record.
public struct PromoteReply: ReplyMessage, Equatable {
    public var role: MasterRole
    public var sequence: UInt64?

    public init(role: MasterRole, sequence: UInt64?) {
        self.role = role
        self.sequence = sequence
    }

    public var reply: Reply {
        .ok([.init("role", role.description)] + (sequence.map { [.init("sequence", String($0))] } ?? []))
    }

    public init(_ reply: Reply) throws(GFSError) {
        self.init(role: try MasterRole(try reply.line.require("role")),
                  sequence: try reply.line.integer("sequence").map { UInt64($0) })
    }
}

/// A `TAIL` reply: log records from the one asked for, and the primary's last durable record.
public struct TailReply: ReplyMessage {
    public var durable: UInt64
    public var records: ByteBuffer

    public init(durable: UInt64, records: ByteBuffer) {
        self.durable = durable
        self.records = records
    }

    public var reply: Reply { .ok([.init("durable", String(durable))], payload: records) }

    public init(_ reply: Reply) throws(GFSError) {
        self.init(durable: UInt64(try reply.line.requireInteger("durable")), records: reply.payload ?? ByteBuffer())
    }
}

/// A `CHECKPOINT` reply: the newest checkpoint file and the log record it reflects.
public struct CheckpointReply: ReplyMessage {
    public var sequence: UInt64
    public var bytes: ByteBuffer
    /// The CRC32C of record `sequence`, so a shadow that starts from this checkpoint can still prove, on its
    /// next TAIL, whose log it holds.
    public var last: UInt32?

    public init(sequence: UInt64, bytes: ByteBuffer, last: UInt32? = nil) {
        self.sequence = sequence
        self.bytes = bytes
        self.last = last
    }

    public var reply: Reply {
        .ok([.init("sequence", String(sequence))] + (last.map { [.init("last", String($0))] } ?? []), payload: bytes)
    }

    public init(_ reply: Reply) throws(GFSError) {
        self.init(sequence: UInt64(try reply.line.requireInteger("sequence")), bytes: reply.payload ?? ByteBuffer(),
                  last: try reply.line.integer("last", in: 0...Int64(UInt32.max)).map { UInt32($0) })
    }
}

/// The `TUNE` reply: the re-replication limits now in force.
public struct TuneReply: ReplyMessage, Equatable {
    public var clonesPerServer: Int
    public var clonesTotal: Int
    public var cloneBytesPerSecond: Int64

    public init(clonesPerServer: Int, clonesTotal: Int, cloneBytesPerSecond: Int64) {
        self.clonesPerServer = clonesPerServer
        self.clonesTotal = clonesTotal
        self.cloneBytesPerSecond = cloneBytesPerSecond
    }

    /// The limits as `gfs tune` prints them.
    public var fields: [Line.Field] {
        [.init("clones_per_server", String(clonesPerServer)), .init("clones_total", String(clonesTotal)),
         .init("clone_rate", String(cloneBytesPerSecond))]
    }

    public var reply: Reply { .ok(fields) }

    public init(_ reply: Reply) throws(GFSError) {
        let line = reply.line
        self.init(clonesPerServer: Int(try line.requireInteger("clones_per_server", in: 0...Int64(Int32.max))),
                  clonesTotal: Int(try line.requireInteger("clones_total", in: 0...Int64(Int32.max))),
                  cloneBytesPerSecond: try line.requireInteger("clone_rate"))
    }
}

/// The `GC` reply.
extension CollectionSummary: ReplyMessage {
    /// The totals as `gfs gc` prints them.
    public var fields: [Line.Field] {
        [.init("purged", String(purged)), .init("bytes", String(bytes)), .init("chunks", String(chunks)),
         .init("replicas_to_delete", String(replicasToDelete))]
    }

    public var reply: Reply { .ok(fields) }

    public init(_ reply: Reply) throws(GFSError) {
        let line = reply.line
        self.init()
        purged = Int(try line.requireInteger("purged", in: 0...Int64(Int32.max)))
        bytes = try line.requireInteger("bytes")
        chunks = Int(try line.requireInteger("chunks", in: 0...Int64(Int32.max)))
        replicasToDelete = Int(try line.requireInteger("replicas_to_delete", in: 0...Int64(Int32.max)))
    }
}
