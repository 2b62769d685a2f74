import GFSCore

/// The fault schedule of a history, drawn from its seed: chunkserver crashes that lose what was not synced;
/// master crashes (it restarts from its log, or the shadow's log is promoted in its place), up to half of them
/// aimed at the moment a primary takes a new version, taking that primary down too, and some while the
/// master's log disk stalls; shadow crashes; a chunkserver cut off from the master (its clients and peers
/// still reach it); one-way cuts, spells of message loss and duplication, flipped records on one bad disk,
/// and spells of a full disk. At most two chunkservers are down at once, and only the bad disk loses data
/// for good, so every chunk's data stays on disk somewhere.
struct FaultInjector {
    let scheduler: Scheduler
    let network: Network<Int, Message>
    let master: SimulatedMaster
    let shadow: SimulatedShadow?
    let chunkservers: [SimulatedChunkServer]
    let oracle: Oracle
    private(set) var count = 0
    /// Faults planned, by kind: crash, mcrash and promote (a master crash it restarts from, or the shadow is
    /// promoted in), grantcrash (the master and a primary, at a grant), mstall (the master's log disk),
    /// mstallcrash (a stall the master dies in), scrash (the shadow), isolate, cut, noise, flip, full. A
    /// grantcrash or mstallcrash promotes the shadow half the time too.
    private(set) var kinds: [String: Int] = [:]

    init(scheduler: Scheduler, network: Network<Int, Message>, master: SimulatedMaster, shadow: SimulatedShadow?,
         chunkservers: [SimulatedChunkServer], oracle: Oracle) {
        self.scheduler = scheduler
        self.network = network
        self.master = master
        self.shadow = shadow
        self.chunkservers = chunkservers
        self.oracle = oracle
    }

    mutating func plan(until end: Int64, log: @escaping (() -> String) -> Void) {
        var at: Int64 = 0
        var downUntil: [Int64] = Array(repeating: 0, count: chunkservers.count)
        var masterUpAt: Int64 = 0
        /// Until when an aimed master crash may have a chunkserver down with it.
        var aimedUntil: Int64 = 0
        let second: Int64 = 1_000_000_000
        let bad = chunkservers[Int(scheduler.draw(0...Int64(chunkservers.count - 1)))]
        while true {
            at += scheduler.draw(2 * second...15 * second)
            guard at < end else {
                count = kinds.values.reduce(0, +)
                return
            }
            let length = scheduler.draw(1 * second...20 * second)
            let index = Int(scheduler.draw(0...Int64(chunkservers.count - 1)))
            let server = chunkservers[index]
            let node = server.node
            let (scheduler, network, chunkservers) = (self.scheduler, self.network, self.chunkservers)
            let master = self.master
            switch scheduler.draw(0...14) {
            case 14 where shadow != nil && scheduler.chance(0.4):
                guard let shadow else { continue }
                kinds["scrash", default: 0] += 1
                Self.crash(shadow, named: "the shadow", at: at, until: min(end, at + length), scheduler: scheduler, log: log)
            case 14:
                // Half the time (when it may) the master dies before its disk comes back: nothing it answered from
                // state its log did not hold yet may outlive it (as seeds 9 and 15 once found: a CREATE retried
                // during the stall was told EXISTS).
                let mayDie = at > masterUpAt && scheduler.chance(0.5)
                let diesAt = at + scheduler.draw(length / 2...length)
                let down = scheduler.draw(1 * second...5 * second)
                let promotes = shadow != nil && scheduler.chance(0.5)
                let dies = mayDie && diesAt < end
                kinds[dies ? "mstallcrash" : "mstall", default: 0] += 1
                scheduler.after(at - scheduler.now) {
                    log { "the master's log disk stalls for \(length / 1_000_000) ms" }
                    master.stalledUntil = scheduler.now + length
                }
                guard dies else { continue }
                masterUpAt = diesAt + down + 10 * second
                let crash = Self.masterCrash(master, down: down, promotes: promotes ? shadow : nil, end: end,
                                             scheduler: scheduler, log: log)
                scheduler.after(diesAt - scheduler.now) { if master.isUp { crash() } }
            case 11...12:
                kinds["flip", default: 0] += 1
                scheduler.after(at - scheduler.now) {
                    if bad.isUp, bad.flip() { log { "flip a record on \(bad.address)'s disk" } }
                }
            case 13:
                kinds["full", default: 0] += 1
                scheduler.after(at - scheduler.now) {
                    server.disk.capacity = server.disk.used + Int(scheduler.draw(0...20))
                    log { "\(server.address)'s disk fills for \(length / 1_000_000) ms" }
                }
                scheduler.after(min(end, at + length) - scheduler.now) { server.disk.capacity = .max }
            case 10:
                guard at > masterUpAt else { continue }
                let down = length / 4
                // Half the time the crash is aimed, when a chunkserver may go down with it: at the first moment
                // within `length` that a primary took a new version and its secondaries were not yet told, and
                // that primary crashes too, for longer than a lease (a rack losing power).
                // One aimed crash at a time, so its primary and two others are never down at once.
                let aimed = aimedUntil <= at && downUntil.filter({ $0 > at }).count < 2 && scheduler.chance(0.5)
                let primaryDown = scheduler.draw(15 * second...30 * second)
                if aimed { aimedUntil = min(end, at + length + primaryDown) + 2 * second }
                masterUpAt = at + (aimed ? length : 0) + down + 10 * second
                // Half the time the shadow is promoted in its place (when it is up).
                let promotes = shadow != nil && scheduler.chance(0.5)
                kinds[aimed ? "grantcrash" : promotes ? "promote" : "mcrash", default: 0] += 1
                let crash = Self.masterCrash(master, down: down, promotes: promotes ? shadow : nil, end: end,
                                             scheduler: scheduler, log: log)
                guard aimed else {
                    scheduler.after(at - scheduler.now) { crash() }
                    continue
                }
                scheduler.after(at - scheduler.now) {
                    master.afterPrimaryConfirmed = { primary in
                        guard master.isUp, let server = chunkservers.first(where: { $0.address == primary }), server.isUp else { return }
                        master.afterPrimaryConfirmed = nil
                        master.grantCrashes += 1
                        log { "aimed: \(primary) took a new version its secondaries have not heard of" }
                        crash()
                        Self.crash(server, named: "\(primary)", at: scheduler.now, until: min(end, scheduler.now + primaryDown),
                                   scheduler: scheduler, log: log)
                    }
                }
                scheduler.after(min(end, at + length) - scheduler.now) { master.afterPrimaryConfirmed = nil }
            case 0...3:
                let busy = downUntil.enumerated().filter { $0.element > at }.map(\.offset)
                guard busy.count + (aimedUntil > at ? 1 : 0) < 2, !busy.contains(index) else { continue }
                downUntil[index] = min(end, at + length) + 2 * second
                kinds["crash", default: 0] += 1
                Self.crash(server, named: "\(server.address)", at: at, until: min(end, at + length), scheduler: scheduler, log: log)
            case 4...5:
                // Mostly the primary clients are appending through, found when the fault begins.
                let aimed = scheduler.chance(0.6)
                kinds["isolate", default: 0] += 1
                var cut = node
                scheduler.after(at - scheduler.now) { [oracle] in
                    if aimed, let primary = oracle.latestPrimary, let target = chunkservers.first(where: { $0.address == primary }) {
                        cut = target.node
                    }
                    log { "cut node \(cut) off from the master for \(length / 1_000_000) ms" + (aimed ? " (a primary)" : "") }
                    network.partition([cut], from: [0])
                }
                scheduler.after(min(end, at + length) - scheduler.now) {
                    network.heal(cut, 0)
                    network.heal(0, cut)
                }
            case 6...7:
                let nodes = [0] + chunkservers.map(\.node) + [100, 200]
                let from = nodes[Int(scheduler.draw(0...Int64(nodes.count - 1)))]
                // A client's link to the master, or any role's to the chunkserver drawn.
                let to = from == node || (from >= 100 && scheduler.chance(0.5)) ? 0 : node
                kinds["cut", default: 0] += 1
                scheduler.after(at - scheduler.now) {
                    log { "cut \(from) -> \(to) for \(length / 1_000_000) ms" }
                    network.cut(from, to)
                }
                scheduler.after(min(end, at + length) - scheduler.now) { network.heal(from, to) }
            default:
                kinds["noise", default: 0] += 1
                var noisy = NetworkFaults()
                noisy.loss = Double(scheduler.draw(0...20)) / 1000
                noisy.duplication = Double(scheduler.draw(0...20)) / 1000
                scheduler.after(at - scheduler.now) {
                    log { "network: loss \(noisy.loss), duplication \(noisy.duplication) for \(length / 1_000_000) ms" }
                    network.faults = noisy
                }
                scheduler.after(min(end, at + length) - scheduler.now) { network.faults = NetworkFaults() }
            }
        }
    }
}

extension FaultInjector {
    /// What crashes the master and, `down` later, restarts it from its log, or promotes `shadow` (if up) in
    /// its place, as `gfs promote` does.
    static func masterCrash(_ master: SimulatedMaster, down: Int64, promotes shadow: SimulatedShadow?, end: Int64,
                            scheduler: Scheduler, log: @escaping (() -> String) -> Void) -> () -> Void {
        {
            log { "crash the master for \(down / 1_000_000) ms" }
            master.crash()
            scheduler.after(min(end, scheduler.now + down) - scheduler.now) {
                guard !master.isUp else { return }
                if let shadow, shadow.isUp {
                    log { "promote the shadow (its log ends at \(shadow.log.count), the old primary's at \(master.log.count))" }
                    master.promote(from: shadow.log)
                } else {
                    log { "restart the master" }
                    master.restart()
                }
            }
        }
    }

    /// Crashes `role` at `at` and restarts it at `until` (simulated nanoseconds), unless it is up by then.
    static func crash(_ role: Role, named name: String, at: Int64, until: Int64, scheduler: Scheduler,
                      log: @escaping (() -> String) -> Void) {
        scheduler.after(at - scheduler.now) {
            log { "crash \(name) for \((until - at) / 1_000_000) ms" }
            role.crash()
        }
        scheduler.after(until - scheduler.now) {
            guard !role.isUp else { return }
            log { "restart \(name)" }
            role.restart()
        }
    }
}

/// The invariants checked once a history has healed.
struct Checks {
    let master: SimulatedMaster
    let chunkservers: [SimulatedChunkServer]
    let oracle: Oracle

    func run() -> [String] {
        var violations: [String] = []
        // Every acknowledged record is on every replica the master calls live, at the master's version.
        var checks: [ChunkHandle: ChunkCheck] = [:]
        for appended in oracle.appended {
            let check = checks[appended.handle] ?? master.state.check(index: 0, handle: appended.handle)
            checks[appended.handle] = check
            if check.health.live.isEmpty {
                violations.append("record \(appended.record) at \(appended.offset) of chunk \(appended.handle): no live replica")
                continue
            }
            for server in check.health.live {
                guard let replica = chunkservers.first(where: { $0.address == server }) else { continue }
                let version = replica.version(appended.handle)
                let records = replica.records(appended.handle) ?? []
                // A replica may be ahead by a version the master issued in a grant no client was handed (the
                // grant failed): nothing was mutated at it, and the master never issues it again (seed 7338,
                // where copy-on-write then left that chunk to a snapshot, which no lease ever moves on).
                let unusedAhead = version.map { held in
                    held > check.version && held <= (master.state.reservedVersion(appended.handle) ?? 0)
                        && !oracle.acknowledgements.contains { $0.handle == appended.handle && $0.version == held }
                } ?? false
                if version != check.version, !unusedAhead {
                    violations.append("\(server) is live for chunk \(appended.handle) at v\(check.version) but holds v\(version ?? 0)")
                } else if appended.offset >= records.count || records[Int(appended.offset)] != appended.record {
                    violations.append("\(server) lacks acknowledged record \(appended.record) at \(appended.offset) of chunk \(appended.handle) v\(check.version)")
                }
            }
        }
        // No two primaries acknowledged mutations of a chunk under leases in force at once.
        var primaries: [ChunkHandle: [ChunkVersion: ServerID]] = [:]
        var newest: [ChunkHandle: (version: ChunkVersion, server: ServerID)] = [:]
        for ack in oracle.acknowledgements.sorted(by: { $0.ordered < $1.ordered }) {
            let held = oracle.masterLeaseEnds[Oracle.LeaseKey(handle: ack.handle, version: ack.version)]
            if held == nil {
                violations.append("\(ack.server) acknowledged a mutation of chunk \(ack.handle) v\(ack.version), a lease the master never granted")
            } else if let held, ack.at > held {
                violations.append("\(ack.server) acknowledged a mutation of chunk \(ack.handle) v\(ack.version) \((ack.at - held) / 1000) µs after the master's lease ended")
            }
            if ack.leaseEnd == 0 {
                violations.append("\(ack.server) acknowledged a mutation of chunk \(ack.handle) v\(ack.version) holding no lease")
            } else if ack.at > ack.leaseEnd {
                violations.append("\(ack.server) acknowledged a mutation of chunk \(ack.handle) v\(ack.version) \((ack.at - ack.leaseEnd) / 1000) µs after its lease ended")
            }
            if let other = primaries[ack.handle]?[ack.version], other != ack.server {
                violations.append("chunk \(ack.handle) v\(ack.version) acknowledged by \(other) and \(ack.server)")
            }
            primaries[ack.handle, default: [:]][ack.version] = ack.server
            if let last = newest[ack.handle], ack.version < last.version, ack.server != last.server {
                violations.append("chunk \(ack.handle): \(ack.server) acknowledged v\(ack.version) after \(last.server) acknowledged v\(last.version)")
            }
            if ack.version >= newest[ack.handle]?.version ?? 0 { newest[ack.handle] = (ack.version, ack.server) }
        }
        // A snapshot holds every record acknowledged before it was asked for, on every live replica, and none
        // sent after it was made.
        for snapshot in oracle.snapshots {
            let handles = master.state.namespace[snapshot.destination]?.chunks ?? []
            for appended in oracle.appended where appended.path == snapshot.source && appended.sent > snapshot.done {
                guard appended.index < handles.count else { continue }
                let handle = handles[appended.index]
                let check = checks[handle] ?? master.state.check(index: appended.index, handle: handle)
                checks[handle] = check
                for server in check.health.live {
                    let records = chunkservers.first { $0.address == server }?.records(handle) ?? []
                    if appended.offset < records.count, records[Int(appended.offset)] == appended.record {
                        violations.append("\(server): snapshot \(snapshot.destination) holds record \(appended.record), appended after it was made")
                    }
                }
            }
            for appended in oracle.appended where appended.path == snapshot.source && appended.at < snapshot.asked {
                guard appended.index < handles.count else {
                    violations.append("snapshot \(snapshot.destination) of \(snapshot.source) lacks chunk \(appended.index)")
                    break
                }
                let handle = handles[appended.index]
                let check = checks[handle] ?? master.state.check(index: appended.index, handle: handle)
                checks[handle] = check
                for server in check.health.live {
                    let records = chunkservers.first { $0.address == server }?.records(handle) ?? []
                    if appended.offset >= records.count || records[Int(appended.offset)] != appended.record {
                        violations.append("\(server): snapshot \(snapshot.destination) lacks record \(appended.record) acknowledged before it")
                    }
                }
            }
        }
        // Healed: fsck is healthy by the end.
        if let summary = try? master.state.fsck(.root, visit: { _, _, _ in }), !summary.isHealthy {
            violations.append("not healed: \(summary.underReplicated) under-replicated, \(summary.missing) missing, \(summary.staleOnly) stale-only of \(summary.chunks) chunks")
        }
        return violations
    }
}
