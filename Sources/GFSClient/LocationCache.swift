import GFSCore
import GFSProtocol

/// Chunk locations the client got from the master, kept for a while so repeated reads skip the master
/// (GFS §2.4), and dropped when a replica turns out to be gone. The keeping is GFSCore's `ExpiringCache`.
actor LocationCache {
    private var entries = ExpiringCache<GFSPath, FileLayout>(capacity: 4096)
    private let lifetime: Duration
    private let clock: SystemClock
    /// Whether chunks only stale replicas hold are read from those (an explicit choice of the reader).
    let stale: Bool

    init(clock: SystemClock, lifetime: Duration = .seconds(30), stale: Bool = false) {
        self.clock = clock
        self.lifetime = lifetime
        self.stale = stale
    }

    /// The cached layout of `path`, or a fresh one from `master`.
    func layout(of path: GFSPath, from master: MasterClient) async throws(GFSError) -> FileLayout {
        if let layout = entries.value(for: path, at: clock.now) { return layout }
        return try await refresh(path, from: master)
    }

    /// A fresh layout from the master, replacing any cached one.
    func refresh(_ path: GFSPath, from master: MasterClient) async throws(GFSError) -> FileLayout {
        let asked = clock.now
        let layout = try await master.lookup(path, stale: stale)
        entries.keep(layout, for: path, until: asked.advanced(by: lifetime))
        return layout
    }

    /// Forgets `path`.
    func invalidate(_ path: GFSPath) { entries.forget(path) }
}
