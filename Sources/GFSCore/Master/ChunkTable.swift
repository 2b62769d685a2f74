import HashTreeCollections

/// Every chunk the master knows, by handle, and two things kept up to date as it changes so that the repair
/// planner need not walk it all each pass: the chunks written since the planner last looked, and the chunks
/// each server holds a replica of.
public struct ChunkTable: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: ChunkHandle, value: ChunkInfo)

    private var table: TreeDictionary<ChunkHandle, ChunkInfo> = [:]
    /// Chunks written since `takeChanged()`.
    private var changed: Set<ChunkHandle> = []
    /// The chunks each server holds a replica of, whatever its version.
    private var byServer: [ServerID: Set<ChunkHandle>] = [:]

    public init() {}

    public init(dictionaryLiteral elements: (ChunkHandle, ChunkInfo)...) {
        for (handle, info) in elements { self[handle] = info }
    }

    public subscript(handle: ChunkHandle) -> ChunkInfo? {
        get { table[handle] }
        _modify {
            // Only the servers are kept, not the replica map itself: a second reference to it would make the
            // caller's change copy it.
            let before = table[handle].map { Array($0.replicas.keys) } ?? []
            defer {
                changed.insert(handle)
                index(handle, before: before, after: table[handle]?.replicas)
            }
            yield &table[handle]
        }
    }

    @discardableResult
    public mutating func removeValue(forKey handle: ChunkHandle) -> ChunkInfo? {
        guard let info = table.removeValue(forKey: handle) else { return nil }
        changed.remove(handle)
        index(handle, before: Array(info.replicas.keys), after: nil)
        return info
    }

    public var count: Int { table.count }
    public var isEmpty: Bool { table.isEmpty }
    public var keys: TreeDictionary<ChunkHandle, ChunkInfo>.Keys { table.keys }
    public var values: TreeDictionary<ChunkHandle, ChunkInfo>.Values { table.values }
    public func makeIterator() -> TreeDictionary<ChunkHandle, ChunkInfo>.Iterator { table.makeIterator() }

    /// The chunks `server` holds a replica of.
    public func handles(on server: ServerID) -> Set<ChunkHandle> { byServer[server] ?? [] }

    /// How many replicas `server` holds.
    public func replicaCount(on server: ServerID) -> Int { byServer[server]?.count ?? 0 }

    /// Replicas per server.
    public var replicaCounts: [ServerID: Int] { byServer.mapValues(\.count) }

    /// The chunks written since the last call, forgotten as they are handed over.
    mutating func takeChanged() -> Set<ChunkHandle> {
        defer { changed = [] }
        return changed
    }

    private mutating func index(_ handle: ChunkHandle, before: [ServerID], after: [ServerID: ChunkVersion]?) {
        for server in before where after?[server] == nil {
            byServer[server]?.remove(handle)
            if byServer[server]?.isEmpty == true { byServer[server] = nil }
        }
        guard let after else { return }
        for server in after.keys where !before.contains(server) { byServer[server, default: []].insert(handle) }
    }
}
