import GFSCore

/// The `DU` reply: what a path holds, and with `children=1` a `USAGE path files= dirs= bytes= space=` line
/// per entry directly inside it.
public struct UsageReply: ReplyMessage, Equatable {
    public var usage: MasterStateMachine.Usage
    public var children: [(path: GFSPath, usage: MasterStateMachine.Usage)]

    public init(usage: MasterStateMachine.Usage, children: [(path: GFSPath, usage: MasterStateMachine.Usage)] = []) {
        self.usage = usage
        self.children = children
    }

    static func fields(_ usage: MasterStateMachine.Usage) -> [Line.Field] {
        [.init("files", String(usage.files)), .init("dirs", String(usage.directories)), .init("bytes", String(usage.bytes)),
         .init("space", String(usage.space))]
    }

    static func usage(_ line: Line) throws(GFSError) -> MasterStateMachine.Usage {
        var usage = MasterStateMachine.Usage()
        usage.files = Int(try line.requireInteger("files", in: 0...Int64(Int32.max)))
        usage.directories = Int(try line.requireInteger("dirs", in: 0...Int64(Int32.max)))
        usage.bytes = try line.requireInteger("bytes", in: 0...Int64.max)
        usage.space = try line.requireInteger("space", in: 0...Int64.max)
        return usage
    }

    public var reply: Reply {
        .ok(Self.fields(usage), body: children.map { Line("USAGE", [$0.path.string], Self.fields($0.usage)) })
    }

    public init(_ reply: Reply) throws(GFSError) {
        var children: [(GFSPath, MasterStateMachine.Usage)] = []
        for line in reply.body {
            guard line.verb == "USAGE" else { throw GFSError(.badRequest, "DU: unexpected \(line.verb) line") }
            children.append((try line.path(0), try Self.usage(line)))
        }
        self.init(usage: try Self.usage(reply.line), children: children)
    }

    public static func == (left: UsageReply, right: UsageReply) -> Bool {
        left.usage == right.usage && left.children.elementsEqual(right.children) { $0.path == $1.path && $0.usage == $1.usage }
    }
}

/// The `SETREP` reply: how many files' goals changed.
public struct SetReplicationReply: ReplyMessage, Equatable {
    public var files: Int

    public init(files: Int) { self.files = files }

    public var reply: Reply { .ok([.init("files", String(files))]) }

    public init(_ reply: Reply) throws(GFSError) {
        files = Int(try reply.line.requireInteger("files", in: 0...Int64(Int32.max)))
    }
}

/// The `CHECKSUM` reply: a replica prefix's CRC32C (8 hex digits) and its length.
public struct ChecksumReply: ReplyMessage, Equatable {
    public var crc: UInt32
    public var length: Int64

    public init(crc: UInt32, length: Int64) {
        self.crc = crc
        self.length = length
    }

    /// 8 lower-case hex digits.
    public static func hex(_ crc: UInt32) -> String {
        let digits = String(crc, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    public var reply: Reply { .ok([.init("crc", Self.hex(crc)), .init("length", String(length))]) }

    public init(_ reply: Reply) throws(GFSError) {
        guard let crc = UInt32(try reply.line.require("crc"), radix: 16) else {
            throw GFSError(.badRequest, "CHECKSUM: crc= is not 8 hex digits")
        }
        self.init(crc: crc, length: try reply.line.requireInteger("length", in: 0...Int64.max))
    }
}

/// The `QUOTAS` reply: a `QUOTA path [files=N] [bytes=N] used_files=N used_bytes=N` line per directory with a
/// quota (a limit left out is none).
public struct QuotasReply: ReplyMessage, Equatable {
    public struct Item: Sendable, Equatable {
        public var path: GFSPath
        public var quota: DirectoryQuota

        public init(path: GFSPath, quota: DirectoryQuota) {
            self.path = path
            self.quota = quota
        }
    }

    public var items: [Item]

    public init(_ items: [Item]) { self.items = items }

    public var reply: Reply {
        .ok(body: items.map { item in
            Line("QUOTA", [item.path.string], fields: [
                "files": item.quota.files.map(String.init), "bytes": item.quota.bytes.map(String.init),
                "used_files": String(item.quota.usedFiles), "used_bytes": String(item.quota.usedBytes),
            ])
        })
    }

    public init(_ reply: Reply) throws(GFSError) {
        var items: [Item] = []
        for line in reply.body {
            guard line.verb == "QUOTA" else { throw GFSError(.badRequest, "QUOTAS: unexpected \(line.verb) line") }
            items.append(Item(path: try line.path(0), quota: DirectoryQuota(
                files: try line.integer("files", in: 0...Int64.max), bytes: try line.integer("bytes", in: 0...Int64.max),
                usedFiles: try line.requireInteger("used_files"), usedBytes: try line.requireInteger("used_bytes"))))
        }
        self.init(items)
    }
}

/// The `LOCAL` reply: the replica's length, the abstract Unix socket (on this machine) that hands out its
/// files, a ticket good for one `OPEN` there, and the proof that socket answers with (so a reader can tell the
/// chunkserver's socket from another process's under the same name). The reader gets the files open rather
/// than their paths, so it needs no right to the chunkserver's folder and learns nothing of its layout.
public struct LocalReply: ReplyMessage, Equatable {
    /// The name of the chunkserver's descriptor socket in the abstract namespace (no leading NUL): the prefix
    /// and a random name, nothing else, so a reply cannot point a reader at another service on its machine.
    public var socket: String
    public static let socketPrefix = "gfs-chunkserver-"
    public var ticket: LocalTickets.Ticket
    public var proof: RandomName
    public var length: Int64

    public init(socket: String, ticket: LocalTickets.Ticket, proof: RandomName, length: Int64) {
        self.socket = socket
        self.ticket = ticket
        self.proof = proof
        self.length = length
    }

    public var reply: Reply {
        .ok([.init("socket", socket), .init("ticket", ticket.description), .init("proof", proof.description),
             .init("length", String(length))])
    }

    public init(_ reply: Reply) throws(GFSError) {
        let socket = try reply.line.require("socket")
        guard socket.hasPrefix(Self.socketPrefix), RandomName(String(socket.dropFirst(Self.socketPrefix.count))) != nil else {
            throw GFSError(.badRequest, "LOCAL: socket= is not a chunkserver's descriptor socket")
        }
        self.init(socket: socket, ticket: try reply.line.randomName("ticket"), proof: try reply.line.randomName("proof"),
                  length: try reply.line.requireInteger("length", in: 0...Limits.maximumChunkBytes))
    }
}

/// `OPEN`'s reply, on a descriptor socket: the proof `LOCAL` named, with the replica's files attached.
public struct OpenReply: ReplyMessage, Equatable {
    public var proof: RandomName

    public init(proof: RandomName) { self.proof = proof }

    public var reply: Reply { .ok([.init("proof", proof.description)]) }

    public init(_ reply: Reply) throws(GFSError) { self.init(proof: try reply.line.randomName("proof")) }
}
