import GFSClient
import GFSProtocol
import NIOCore

/// Re-replication targets and the scrubber (GFS §4.3, §5.2): copies come from another chunkserver, never the
/// master, paced to a byte rate; idle-time verification finds corruption in chunks nobody reads.
extension ChunkService {
    /// `REPLICATE`: reads the chunk from `source` (which verifies its checksums as it sends) in 1 MiB pieces,
    /// no faster than `bytesPerSecond`, then installs it whole, so a failed copy leaves nothing behind.
    func replicate(_ handle: ChunkHandle, version: ChunkVersion, from source: ServerID,
                   bytesPerSecond: Int64?) async throws(GFSError) {
        guard ChunkServerState.installsCopy(at: version, over: store.version(handle)) else { return }
        let piece = 1 << 20
        let limit = chunkSize
        var data = ByteBuffer()
        let started = ContinuousClock.now
        while true {
            let request = ChunkRequest.read(handle, version: version, offset: Int64(data.readableBytes), length: piece)
            var bytes = try await pool.call(source, request.line, timeout: .seconds(30)).payload ?? ByteBuffer()
            let count = bytes.readableBytes
            data.writeBuffer(&bytes)
            guard data.readableBytes <= limit else {
                throw GFSError(.badRequest, "chunk \(handle) on \(source) is longer than the chunk size \(limit)")
            }
            if count < piece { break }
            await pace(started: started, bytes: data.readableBytes, bytesPerSecond: bytesPerSecond)
        }
        let copied = data
        let installed = try await sequencer.run(handle) { () async throws(GFSError) -> Bool in
            guard ChunkServerState.installsCopy(at: version, over: store.version(handle)) else { return false }
            try await onDisk { [store] () throws(GFSError) in try store.install(handle, version: version, data: copied) }
            store.traffic.replicated(copied.readableBytes)
            return true
        }
        guard installed else { return }
        logger.info("copied chunk \(handle) v\(version) from \(source): \(copied.readableBytes) bytes")
    }

    /// Sleeps until `bytes` moved since `started` are within `bytesPerSecond`.
    private func pace(started: ContinuousClock.Instant, bytes: Int, bytesPerSecond: Int64?) async {
        guard let rate = bytesPerSecond, rate > 0 else { return }
        let due = started + .milliseconds(Int64(bytes) * 1000 / rate)
        let now = ContinuousClock.now
        if due > now { try? await Task.sleep(for: due - now) }
    }

    /// Walks every replica forever, verifying each block's checksum at `bytesPerSecond`; a bad replica is
    /// quarantined and reported, and the master re-replicates it from a good one.
    func scrub(bytesPerSecond: Int64) async {
        let piece = 1 << 20
        while !Task.isCancelled {
            let started = ContinuousClock.now
            var verified = 0
            for chunk in store.report() {
                var offset: Int64 = 0
                while offset < chunk.length, !Task.isCancelled {
                    do {
                        let read = try await onDisk { [store, offset] () throws(GFSError) -> Int in
                            try store.read(chunk.handle, at: offset, length: piece).readableBytes
                        }
                        if read == 0 { break }
                        offset += Int64(read)
                        verified += read
                    } catch {
                        if error.code == .checksum { await reportCorrupt(chunk.handle, error) }
                        break
                    }
                    await pace(started: started, bytes: verified, bytesPerSecond: bytesPerSecond)
                }
            }
            // An empty or small store still waits a moment between passes.
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
