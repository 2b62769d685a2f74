import HashTreeCollections

/// What `STAT` and `LS` read: the namespace and which chunks are shared. Both are persistent hash trees, so a
/// view is a copy in O(1) that later mutations of the state do not touch: the master publishes one after each
/// durable commit and answers reads from it on the event loop, off the mutation path.
public struct ReadView: Sendable {
    public let namespace: Namespace
    /// References of the chunks more than one file holds (snapshots); every other chunk has one.
    let shared: TreeDictionary<ChunkHandle, Int>

    /// The entry at `path`, or NOTFOUND.
    public func stat(_ path: GFSPath) throws(GFSError) -> Namespace.Entry {
        guard let entry = namespace[path] else { throw GFSError(.notFound, "\(path): no such file or directory") }
        return entry
    }

    /// How many files share each of a file's chunks, at most (1 when nothing is shared).
    public func sharing(_ path: GFSPath) -> Int {
        guard !shared.isEmpty else { return 1 }
        return (namespace[path]?.chunks ?? []).map { shared[$0] ?? 1 }.max() ?? 1
    }

    /// A page of `LS`: the first `limit` children whose names sort after `after`, and the name to continue
    /// after if more follow (nil on the last page). A file is its own single page.
    public func list(_ path: GFSPath, after: String?, limit: Int)
        throws(GFSError) -> (entries: [(path: GFSPath, entry: Namespace.Entry)], next: String?) {
        let page = try listChildren(path, after: after, limit: limit)
        return (page.children.map { (page.directory.appending($0.name), $0.entry) }, page.next)
    }

    /// `list`, each entry named within its directory (no path built per entry): a file is the one child of
    /// its parent.
    public func listChildren(_ path: GFSPath, after: String?, limit: Int) throws(GFSError)
        -> (directory: GFSPath, children: [(name: String, entry: Namespace.Entry)], next: String?) {
        let entry = try stat(path)
        guard entry.kind == .directory else { return (path.parent, [(path.name, entry)], nil) }
        let hidden = path.isRoot ? Trash.folder.name : nil
        let page = namespace.children(of: path, after: after, limit: max(limit, 1), hiding: hidden)
        return (path, page.children, page.more ? page.children.last?.name : nil)
    }
}

extension MasterStateMachine {
    /// The state's reads as they are now.
    public var readView: ReadView { ReadView(namespace: namespace, shared: chunks.shared) }

    /// The entry at `path`, or NOTFOUND.
    public func stat(_ path: GFSPath) throws(GFSError) -> Namespace.Entry { try readView.stat(path) }

    /// How many files share each of a file's chunks, at most (1 when nothing is shared).
    public func sharing(_ path: GFSPath) -> Int { readView.sharing(path) }

    /// A directory's children with their entries, or the file itself when `path` is a file.
    public func list(_ path: GFSPath) throws(GFSError) -> [(path: GFSPath, entry: Namespace.Entry)] {
        try list(path, after: nil, limit: .max).entries
    }

    /// A page of `LS` (`ReadView.list`).
    public func list(_ path: GFSPath, after: String?, limit: Int)
        throws(GFSError) -> (entries: [(path: GFSPath, entry: Namespace.Entry)], next: String?) {
        try readView.list(path, after: after, limit: limit)
    }
}
