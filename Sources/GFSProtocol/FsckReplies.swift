import GFSCore

/// A `FILE` body line of an `FSCK` reply: a file and the status of its worst chunk.
public struct FsckFile: Sendable, Equatable {
    public var path: GFSPath
    public var status: ChunkCheck.Status
    public var size: Int64
    public var chunks: Int
    public var goal: Int

    public init(path: GFSPath, status: ChunkCheck.Status, size: Int64, chunks: Int, goal: Int) {
        self.path = path
        self.status = status
        self.size = size
        self.chunks = chunks
        self.goal = goal
    }

    public var line: Line {
        Line("FILE", [path.string], fields: ["status": status.rawValue, "size": String(size), "chunks": String(chunks),
                                             "goal": String(goal)])
    }

    public init(_ line: Line) throws(GFSError) {
        self.init(path: try line.path(0), status: try FsckChunk.status(line),
                  size: try line.requireInteger("size"), chunks: Int(try line.requireInteger("chunks", in: 0...Int64(Int32.max))),
                  goal: Int(try line.requireInteger("goal", in: 0...Int64(Int32.max))))
    }
}

/// A `CHUNK` body line of an `FSCK` reply: one chunk of a file and where its replicas stand.
public struct FsckChunk: Sendable, Equatable {
    public var path: GFSPath
    public var index: Int
    public var handle: ChunkHandle
    public var version: ChunkVersion
    public var status: ChunkCheck.Status
    public var goal: Int
    public var live: [ServerID]
    /// Replicas at an older version, and the version each holds.
    public var stale: [MasterStateMachine.StaleReplica]
    public var dead: [ServerID]
    public var resting: [ServerID]
    public var draining: [ServerID]
    public var corrupt: [ServerID]
    /// What the master does about it, in words.
    public var scheduled: String

    /// The line for `check` of the file at `path`.
    public init(path: GFSPath, check: ChunkCheck) {
        self.path = path
        index = check.index
        handle = check.handle
        version = check.version
        status = check.status
        goal = check.goal
        live = check.health.live
        stale = check.health.stale
        dead = check.health.dead
        resting = check.health.resting
        draining = check.health.draining
        corrupt = check.corrupt
        scheduled = check.scheduled
    }

    public var line: Line {
        func list(_ servers: [ServerID]) -> String? { servers.isEmpty ? nil : servers.map(\.description).joined(separator: ",") }
        return Line("CHUNK", [path.string], fields: [
            "index": String(index), "handle": handle.description, "version": String(version), "status": status.rawValue,
            "goal": String(goal), "live": list(live),
            "stale": stale.isEmpty ? nil : stale.map { "\($0.server)@v\($0.version)" }.joined(separator: ","),
            "dead": list(dead), "resting": list(resting), "draining": list(draining), "corrupt": list(corrupt),
            "scheduled": scheduled,
        ])
    }

    public init(_ line: Line) throws(GFSError) {
        path = try line.path(0)
        index = Int(try line.requireInteger("index", in: 0...Int64(Int32.max)))
        handle = try line.handle()
        version = UInt64(try line.requireInteger("version"))
        status = try Self.status(line)
        goal = Int(try line.requireInteger("goal", in: 0...Int64(Int32.max)))
        live = try line.servers("live")
        stale = []
        for item in (line["stale"] ?? "").split(separator: ",") {
            guard let at = item.lastIndex(of: "@"), let server = ServerID(item[..<at]),
                item[at...].hasPrefix("@v"), let version = UInt64(item[item.index(at, offsetBy: 2)...])
            else { throw GFSError(.badRequest, "CHUNK: bad stale replica \(item)") }
            stale.append(.init(server: server, version: version))
        }
        dead = try line.servers("dead")
        resting = try line.servers("resting")
        draining = try line.servers("draining")
        corrupt = try line.servers("corrupt")
        scheduled = line["scheduled"] ?? ""
    }

    static func status(_ line: Line) throws(GFSError) -> ChunkCheck.Status {
        let text = try line.require("status")
        guard let status = ChunkCheck.Status(rawValue: text) else { throw GFSError(.badRequest, "\(line.verb): bad status \(text)") }
        return status
    }
}

/// The `FSCK` reply: one page's totals, the files and chunks asked for (or in trouble), and where the next
/// page starts if one follows.
public struct FsckReply: ReplyMessage, Equatable {
    /// A body line.
    public enum Item: Sendable, Equatable {
        case file(FsckFile)
        case chunk(FsckChunk)

        public var line: Line {
            switch self {
            case let .file(file): return file.line
            case let .chunk(chunk): return chunk.line
            }
        }
    }

    public var summary: FsckSummary
    public var items: [Item]
    /// The last path this page checked, when more follow: the next page's `after=`.
    public var next: GFSPath?

    public init(summary: FsckSummary, items: [Item], next: GFSPath? = nil) {
        self.summary = summary
        self.items = items
        self.next = next
    }

    /// The totals as `gfs fsck` prints them, in wire order.
    public var fields: [Line.Field] {
        let s = summary
        return [.init("status", s.isHealthy ? "healthy" : "unhealthy"), .init("files", String(s.files)),
                .init("directories", String(s.directories)), .init("bytes", String(s.bytes)), .init("chunks", String(s.chunks)),
                .init("healthy", String(s.healthy)), .init("under", String(s.underReplicated)), .init("missing", String(s.missing)),
                .init("stale_only", String(s.staleOnly)), .init("stale", String(s.stale)), .init("corrupt", String(s.corrupt)),
                .init("goal_replicas", String(s.goalReplicas)), .init("live_replicas", String(s.liveReplicas))]
    }

    public var reply: Reply { .ok(fields + (next.map { [Line.Field("next", $0.string)] } ?? []), body: items.map(\.line)) }

    public init(_ reply: Reply) throws(GFSError) {
        let line = reply.line
        func count(_ key: String) throws(GFSError) -> Int { Int(try line.requireInteger(key, in: 0...Int64(Int32.max))) }
        var summary = FsckSummary()
        summary.files = try count("files")
        summary.directories = try count("directories")
        summary.bytes = try line.requireInteger("bytes")
        summary.chunks = try count("chunks")
        summary.healthy = try count("healthy")
        summary.underReplicated = try count("under")
        summary.missing = try count("missing")
        summary.staleOnly = try count("stale_only")
        summary.stale = try count("stale")
        summary.corrupt = try count("corrupt")
        summary.goalReplicas = try count("goal_replicas")
        summary.liveReplicas = try count("live_replicas")
        var items: [Item] = []
        for body in reply.body {
            switch body.verb {
            case "FILE": items.append(.file(try FsckFile(body)))
            case "CHUNK": items.append(.chunk(try FsckChunk(body)))
            default: throw GFSError(.badRequest, "FSCK: unexpected \(body.verb) line")
            }
        }
        self.init(summary: summary, items: items, next: try line.optionalPath("next"))
    }
}

/// A `DELETED` body line: an entry in the trash, where it was and when it was deleted.
public struct DeletedInfo: Sendable, Equatable {
    public var original: GFSPath
    /// Unix milliseconds.
    public var deletedAt: Int64
    public var kind: Namespace.Kind
    public var size: Int64

    public init(_ entry: DeletedEntry) {
        original = entry.original
        deletedAt = entry.deletedAt
        kind = entry.entry.kind
        size = entry.entry.length
    }

    public var line: Line {
        Line("DELETED", [original.string], fields: [
            "deleted_ms": String(deletedAt), "type": kind.rawValue, "size": String(size),
        ])
    }

    public init(_ line: Line) throws(GFSError) {
        original = try line.path(0)
        deletedAt = try line.requireInteger("deleted_ms", in: Int64.min...Int64.max)
        let type = try line.require("type")
        guard let kind = Namespace.Kind(rawValue: type) else { throw GFSError(.badRequest, "DELETED: bad type \(type)") }
        self.kind = kind
        size = try line.requireInteger("size")
    }
}

/// The `DELETED` reply.
public struct DeletedListing: ReplyMessage, Equatable {
    public var entries: [DeletedInfo]

    public init(_ entries: [DeletedInfo]) { self.entries = entries }

    public var reply: Reply { .ok(body: entries.map(\.line)) }

    public init(_ reply: Reply) throws(GFSError) {
        var entries: [DeletedInfo] = []
        for line in reply.body { entries.append(try DeletedInfo(line)) }
        self.init(entries)
    }
}
