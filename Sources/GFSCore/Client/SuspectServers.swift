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

/// How long a read waits on one replica before asking another as well: a few times what a piece has lately
/// taken, and never less than `minimum`. A fixed delay would hedge nearly every piece on a slow link or disk,
/// asking for every byte two or three times; this one hedges only a reply far slower than the others.
public struct HedgeDelay: Sendable {
    public let minimum: Duration
    /// A moving average of the pieces read lately, each weighing an eighth.
    public private(set) var typical: Duration?

    public init(minimum: Duration) { self.minimum = minimum }

    /// A piece took `took`, request to last byte.
    public mutating func observe(_ took: Duration) {
        typical = typical.map { $0 + (took - $0) / 8 } ?? took
    }

    /// The delay now.
    public var delay: Duration { max(minimum, (typical ?? .zero) * 4) }
}
