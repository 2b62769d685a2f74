import NIOCore

/// A namespace entry as `LS` body lines and `STAT` replies carry it.
public struct EntryInfo: Sendable, Equatable {
    public var path: GFSPath
    public var kind: Namespace.Kind
    public var size: Int64
    public var chunks: Int
    public var replication: Int
    /// Milliseconds since the Unix epoch.
    public var modified: Int64
    /// Whether the file holds framed records.
    public var records: Bool
    /// The most files sharing any one of this file's chunks (1: none shared; more after a snapshot).
    public var shared: Int = 1

    /// Creates an entry description.
    public init(path: GFSPath, kind: Namespace.Kind, size: Int64, chunks: Int, replication: Int, modified: Int64,
                records: Bool = false) {
        self.path = path
        self.kind = kind
        self.size = size
        self.chunks = chunks
        self.replication = replication
        self.modified = modified
        self.records = records
    }

    /// The description of a namespace entry.
    public init(path: GFSPath, entry: Namespace.Entry) {
        self.init(path: path, kind: entry.kind, size: entry.length, chunks: entry.chunks.count,
                  replication: entry.replication, modified: entry.modified, records: entry.records)
    }

    /// The fields, in wire order.
    public var fields: [Line.Field] {
        [.init("path", path.string), .init("type", kind.rawValue), .init("size", String(size)),
         .init("chunks", String(chunks)), .init("replication", String(replication)), .init("mtime", String(modified)),
         .init("records", records ? "1" : "0"), .init("shared", String(shared))]
    }

    /// Reads the fields back from any line that carries them.
    public init(_ line: Line) throws(GFSError) {
        guard let path = GFSPath(try line.require("path")),
            let kind = Namespace.Kind(rawValue: try line.require("type"))
        else { throw GFSError(.badRequest, "\(line.verb): bad path or type") }
        self.init(path: path, kind: kind, size: try line.requireInteger("size"),
                  chunks: Int(try line.requireInteger("chunks")), replication: Int(try line.requireInteger("replication")),
                  modified: try line.requireInteger("mtime", in: Int64.min...Int64.max), records: line.flag("records"))
        shared = Int(try line.integer("shared", in: 1...Int64(Int32.max)) ?? 1)
    }
}

extension ChunkLocation {
    /// The fields of a `CHUNK` line or an `ALLOCATE` reply.
    public var fields: [Line.Field] {
        [.init("index", String(index)), .init("handle", handle.description), .init("version", String(version)),
         .init("replicas", replicas.map(\.description).joined(separator: ","))] + (token.map { [.init(TokenField.field, $0)] } ?? [])
    }

    /// Reads a location back.
    public init(_ line: Line) throws(GFSError) {
        self.init(index: Int(try line.requireInteger("index", in: 0...Int64(Int32.max))), handle: try line.handle(),
                  version: UInt64(try line.requireInteger("version")), replicas: try line.servers("replicas"))
        token = line[TokenField.field]
    }
}

extension LeaseInfo {
    /// The fields of a `LEASE` reply.
    public var fields: [Line.Field] {
        [.init("handle", handle.description), .init("version", String(version)), .init("primary", primary.description),
         .init("secondaries", secondaries.map(\.description).joined(separator: ",")),
         .init("lease_ms", String(remaining.milliseconds))] + (token.map { [.init(TokenField.field, $0)] } ?? [])
    }

    /// Reads a lease back.
    public init(_ line: Line) throws(GFSError) {
        self.init(handle: try line.handle(), version: UInt64(try line.requireInteger("version")),
                  primary: try line.server("primary"), secondaries: try line.servers("secondaries"),
                  remaining: .milliseconds(try line.requireInteger("lease_ms", in: Int64.min...Int64.max)))
        token = line[TokenField.field]
    }
}

extension ServerSummary {
    /// A `SERVER` line of the master's `STATUS` reply.
    public var line: Line {
        Line("SERVER", fields: ["addr": server.description, "rack": rack.isEmpty ? nil : rack, "alive": alive ? "1" : "0",
                                "chunks": String(chunks), "capacity": String(capacityBytes), "free": String(freeBytes),
                                "state": state, "silent_ms": String(silentMilliseconds)])
    }

    /// Reads a `SERVER` line back.
    public init(_ line: Line) throws(GFSError) {
        self.init(server: try line.server("addr"), rack: line["rack"] ?? "", alive: line.flag("alive"),
                  chunks: Int(try line.requireInteger("chunks")), capacityBytes: try line.requireInteger("capacity"),
                  freeBytes: try line.requireInteger("free"), state: line["state"],
                  silentMilliseconds: try line.integer("silent_ms") ?? 0)
    }
}

extension ReportedChunk {
    /// The `REGISTER` payload for `chunks`: one `handle version length` line each, and the milliseconds left
    /// of the lease it holds as primary as a fourth field where it holds one.
    public static func payload(_ chunks: [ReportedChunk]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for chunk in chunks {
            let lease = chunk.leaseMilliseconds.map { " \($0)" } ?? ""
            buffer.writeString("\(chunk.handle) \(chunk.version) \(chunk.length)\(lease)\n")
        }
        return buffer
    }

    /// Reads a `REGISTER` payload; BADREQ on a malformed line.
    public static func parse(_ payload: ByteBuffer) throws(GFSError) -> [ReportedChunk] {
        var result: [ReportedChunk] = []
        for row in payload.readableBytesView.split(separator: UInt8(ascii: "\n")) {
            let parts = row.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
            guard parts.count == 3 || parts.count == 4, let handle = ChunkHandle(hex: parts[0]),
                let version = UInt64(parts[1]), let length = Int64(parts[2]), length >= 0
            else { throw GFSError(.badRequest, "REGISTER: bad report line") }
            var lease: Int64?
            if parts.count == 4 {
                // A day bounds any lease: a larger figure is a bad line, not a reason to fence a chunk for ever.
                guard let milliseconds = Int64(parts[3]), (0...86_400_000).contains(milliseconds) else {
                    throw GFSError(.badRequest, "REGISTER: bad lease time in report line")
                }
                lease = milliseconds
            }
            result.append(ReportedChunk(handle: handle, version: version, length: length, leaseMilliseconds: lease))
        }
        return result
    }
}

extension EntryInfo {
    /// An `ENTRY` body line of an `LS` reply.
    public var line: Line { Line("ENTRY", [], fields) }
}

extension ChunkLocation {
    /// A `CHUNK` body line of a `LOOKUP` reply.
    public var line: Line { Line("CHUNK", [], fields) }
}

/// What the master tells a chunkserver in the body of a `REGISTER` or `HEARTBEAT` reply.
public enum ChunkServerInstruction: Sendable, Equatable {
    /// Keep being primary for the chunk this much longer (GFS §3.1), if still primary at `version`.
    case extend(ChunkHandle, version: ChunkVersion, lease: Duration)
    /// Delete the replica: its file is gone, it is stale, or it is corrupt (GFS §4.4).
    case delete(ChunkHandle)

    /// The body line.
    public var line: Line {
        switch self {
        case let .extend(handle, version, lease):
            return Line("EXTEND", fields: ["handle": handle.description, "version": String(version),
                                           "lease_ms": String(lease.milliseconds)])
        case let .delete(handle):
            return Line("DELETE", fields: ["handle": handle.description])
        }
    }

    /// Parses a body line; BADREQ for anything else.
    public init(_ line: Line) throws(GFSError) {
        switch line.verb {
        case "EXTEND":
            self = .extend(try line.handle(), version: UInt64(try line.requireInteger("version")),
                           lease: .milliseconds(try line.requireInteger("lease_ms", in: 0...Limits.maximumLeaseMilliseconds)))
        case "DELETE": self = .delete(try line.handle())
        default: throw GFSError(.badRequest, "unknown instruction \(line.verb)")
        }
    }
}
