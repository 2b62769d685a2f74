import DequeModule

/// The tickets a chunkserver gives with `LOCAL`, each good for one `OPEN` of that replica's files on its
/// descriptor socket (HDFS passes a short-circuit reader its block files the same way). A ticket is the proof
/// that the peer passed `LOCAL`'s checks, so it is random, used once, and short-lived. Each comes with a
/// second random name the socket answers with, which the reader never sends: the socket's name is no secret,
/// and a process that took it where the chunkserver's is not (another network namespace) could otherwise hand
/// the reader files of its own, checksums and all. Pure: time is passed in.
public struct LocalTickets: Sendable {
    /// A ticket: random, so only the peer `LOCAL` answered holds it.
    public typealias Ticket = RandomName

    /// What a ticket opens, and the proof the socket gives with the files.
    public struct Grant: Sendable, Equatable {
        public let handle: ChunkHandle
        public let proof: RandomName

        public init(handle: ChunkHandle, proof: RandomName) {
            self.handle = handle
            self.proof = proof
        }
    }

    /// How long a ticket waits to be used: a reader redeems it at once.
    public static let lifetime: Duration = .seconds(10)
    /// Tickets held at most, used ones included until they reach the front; past it the oldest goes, so
    /// readers that never come back cost bounded memory.
    public static let capacity = 4096

    private var open: [Ticket: Grant] = [:]
    /// Tickets in the order issued, with when each expires.
    private var issued = Deque<(ticket: Ticket, expires: Instant)>()

    public init() {}

    /// Tickets not yet used or expired.
    public var count: Int { open.count }
    /// Tickets kept track of, used ones not yet forgotten included: never more than `capacity`.
    public var held: Int { issued.count }

    /// A new ticket for `handle`'s files, and the proof that will come with them.
    public mutating func issue(_ handle: ChunkHandle, now: Instant,
                               using random: inout some RandomNumberGenerator) -> (ticket: Ticket, proof: RandomName) {
        forgetExpired(now: now)
        while issued.count >= Self.capacity, let oldest = issued.popFirst() { open[oldest.ticket] = nil }
        var ticket: Ticket
        repeat { ticket = Ticket.random(using: &random) } while open[ticket] != nil
        let grant = Grant(handle: handle, proof: RandomName.random(using: &random))
        open[ticket] = grant
        issued.append((ticket, now.advanced(by: Self.lifetime)))
        return (ticket, grant.proof)
    }

    /// What `ticket` was issued for, if it is still good; it cannot be used again.
    public mutating func redeem(_ ticket: Ticket, now: Instant) -> Grant? {
        forgetExpired(now: now)
        return open.removeValue(forKey: ticket)
    }

    private mutating func forgetExpired(now: Instant) {
        while let oldest = issued.first, oldest.expires <= now || open[oldest.ticket] == nil {
            issued.removeFirst()
            open[oldest.ticket] = nil
        }
    }
}
