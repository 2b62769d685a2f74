/// Lazy deletion (GFS §4.4.1): `rm` renames a file or tree into `/.trash` under a name that records its
/// original path and the deletion time. It can be restored until the grace period ends; then the namespace
/// scan removes it and its chunks become garbage. Removing it again purges it at once (§4.4.2).
public enum Trash {
    /// The hidden directory holding deleted entries.
    public static let folder = GFSPath(components: [".trash"])

    /// The hidden name of `path` deleted at `milliseconds`: the time, then the path with `%` and `/` escaped,
    /// so the name is one path component that sorts by deletion time.
    static func name(for path: GFSPath, at milliseconds: Int64) -> String {
        var escaped = ""
        for character in path.string {
            switch character {
            case "%": escaped += "%25"
            case "/": escaped += "%2F"
            default: escaped.append(character)
            }
        }
        return String(milliseconds) + escaped
    }

    /// The original path and deletion time a hidden name records, or nil for a name that is not one.
    public static func parse(_ name: String) -> (original: GFSPath, deletedAt: Int64)? {
        let digits = name.prefix { $0.isASCII && $0.isNumber }
        guard let milliseconds = Int64(digits) else { return nil }
        var original = ""
        var rest = name.dropFirst(digits.count)[...]
        while let character = rest.first {
            if rest.hasPrefix("%2F") {
                original += "/"
                rest = rest.dropFirst(3)
            } else if rest.hasPrefix("%25") {
                original += "%"
                rest = rest.dropFirst(3)
            } else {
                original.append(character)
                rest = rest.dropFirst()
            }
        }
        guard let path = GFSPath(absolute: original) else { return nil }
        return (path, milliseconds)
    }
}

extension GFSPath {
    /// Whether this is the trash or lies inside it.
    public var isInTrash: Bool { self == Trash.folder || isDescendant(of: Trash.folder) }
}

/// One deleted file or tree, as `ls --deleted` shows it.
public struct DeletedEntry: Sendable, Equatable {
    /// Where it was.
    public var original: GFSPath
    /// When it was deleted (Unix milliseconds).
    public var deletedAt: Int64
    /// Where it is now, in the trash.
    public var hidden: GFSPath
    /// What it is.
    public var entry: Namespace.Entry

    public init(original: GFSPath, deletedAt: Int64, hidden: GFSPath, entry: Namespace.Entry) {
        self.original = original
        self.deletedAt = deletedAt
        self.hidden = hidden
        self.entry = entry
    }
}

/// What one garbage-collection pass reclaimed.
public struct CollectionSummary: Sendable, Equatable {
    /// Deleted files and trees removed for good.
    public var purged = 0
    /// Bytes in the files purged.
    public var bytes: Int64 = 0
    /// Chunks no file refers to any more.
    public var chunks = 0
    /// Replicas chunkservers have been told to delete and not yet confirmed.
    public var replicasToDelete = 0

    /// An empty summary.
    public init() {}
}

extension MasterStateMachine {
    /// Validates `rm`: the entry moves to the trash. A path that no longer exists but has deleted copies is
    /// purged instead (§4.4.2: deleting a deleted file again reclaims its storage at once); `purged` counts
    /// the deleted entries removed for good.
    public mutating func delete(_ path: GFSPath, recursive: Bool) throws(GFSError) -> (mutations: [Mutation], purged: Int) {
        if path.isInTrash {
            guard path != Trash.folder else { throw GFSError(.badRequest, "\(path) holds deleted files; use gfs gc") }
            return ([try remove(path, recursive: true)], 1)
        }
        guard namespace[path] != nil else {
            let copies = deleted(under: path).filter { $0.original == path }
            guard !copies.isEmpty else { throw GFSError(.notFound, "\(path): no such file or directory") }
            let mutations = copies.map { Mutation.remove($0.hidden, modified: clock.wallMilliseconds) }
            for mutation in mutations { apply(mutation) }
            return (mutations, mutations.count)
        }
        try checkRemovable(path, recursive: recursive)
        var now = clock.wallMilliseconds
        while namespace[Trash.folder.appending(Trash.name(for: path, at: now))] != nil { now += 1 }
        let mutation = Mutation.move(path, to: Trash.folder.appending(Trash.name(for: path, at: now)), modified: now)
        apply(mutation)
        return ([mutation], 0)
    }

    /// Deleted entries whose original path is `prefix` or lies under it, newest first.
    public func deleted(under prefix: GFSPath) -> [DeletedEntry] {
        namespace.childNames(of: Trash.folder).reversed().compactMap { name in
            guard let (original, time) = Trash.parse(name), original == prefix || original.isDescendant(of: prefix),
                let entry = namespace[Trash.folder.appending(name)]
            else { return nil }
            return DeletedEntry(original: original, deletedAt: time, hidden: Trash.folder.appending(name), entry: entry)
        }
    }

    /// `UNDELETE`: the newest deleted copy of `path` goes back where it was.
    public mutating func undelete(_ path: GFSPath) throws(GFSError) -> Mutation {
        guard let newest = deleted(under: path).first(where: { $0.original == path }) else {
            throw GFSError(.notFound, "\(path): nothing deleted there within the grace period")
        }
        try namespace.checkCreatable(path)
        let mutation = Mutation.move(newest.hidden, to: path, modified: clock.wallMilliseconds)
        try checkQuota(for: mutation)
        apply(mutation)
        return mutation
    }

    /// The namespace scan (§4.4.1): deleted entries older than the grace period (all of them with
    /// `everything`), removed for good; their chunks are forgotten with their last reference.
    public mutating func collectGarbage(everything: Bool) -> (mutations: [Mutation], summary: CollectionSummary) {
        let cutoff = clock.wallMilliseconds - configuration.deletedGrace.milliseconds
        var summary = CollectionSummary()
        var mutations: [Mutation] = []
        let chunksBefore = chunks.count
        for item in deleted(under: .root) where everything || item.deletedAt <= cutoff {
            summary.purged += 1
            summary.bytes += namespace.subtree(item.hidden).reduce(0) { $0 + (namespace[$1]?.length ?? 0) }
            let mutation = Mutation.remove(item.hidden, modified: clock.wallMilliseconds)
            apply(mutation)
            mutations.append(mutation)
        }
        summary.chunks = chunksBefore - chunks.count
        summary.replicasToDelete = pendingDeletes.values.reduce(0) { $0 + $1.count }
        return (mutations, summary)
    }
}
