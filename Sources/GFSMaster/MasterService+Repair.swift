import GFSClient
import GFSProtocol
import NIOCore

/// Carries out what the state machine plans for repair (GFS §4.3, §4.4): copies between chunkservers, the
/// periodic namespace scan for garbage, and the answers of GC, FSCK, DRAIN, TUNE, LEAVE and REPORT.
extension MasterService {
    /// Plans and starts copies every `repairInterval` and collects garbage every `gcInterval`, while primary.
    public func startMaintenance(repairInterval: Duration, gcInterval: Duration) {
        maintenance?.cancel()
        maintenance = Task { [weak self] in
            var sinceCollection = Duration.zero
            while !Task.isCancelled {
                try? await Task.sleep(for: repairInterval)
                guard let self else { return }
                await self.repairPass()
                sinceCollection += repairInterval
                if sinceCollection >= gcInterval {
                    sinceCollection = .zero
                    _ = try? await self.collectGarbage(everything: false)
                }
            }
        }
    }

    /// One planning pass; each copy runs on its own and reports back.
    func repairPass() {
        checkLeadership()
        noteServerChanges()
        guard case .primary = role else { return }
        let rate = state.configuration.cloneBytesPerSecond
        let timeout = state.configuration.cloneTimeout
        catchUp()
        for order in state.planReplication() {
            note("copy", "copying chunk \(order.handle) from \(order.source) to \(order.target) (\(order.reason.rawValue))")
            let request = ChunkRequest.replicate(order.handle, version: order.version, source: order.source,
                                                 bytesPerSecond: rate).line(epoch: epoch)
            Task {
                let failure: (any Error)?
                do {
                    _ = try await pool.call(order.target, request, timeout: timeout)
                    failure = nil
                } catch {
                    failure = error
                }
                self.cloneDone(order, failure: failure)
            }
        }
    }

    private func cloneDone(_ order: CloneOrder, failure: (any Error)?) {
        state.cloneFinished(order, succeeded: failure == nil)
        if let failure {
            note("copy-failed", "copy of chunk \(order.handle) to \(order.target) failed: \(failure)", level: .warning)
        } else {
            note("copied", "copied chunk \(order.handle) to \(order.target)")
        }
    }

    /// Version-only GRANTs to replicas left behind by unused versions (see `planCatchUps`).
    private func catchUp() {
        for plan in state.planCatchUps() {
            logger.info("bringing \(plan.servers.count) replica(s) of chunk \(plan.handle) to version \(plan.version)")
            Task {
                let request = ChunkRequest.grant(plan.handle, version: plan.version, leaseMilliseconds: nil, create: false,
                                                 secondaries: [])
                let (confirmed, unreached) = await self.sendGrants(request, to: plan.servers, primary: nil)
                let refused = plan.servers.filter { !confirmed.contains($0) && !unreached.contains($0) }
                self.catchUpDone(plan, confirmed: confirmed, refused: refused)
            }
        }
    }

    private func catchUpDone(_ plan: MasterStateMachine.CatchUp, confirmed: [ServerID], refused: [ServerID]) {
        state.catchUpFinished(plan, confirmed: confirmed, refused: refused)
    }

    /// A garbage-collection pass: deleted files past the grace period (all with `everything`) are removed and
    /// logged; their chunks' replicas are deleted as the chunkservers next hear from the master.
    func collectGarbage(everything: Bool) async throws(GFSError) -> CollectionSummary {
        guard case .primary = role else { return CollectionSummary() }
        let (mutations, summary) = try await locked([Trash.folder]) { () throws(GFSError) in
            state.collectGarbage(everything: everything)
        }
        try await commit(mutations)
        if summary.purged > 0 {
            note("gc", "garbage collection purged \(summary.purged) deleted entries, \(summary.chunks) chunks")
        }
        return summary
    }

    /// Answers the requests of this extension.
    func handleRepair(_ request: MasterRequest, payload: ByteBuffer?, call: ClientCall?) async throws(GFSError) -> Reply {
        switch request {
        case let .report(server):
            let deletions = try state.report(server, chunks: try ReportedChunk.parse(payload ?? ByteBuffer()))
            guard case .primary = role else { return .ok() }
            if !deletions.isEmpty { logger.info("chunkserver \(server) holds \(deletions.count) orphan or stale replicas") }
            return InstructionsReply(deletions.map { ChunkServerInstruction.delete($0) }, epoch: epoch).reply
        case let .leave(server):
            logger.notice("chunkserver \(server) is stopping for a restart")
            state.serverLeaving(server)
        case let .drain(server, stop):
            try state.drain(server, !stop)
            logger.notice(stop ? "chunkserver \(server) no longer draining" : "draining chunkserver \(server)")
        case let .tune(perServer, total, rate):
            state.tune(clonesPerServer: perServer, clonesTotal: total, cloneBytesPerSecond: rate)
            let configuration = state.configuration
            return TuneReply(clonesPerServer: configuration.clonesPerServer, clonesTotal: configuration.clonesTotal,
                             cloneBytesPerSecond: configuration.cloneBytesPerSecond).reply
        case let .deleted(path):
            return DeletedListing(state.deleted(under: path).map(DeletedInfo.init)).reply
        case let .undelete(path):
            try await commit([try await locked([path]) { () throws(GFSError) in try state.undelete(path) }], finishing: call)
        case let .collectGarbage(all):
            let summary = try await collectGarbage(everything: all)
            return summary.reply
        case let .fsck(path, files, chunks, after, limit):
            var items: [FsckReply.Item] = []
            let (summary, next) = try state.fsck(path, after: after, limit: limit ?? .max) { path, entry, checks in
                let troubled = checks.filter(\.isTroubled)
                if files || !troubled.isEmpty {
                    items.append(.file(FsckFile(path: path, status: ChunkCheck.fileStatus(checks), size: entry.length,
                                                chunks: checks.count, goal: entry.replication)))
                }
                for check in chunks ? checks : troubled { items.append(.chunk(FsckChunk(path: path, check: check))) }
            }
            return FsckReply(summary: summary, items: items, next: next).reply
        default:
            throw GFSError(.internal, "\(request.line.verb) is not a repair request")
        }
        return .ok()
    }
}
