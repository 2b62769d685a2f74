import Foundation
import GFSCore
import GFSProtocol
import Logging

/// What the status page shows: the recent events (GFS §5.3's diagnostic log, kept in memory) and a report of
/// the master's view of the cluster.
extension MasterService {
    /// Records an event for the status page and logs it.
    func note(_ kind: String, _ text: String, level: Logger.Level = .info) {
        logger.log(level: level, "\(text)")
        events.record(.init(time: state.clock.wallMilliseconds, kind: kind, text: text))
    }

    /// Turns changes of chunkservers' states since the last look into events (joined, died, resting, draining).
    func noteServerChanges() {
        var seen: [ServerID: String] = [:]
        for summary in state.serverSummaries() {
            seen[summary.server] = summary.state
            let before = serverStates[summary.server]
            guard before != summary.state else { continue }
            switch (before, summary.state) {
            case (_, "alive"):
                note("joined", "chunkserver \(summary.server) is alive" + (before.map { " (was \($0))" } ?? ""))
            case (_, "dead"):
                note("died", "chunkserver \(summary.server) is dead", level: .warning)
            default:
                note(summary.state, "chunkserver \(summary.server) is \(summary.state)", level: .notice)
            }
        }
        serverStates = seen
    }

    /// Where the status page is, for STATUS replies.
    func setStatusAddress(_ address: ServerID) { statusAddress = address }

    /// Times each write-and-fdatasync of the operation log.
    func observeLogFlushes(_ observe: @escaping @Sendable (Duration) -> Void) { log.onFlush = observe }

    /// The report `/status.json` serves. Health is counted as `gfs fsck /` counts it, at most once every few
    /// seconds, and off the actor on a copy of the state (persistent trees: the copy is free), so a walk of a
    /// large namespace never holds up requests. A shadow counts none (`Health.shadow`).
    public func report(address: ServerID, operationsPerSecond: Double) async -> MasterReport {
        noteServerChanges()
        let now = ContinuousClock.now
        // A shadow knows replicas only from chunkservers' reports, so it counts no health (as it answers no FSCK).
        if case .shadow = role {
            healthCache = (now, .shadow)
        } else if healthCache.map({ now - $0.at > .seconds(3) || $0.health == .shadow }) ?? true {
            let count = healthCount ?? {
                let copy = state
                let task = Task.detached { MasterReport.Health((try? copy.fsck(.root) { _, _, _ in }) ?? FsckSummary()) }
                healthCount = task
                return task
            }()
            let health = await count.value
            healthCount = nil
            healthCache = (ContinuousClock.now, health)
        }
        var copies: [ServerID: Int] = [:]
        let underWay = state.clonesUnderWay
        for order in underWay {
            copies[order.source, default: 0] += 1
            copies[order.target, default: 0] += 1
        }
        let summaries = state.serverSummaries()
        let wall = state.clock.wallMilliseconds
        return MasterReport(
            role: role.description, address: address.description, epoch: epoch, logSequence: log.durable,
            checkpointAgeSeconds: lastCheckpointWall.map { Double(max(0, wall - $0)) / 1000 },
            entries: state.namespace.count, leases: state.activeLeaseCount,
            liveServers: summaries.filter(\.alive).count, copiesInFlight: underWay.count,
            operationsPerSecond: operationsPerSecond, health: healthCache?.health ?? .init(),
            servers: summaries.map { MasterReport.Server($0, copiesInFlight: copies[$0.server] ?? 0) },
            events: events.newestFirst.map {
                MasterReport.Event(time: Date(timeIntervalSince1970: Double($0.time) / 1000).ISO8601Format(),
                                   kind: $0.kind, text: $0.text)
            })
    }

    /// When the newest checkpoint in `folder` was written, in wall-clock milliseconds.
    static func newestCheckpointTime(in folder: String) -> Int64? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let times = names.filter { $0.hasPrefix("checkpoint-") && !$0.hasSuffix(".tmp") }.compactMap { name -> Int64? in
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: folder + "/" + name))?[.modificationDate] as? Date
            else { return nil }
            return Int64(modified.timeIntervalSince1970 * 1000)
        }
        return times.max()
    }
}
