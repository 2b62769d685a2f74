import GFSCore
import GFSProtocol
import NIOCore

/// Reads that ride through a replica that stopped answering (a SIGSTOPped or wedged chunkserver: its kernel
/// still takes the request, so only the reply's deadline would end the wait).
extension Client {
    /// What asking the replicas of one range came to.
    enum RangeRead: Sendable {
        case read([ByteBuffer])
        /// Every replica asked failed; `denied` if one refused the token.
        case failed([String], denied: Bool)
    }

    /// `servers` in their order, the suspect ones last.
    func trustedFirst(_ servers: [ServerID]) -> [ServerID] {
        let now = clock.now
        return suspects.withLockedValue { $0.ordered(servers, at: now) }
    }

    /// Reads the range from the first of `candidates` to answer in full (`HedgedRace`). The hedge delay is
    /// `HedgeDelay`'s: at least a second, more when pieces have lately been slow. A server that failed
    /// for want of an answer, or was left waiting, is suspected; one that answered is trusted again.
    func firstRead(_ chunk: ChunkLocation, from candidates: [ServerID], offset: Int64, length: Int) async -> RangeRead {
        var failures: [String] = []
        var denied = false
        let outcome = await HedgedRace.run(
            count: candidates.count, hedgeAfter: hedgeDelay.withLockedValue { $0.delay },
            ask: { (index) async throws(GFSError) -> [ByteBuffer] in
                try await self.read(chunk, from: candidates[index], offset: offset, length: length)
            },
            check: { (parts) throws(GFSError) in
                let count = parts.reduce(0) { $0 + $1.readableBytes }
                guard count == length else { throw GFSError(.internal, "short read (\(count) of \(length) bytes)") }
            },
            failed: { index, error in
                failures.append("\(candidates[index]): \(error.message)")
                denied = denied || error.code == .denied
                // A silent or unreachable server, not one that answered about this chunk (a checksum, a version).
                if error.code == .timeout || error.code == .unavailable { suspect(candidates[index]) }
            },
            slow: { index in suspect(candidates[index]) })
        switch outcome {
        case let .answered(index, parts, took):
            suspects.withLockedValue { $0.answered(candidates[index]) }
            hedgeDelay.withLockedValue { $0.observe(took) }
            return .read(parts)
        case .failed:
            return .failed(failures, denied: denied)
        }
    }

    /// Puts `server` last for a while: it failed for want of an answer, or was left waiting.
    func suspect(_ server: ServerID) {
        let now = clock.now
        suspects.withLockedValue { $0.suspect(server, at: now) }
    }
}
