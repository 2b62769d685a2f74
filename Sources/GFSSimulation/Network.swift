/// How the simulated network misbehaves, all drawn from the history's seed.
public struct NetworkFaults: Sendable {
    /// Delivery delay bounds, nanoseconds; messages overtake each other when their delays differ.
    public var minimumDelay: Int64 = 50_000
    public var maximumDelay: Int64 = 2_000_000
    /// Probability that a message is lost, or delivered twice.
    public var loss = 0.0
    public var duplication = 0.0

    public init() {}
}

/// A network of typed messages between named nodes: delays, reordering, loss, duplication, and cuts that
/// are one-way (a route blackholed in the sender) or symmetric, and later heal.
public final class Network<Node: Hashable & Comparable, Message> {
    public typealias Deliver = (_ from: Node, _ to: Node, _ message: Message) -> Void

    private let scheduler: Scheduler
    public var faults: NetworkFaults
    private var cuts: Set<Link> = []
    private var deliver: Deliver = { _, _, _ in }
    /// Messages sent, delivered, and dropped by loss or by a cut.
    public private(set) var sent = 0, delivered = 0, dropped = 0

    struct Link: Hashable {
        let from: Node
        let to: Node
    }

    public init(scheduler: Scheduler, faults: NetworkFaults = NetworkFaults()) {
        self.scheduler = scheduler
        self.faults = faults
    }

    /// Where delivered messages go.
    public func onDeliver(_ deliver: @escaping Deliver) { self.deliver = deliver }

    /// Sends `message`; it arrives after a drawn delay unless lost, or cut at sending or at arrival.
    public func send(_ message: Message, from: Node, to: Node) {
        sent += 1
        guard !isCut(from, to), !scheduler.chance(faults.loss) else {
            dropped += 1
            return
        }
        let copies = scheduler.chance(faults.duplication) ? 2 : 1
        for _ in 0..<copies {
            scheduler.after(scheduler.draw(faults.minimumDelay...faults.maximumDelay)) { [self] in
                guard !isCut(from, to) else {
                    dropped += 1
                    return
                }
                delivered += 1
                deliver(from, to, message)
            }
        }
    }

    /// Nothing `from` sends reaches `to` until healed.
    public func cut(_ from: Node, _ to: Node) { cuts.insert(Link(from: from, to: to)) }

    public func heal(_ from: Node, _ to: Node) { cuts.remove(Link(from: from, to: to)) }

    /// Cuts both directions between every node of `side` and every node of `others`.
    public func partition(_ side: [Node], from others: [Node]) {
        for a in side {
            for b in others where a != b {
                cut(a, b)
                cut(b, a)
            }
        }
    }

    public func healAll() { cuts.removeAll() }

    public func isCut(_ from: Node, _ to: Node) -> Bool { !cuts.isEmpty && cuts.contains(Link(from: from, to: to)) }

    /// The links cut now, sorted, for the history.
    public var cutLinks: [(Node, Node)] { cuts.map { ($0.from, $0.to) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) } }
}
