/// Servers a client lately found silent or unreachable, so its reads ask them last. A stopped chunkserver's
/// kernel still accepts connections and requests, and the master names it as a replica until its heartbeats
/// have been missing for a while: a client that kept choosing it would wait out a whole reply timeout for
/// each piece that did. HDFS keeps such a list per read stream (its dead nodes); one per client carries the
/// lesson to the next piece and the next file. Pure: time is passed in.
public struct SuspectServers<Server: Hashable> {
    private var until: [Server: Instant] = [:]
    /// How long a server stays suspect after it last failed, unless it answers first.
    public let period: Duration
    private let capacity: Int

    /// No suspects; each is kept for `period`, and over `capacity` of them the list starts over.
    public init(period: Duration, capacity: Int = 1024) {
        self.period = period
        self.capacity = capacity
    }

    /// `server` failed, or kept a request waiting too long, at `now`.
    public mutating func suspect(_ server: Server, at now: Instant) {
        if until.count >= capacity, until[server] == nil { until.removeAll() }
        until[server] = now.advanced(by: period)
    }

    /// `server` answered: it is trusted again.
    public mutating func answered(_ server: Server) { until[server] = nil }

    /// Whether `server` is suspect at `now`.
    public func isSuspect(_ server: Server, at now: Instant) -> Bool {
        guard let end = until[server] else { return false }
        return now < end
    }

    /// `servers` in their order, except that the suspect ones come last, the one suspected longest ago first.
    public func ordered(_ servers: [Server], at now: Instant) -> [Server] {
        let trusted = servers.filter { !isSuspect($0, at: now) }
        let suspects = servers.filter { isSuspect($0, at: now) }
        return trusted + suspects.sorted { (until[$0] ?? now) < (until[$1] ?? now) }
    }
}

extension SuspectServers: Sendable where Server: Sendable {}
