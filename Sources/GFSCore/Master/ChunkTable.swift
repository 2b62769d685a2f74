import HashTreeCollections

/// Every chunk the master knows, by handle, and what the repair planner needs so that it need not walk it all
/// each pass: the chunks written since the planner last looked, and how many replicas each server holds.
///
/// A chunk is kept in 26 bytes (`PackedChunk` and its place in a `ChunkPage`), so that 10 million of them fit
/// the GFS paper's 64 bytes per chunk with the file's list of handles: servers are numbered, and each replica's
/// version is kept as its distance from the chunk's. A chunk that does not fit (more than three replicas, a
/// replica far behind or ahead, a goal above 255) is kept whole in `spilled` instead; that is rare, and only
/// the space differs.
public struct ChunkTable: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: ChunkHandle, value: ChunkInfo)

    /// The chunks by handle, in pages of handles that differ only in their low bits: handles are issued in
    /// order, so a page fills up, and a page costs two array headers and a key, not a hash-tree node per chunk.
    private var pages: [UInt64: ChunkPage] = [:]
    public private(set) var count = 0
    /// The chunks whose packed record is only a marker.
    private var spilled: [ChunkHandle: ChunkInfo] = [:]
    /// Chunks written since `takeChanged()`.
    private var changed: Set<ChunkHandle> = []
    /// Replicas per server, whatever their version.
    private var counts: [ServerID: Int] = [:]
    private var numbers = ServerNumbers()
    /// References of the chunks more than one file holds, apart: `ReadView` keeps them, and a persistent
    /// tree of the few shared chunks costs a view nothing to copy.
    public private(set) var shared: TreeDictionary<ChunkHandle, Int> = [:]

    public init() {}

    public init(dictionaryLiteral elements: (ChunkHandle, ChunkInfo)...) {
        for (handle, info) in elements { self[handle] = info }
    }

    public subscript(handle: ChunkHandle) -> ChunkInfo? {
        get { packed(handle).map { unpack($0, handle) } }
        set {
            changed.insert(handle)
            store(newValue, at: handle)
        }
    }

    /// A chunk's version, without unpacking its replicas (checkpoints read one per chunk).
    public func version(_ handle: ChunkHandle) -> ChunkVersion? {
        guard let packed = packed(handle) else { return nil }
        return packed.isSpilled ? spilled[handle]?.version : packed.version
    }

    @discardableResult
    public mutating func removeValue(forKey handle: ChunkHandle) -> ChunkInfo? {
        guard let info = self[handle] else { return nil }
        store(nil, at: handle)
        changed.remove(handle)
        return info
    }

    public var isEmpty: Bool { count == 0 }

    /// Every handle, without unpacking the chunks.
    public var keys: LazyMapSequence<PackedEntries, ChunkHandle> { PackedEntries(pages: pages).lazy.map(\.handle) }

    public func makeIterator() -> Iterator { Iterator(base: PackedEntries(pages: pages).makeIterator(), table: self) }

    public struct Iterator: IteratorProtocol {
        var base: PackedEntries.Iterator
        let table: ChunkTable

        public mutating func next() -> Element? {
            guard let (handle, packed) = base.next() else { return nil }
            return (handle, table.unpack(packed, handle))
        }
    }

    /// Every chunk as stored, page after page.
    public struct PackedEntries: Sequence {
        let pages: [UInt64: ChunkPage]

        public func makeIterator() -> Iterator { Iterator(pages: pages.makeIterator()) }

        public struct Iterator: IteratorProtocol {
            var pages: [UInt64: ChunkPage].Iterator
            var page: (key: UInt64, value: ChunkPage)?
            var index = 0

            public mutating func next() -> (handle: ChunkHandle, packed: PackedChunk)? {
                while page == nil || index == page?.value.offsets.count {
                    guard let next = pages.next() else { return nil }
                    (page, index) = (next, 0)
                }
                guard let (key, value) = page else { return nil }
                defer { index += 1 }
                return (ChunkPage.handle(key, value.offsets[index]), value.chunks[index])
            }
        }
    }

    /// The chunks `server` holds a replica of. It walks the table, as an index per server would cost more
    /// memory than the chunks themselves: the planner asks when a server's standing changes (once for all that
    /// changed), a full report asks only when it lacks replicas the table credits, and rebalancing asks once a
    /// pass while servers are uneven.
    public func handles(on server: ServerID) -> Set<ChunkHandle> { handles(on: [server]) }

    /// The chunks any of `servers` holds a replica of, in one walk.
    public func handles(on servers: Set<ServerID>) -> Set<ChunkHandle> {
        let wanted = Set(servers.filter { counts[$0] != nil }.compactMap { numbers.number(of: $0) })
        var found = Set<ChunkHandle>(minimumCapacity: servers.reduce(0) { $0 + (counts[$1] ?? 0) })
        if !wanted.isEmpty {
            for (handle, packed) in PackedEntries(pages: pages) where !packed.isSpilled {
                for slot in 0..<PackedChunk.slots where wanted.contains(packed.server(slot)) {
                    found.insert(handle)
                    break
                }
            }
        }
        for (handle, info) in spilled where info.replicas.keys.contains(where: servers.contains) { found.insert(handle) }
        return found
    }

    /// Whether the table has a replica of `handle` on `server`, without unpacking the chunk.
    public func holds(_ handle: ChunkHandle, on server: ServerID) -> Bool {
        guard let packed = packed(handle) else { return false }
        if packed.isSpilled { return spilled[handle]?.replicas[server] != nil }
        return numbers.number(of: server).map(packed.holds) ?? false
    }

    /// How many replicas `server` holds.
    public func replicaCount(on server: ServerID) -> Int { counts[server] ?? 0 }

    /// Replicas per server.
    public var replicaCounts: [ServerID: Int] { counts }

    /// The chunks written since the last call, forgotten as they are handed over.
    mutating func takeChanged() -> Set<ChunkHandle> {
        defer { changed = [] }
        return changed
    }

    private func packed(_ handle: ChunkHandle) -> PackedChunk? {
        let (key, offset) = ChunkPage.split(handle)
        guard let page = pages[key], case let (true, at) = page.find(offset) else { return nil }
        return page.chunks[at]
    }

    private mutating func store(_ info: ChunkInfo?, at handle: ChunkHandle) {
        if let before = packed(handle) {
            for server in servers(of: before, handle) {
                let left = (counts[server] ?? 1) - 1
                counts[server] = left > 0 ? left : nil
            }
        }
        if let references = info?.references, references > 1 {
            shared[handle] = references
        } else if !shared.isEmpty {
            shared.removeValue(forKey: handle)
        }
        let (key, offset) = ChunkPage.split(handle)
        guard let info else {
            if pages[key]?.remove(offset) == true { count -= 1 }
            if pages[key]?.offsets.isEmpty == true { pages[key] = nil }
            spilled.removeValue(forKey: handle)
            return
        }
        for server in info.replicas.keys { counts[server, default: 0] += 1 }
        let packed: PackedChunk
        if let fits = pack(info) {
            packed = fits
            spilled.removeValue(forKey: handle)
        } else {
            packed = PackedChunk.spilled
            spilled[handle] = info
        }
        if pages[key, default: ChunkPage()].set(offset, packed) { count += 1 }
    }

    private func servers(of packed: PackedChunk, _ handle: ChunkHandle) -> [ServerID] {
        if packed.isSpilled { return spilled[handle].map { Array($0.replicas.keys) } ?? [] }
        var found: [ServerID] = []
        for slot in 0..<PackedChunk.slots where packed.server(slot) != 0 { found.append(numbers[packed.server(slot)]) }
        return found
    }

    private mutating func pack(_ info: ChunkInfo) -> PackedChunk? {
        guard info.replicas.count <= PackedChunk.slots, let references = UInt32(exactly: info.references),
              let goal = UInt8(exactly: info.goal)
        else { return nil }
        var packed = PackedChunk(version: info.version, references: references, goal: goal, trashed: info.trashed)
        for (slot, (server, version)) in info.replicas.enumerated() {
            guard let distance = PackedChunk.distance(from: info.version, to: version),
                  let number = numbers.number(for: server)
            else { return nil }
            packed.setReplica(slot, server: number, distance: distance)
        }
        return packed
    }

    fileprivate func unpack(_ packed: PackedChunk, _ handle: ChunkHandle) -> ChunkInfo {
        if packed.isSpilled {
            guard let info = spilled[handle] else { preconditionFailure("chunk \(handle) spilled but not kept") }
            return info
        }
        var replicas: [ServerID: ChunkVersion] = [:]
        for slot in 0..<PackedChunk.slots where packed.server(slot) != 0 {
            replicas[numbers[packed.server(slot)]] = PackedChunk.version(packed.version, moved: packed.distance(slot))
        }
        return ChunkInfo(version: packed.version, replicas: replicas, references: Int(packed.references),
                         goal: Int(packed.goal), trashed: packed.trashed)
    }
}

/// Up to 512 chunks whose handles share all but their low 9 bits, sorted by those bits. Chunks arrive in
/// handle order, so most stores append; one out of order moves at most 12 KB.
public struct ChunkPage: Sendable {
    static let bits: UInt64 = 9
    var offsets: [UInt16] = []
    var chunks: [PackedChunk] = []

    static func split(_ handle: ChunkHandle) -> (key: UInt64, offset: UInt16) {
        (handle.rawValue >> bits, UInt16(truncatingIfNeeded: handle.rawValue & ((1 << bits) - 1)))
    }

    static func handle(_ key: UInt64, _ offset: UInt16) -> ChunkHandle { ChunkHandle(key << bits | UInt64(offset)) }

    /// Where `offset` is, or where it would go.
    func find(_ offset: UInt16) -> (found: Bool, at: Int) {
        if let last = offsets.last, last < offset { return (false, offsets.count) }
        var (low, high) = (0, offsets.count)
        while low < high {
            let middle = (low + high) / 2
            if offsets[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return (low < offsets.count && offsets[low] == offset, low)
    }

    /// Stores a chunk; true if it is new.
    mutating func set(_ offset: UInt16, _ chunk: PackedChunk) -> Bool {
        let (found, at) = find(offset)
        if found {
            chunks[at] = chunk
            return false
        }
        offsets.insert(offset, at: at)
        chunks.insert(chunk, at: at)
        return true
    }

    /// Removes a chunk; true if it was there.
    mutating func remove(_ offset: UInt16) -> Bool {
        let (found, at) = find(offset)
        guard found else { return false }
        offsets.remove(at: at)
        chunks.remove(at: at)
        return true
    }
}

/// One chunk in 24 bytes. Server number 0 marks an empty slot.
public struct PackedChunk: Sendable {
    static let slots = 3
    private static let trashedFlag: UInt8 = 1, spilledFlag: UInt8 = 2

    var version: ChunkVersion
    var references: UInt32
    /// The replicas' server numbers, and each one's version less the chunk's (three slots, as fields: a
    /// fixed-size array type would need a newer Swift than the package asks for).
    private var server0: UInt16 = 0, server1: UInt16 = 0, server2: UInt16 = 0
    private var distance0: Int8 = 0, distance1: Int8 = 0, distance2: Int8 = 0
    var goal: UInt8
    private var flags: UInt8

    init(version: ChunkVersion, references: UInt32, goal: UInt8, trashed: Bool) {
        self.version = version
        self.references = references
        self.goal = goal
        self.flags = trashed ? Self.trashedFlag : 0
    }

    static let spilled: PackedChunk = {
        var marker = PackedChunk(version: 0, references: 0, goal: 0, trashed: false)
        marker.flags = spilledFlag
        return marker
    }()

    /// The server number in `slot` (0 when empty).
    func server(_ slot: Int) -> UInt16 { slot == 0 ? server0 : slot == 1 ? server1 : server2 }

    /// The distance of the replica in `slot` from the chunk's version.
    func distance(_ slot: Int) -> Int8 { slot == 0 ? distance0 : slot == 1 ? distance1 : distance2 }

    mutating func setReplica(_ slot: Int, server: UInt16, distance: Int8) {
        switch slot {
        case 0: (server0, distance0) = (server, distance)
        case 1: (server1, distance1) = (server, distance)
        default: (server2, distance2) = (server, distance)
        }
    }

    func holds(_ number: UInt16) -> Bool { !isSpilled && (server0 == number || server1 == number || server2 == number) }

    var trashed: Bool { flags & Self.trashedFlag != 0 }
    var isSpilled: Bool { flags & Self.spilledFlag != 0 }

    /// `version - base` if it fits in a byte.
    static func distance(from base: ChunkVersion, to version: ChunkVersion) -> Int8? {
        version >= base ? (version - base <= 127 ? Int8(version - base) : nil)
            : (base - version <= 128 ? Int8(-Int16(base - version)) : nil)
    }

    /// `base + distance`, which `distance(from:to:)` made sure is a version.
    static func version(_ base: ChunkVersion, moved distance: Int8) -> ChunkVersion {
        distance >= 0 ? base + ChunkVersion(distance) : base - ChunkVersion(distance.magnitude)
    }
}

/// Small numbers for the servers the chunk table has seen, from 1. Never forgotten: a cluster sees few
/// addresses. Past 65,535 a chunk on a new address is kept spilled.
struct ServerNumbers: Sendable {
    private var servers: [ServerID] = []
    private var numbers: [ServerID: UInt16] = [:]

    subscript(number: UInt16) -> ServerID { servers[Int(number) - 1] }

    func number(of server: ServerID) -> UInt16? { numbers[server] }

    mutating func number(for server: ServerID) -> UInt16? {
        if let number = numbers[server] { return number }
        guard let number = UInt16(exactly: servers.count + 1) else { return nil }
        servers.append(server)
        numbers[server] = number
        return number
    }
}
