import GFSCore
import GFSProtocol

/// One simulated history: a master, `chunkservers` chunkservers and `clients` appending clients on a
/// virtual clock, with faults drawn from the seed for the first part of the run, then a quiet part in which
/// everything must heal. Afterwards the invariants of DESIGN.md §6 are checked.
public struct Simulation {
    public struct Settings: Sendable {
        public var seed: UInt64
        public var minutes: Int64 = 10
        /// Faults stop this many seconds before the end; the cluster must heal within that time.
        public var quietSeconds: Int64 = 120
        public var chunkservers = 5
        public var clients = 3
        /// Clients making, renaming and removing names, each under a folder of its own.
        public var namespaceClients = 2
        /// Clients overwriting records in place, each in a file of its own.
        public var writers = 2
        /// Whether a client takes snapshots of those files now and then.
        public var snapshots = true
        /// Whether a shadow master replicates the log (the primary acknowledges nothing before it holds it),
        /// and is promoted now and then when the primary crashes.
        public var shadow = true
        public var keepHistory = false
        /// Defects of the kind the fault-injection issue fixed, put back on purpose to show the simulation
        /// finds them (never set outside that test).
        public var defects: Set<Defect> = []

        public init(seed: UInt64) { self.seed = seed }
    }

    /// A fixed defect, reintroduced.
    public enum Defect: Sendable, Hashable {
        /// The primary checks its lease only when a mutation arrives, not when its turn comes nor before the
        /// acknowledgement (issue 12, claim 5).
        case leaseCheckedOnlyOnArrival
        /// The primary acknowledges before the secondaries synced (an acknowledged record lives only in their
        /// page cache).
        case acknowledgeBeforeSync
        /// The master sends a lease's version to the replicas before its log holds it (simulation seed 139:
        /// after a master crash the same version was issued again for different data).
        case versionSentBeforeLogged
        /// The master refuses a mutation (EXISTS, NOTFOUND) judged against state its log does not hold yet
        /// (simulation seeds 9 and 15: a retried CREATE was told EXISTS, then the master crashed).
        case refusalBeforeDurable
        /// A snapshot does not wait out the leases of primaries that did not answer its revocation (simulation
        /// seed 6: records acknowledged after the snapshot turned up in it).
        case snapshotSkipsUnansweredLeases
    }

    /// What one history did and found.
    public struct Outcome: Sendable {
        public var seed: UInt64
        public var digest: UInt64
        public var steps: Int
        public var faults: Int
        /// Faults by kind (FaultInjector's kinds), and `grantcrash_fired`: the aimed crashes that found a grant to
        /// fire at.
        public var faultKinds: [String: Int]
        public var appended: Int
        public var failedAppends: Int
        /// Namespace operations acknowledged.
        public var names: Int
        /// Writes in place acknowledged.
        public var writes: Int
        /// Snapshots acknowledged.
        public var snapshots: Int
        public var messages: Int
        public var violations: [String]
        public var history: [String]

        public var passed: Bool { violations.isEmpty }

        /// One line, as `make sim` prints it.
        public var summary: String {
            "seed=\(seed) steps=\(steps) messages=\(messages) faults=\(faults) ("
                + ["crash", "mcrash", "promote", "grantcrash", "grantcrash_fired", "mstall", "mstallcrash", "scrash", "isolate",
                   "cut", "noise", "flip", "full"].map { "\($0)=\(faultKinds[$0] ?? 0)" }.joined(separator: " ")
                + ") appended=\(appended) "
                + "failed_appends=\(failedAppends) names=\(names) writes=\(writes) snapshots=\(snapshots) digest=\(String(digest, radix: 16)) | "
                + (passed ? "PASS" : "FAIL: \(violations[0])")
        }
    }

    public static func run(_ settings: Settings) -> Outcome {
        var simulation = Simulation(settings)
        return simulation.run()
    }

    let settings: Settings
    let scheduler: Scheduler
    let network: Network<Int, Message>
    let oracle = Oracle()
    var history: History
    var master: SimulatedMaster!
    var chunkservers: [SimulatedChunkServer] = []
    var clients: [SimulatedClient] = []
    var namers: [SimulatedNamespaceClient] = []
    var writers: [SimulatedWriter] = []
    var snapshotter: SimulatedSnapshotter?
    var shadow: SimulatedShadow?
    var faults = 0
    let files = [GFSPath("/logs/a")!, GFSPath("/logs/b")!]

    init(_ settings: Settings) {
        self.settings = settings
        scheduler = Scheduler(seed: settings.seed)
        network = Network(scheduler: scheduler)
        history = History(keepsLines: settings.keepHistory)
    }

    static func address(_ node: Int) -> ServerID { ServerID(host: "10.0.0.\(node)", port: 7701) }

    mutating func run() -> Outcome {
        let count = settings.chunkservers
        let scheduler = self.scheduler
        let nodes = Dictionary(uniqueKeysWithValues: (1...count).map { (Self.address($0), $0) })
        let nodeOf: (ServerID) -> Int? = { nodes[$0] }
        func clock() -> DriftingClock {
            DriftingClock(time: scheduler.time, drift: scheduler.draw(-100...100), offset: scheduler.draw(0...1_000_000_000_000))
        }
        var configuration = MasterConfiguration()
        configuration.chunkSize = 64
        configuration.leaseDuration = .seconds(10)
        configuration.heartbeatTimeout = .seconds(5)
        master = SimulatedMaster(scheduler: scheduler, network: network, configuration: configuration, clock: clock(),
                                 nodeOf: nodeOf, defects: settings.defects)
        for path in files {
            master.setUp((try? master.state.makeDirectory(path.parent, parents: true)) ?? [])
            master.setUp((try? master.state.createFile(path, replication: 3, records: true)).map { [$0] } ?? [])
        }
        for node in 1...count {
            chunkservers.append(SimulatedChunkServer(node: node, address: Self.address(node), scheduler: scheduler,
                                                     network: network, clock: clock(), nodeOf: nodeOf, oracle: oracle,
                                                     defects: settings.defects))
        }
        for index in 0..<settings.clients {
            clients.append(SimulatedClient(node: 100 + index, path: files[index % files.count], scheduler: scheduler,
                                           network: network, oracle: oracle, nodeOf: nodeOf))
        }
        for index in 0..<settings.namespaceClients {
            let root = GFSPath("/names/c\(index)") ?? .root
            master.setUp((try? master.state.makeDirectory(root, parents: true)) ?? [])
            namers.append(SimulatedNamespaceClient(node: 200 + index, root: root, scheduler: scheduler, network: network))
        }
        for index in 0..<settings.writers {
            let path = GFSPath("/data/w\(index)") ?? .root
            master.setUp((try? master.state.makeDirectory(path.parent, parents: true)) ?? [])
            master.setUp((try? master.state.createFile(path, replication: 3)).map { [$0] } ?? [])
            writers.append(SimulatedWriter(node: 300 + index, path: path, scheduler: scheduler, network: network, nodeOf: nodeOf))
        }
        if settings.snapshots {
            master.setUp((try? master.state.makeDirectory(GFSPath("/snaps") ?? .root, parents: true)) ?? [])
            snapshotter = SimulatedSnapshotter(node: 400, sources: files + writers.map(\.path), scheduler: scheduler,
                                               network: network, oracle: oracle)
        }
        if settings.shadow {
            shadow = SimulatedShadow(node: 50, address: ServerID(host: "10.0.0.50", port: 7700), scheduler: scheduler,
                                     network: network)
            master.shadow = 50
        }
        master.oracle = oracle
        var roles: [Role] = [master]
        if let shadow { roles.append(shadow) }
        roles += chunkservers as [Role]
        roles += clients as [Role]
        roles += namers as [Role]
        roles += writers as [Role]
        if let snapshotter { roles.append(snapshotter) }
        master.isReachable = { [chunkservers] node in chunkservers.first { $0.node == node }?.isUp ?? true }
        for server in chunkservers {
            // A killed process's connections close: the master hears it at once (MasterService's
            // serverDisconnected), one network delay later.
            let address = server.address
            server.onCrash = { [weak master, scheduler] in
                scheduler.after(scheduler.draw(50_000...2_000_000)) { [weak master] in
                    if let master, master.isUp { master.state.serverDisconnected(address) }
                }
            }
        }
        let byNode = Dictionary(roles.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
        var trace = history
        network.onDeliver { from, to, message in
            trace.record(scheduler.now, UInt64(from) << 16 | UInt64(to), "\(from) -> \(to) \(describe(message))")
            byNode[to]?.receive(message, from: from)
        }
        let end = settings.minutes * 60_000_000_000
        let faultsEnd = end - settings.quietSeconds * 1_000_000_000
        var injector = FaultInjector(scheduler: scheduler, network: network, master: master, shadow: shadow,
                                     chunkservers: chunkservers, oracle: oracle)
        injector.plan(until: faultsEnd) { text in trace.record(scheduler.now, 1, "FAULT " + text()) }
        scheduler.after(faultsEnd) { [network, chunkservers, master, shadow] in
            network.healAll()
            network.faults = NetworkFaults()
            for server in chunkservers where !server.isUp { server.restart() }
            if let shadow, !shadow.isUp { shadow.restart() }
            if let master, !master.isUp { master.restart() }
        }
        // Appends stop a minute before the end, so the last minute is for healing alone.
        scheduler.after(end - 60_000_000_000) { [clients, namers, writers, snapshotter] in
            snapshotter?.working = false
            for client in clients { client.appending = false }
            for namer in namers { namer.working = false }
            for writer in writers { writer.working = false }
        }
        scheduler.run(until: end)
        defer {
            // Roles, the network and the scheduler's pending events refer to each other: let them go.
            scheduler.clear()
            network.onDeliver { _, _, _ in }
        }
        history = trace
        faults = injector.count
        var violations = Checks(master: master, chunkservers: chunkservers, oracle: oracle).run()
        if let shadow {
            // The shadow's log is the primary's, or a prefix of it, and has caught up once faults stopped.
            if shadow.log != Array(master.log.prefix(shadow.log.count)) {
                violations.append("the shadow's log is not a prefix of the master's")
            } else if shadow.log.count != master.log.count {
                violations.append("the shadow's log ends at \(shadow.log.count), the master's at \(master.log.count)")
            }
        }
        for namer in namers { violations += namer.differences(from: master.state.namespace) }
        for writer in writers { violations += writer.violations(master: master.state, chunkservers: chunkservers) }
        // Liveness: once the faults healed, every operation completes within a minute.
        let bound: Int64 = 60_000_000_000
        var live: [(String, Liveness)] = clients.map { ("appender \($0.node)", $0.liveness) }
        live += writers.map { ("writer \($0.node)", $0.liveness) } + namers.map { ("namer \($0.node)", $0.liveness) }
        if let snapshotter { live.append(("snapshotter", snapshotter.liveness)) }
        for (who, liveness) in live {
            violations += liveness.violations(who, healed: faultsEnd, end: end, bound: bound)
        }
        if scheduler.pending > 1_000_000 { violations.append("event queue grew to \(scheduler.pending)") }
        return Outcome(seed: settings.seed, digest: history.digest, steps: scheduler.steps, faults: faults,
                       faultKinds: injector.kinds.merging(["grantcrash_fired": master.grantCrashes]) { $1 },
                       appended: oracle.appended.count, failedAppends: oracle.failedAppends,
                       names: namers.map(\.acknowledged).reduce(0, +), writes: writers.map(\.acknowledged).reduce(0, +),
                       snapshots: oracle.snapshots.count,
                       messages: network.sent,
                       violations: violations, history: history.lines)
    }
}

func describe(_ message: Message) -> String {
    switch message {
    case let .master(_, request, report): return request.line.description + (report.isEmpty ? "" : " (\(report.count) chunks)")
    case let .chunk(_, request, record): return request.line.description + (record == 0 ? "" : " record=\(record)")
    case let .copy(_, handle, version): return "COPY \(handle) v\(version)"
    case let .reply(_, .success(answer)): return "OK \(answer)"
    case let .reply(_, .failure(error)): return "ERR \(error.code.rawValue) \(error.message)"
    }
}
