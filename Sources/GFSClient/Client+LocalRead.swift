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
/// asked first (`LOCAL`), with the same version rule and token as a `READ`, and still verifies and reports:
/// anything wrong with the files sends the read to it over the socket.
extension Client {
    /// Reads the range from the replica on `server`: from its files when it is on this machine and local reads
    /// are on, else (or if the files fail) with `READ`.
    func read(_ chunk: ChunkLocation, from server: ServerID, offset: Int64, length: Int) async throws(GFSError) -> [ByteBuffer] {
        if localReads, LocalAddresses.holds(server), !filesElsewhere.withLockedValue({ $0.contains(server) }),
            let bytes = try await readLocally(chunk, from: server, offset: offset, length: length) {
            return [bytes]
        }
        return try await chunks.read(chunk.handle, version: chunk.version, offset: offset, length: length, from: server,
                                     token: chunk.token)
    }

    /// The range read from the replica's own files, or nil to read it over the socket instead. The chunkserver's
    /// answer to `LOCAL` is the replica's answer (stale, gone, silent), as its `READ` would be; only one that
    /// does not know `LOCAL` is asked again with `READ`. Files that are not the ones the chunkserver sees (it
    /// runs in another file system, or they cannot be opened here) send every read of that server over its
    /// socket from then on. A checksum that disagrees may be a corrupt replica or only a write that raced this
    /// read: the `READ` that follows tells which, and its chunkserver reports a corrupt replica to the master.
    private func readLocally(_ chunk: ChunkLocation, from server: ServerID, offset: Int64,
                             length: Int) async throws(GFSError) -> ByteBuffer? {
        let files: LocalReply
        do {
            files = try await chunks.local(chunk.handle, version: chunk.version, from: server, token: chunk.token)
        } catch where error.code == .badRequest {
            return nil
        }
        do {
            return try await NIOThreadPool.singleton.runIfActive { () throws(GFSError) -> ByteBuffer in
                try LocalReplica(files, handle: chunk.handle).read(offset: offset, length: length)
            }
        } catch {
            if (error as? GFSError)?.code != .checksum { filesElsewhere.withLockedValue { _ = $0.insert(server) } }
            return nil
        }
    }
}

/// Whether a server is on this machine: on loopback, or at one of this machine's interface addresses (read
/// once).
enum LocalAddresses {
    static let interfaces: Set<String> = Set(((try? System.enumerateDevices()) ?? []).compactMap { $0.address?.ipAddress })

    static func holds(_ server: ServerID) -> Bool { server.isLoopback || interfaces.contains(server.host) }
}

/// A replica's files as `LOCAL` named them.
struct LocalReplica {
    let files: LocalReply
    let handle: ChunkHandle

    init(_ files: LocalReply, handle: ChunkHandle) {
        self.files = files
        self.handle = handle
    }

    /// Up to `length` bytes at `offset` (fewer at the replica's end), each block they touch checked against
    /// its stored CRC32C. UNAVAILABLE when the files are not the chunkserver's (named for another chunk, not
    /// regular files, or other files at those paths here); CHECKSUM when the bytes fail their checksums or
    /// the files are short.
    func read(offset: Int64, length: Int) throws(GFSError) -> ByteBuffer {
        guard offset >= 0, offset < files.length, length > 0 else { return ByteBuffer() }
        let folder = String(files.chunkPath.dropLast("\(handle).chunk".count))
        guard folder.hasSuffix("/"), files.chunkPath == folder + "\(handle).chunk", files.checksumPath == folder + "\(handle).crc"
        else { throw GFSError(.unavailable, "LOCAL named \(files.chunkPath), not chunk \(handle)'s files") }
        let chunkFile = try Self.open(files.chunkPath, files.chunkFile)
        defer { close(chunkFile) }
        let checksumFile = try Self.open(files.checksumPath, files.checksumFile)
        defer { close(checksumFile) }
        let count = Int(min(Int64(length), files.length - offset))
        let blocks = ChecksumLayout.blocks(offset: offset, count: count)
        let blockSize = ChecksumLayout.blockSize
        let start = Int64(blocks.lowerBound * blockSize)
        let end = min(Int64(blocks.upperBound * blockSize), files.length)
        var bytes = try Self.read(chunkFile, files.chunkPath, at: start, count: Int(end - start))
        let sums = try Self.read(checksumFile, files.checksumPath, at: Int64(blocks.lowerBound * 4), count: blocks.count * 4)
        let mismatch = bytes.withUnsafeReadableBytes { raw in
            sums.withUnsafeReadableBytes { ChecksumLayout.firstMismatch(raw, sums: $0, blocks: blocks) }
        }
        if let block = mismatch {
            throw GFSError(.checksum, "\(files.chunkPath): block \(block) does not match its checksum here")
        }
        bytes.moveReaderIndex(forwardBy: Int(offset - start))
        return bytes.readSlice(length: count) ?? ByteBuffer()
    }

    /// Opens `path` for reading if it is a regular file and the very one `identity` names. No symbolic link is
    /// followed, and a FIFO or device does not block the open.
    private static func open(_ path: String, _ identity: LocalReply.FileIdentity) throws(GFSError) -> Int32 {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { throw GFSError(.unavailable, "\(path): \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
            UInt64(status.st_dev) == identity.device, UInt64(status.st_ino) == identity.inode
        else {
            close(descriptor)
            throw GFSError(.unavailable, "\(path) here is not the file its chunkserver has")
        }
        return descriptor
    }

    /// Exactly `count` bytes of `descriptor` (the file at `path`) from `offset`.
    private static func read(_ descriptor: Int32, _ path: String, at offset: Int64, count: Int) throws(GFSError) -> ByteBuffer {
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
        guard done == count else { throw GFSError(.checksum, "\(path): \(done) of \(count) bytes here") }
        return buffer
    }
}
