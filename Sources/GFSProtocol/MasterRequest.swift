import NIOCore

/// Every request the master answers, parsed from and printed to a `Line` in this one place.
public enum MasterRequest: Sendable, Equatable {
    case makeDirectory(GFSPath, parents: Bool)
    case create(GFSPath, replication: Int?, records: Bool = false)
    /// A page of a directory: names after `after`, at most `limit` (at most and by default `listPage`).
    case list(GFSPath, after: String? = nil, limit: Int? = nil)
    case stat(GFSPath)
    case move(GFSPath, to: GFSPath)
    case remove(GFSPath, recursive: Bool)
    /// With `stale`, a chunk with no live current replica is answered with its live stale ones.
    case lookup(GFSPath, stale: Bool = false)
    case allocate(GFSPath, index: Int)
    /// The lease on a chunk of `of`: the master refuses if the chunk is no longer that file's (a snapshot's
    /// copy-on-write gave the file a new chunk), so a client's old handle cannot write into the snapshot.
    case lease(ChunkHandle, of: GFSPath? = nil)
    /// With `touch`, the modification time becomes now even when the size does not grow. `handle` is the chunk
    /// the writer's last byte went to: a size it reports after a truncation replaced or dropped that chunk
    /// must not grow the file past the bytes it has.
    case setSize(GFSPath, size: Int64, touch: Bool = false, handle: ChunkHandle? = nil)
    case register(ServerID, rack: String, capacityBytes: Int64, freeBytes: Int64)
    case heartbeat(ServerID, freeBytes: Int64, leases: [ChunkHandle])
    case corrupt(ChunkHandle, on: ServerID)
    /// A shadow asks for log records from `from` on; it has everything before `from` on disk.
    /// `last` is the CRC32C of the asker's own record `from - 1`: a primary whose record differs answers
    /// STALE, and the asker starts again from the primary's checkpoint (its log went where the primary's
    /// did not, under an earlier primary).
    case tail(from: UInt64, shadow: ServerID?, waitMilliseconds: Int64, last: UInt32? = nil)
    case checkpoint
    case promote
    /// A copy of a file or tree sharing its chunks (GFS §3.4).
    case snapshot(GFSPath, to: GFSPath)
    case status
    case help
    case report(ServerID)
    case leave(ServerID)
    case drain(ServerID, stop: Bool)
    case tune(clonesPerServer: Int?, clonesTotal: Int?, cloneRate: Int64?)
    case deleted(GFSPath)
    case undelete(GFSPath)
    case collectGarbage(all: Bool)
    /// A page of fsck: the paths under the first after `after` in tree order, at most `limit` (at most
    /// `fsckPage`); without `limit`, the whole tree at once, as clients that do not page expect.
    case fsck(GFSPath, files: Bool, chunks: Bool, after: GFSPath? = nil, limit: Int? = nil)
    case setReplication(GFSPath, replication: Int, recursive: Bool)
    case usage(GFSPath, children: Bool)
    case setQuota(GFSPath, files: Int64?, bytes: Int64?)
    case truncate(GFSPath, size: Int64)
    case quotas(GFSPath)
    /// The sources' whole chunks appended to `destination` (made with `replication` if missing), shared; with
    /// `pad`, a source ending mid-chunk is padded with zeros to the chunk boundary.
    case concat(GFSPath, sources: [GFSPath], replication: Int?, pad: Bool = false)

    /// The most entries one `LS` reply holds; a longer directory is listed in pages.
    public static let listPage = 10_000
    /// The most files and directories one `FSCK` reply checks; a larger tree is checked in pages.
    public static let fsckPage = 10_000

    /// Parses a request line (a REGISTER's report payload is read separately with `ReportedChunk.parse`).
    public init(_ line: Line) throws(GFSError) {
        guard let verb = Verb(rawValue: line.verb), verb.roles.contains(.master) else {
            throw GFSError(.badRequest, "unknown verb \(line.verb); try HELP")
        }
        switch verb {
        case .mkdir: self = .makeDirectory(try line.path(0), parents: line.flag("parents"))
        case .create:
            self = .create(try line.path(0), replication: try line.integer("replication", in: 1...16).map(Int.init),
                           records: line.flag("records"))
        case .ls:
            self = .list(line.arguments.isEmpty ? .root : try line.path(0), after: line["after"].flatMap { $0.isEmpty ? nil : $0 },
                         limit: try line.integer("limit", in: 1...Int64(Self.listPage)).map(Int.init))
        case .stat: self = .stat(try line.path(0))
        case .mv: self = .move(try line.path(0), to: try line.path(1))
        case .rm: self = .remove(try line.path(0), recursive: line.flag("recursive"))
        case .lookup: self = .lookup(try line.path(0), stale: line.flag("stale"))
        case .allocate: self = .allocate(try line.path(0), index: Int(try line.requireInteger("index", in: 0...Int64(Int32.max))))
        case .lease: self = .lease(try line.handle(), of: line.arguments.isEmpty ? nil : try line.path(0))
        case .setSize:
            self = .setSize(try line.path(0), size: try line.requireInteger("size"), touch: line.flag("touch"),
                            handle: line["handle"] == nil ? nil : try line.handle())
        case .register:
            self = .register(try line.server("addr"), rack: line["rack"] ?? "",
                             capacityBytes: try line.requireInteger("capacity"), freeBytes: try line.requireInteger("free"))
        case .heartbeat:
            var leases: [ChunkHandle] = []
            for text in (line["leases"] ?? "").split(separator: ",") {
                guard let handle = ChunkHandle(hex: text) else { throw GFSError(.badRequest, "HEARTBEAT: bad handle \(text)") }
                leases.append(handle)
            }
            self = .heartbeat(try line.server("addr"), freeBytes: try line.requireInteger("free"), leases: leases)
        case .corrupt: self = .corrupt(try line.handle(), on: try line.server("addr"))
        case .tail:
            self = .tail(from: UInt64(try line.requireInteger("from", in: 1...Int64.max)),
                         shadow: line["addr"] == nil ? nil : try line.server("addr"),
                         waitMilliseconds: try line.integer("wait_ms", in: 0...60_000) ?? 0,
                         last: try line.integer("last", in: 0...Int64(UInt32.max)).map { UInt32($0) })
        case .checkpoint: self = .checkpoint
        case .promote: self = .promote
        case .snapshot: self = .snapshot(try line.path(0), to: try line.path(1))
        case .status: self = .status
        case .help: self = .help
        case .report: self = .report(try line.server("addr"))
        case .leave: self = .leave(try line.server("addr"))
        case .drain: self = .drain(try line.server("addr"), stop: line.flag("stop"))
        case .tune:
            self = .tune(clonesPerServer: try line.integer("clones_per_server", in: 0...1000).map(Int.init),
                         clonesTotal: try line.integer("clones_total", in: 0...100_000).map(Int.init),
                         cloneRate: try line.integer("clone_rate", in: 1...Int64.max))
        case .deleted: self = .deleted(line.arguments.isEmpty ? .root : try line.path(0))
        case .undelete: self = .undelete(try line.path(0))
        case .gc: self = .collectGarbage(all: line.flag("all"))
        case .fsck:
            self = .fsck(line.arguments.isEmpty ? .root : try line.path(0), files: line.flag("files"), chunks: line.flag("chunks"),
                         after: try line.optionalPath("after"),
                         limit: try line.integer("limit", in: 1...Int64(Self.fsckPage)).map(Int.init))
        case .setrep:
            self = .setReplication(try line.path(0), replication: Int(try line.requireInteger("replication", in: 1...16)),
                                   recursive: line.flag("recursive"))
        case .du: self = .usage(line.arguments.isEmpty ? .root : try line.path(0), children: line.flag("children"))
        case .setQuota:
            self = .setQuota(try line.path(0), files: try line.integer("files", in: 0...Int64.max),
                             bytes: try line.integer("bytes", in: 0...Int64.max))
        case .quotas: self = .quotas(line.arguments.isEmpty ? .root : try line.path(0))
        case .truncate: self = .truncate(try line.path(0), size: try line.requireInteger("size", in: 0...Int64.max))
        case .concat:
            guard line.arguments.count >= 2 else { throw GFSError(.badRequest, "CONCAT needs a destination and a source") }
            var sources: [GFSPath] = []
            for index in 1..<line.arguments.count { sources.append(try line.path(index)) }
            self = .concat(try line.path(0), sources: sources,
                           replication: try line.integer("replication", in: 1...16).map(Int.init), pad: line.flag("pad"))
        default: throw GFSError(.badRequest, "unknown verb \(line.verb); try HELP")
        }
    }

    /// The request's wire line.
    public var line: Line {
        switch self {
        case let .makeDirectory(path, parents): return Line("MKDIR", [path.string], fields: ["parents": parents ? "1" : nil])
        case let .create(path, replication, records):
            return Line("CREATE", [path.string], fields: ["replication": replication.map(String.init),
                                                          "records": records ? "1" : nil])
        case let .list(path, after, limit): return Line("LS", [path.string], fields: ["after": after, "limit": limit.map(String.init)])
        case let .stat(path): return Line("STAT", [path.string])
        case let .move(source, destination): return Line("MV", [source.string, destination.string])
        case let .remove(path, recursive): return Line("RM", [path.string], fields: ["recursive": recursive ? "1" : nil])
        case let .lookup(path, stale): return Line("LOOKUP", [path.string], fields: ["stale": stale ? "1" : nil])
        case let .allocate(path, index): return Line("ALLOCATE", [path.string], fields: ["index": String(index)])
        case let .lease(handle, path): return Line("LEASE", path.map { [$0.string] } ?? [], fields: ["handle": handle.description])
        case let .setSize(path, size, touch, handle):
            return Line("SETSIZE", [path.string], fields: ["size": String(size), "touch": touch ? "1" : nil,
                                                           "handle": handle?.description])
        case let .register(server, rack, capacity, free):
            return Line("REGISTER", fields: ["addr": server.description, "rack": rack.isEmpty ? nil : rack,
                                             "capacity": String(capacity), "free": String(free)])
        case let .heartbeat(server, free, leases):
            return Line("HEARTBEAT", fields: ["addr": server.description, "free": String(free),
                                              "leases": leases.isEmpty ? nil : leases.map(\.description).joined(separator: ",")])
        case let .corrupt(handle, server): return Line("CORRUPT", fields: ["handle": handle.description, "addr": server.description])
        case let .tail(from, shadow, wait, last):
            return Line("TAIL", fields: ["from": String(from), "addr": shadow?.description,
                                         "wait_ms": wait > 0 ? String(wait) : nil, "last": last.map { String($0) }])
        case .checkpoint: return Line("CHECKPOINT")
        case .promote: return Line("PROMOTE")
        case let .snapshot(source, destination): return Line("SNAPSHOT", [source.string, destination.string])
        case .status: return Line("STATUS")
        case .help: return Line("HELP")
        case let .report(server): return Line("REPORT", fields: ["addr": server.description])
        case let .leave(server): return Line("LEAVE", fields: ["addr": server.description])
        case let .drain(server, stop): return Line("DRAIN", fields: ["addr": server.description, "stop": stop ? "1" : nil])
        case let .tune(perServer, total, rate):
            return Line("TUNE", fields: ["clones_per_server": perServer.map(String.init), "clones_total": total.map(String.init),
                                         "clone_rate": rate.map(String.init)])
        case let .deleted(path): return Line("DELETED", [path.string])
        case let .undelete(path): return Line("UNDELETE", [path.string])
        case let .collectGarbage(all): return Line("GC", fields: ["all": all ? "1" : nil])
        case let .fsck(path, files, chunks, after, limit):
            return Line("FSCK", [path.string], fields: ["files": files ? "1" : nil, "chunks": chunks ? "1" : nil,
                                                       "after": after?.string, "limit": limit.map(String.init)])
        case let .setReplication(path, replication, recursive):
            return Line("SETREP", [path.string], fields: ["replication": String(replication),
                                                          "recursive": recursive ? "1" : nil])
        case let .usage(path, children): return Line("DU", [path.string], fields: ["children": children ? "1" : nil])
        case let .setQuota(path, files, bytes):
            return Line("SETQUOTA", [path.string], fields: ["files": files.map(String.init), "bytes": bytes.map(String.init)])
        case let .quotas(path): return Line("QUOTAS", [path.string])
        case let .truncate(path, size): return Line("TRUNCATE", [path.string], fields: ["size": String(size)])
        case let .concat(destination, sources, replication, pad):
            return Line("CONCAT", [destination.string] + sources.map(\.string),
                        fields: ["replication": replication.map(String.init), "pad": pad ? "1" : nil])
        }
    }

    /// Whether sending the request again after a lost reply does no harm: reads, and mutations whose second
    /// time changes nothing (ALLOCATE returns the chunk the first made, LEASE the lease it granted, SETSIZE
    /// only grows a file). A CREATE or MV repeated might be refused for what its first time did.
    public var isSafeToRepeat: Bool {
        switch self {
        case .allocate, .lease, .setSize, .setReplication, .setQuota: return true
        default: return !isMutation
        }
    }

    /// Whether the request reads the namespace or the chunk map: what a shadow answers only while it holds
    /// everything its primary has told it of.
    public var isNamespaceRead: Bool {
        switch self {
        case .list, .stat, .lookup, .deleted, .fsck, .usage, .quotas: return true
        default: return false
        }
    }

    /// Whether the request changes metadata (a read-only shadow master refuses these).
    public var isMutation: Bool {
        switch self {
        case .makeDirectory, .create, .move, .remove, .allocate, .lease, .setSize, .snapshot, .undelete, .collectGarbage,
            .drain, .tune, .setReplication, .concat, .setQuota, .truncate:
            return true
        default: return false
        }
    }
}
