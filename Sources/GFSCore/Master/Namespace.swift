import HashTreeCollections

/// The master's namespace: a lookup table from full path to metadata (GFS §4.1), plus each directory's
/// children so listings do not scan the whole table.
///
/// Pure data: every change comes through `Mutation`s applied by `MasterStateMachine`. The tables are
/// persistent trees, so a copy for a checkpoint costs nothing and later changes copy only the paths they touch.
public struct Namespace: Sendable {
    /// Whether an entry is a file or a directory.
    public enum Kind: String, Sendable { case file, directory }

    /// Metadata of one file or directory.
    public struct Entry: Sendable, Equatable {
        /// File or directory.
        public var kind: Kind
        /// The file's chunks in order; chunk `i` covers bytes `[i * chunkSize, (i + 1) * chunkSize)`.
        public var chunks: [ChunkHandle] = []
        /// The file's length in bytes, as reported by the clients that wrote it.
        public var length: Int64 = 0
        /// How many replicas each of the file's chunks should have.
        public var replication: Int = 0
        /// Whether the file holds framed records (GFS §2.7.2), so readers print records, not framing.
        public var records = false
        /// Last modification, milliseconds since the Unix epoch.
        public var modified: Int64
    }

    var entries: TreeDictionary<GFSPath, Entry>
    var children: TreeDictionary<GFSPath, Set<String>>

    /// A namespace holding only `/`.
    public init(now: Int64 = 0) {
        entries = [.root: Entry(kind: .directory, modified: now)]
        children = [.root: []]
    }

    /// The entry at `path`, if any.
    public subscript(path: GFSPath) -> Entry? { entries[path] }

    /// Number of files and directories, the root included.
    public var count: Int { entries.count }

    /// The names directly inside the directory `path`, sorted.
    public func childNames(of path: GFSPath) -> [String] { (children[path] ?? []).sorted() }

    /// Every path at or below `path`, parents before children.
    public func subtree(_ path: GFSPath) -> [GFSPath] {
        guard entries[path] != nil else { return [] }
        var result = [path]
        var index = 0
        while index < result.count {
            let current = result[index]
            for name in (children[current] ?? []).sorted() { result.append(current.appending(name)) }
            index += 1
        }
        return result
    }

    /// Checks that `path` could be created: it is absent and its parent is an existing directory.
    public func checkCreatable(_ path: GFSPath) throws(GFSError) {
        if entries[path] != nil { throw GFSError(.exists, "\(path): already exists") }
        guard let parent = entries[path.parent] else {
            throw GFSError(.notFound, "\(path.parent): no such directory")
        }
        guard parent.kind == .directory else { throw GFSError(.notDirectory, "\(path.parent): not a directory") }
    }

    // MARK: - Changes (called only from MasterStateMachine.apply)

    mutating func insert(_ path: GFSPath, _ entry: Entry) {
        precondition(entries[path] == nil && entries[path.parent]?.kind == .directory, "insert \(path)")
        entries[path] = entry
        children[path.parent, default: []].insert(path.name)
        if entry.kind == .directory { children[path] = [] }
        entries[path.parent]?.modified = entry.modified
    }

    /// Removes `path` and everything below it, returning the removed entries.
    mutating func remove(_ path: GFSPath, now: Int64) -> [Entry] {
        precondition(!path.isRoot, "the root cannot be removed")
        let removed = subtree(path).compactMap { entries.removeValue(forKey: $0) }
        for directory in subtree(path) { children.removeValue(forKey: directory) }
        children[path.parent]?.remove(path.name)
        entries[path.parent]?.modified = now
        return removed
    }

    mutating func move(_ source: GFSPath, to destination: GFSPath, now: Int64) {
        let paths = subtree(source)
        var moved: [(GFSPath, Entry)] = []
        for path in paths {
            if let entry = entries.removeValue(forKey: path) { moved.append((path, entry)) }
        }
        var movedChildren: [(GFSPath, Set<String>)] = []
        for path in paths {
            if let names = children.removeValue(forKey: path) { movedChildren.append((path, names)) }
        }
        for (path, entry) in moved { entries[path.replacingPrefix(source, with: destination)] = entry }
        for (path, names) in movedChildren { children[path.replacingPrefix(source, with: destination)] = names }
        children[source.parent]?.remove(source.name)
        children[destination.parent, default: []].insert(destination.name)
        entries[source.parent]?.modified = now
        entries[destination.parent]?.modified = now
    }

    mutating func update(_ path: GFSPath, _ change: (inout Entry) -> Void) {
        guard var entry = entries[path] else { preconditionFailure("update of missing \(path)") }
        change(&entry)
        entries[path] = entry
    }
}
