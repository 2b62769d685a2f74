import GFSClient
import GFSProtocol
import Logging
import NIOCore

/// A shadow's loop (GFS §5.1.3): ask the primary for the records after its own log's end, apply them, and
/// repeat; fetch a checkpoint when the records are gone; reconnect when the primary is unreachable. It
/// resumes from its own log, so a shadow that restarts or falls behind catches up by itself.
struct ShadowFollower: Sendable {
    let primary: ServerID
    let address: ServerID
    let service: MasterService

    func run() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection = try await Connection.connect(to: primary, timeout: .seconds(5),
                                                              limits: Limits(maximumPayloadBytes: 1 << 30))
                defer { connection.close() }
                failures = 0
                // A call to the primary does not end when its task is cancelled; closing the connection ends it
                // at once, so a cancelled follower is gone without waiting out a TAIL's or a CHECKPOINT's deadline.
                try await withTaskCancellationHandler {
                    while !Task.isCancelled { try await step(connection) }
                } onCancel: {
                    connection.close()
                }
            } catch {
                if Task.isCancelled { break }
                failures += 1
                if failures == 1 || failures % 30 == 0 {
                    service.logger.warning("following \(primary): \(error); retrying")
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    private func step(_ connection: Connection) async throws(GFSError) {
        let from = await service.nextSequenceToFetch()
        let request = MasterRequest.tail(from: from, shadow: address, waitMilliseconds: 1000,
                                         last: await service.lastRecordCheck())
        let outcome: Result<Reply, GFSError>
        do { outcome = .success(try await connection.call(request.line, timeout: .seconds(10))) } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case let .success(reply):
            let tail = try TailReply(reply)
            do {
                if tail.records.readableBytes > 0 { try await service.applyReplicated(Array(tail.records.readableBytesView)) }
            } catch {
                await service.heard(from: primary, end: tail.durable)
                throw error
            }
            await service.heard(from: primary, end: tail.durable)
        case let .failure(error) where error.code == .stale:
            // Behind the primary's oldest record, or diverged from its log: start again from its checkpoint.
            service.logger.warning("primary \(primary): \(error.message)")
            let checkpoint = try CheckpointReply(try await connection.call(MasterRequest.checkpoint.line, timeout: .seconds(120)))
            try await service.startAgain(from: Array(checkpoint.bytes.readableBytesView), sequence: checkpoint.sequence,
                                         last: checkpoint.last)
        case let .failure(error):
            throw error
        }
    }
}
