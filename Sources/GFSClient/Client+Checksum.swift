import GFSCore
import GFSProtocol

extension Client {
    /// The CRC32C of a file's bytes, composed from what each chunk's chunkservers compute from their stored
    /// block checksums (no data is read to the client). It depends only on the bytes: equal files have equal
    /// checksums whatever their chunk size or replicas, and `CRC32C.checksum` of a local copy gives the same.
    /// A record file is summed as stored, framing and padding included.
    public func checksum(_ path: GFSPath) async throws(GFSError) -> (crc: UInt32, size: Int64) {
        let layout = try await locations.refresh(path, from: master)
        var crc: UInt32 = 0
        for chunk in layout.chunks {
            let start = Int64(chunk.index) * layout.chunkSize
            guard start < layout.size else { break }
            let length = min(layout.chunkSize, layout.size - start)
            crc = CRC32C.combine(crc, try await chunkChecksum(path, chunk, length: length), secondLength: length)
        }
        return (crc, layout.size)
    }

    /// One chunk's checksum from the first replica that gives it, asking the next at once when one fails and
    /// as well when one has not answered within the hedge delay (a frozen chunkserver takes the request and
    /// never answers, which cost a whole --timeout when replicas were asked strictly in turn).
    func chunkChecksum(_ path: GFSPath, _ chunk: ChunkLocation, length: Int64) async throws(GFSError) -> UInt32 {
        let chunks = self.chunks
        let candidates = trustedFirst(chunk.replicas.shuffled())
        var failures: [String] = []
        let outcome = await HedgedRace.run(
            count: candidates.count, hedgeAfter: hedgeDelay.withLockedValue { $0.delay },
            ask: { (index) async throws(GFSError) -> UInt32 in
                try await chunks.checksum(chunk.handle, version: chunk.version, length: length, from: candidates[index],
                                          token: chunk.token)
            },
            check: { _ in },
            failed: { index, error in
                failures.append("\(candidates[index]): \(error.message)")
                if error.code == .timeout || error.code == .unavailable { suspect(candidates[index]) }
            },
            slow: { index in suspect(candidates[index]) })
        if case let .answered(index, crc, _) = outcome {
            suspects.withLockedValue { $0.answered(candidates[index]) }
            return crc
        }
        let detail = failures.isEmpty ? "no live replica" : failures.joined(separator: "; ")
        throw GFSError(.unavailable, "\(path): chunk \(chunk.index) (\(chunk.handle)): no checksum: \(detail)")
    }
}
