import HashTreeCollections
import HeapModule

/// The master's namespace (GFS §4.1): each directory's table of names, keyed by the directory's full path.
/// A file is stored once, under its name in its parent's table, so the memory per file is its name (inline
/// when 15 bytes or shorter), its entry and the trees' small overhead (GFS §2.6.1: under 64 bytes per file
/// with prefix compression); finding a path costs one lookup of the parent plus one of the name.
///
/// Pure data: every change comes through `Mutation`s applied by `MasterStateMachine`. The tables are
/// persistent trees, so a copy for a checkpoint costs nothing and later changes copy only the paths they touch.
public struct Namespace: Sendable {
    /// Whether an entry is a file or a directory.
    public enum Kind: String, Sendable { case file, directory }

    /// Metadata of one file or directory, packed (the small fields last) since there is one per file.
    public struct Entry: Sendable, Equatable {
        /// The file's chunks in order; chunk `i` covers bytes `[i * chunkSize, (i + 1) * chunkSize)`.
        public var chunks: [ChunkHandle]
        /// The file's length in bytes, as reported by the clients that wrote it.
        public var length: Int64
        /// Last modification, milliseconds since the Unix epoch.
        public var modified: Int64
        private var storedReplication: UInt8
        /// File or directory.
        public var kind: Kind
        /// Whether the file holds framed records (GFS §2.7.2), so readers print records, not framing.
        public var records: Bool

        /// How many replicas each of the file's chunks should have (at most 255).
        public var replication: Int {
            get { Int(storedReplication) }
            set { storedReplication = UInt8(clamping: newValue) }
        }

        /// An entry.
        public init(kind: Kind, chunks: [ChunkHandle] = [], length: Int64 = 0, replication: Int = 0,
                    records: Bool = false, modified: Int64) {
            self.chunks = chunks
            self.length = length
            self.modified = modified
            self.storedReplication = UInt8(clamping: replication)
            self.kind = kind
            self.records = records
        }
    }

    private var root: Entry
    /// Every directory's children by name; a directory with no children still has an (empty) table.
    private var directories: TreeDictionary<GFSPath, TreeDictionary<String, Entry>>
    /// Number of files and directories, the root included.
    public private(set) var count = 1

    /// A namespace holding only `/`.
    public init(now: Int64 = 0) {
        root = Entry(kind: .directory, modified: now)
        directories = [.root: [:]]
    }

    /// The entry at `path`, if any.
    public subscript(path: GFSPath) -> Entry? {
        path.isRoot ? root : directories[path.parent]?[path.name]
    }

    /// How many entries the directory `path` holds (0 for a file or a missing path), in O(1).
    public func childCount(of path: GFSPath) -> Int { directories[path]?.count ?? 0 }

    /// The names directly inside the directory `path`, sorted.
    public func childNames(of path: GFSPath) -> [String] { directories[path]?.keys.sorted() ?? [] }

    /// A page of the names inside the directory `path`: the first `limit` that sort after `after`, sorted, and
    /// whether more follow. A page costs one pass over the directory and a heap of `limit` names, not a sort of
    /// the whole directory, so paging through a million names does not sort them a hundred times.
    /// `hiding` is a name left out as if absent (the trash folder at the root).
    public func childNames(of path: GFSPath, after: String?, limit: Int, hiding: String? = nil)
        -> (names: [String], more: Bool) {
        let page = children(of: path, after: after, limit: limit, hiding: hiding)
        return (page.children.map(\.name), page.more)
    }

    /// A page of the directory `path` as `childNames` picks it, each name with its entry, read from the one
    /// table (an `LS` then looks up no path).
    public func children(of path: GFSPath, after: String?, limit: Int, hiding: String? = nil)
        -> (children: [(name: String, entry: Entry)], more: Bool) {
        guard let children = directories[path] else { return ([], false) }
        func wanted(_ name: String) -> Bool { name != hiding && after.map { name > $0 } ?? true }
        if children.count <= limit {
            // The whole directory fits (most do): its pairs are taken as they lie and sorted, no heap, no lookup.
            // Positions are sorted, not the pairs (a name and an entry, 48 bytes, moved at every step).
            var names: [String] = [], entries: [Entry] = []
            names.reserveCapacity(children.count)
            entries.reserveCapacity(children.count)
            for (name, entry) in children where wanted(name) {
                names.append(name)
                entries.append(entry)
            }
            var order = Array(names.indices)
            names.withUnsafeBufferPointer { names in order.sort { names[$0] < names[$1] } }
            return (order.map { (names[$0], entries[$0]) }, false)
        }
        var smallest = Heap<String>()
        var more = false
        for name in children.keys where wanted(name) {
            guard smallest.count >= limit else {
                smallest.insert(name)
                continue
            }
            more = true
            if let largest = smallest.max, name < largest {
                smallest.replaceMax(with: name)
            }
        }
        return (smallest.unordered.sorted().compactMap { name in children[name].map { (name, $0) } }, more)
    }

    /// Every path at or below `path`, parents before children.
    public func subtree(_ path: GFSPath) -> [GFSPath] {
        guard self[path] != nil else { return [] }
        var result = [path]
        var index = 0
        while index < result.count {
            let current = result[index]
            for name in childNames(of: current) { result.append(current.appending(name)) }
            index += 1
        }
        return result
    }

    /// Checks that `path` could be created: it is absent and its parent is an existing directory.
    /// Exactly the directories have a table of children, so one lookup answers the common case.
    public func checkCreatable(_ path: GFSPath) throws(GFSError) {
        let parentPath = path.parent
        if !path.isRoot, let children = directories[parentPath] {
            if children[path.name] != nil { throw GFSError(.exists, "\(path): already exists") }
            return
        }
        if self[path] != nil { throw GFSError(.exists, "\(path): already exists") }
        guard let parent = self[parentPath] else {
            throw GFSError(.notFound, "\(parentPath): no such directory")
        }
        guard parent.kind == .directory else { throw GFSError(.notDirectory, "\(parentPath): not a directory") }
    }

    // MARK: - Changes (called only from MasterStateMachine.apply)

    mutating func insert(_ path: GFSPath, _ entry: Entry) {
        let parent = path.parent
        // One lookup both checks and inserts: the parent must be a directory (it has a table of children),
        // and the name must be new in it.
        let inserted = path.isRoot ? nil : directories[parent]?.insertNew(entry, at: path.name)
        precondition(inserted == true, "insert \(path)")
        if entry.kind == .directory { directories[path] = [:] }
        touch(parent, entry.modified)
        count += 1
    }

    /// Removes `path` and everything below it, returning the removed entries.
    mutating func remove(_ path: GFSPath, now: Int64) -> [Entry] {
        precondition(!path.isRoot, "the root cannot be removed")
        let paths = subtree(path)
        let removed = paths.compactMap { self[$0] }
        for directory in paths { directories.removeValue(forKey: directory) }
        directories[path.parent]?.removeValue(forKey: path.name)
        touch(path.parent, now)
        count -= removed.count
        return removed
    }

    mutating func move(_ source: GFSPath, to destination: GFSPath, now: Int64) {
        guard let entry = self[source] else { preconditionFailure("move of missing \(source)") }
        var moved: [(GFSPath, TreeDictionary<String, Entry>)] = []
        for path in subtree(source) {
            if let names = directories.removeValue(forKey: path) { moved.append((path, names)) }
        }
        directories[source.parent]?.removeValue(forKey: source.name)
        for (path, names) in moved { directories[path.replacingPrefix(source, with: destination)] = names }
        directories[destination.parent, default: [:]][destination.name] = entry
        touch(source.parent, now)
        touch(destination.parent, now)
    }

    mutating func update(_ path: GFSPath, _ change: (inout Entry) -> Void) {
        if path.isRoot { return change(&root) }
        guard var entry = self[path] else { preconditionFailure("update of missing \(path)") }
        change(&entry)
        directories[path.parent]?[path.name] = entry
    }

    /// Sets a directory's modification time.
    private mutating func touch(_ directory: GFSPath, _ modified: Int64) {
        if directory.isRoot {
            root.modified = modified
            return
        }
        let (parent, name) = (directory.parent, directory.name)
        // Changes come many to a millisecond, mostly in one directory: reading both tables is cheaper than
        // writing through them, which took a quarter of a log replay.
        guard directories[parent]?[name]?.modified != modified else { return }
        directories[parent]?[name]?.modified = modified
    }

    /// A namespace rebuilt from entries listed parents first. A checkpoint lists a directory's children
    /// together: they are gathered in a table held alone, changed in place, and stored once, rather than
    /// written one by one through the table of every directory (most of a restart's time).
    struct Restorer: Sendable {
        private var namespace = Namespace()
        private var parent = GFSPath.root
        private var children: TreeDictionary<String, Entry> = [:]

        init() { children = namespace.directories.removeValue(forKey: parent) ?? [:] }

        mutating func add(_ path: GFSPath, _ entry: Entry) {
            if path.isRoot {
                namespace.root = entry
                return
            }
            if !path.isChild(of: parent) {
                namespace.directories[parent] = children
                parent = path.parent
                children = namespace.directories.removeValue(forKey: parent) ?? [:]
            }
            children[path.name] = entry
            if entry.kind == .directory, namespace.directories[path] == nil { namespace.directories[path] = [:] }
            namespace.count += 1
        }

        func finish() -> Namespace {
            var namespace = self.namespace
            namespace.directories[parent] = children
            return namespace
        }
    }
}

extension TreeDictionary {
    /// Stores `value` at `key`; whether the key was new.
    fileprivate mutating func insertNew(_ value: Value, at key: Key) -> Bool {
        updateValue(value, forKey: key) == nil
    }
}
