import GFSClient
import GFSProtocol
import Logging
import NIOCore

/// Keeps one connection to the master open (so the master notices a crash at once), registers with a full
/// chunk report, then heartbeats; carries out the master's EXTEND and DELETE answers. Reconnects and
/// registers again whenever the master goes away.
struct HeartbeatLoop: Sendable {
    let service: ChunkService
    /// The master this loop reports to.
    let master: ServerID
    let interval: Duration
    let rack: String
    /// A shadow master learns locations only from reports, so it gets a full one this often.
    let shadowReportEvery = 5
    /// Heartbeats between full reports to the primary, which answers with the orphans to delete (GFS §4.4.2).
    let reportEvery: Int

    func run() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection = try await Connection.connect(to: master, timeout: .seconds(5),
                                                              requireMaster: MasterKey.trusted != nil)
                defer { connection.close() }
                var shadow = try await register(on: connection)
                failures = 0
                var beats = 0
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    beats += 1
                    if shadow, beats % shadowReportEvery == 0 {
                        shadow = try await register(on: connection)
                    } else if !shadow, beats % reportEvery == 0 {
                        try await report(on: connection)
                    } else if try await beat(on: connection), shadow {
                        // A shadow elected primary stamps its epoch on heartbeat replies: report in full at once,
                        // so it can lift its lease fence without waiting for the next report.
                        shadow = try await register(on: connection)
                    }
                }
            } catch {
                failures += 1
                if failures == 1 || failures % 30 == 0 {
                    service.logger.warning("master \(master): \(error); retrying")
                }
                try? await Task.sleep(for: min(interval, .seconds(1)))
            }
        }
    }

    /// Registers with a full report; returns whether the master is a shadow.
    private func register(on connection: Connection) async throws(GFSError) -> Bool {
        let space = service.store.diskSpace()
        // The leases held go with the report, so a master that just restarted need not wait all of them out.
        let held = service.state.withLockedValue { $0.leases.remaining(at: service.clock.now) }
        let report = service.store.report().map { chunk in
            var chunk = chunk
            chunk.leaseMilliseconds = held[chunk.handle].map { max(1, $0.milliseconds + 1) }
            return chunk
        }
        let request = MasterRequest.register(service.address, rack: rack, capacityBytes: space.capacity,
                                             freeBytes: space.free)
        let reply = try RegisterReply(try await connection.call(request.line, payload: ReportedChunk.payload(report),
                                                                 timeout: .seconds(30)))
        let shadow = reply.role != .primary
        if !shadow {
            service.state.withLockedValue { $0.chunkSize = reply.chunkSize }
            service.logger.info("registered with \(master): \(report.count) chunks")
        }
        service.tokens?.accept(reply.tokenKeys)
        try await carryOut(reply.instructions, epoch: reply.epoch, sent: service.clock.now)
        return shadow
    }

    private func report(on connection: Connection) async throws(GFSError) {
        let sent = service.clock.now
        let report = service.store.report()
        let reply = try await connection.call(MasterRequest.report(service.address).line,
                                              payload: ReportedChunk.payload(report), timeout: .seconds(30))
        let instructions = try InstructionsReply(reply)
        try await carryOut(instructions.instructions, epoch: instructions.epoch, sent: sent)
    }

    /// One heartbeat; returns whether the master answered as an elected primary.
    private func beat(on connection: Connection) async throws(GFSError) -> Bool {
        let sent = service.clock.now
        let request = MasterRequest.heartbeat(service.address, freeBytes: service.store.diskSpace().free,
                                              leases: service.state.withLockedValue { [now = sent] in $0.leasesToExtend(at: now) })
        let reply = try InstructionsReply(try await connection.call(request.line, timeout: interval * 5))
        service.tokens?.accept(reply.tokenKeys)  // only a primary announces them
        try await carryOut(reply.instructions, epoch: reply.epoch, sent: sent)
        return reply.epoch > 0
    }

    /// Carries out a master's instructions, unless that master's epoch has passed (it was deposed).
    private func carryOut(_ instructions: [ChunkServerInstruction], epoch: UInt64, sent: Instant) async throws(GFSError) {
        // Every reply of an elected primary raises the epoch here, so this server refuses the old primary's
        // orders from its first heartbeat to the new one on, not only from the new one's first order.
        guard !instructions.isEmpty || epoch > 0 else { return }
        do { try await service.epochs.admit(epoch, "a heartbeat reply from \(master)") } catch where error.code == .stale {
            service.logger.warning("\(error.message); ignoring its \(instructions.count) instruction(s)")
            return
        }
        for instruction in instructions {
            switch instruction {
            case let .extend(handle, version, lease):
                service.state.withLockedValue { $0.extended(handle, version: version, duration: lease, sent: sent) }
            case let .delete(handle):
                service.logger.info("deleting chunk \(handle) as the master asked")
                service.state.withLockedValue { $0.dropped(handle) }
                try await service.onDisk { [store = service.store] () throws(GFSError) in try store.delete(handle) }
            }
        }
    }
}
