import GFSCore
import GFSProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Short-circuit reads (HDFS has them too): a replica on this machine is read from its files here, its block
/// checksums verified here, with no copy through its chunkserver and the loopback. The chunkserver is still
/// asked first (`LOCAL`), with the same version rule and token as a `READ`, and hands the files over open on its
/// descriptor socket, so a reader of any user may read them; anything wrong with them sends the read to it over
/// the protocol port, where it verifies and reports.
extension Client {
    /// Reads the range from the replica on `server`: from its files when it is on this machine and local reads
    /// are on, else (or if the files fail) with `READ`.
    func read(_ chunk: ChunkLocation, from server: ServerID, offset: Int64, length: Int) async throws(GFSError) -> [ByteBuffer] {
        if localReads, LocalAddresses.holds(server), !noLocalReads.withLockedValue({ $0.isSuspect(server, at: clock.now) }),
            let bytes = try await readLocally(chunk, from: server, offset: offset, length: length) {
            return [bytes]
        }
        return try await chunks.read(chunk.handle, version: chunk.version, offset: offset, length: length, from: server,
                                     token: chunk.token)
    }

    /// The range read from the replica's own files, or nil to read it over the port instead. The chunkserver's
    /// answer to `LOCAL` is the replica's answer (stale, gone, silent), as its `READ` would be. A chunkserver
    /// that cannot hand files over (it does not know `LOCAL`, its socket is not here or fails) is read over its
    /// port for a while; one that refuses this ticket (the replica went), only for this piece. A checksum that
    /// disagrees may be a corrupt replica or only a write that raced this read: the `READ` that follows tells
    /// which, and its chunkserver reports a corrupt replica to the master.
    private func readLocally(_ chunk: ChunkLocation, from server: ServerID, offset: Int64,
                             length: Int) async throws(GFSError) -> ByteBuffer? {
        let ticket: LocalReply
        do {
            ticket = try await chunks.local(chunk.handle, version: chunk.version, from: server, token: chunk.token)
        } catch where error.code == .badRequest {
            noLocalReads.withLockedValue { $0.suspect(server, at: clock.now) }
            return nil
        }
        // Blocking calls (each bounded by DescriptorSocket.readerPatience) and disk reads: on the disk threads,
        // in one hop.
        let outcome = try? await NIOThreadPool.singleton.runIfActive { () -> LocalOutcome in
            let redeemed: DescriptorSocket.Redeemed
            do throws(GFSError) {
                redeemed = try DescriptorSocket.redeem(ticket.ticket, proof: ticket.proof, at: ticket.socket)
            } catch {
                return error.code == .unavailable ? .noFiles : .failed
            }
            guard case let .files(chunkFile, checksumFile) = redeemed else { return .noFiles }
            defer {
                Glibc.close(chunkFile)
                Glibc.close(checksumFile)
            }
            let replica = LocalReplica(chunk: chunkFile, checksum: checksumFile, length: ticket.length)
            return (try? replica.read(offset: offset, length: length)).map(LocalOutcome.read) ?? .failed
        }
        switch outcome {
        case let .read(bytes):
            return bytes
        case .noFiles:
            noLocalReads.withLockedValue { $0.suspect(server, at: clock.now) }
            return nil
        case .failed, nil:
            return nil
        }
    }
}

/// What a local read came to.
private enum LocalOutcome: Sendable {
    case read(ByteBuffer)
    /// The chunkserver cannot hand this client files (its socket is not here, fails, or is not its own).
    case noFiles
    /// This piece only: the ticket was refused (the replica went) or the files failed their checksums.
    case failed
}

/// Whether a server is on this machine: on loopback, or at one of this machine's interface addresses (read
/// once).
enum LocalAddresses {
    static let interfaces: Set<String> = Set(((try? System.enumerateDevices()) ?? []).compactMap { $0.address?.ipAddress })

    static func holds(_ server: ServerID) -> Bool { server.isLoopback || interfaces.contains(server.host) }
}

/// A replica's data and checksum files, open, as its chunkserver handed them over; the receiver closes them.
struct LocalReplica {
    let chunk: Int32
    let checksum: Int32
    /// The replica's length when its chunkserver gave the ticket.
    let length: Int64

    /// Up to `length` bytes at `offset` (fewer at the replica's end), each block they touch checked against
    /// its stored CRC32C. CHECKSUM when the bytes fail their checksums or the files are short.
    func read(offset: Int64, length: Int) throws(GFSError) -> ByteBuffer {
        guard offset >= 0, offset < self.length, length > 0 else { return ByteBuffer() }
        let count = Int(min(Int64(length), self.length - offset))
        let blocks = ChecksumLayout.blocks(offset: offset, count: count)
        let blockSize = ChecksumLayout.blockSize
        let start = Int64(blocks.lowerBound * blockSize)
        let end = min(Int64(blocks.upperBound * blockSize), self.length)
        var bytes = try Self.read(chunk, "the replica", at: start, count: Int(end - start))
        let sums = try Self.read(checksum, "its checksums", at: Int64(blocks.lowerBound * 4), count: blocks.count * 4)
        let mismatch = bytes.withUnsafeReadableBytes { raw in
            sums.withUnsafeReadableBytes { ChecksumLayout.firstMismatch(raw, sums: $0, blocks: blocks) }
        }
        if let block = mismatch { throw GFSError(.checksum, "block \(block) does not match its checksum here") }
        bytes.moveReaderIndex(forwardBy: Int(offset - start))
        return bytes.readSlice(length: count) ?? ByteBuffer()
    }

    /// Exactly `count` bytes of `descriptor` from `offset`.
    private static func read(_ descriptor: Int32, _ what: String, at offset: Int64, count: Int) throws(GFSError) -> ByteBuffer {
        var buffer = ByteBuffer()
        let done = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            var done = 0
            while done < count {
                let got = pread(descriptor, raw.baseAddress.map { $0 + done }, count - done, off_t(offset) + off_t(done))
                if got < 0, errno == EINTR { continue }
                if got <= 0 { break }
                done += got
            }
            return done
        }
        guard done == count else { throw GFSError(.checksum, "\(what): \(done) of \(count) bytes here") }
        return buffer
    }
}
