import GFSCore
import NIOCore

/// A typed reply: the role that answers builds it, the role that asked reads it back, and neither spells a
/// field's key.
public protocol ReplyMessage: Sendable {
    /// The wire form.
    var reply: Reply { get }
    /// Reads an `OK` reply back; BADREQ when a field is missing or malformed.
    init(_ reply: Reply) throws(GFSError)
}

/// A master's role, as `STATUS`, `REGISTER` and `PROMOTE` replies name it.
public enum MasterRole: Sendable, Equatable, CustomStringConvertible {
    /// Takes writes and grants leases.
    case primary
    /// Follows the primary at this address and serves reads.
    case shadow(of: ServerID)

    /// `primary` or `shadow-of-HOST:PORT`.
    public var description: String {
        switch self {
        case .primary: return "primary"
        case let .shadow(primary): return "shadow-of-\(primary)"
        }
    }

    /// Reads the wire form back.
    public init(_ text: String) throws(GFSError) {
        if text == "primary" {
            self = .primary
        } else if text.hasPrefix("shadow-of-"), let primary = ServerID(text.dropFirst(10)) {
            self = .shadow(of: primary)
        } else {
            throw GFSError(.badRequest, "bad master role \(text)")
        }
    }
}

/// The reply of a chunkserver's `WRITE` or `APPLY`, and of `REVOKE`: the replica's length after it.
public struct LengthReply: ReplyMessage, Equatable {
    public var length: Int64

    public init(length: Int64) { self.length = length }

    public var reply: Reply { .ok([.init("length", String(length))]) }

    public init(_ reply: Reply) throws(GFSError) { length = try reply.line.requireInteger("length", in: 0...Limits.maximumChunkBytes) }
}

/// The reply of a primary's `APPEND`: the offset the record went to, the same on every replica.
public struct AppendReply: ReplyMessage, Equatable {
    public var offset: Int64

    public init(offset: Int64) { self.offset = offset }

    public var reply: Reply { .ok([.init("offset", String(offset))]) }

    public init(_ reply: Reply) throws(GFSError) { offset = try reply.line.requireInteger("offset", in: 0...Limits.maximumChunkBytes) }
}

/// A chunkserver's `STATUS`.
public struct ChunkServerStatus: ReplyMessage, Equatable {
    public var address: ServerID
    public var chunks: Int
    public var capacityBytes: Int64
    public var freeBytes: Int64
    /// Bytes of pushed data waiting for their mutation.
    public var bufferedBytes: Int
    /// The status page's address (`--http`), if it serves one.
    public var http: ServerID?

    public init(address: ServerID, chunks: Int, capacityBytes: Int64, freeBytes: Int64, bufferedBytes: Int,
                http: ServerID? = nil) {
        self.http = http
        self.address = address
        self.chunks = chunks
        self.capacityBytes = capacityBytes
        self.freeBytes = freeBytes
        self.bufferedBytes = bufferedBytes
    }

    public var reply: Reply {
        .ok([.init("role", "chunkserver"), .init("addr", address.description), .init("chunks", String(chunks)),
             .init("capacity", String(capacityBytes)), .init("free", String(freeBytes)),
             .init("buffered", String(bufferedBytes))] + (http.map { [.init("http", $0.description)] } ?? []))
    }

    public init(_ reply: Reply) throws(GFSError) {
        let line = reply.line
        guard line["role"] == "chunkserver" else { throw GFSError(.badRequest, "STATUS: not a chunkserver's") }
        self.init(address: try line.server("addr"), chunks: Int(try line.requireInteger("chunks", in: 0...Int64(Int32.max))),
                  capacityBytes: try line.requireInteger("capacity"), freeBytes: try line.requireInteger("free"),
                  bufferedBytes: Int(try line.requireInteger("buffered")), http: line["http"].flatMap { ServerID($0) })
    }
}
