/// Every request a chunkserver answers, parsed from and printed to a `Line` in this one place.
public enum ChunkRequest: Sendable, Equatable {
    /// Data to buffer under `id` and forward to `chain` (GFS §3.2); the bytes follow as the payload.
    case push(id: String, length: Int, chain: [ServerID])
    /// Client → primary: apply buffered `id` at `offset` and forward to the secondaries granted with the lease
    /// (GFS §3.1).
    case write(ChunkHandle, version: ChunkVersion, offset: Int64, id: String)
    /// Primary → secondary: apply buffered `id` at `offset` as mutation `serial`.
    case apply(ChunkHandle, version: ChunkVersion, serial: UInt64, offset: Int64, id: String)
    /// Primary → secondary: make every mutation of the chunk applied so far durable (group commit).
    case sync(ChunkHandle)
    /// Client → primary: append pushed `id` as one record at an offset the primary picks (GFS §3.3).
    case append(ChunkHandle, version: ChunkVersion, id: String)
    /// Primary → secondary: the record `id` did not fit; pad the chunk with zeros to `size` bytes.
    case pad(ChunkHandle, version: ChunkVersion, serial: UInt64, size: Int64, id: String)
    /// Read `length` bytes at `offset`.
    case read(ChunkHandle, version: ChunkVersion, offset: Int64, length: Int)
    /// A ticket for the replica's files and its length, for a client on the same machine that reads and
    /// verifies them itself (a short-circuit read, as HDFS has) instead of taking the bytes over a socket.
    case local(ChunkHandle, version: ChunkVersion)
    /// On the descriptor socket `LOCAL` named: the replica's data and checksum files, sent open (SCM_RIGHTS)
    /// to the holder of `ticket`.
    case open(ticket: LocalTickets.Ticket)
    /// Master → replica: adopt `version`; with a lease duration this replica is primary and forwards every
    /// mutation to exactly `secondaries`; `create` makes the chunk.
    case grant(ChunkHandle, version: ChunkVersion, leaseMilliseconds: Int64?, create: Bool, secondaries: [ServerID])
    /// Master → primary: give up the lease (before a snapshot).
    /// Every lease on the chunk up to `version` is void, including one whose GRANT arrives later.
    case revoke(ChunkHandle, version: ChunkVersion)
    /// Master → replica: copy chunk `handle` locally as `new` at `version` (copy-on-write); with `length`, a
    /// copy of that length: the first `keep` bytes (all `length` when nil) of the source, then zeros (a
    /// truncation, or a concat's padding).
    /// The source must be at a version from `version` to `newest` (the newest the master issued, which a grant
    /// never confirmed back may have left it at): a source past that has had writes since the master asked.
    case clone(ChunkHandle, new: ChunkHandle, version: ChunkVersion, length: Int64? = nil, keep: Int64? = nil,
               newest: ChunkVersion? = nil)
    /// Master → new replica: copy `handle` at `version` from the chunkserver `source`, reading at most
    /// `bytesPerSecond` (GFS §4.3: re-replication goes chunkserver to chunkserver).
    case replicate(ChunkHandle, version: ChunkVersion, source: ServerID, bytesPerSecond: Int64?)
    /// The CRC32C of the first `length` bytes, composed from the stored block checksums.
    case checksum(ChunkHandle, version: ChunkVersion, length: Int64)
    case status
    case help

    /// Parses a request line.
    public init(_ line: Line) throws(GFSError) {
        guard let verb = Verb(rawValue: line.verb), verb.roles.contains(.chunkserver) else {
            throw GFSError(.badRequest, "unknown verb \(line.verb); try HELP")
        }
        switch verb {
        case .push:
            self = .push(id: try line.require("id"), length: Int(try line.requireInteger("len")),
                         chain: try line.servers("chain"))
        case .write:
            self = .write(try line.handle(), version: UInt64(try line.requireInteger("version")),
                          offset: try line.requireInteger("offset"), id: try line.require("id"))
        case .apply:
            self = .apply(try line.handle(), version: UInt64(try line.requireInteger("version")),
                          serial: UInt64(try line.requireInteger("serial")), offset: try line.requireInteger("offset"),
                          id: try line.require("id"))
        case .sync:
            self = .sync(try line.handle())
        case .append:
            self = .append(try line.handle(), version: UInt64(try line.requireInteger("version")), id: try line.require("id"))
        case .pad:
            self = .pad(try line.handle(), version: UInt64(try line.requireInteger("version")),
                        serial: UInt64(try line.requireInteger("serial")), size: try line.requireInteger("size"),
                        id: try line.require("id"))
        case .read:
            self = .read(try line.handle(), version: UInt64(try line.requireInteger("version")),
                         offset: try line.requireInteger("offset"),
                         length: Int(try line.requireInteger("length", in: 0...Int64(Int32.max))))
        case .local:
            self = .local(try line.handle(), version: UInt64(try line.requireInteger("version")))
        case .open:
            self = .open(ticket: try line.randomName("ticket"))
        case .grant:
            self = .grant(try line.handle(), version: UInt64(try line.requireInteger("version")),
                          leaseMilliseconds: try line.integer("lease_ms", in: 0...Limits.maximumLeaseMilliseconds), create: line.flag("create"),
                          secondaries: try line.servers("secondaries"))
        case .revoke: self = .revoke(try line.handle(), version: UInt64(try line.requireInteger("version")))
        case .clone:
            let (length, keep) = (try line.integer("length", in: 0...Limits.maximumChunkBytes),
                                  try line.integer("keep", in: 0...Limits.maximumChunkBytes))
            guard keep == nil || (length.map { keep ?? 0 <= $0 } ?? false) else {
                throw GFSError(.badRequest, "CLONE: keep= needs a length= at least as large")
            }
            self = .clone(try line.handle(), new: try line.handle("new"), version: UInt64(try line.requireInteger("version")),
                          length: length, keep: keep, newest: try line.integer("newest").map { UInt64($0) })
        case .replicate:
            self = .replicate(try line.handle(), version: UInt64(try line.requireInteger("version")),
                              source: try line.server("from"), bytesPerSecond: try line.integer("rate", in: 1...Int64.max))
        case .checksum:
            self = .checksum(try line.handle(), version: UInt64(try line.requireInteger("version")),
                             length: try line.requireInteger("length", in: 0...Limits.maximumChunkBytes))
        case .status: self = .status
        case .help: self = .help
        default: throw GFSError(.badRequest, "unknown verb \(line.verb); try HELP")
        }
    }

    /// The request's wire line (for `push`, with `len=`; the caller sends the bytes).
    public var line: Line {
        switch self {
        case let .push(id, length, chain):
            return Line("PUSH", fields: ["id": id, "chain": chain.isEmpty ? nil : chain.map(\.description).joined(separator: ","),
                                         "len": String(length)])
        case let .write(handle, version, offset, id):
            return Line("WRITE", fields: ["handle": handle.description, "version": String(version), "offset": String(offset),
                                          "id": id])
        case let .apply(handle, version, serial, offset, id):
            return Line("APPLY", fields: ["handle": handle.description, "version": String(version), "serial": String(serial),
                                          "offset": String(offset), "id": id])
        case let .sync(handle):
            return Line("SYNC", fields: ["handle": handle.description])
        case let .append(handle, version, id):
            return Line("APPEND", fields: ["handle": handle.description, "version": String(version), "id": id])
        case let .pad(handle, version, serial, size, id):
            return Line("PAD", fields: ["handle": handle.description, "version": String(version), "serial": String(serial),
                                        "size": String(size), "id": id])
        case let .read(handle, version, offset, length):
            return Line("READ", fields: ["handle": handle.description, "version": String(version), "offset": String(offset),
                                         "length": String(length)])
        case let .local(handle, version):
            return Line("LOCAL", fields: ["handle": handle.description, "version": String(version)])
        case let .open(ticket):
            return Line("OPEN", fields: ["ticket": ticket.description])
        case let .grant(handle, version, lease, create, secondaries):
            return Line("GRANT", fields: ["handle": handle.description, "version": String(version),
                                          "lease_ms": lease.map(String.init), "create": create ? "1" : nil,
                                          "secondaries": secondaries.isEmpty ? nil : secondaries.map(\.description).joined(separator: ",")])
        case let .revoke(handle, version):
            return Line("REVOKE", fields: ["handle": handle.description, "version": String(version)])
        case let .clone(handle, new, version, length, keep, newest):
            return Line("CLONE", fields: ["handle": handle.description, "new": new.description, "version": String(version),
                                          "length": length.map(String.init), "keep": keep.map(String.init),
                                          "newest": newest.map(String.init)])
        case let .replicate(handle, version, source, rate):
            return Line("REPLICATE", fields: ["handle": handle.description, "version": String(version),
                                              "from": source.description, "rate": rate.map(String.init)])
        case let .checksum(handle, version, length):
            return Line("CHECKSUM", fields: ["handle": handle.description, "version": String(version), "length": String(length)])
        case .status: return Line("STATUS")
        case .help: return Line("HELP")
        }
    }
}
