import GFSProtocol

/// Chunk locations the client got from the master, kept for a while so repeated reads skip the master
/// (GFS §2.4), and dropped when a replica turns out to be gone.
actor LocationCache {
    private struct Entry {
        var layout: FileLayout
        var fetched: ContinuousClock.Instant
    }

    private var entries: [GFSPath: Entry] = [:]
    private let lifetime: Duration
    /// Whether chunks only stale replicas hold are read from those (an explicit choice of the reader).
    let stale: Bool
    /// More entries than this and the cache starts over, so a long shell session stays small.
    private let capacity = 4096

    init(lifetime: Duration = .seconds(30), stale: Bool = false) {
        self.lifetime = lifetime
        self.stale = stale
    }

    /// The cached layout of `path`, or a fresh one from `master`.
    func layout(of path: GFSPath, from master: MasterClient) async throws(GFSError) -> FileLayout {
        if let entry = entries[path], ContinuousClock.now - entry.fetched < lifetime { return entry.layout }
        return try await refresh(path, from: master)
    }

    /// A fresh layout from the master, replacing any cached one.
    func refresh(_ path: GFSPath, from master: MasterClient) async throws(GFSError) -> FileLayout {
        let layout = try await master.lookup(path, stale: stale)
        if entries.count >= capacity { entries.removeAll() }
        entries[path] = Entry(layout: layout, fetched: .now)
        return layout
    }

    /// Forgets `path`.
    func invalidate(_ path: GFSPath) { entries[path] = nil }
}
