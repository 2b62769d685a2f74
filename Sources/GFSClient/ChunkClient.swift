import GFSProtocol
import NIOCore

/// Typed calls to chunkservers: push along a chain, write through the primary, read.
public struct ChunkClient: Sendable {
    let pool: ConnectionPool
    let timeout: Duration
    /// The deadline of a PUSH, WRITE or APPEND (`Patience.mutationCallTimeout`): no longer than the caller's
    /// patience, and shorter once that is over 5 s, so a call that hangs still leaves time to try again.
    let mutationTimeout: Duration

    /// A chunkserver client sharing `pool`'s connections.
    public init(pool: ConnectionPool, timeout: Duration = .seconds(30), mutationTimeout: Duration? = nil) {
        self.pool = pool
        self.timeout = timeout
        self.mutationTimeout = mutationTimeout ?? timeout
    }

    /// Pushes `data` to `chain[0]`, which forwards it to the rest as it arrives (GFS §3.2). A client
    /// principal shows the lease's write `token`.
    public func push(_ data: ByteBuffer, id: String, chain: [ServerID], token: String? = nil) async throws(GFSError) {
        guard let first = chain.first else { throw GFSError(.unavailable, "no replica to push to") }
        let request = ChunkRequest.push(id: id, length: data.readableBytes, chain: Array(chain.dropFirst()))
        var line = TokenField.stamp(request.line, token)
        line.fields.removeAll { $0.key == "len" }
        _ = try await pool.connection(to: first).call(line, payload: data, timeout: mutationTimeout)
    }

    /// Asks the primary to apply pushed data `id` at `offset` and forward it to the secondaries the master
    /// granted it (GFS §3.1).
    /// Returns the chunk's length after the write.
    public func write(_ lease: LeaseInfo, offset: Int64, id: String) async throws(GFSError) -> Int64 {
        let request = ChunkRequest.write(lease.handle, version: lease.version, offset: offset, id: id)
        let line = TokenField.stamp(request.line, lease.token)
        return try LengthReply(try await pool.connection(to: lease.primary).call(line, timeout: mutationTimeout)).length
    }

    /// Asks the primary to append pushed data `id` as one record (GFS §3.3); returns the offset it chose.
    public func append(_ lease: LeaseInfo, id: String) async throws(GFSError) -> Int64 {
        let request = ChunkRequest.append(lease.handle, version: lease.version, id: id)
        let line = TokenField.stamp(request.line, lease.token)
        return try AppendReply(try await pool.connection(to: lease.primary).call(line, timeout: mutationTimeout)).offset
    }

    /// The CRC32C of a replica's first `length` bytes, composed on the chunkserver from its block checksums.
    public func checksum(_ handle: ChunkHandle, version: ChunkVersion, length: Int64, from server: ServerID,
                         token: String? = nil) async throws(GFSError) -> UInt32 {
        let line = TokenField.stamp(ChunkRequest.checksum(handle, version: version, length: length).line, token)
        return try ChecksumReply(try await pool.connection(to: server).call(line, timeout: timeout)).crc
    }

    /// A ticket for the files of a replica on this machine, where to redeem it, and its length (`LOCAL`).
    public func local(_ handle: ChunkHandle, version: ChunkVersion, from server: ServerID,
                      token: String? = nil) async throws(GFSError) -> LocalReply {
        let line = TokenField.stamp(ChunkRequest.local(handle, version: version).line, token)
        return try LocalReply(try await pool.connection(to: server).call(line, timeout: timeout))
    }

    /// Reads `length` bytes at `offset` of a chunk from one replica; the replica verifies checksums first. The
    /// bytes come in the pieces they arrived in, in order.
    public func read(_ handle: ChunkHandle, version: ChunkVersion, offset: Int64, length: Int,
                     from server: ServerID, token: String? = nil) async throws(GFSError) -> [ByteBuffer] {
        let request = ChunkRequest.read(handle, version: version, offset: offset, length: length)
        let line = TokenField.stamp(request.line, token)
        return try await pool.connection(to: server).callInParts(line, timeout: timeout)
    }
}
