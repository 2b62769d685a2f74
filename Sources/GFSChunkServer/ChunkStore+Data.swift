import GFSClient
import GFSProtocol
import NIOCore
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing replica bytes with their block checksums (GFS §5.2).
extension ChunkStore {
    /// Writes `data` at `offset` and updates the checksums of every block it touched (and of any gap it opened
    /// past the old end), returning the replica's new length. Nothing is synced here: `sync` makes every
    /// mutation applied so far durable, so concurrent mutations share one fdatasync.
    public func write(_ handle: ChunkHandle, at offset: Int64, _ data: ByteBuffer) throws(GFSError) -> Int64 {
        try write(handle, at: offset, PushedBytes(data))
    }

    func write(_ handle: ChunkHandle, at offset: Int64, _ data: PushedBytes) throws(GFSError) -> Int64 {
        guard let replica = replica(handle) else { throw GFSError(.notFound, "chunk \(handle) not held here") }
        return try replica.exclusively { () throws(GFSError) -> Int64 in
            let oldLength = replica.state.withLockedValue { $0.length }
            let dataFile = try Self.open(path(handle, "chunk"), [])
            defer { try? dataFile.close() }
            let newLength = max(oldLength, offset + Int64(data.count))
            let firstByte = min(offset, oldLength)
            let blocks = ChecksumLayout.blocks(offset: firstByte, count: Int(offset + Int64(data.count) - firstByte))
            try verifyKeptBytes(handle, blocks: blocks, oldLength: oldLength,
                                overwritten: offset..<(offset + Int64(data.count)), dataFile: dataFile)
            do { try data.write(to: dataFile, at: offset) } catch { throw Self.failure(error, path(handle, "chunk")) }
            try updateChecksums(handle, blocks: blocks, written: (offset, data), dataFile: dataFile, length: newLength)
            replica.state.withLockedValue {
                $0.length = newLength
                $0.applied += 1
            }
            traffic.wrote(data.count)
            return newLength
        }
    }

    /// Makes every mutation applied to `replica` before the call durable (fdatasync of its data and checksum
    /// files) and records how many that covered. NOTFOUND if the replica was deleted or replaced meanwhile.
    func sync(_ handle: ChunkHandle, _ replica: Replica) throws(GFSError) {
        guard self.replica(handle) === replica else { throw GFSError(.notFound, "chunk \(handle) not held here") }
        let applied = replica.state.withLockedValue { $0.applied }
        if synchronous {
            for kind in ["chunk", "crc"] {
                let file = try Self.open(path(handle, kind), [])
                defer { try? file.close() }
                guard fdatasync(file.rawValue) == 0 else { throw Self.errnoFailure(path(handle, kind)) }
            }
        }
        replica.state.withLockedValue { $0.durable = max($0.durable, applied) }
    }

    /// Copies the replica of `handle` on this disk as `new` at `version` (GFS §3.4: copy-on-write stays
    /// local, no data crosses the network). Checksums are copied with the data, so the copy verifies alike.
    /// Every block of the source is verified first: a copy of a corrupt replica would be a corrupt replica
    /// that the master counts as good and nobody has read yet. The caller keeps mutations of the source out.
    /// With `length`, the copy is that long: the source's first `keep` bytes (`length` when nil), then zeros;
    /// the checksums of the blocks past what was copied whole are summed again (a truncation, or a concat's
    /// padding: the source is never changed). A source shorter than `keep` is refused, never padded.
    public func clone(_ handle: ChunkHandle, to new: ChunkHandle, version: ChunkVersion, length: Int64? = nil,
                      keep: Int64? = nil, newest: ChunkVersion? = nil) throws(GFSError) {
        if replica(new) != nil { return }
        guard let source = replica(handle) else { throw GFSError(.notFound, "chunk \(handle) not held here") }
        let (sourceLength, sourceVersion) = source.state.withLockedValue { ($0.length, $0.version) }
        // A source past the newest version the master had issued when it asked has had writes since (a late
        // CLONE): not what the master meant to copy.
        guard sourceVersion >= version, sourceVersion <= max(version, newest ?? version) else {
            throw GFSError(.stale, "chunk \(handle) is at version \(sourceVersion), not \(version)...\(newest ?? version): not copied")
        }
        let wanted = keep ?? length ?? sourceLength
        guard wanted <= sourceLength, wanted <= (length ?? sourceLength) else {
            throw GFSError(.badRequest, "chunk \(handle) holds \(sourceLength) bytes; a copy keeping \(wanted) cannot be made from it")
        }
        var verified: Int64 = 0
        while verified < sourceLength {
            let piece = try read(handle, at: verified, length: 1 << 20).readableBytes
            guard piece > 0 else { break }
            verified += Int64(piece)
        }
        let blockSize = Int64(ChecksumLayout.blockSize)
        let total = try source.exclusively { () throws(GFSError) -> Int64 in
            let kept = min(wanted, source.state.withLockedValue { $0.length })
            let total = length ?? kept
            for kind in ["chunk", "crc"] {
                let input = try Self.open(path(handle, kind), [])
                defer { try? input.close() }
                let output = try Self.open(path(new, kind) + ".tmp", [.create, .truncate])
                defer { try? output.close() }
                let limit = kind == "chunk" ? kept : (kept + blockSize - 1) / blockSize * 4
                var offset: Int64 = 0
                var buffer = [UInt8](repeating: 0, count: 1 << 20)
                while offset < limit || length == nil {
                    let count: Int
                    do {
                        let room = length == nil ? buffer.count : Int(min(Int64(buffer.count), limit - offset))
                        count = try buffer.withUnsafeMutableBytes {
                            try input.read(fromAbsoluteOffset: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[..<room]))
                        }
                        if count == 0 { break }
                        _ = try buffer.withUnsafeBytes { try output.writeAll(toAbsoluteOffset: offset, $0.prefix(count)) }
                    } catch { throw Self.failure(error, path(new, kind)) }
                    offset += Int64(count)
                }
                // Zeros after the bytes kept (a sparse extension), up to the copy's length.
                if kind == "chunk", total > kept, ftruncate(output.rawValue, off_t(total)) != 0 {
                    throw Self.errnoFailure(path(new, kind))
                }
                // The blocks from the first not copied whole are summed again; the copy's data file is in place.
                if kind == "crc", length != nil {
                    let data = try Self.open(path(new, "chunk"), [])
                    defer { try? data.close() }
                    var block = kept / blockSize
                    while block * blockSize < total, kept % blockSize != 0 || block * blockSize >= kept {
                        let start = block * blockSize
                        let bytes = try readExactly(data, at: start, count: Int(min(blockSize, total - start)), path: path(new, "chunk"))
                        var sum: [UInt8] = []
                        withUnsafeBytes(of: bytes.withUnsafeReadableBytes { CRC32C.checksum($0) }.littleEndian) { sum.append(contentsOf: $0) }
                        do { _ = try output.writeAll(toAbsoluteOffset: block * 4, sum) } catch {
                            throw Self.failure(error, path(new, kind))
                        }
                        block += 1
                    }
                }
                if synchronous, fsync(output.rawValue) != 0 { throw Self.errnoFailure(path(new, kind)) }
                guard rename(path(new, kind) + ".tmp", path(new, kind)) == 0 else { throw Self.errnoFailure(path(new, kind)) }
            }
            return total
        }
        try writeNewReplica(new, version: version, length: total)
    }

    /// Installs a whole replica copied from another chunkserver: data and checksums written aside, synced,
    /// then renamed into place, replacing any older replica of the chunk.
    public func install(_ handle: ChunkHandle, version: ChunkVersion, data: ByteBuffer) throws(GFSError) {
        var sums: [UInt8] = []
        data.withUnsafeReadableBytes { raw in
            var start = 0
            while start < raw.count {
                let end = min(start + ChecksumLayout.blockSize, raw.count)
                let sum = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                withUnsafeBytes(of: sum.littleEndian) { sums.append(contentsOf: $0) }
                start = end
            }
        }
        if replica(handle) != nil { try delete(handle) }
        try DirectoryLock.makeDirectories(folder)  // the folder may have been wiped under a running server
        for kind in ["chunk", "crc"] {
            let temporary = path(handle, kind) + ".tmp"
            let file = try Self.open(temporary, [.create, .truncate])
            do {
                if kind == "crc" {
                    _ = try file.writeAll(toAbsoluteOffset: 0, sums)
                } else {
                    _ = try data.withUnsafeReadableBytes { try file.writeAll(toAbsoluteOffset: 0, $0) }
                }
                if synchronous, fsync(file.rawValue) != 0 { throw Self.errnoFailure(temporary) }
                try file.close()
            } catch let error as GFSError {
                try? file.close()
                throw error
            } catch { throw Self.failure(error, temporary) }
            guard rename(temporary, path(handle, kind)) == 0 else { throw Self.errnoFailure(path(handle, kind)) }
        }
        try writeNewReplica(handle, version: version, length: Int64(data.readableBytes))
    }

    /// Extends the replica with zeros to `size` bytes (GFS §3.3: a record that does not fit pads the chunk on
    /// every replica). The file stays sparse; the zero blocks get their checksums like any others. Not synced:
    /// see `sync`.
    public func pad(_ handle: ChunkHandle, to size: Int64) throws(GFSError) {
        guard let replica = replica(handle) else { throw GFSError(.notFound, "chunk \(handle) not held here") }
        try replica.exclusively { () throws(GFSError) in
            let oldLength = replica.state.withLockedValue { $0.length }
            guard size > oldLength else { return }
            let dataFile = try Self.open(path(handle, "chunk"), [])
            defer { try? dataFile.close() }
            let blocks = ChecksumLayout.blocks(offset: oldLength, count: Int(size - oldLength))
            try verifyKeptBytes(handle, blocks: blocks, oldLength: oldLength, overwritten: oldLength..<size, dataFile: dataFile)
            guard ftruncate(dataFile.rawValue, off_t(size)) == 0 else { throw Self.errnoFailure(path(handle, "chunk")) }
            try updateChecksums(handle, blocks: blocks, written: nil, dataFile: dataFile, length: size)
            replica.state.withLockedValue {
                $0.length = size
                $0.applied += 1
            }
        }
    }

    /// Verifies the bytes a mutation keeps in the blocks whose checksums it will recompute (GFS §5.2: read and
    /// verify the first and last blocks of a range being overwritten). Without this, a checksum summed over
    /// old and new bytes together would bless corruption in the part of a block that stays.
    private func verifyKeptBytes(_ handle: ChunkHandle, blocks: Range<Int>, oldLength: Int64, overwritten: Range<Int64>,
                                 dataFile: SystemPackage.FileDescriptor) throws(GFSError) {
        let blockSize = Int64(ChecksumLayout.blockSize)
        for block in blocks {
            let start = Int64(block) * blockSize
            let oldEnd = min(start + blockSize, oldLength)
            guard start < oldEnd, !(overwritten.lowerBound <= start && overwritten.upperBound >= oldEnd) else { continue }
            let bytes = try readExactly(dataFile, at: start, count: Int(oldEnd - start), path: path(handle, "chunk"))
            let checksumFile = try Self.open(path(handle, "crc"), [])
            defer { try? checksumFile.close() }
            let stored = try readExactly(checksumFile, at: Int64(block) * 4, count: 4, path: path(handle, "crc"))
            let expected = stored.getInteger(at: 0, endianness: .little, as: UInt32.self)
            let sum = bytes.withUnsafeReadableBytes { CRC32C.checksum($0) }
            guard sum == expected else { throw GFSError(.checksum, "chunk \(handle) block \(block): checksum mismatch") }
        }
    }

    /// Rewrites the checksums of `blocks`. Blocks wholly inside the bytes just `written` are summed from memory;
    /// only the partial blocks at its edges (and any gap before it) are read back from the file.
    private func updateChecksums(_ handle: ChunkHandle, blocks: Range<Int>, written: (offset: Int64, data: PushedBytes)?,
                                 dataFile: SystemPackage.FileDescriptor, length: Int64) throws(GFSError) {
        guard !blocks.isEmpty else { return }
        let blockSize = ChecksumLayout.blockSize
        var sums: [UInt8] = []
        sums.reserveCapacity(blocks.count * 4)
        func append(_ sum: UInt32) { withUnsafeBytes(of: sum.littleEndian) { sums.append(contentsOf: $0) } }
        for block in blocks {
            let start = Int64(block * blockSize)
            let end = min(start + Int64(blockSize), length)
            if let (offset, data) = written, start >= offset, end <= offset + Int64(data.count) {
                append(data.checksum(Int(start - offset)..<Int(end - offset)))
            } else {
                let bytes = try readExactly(dataFile, at: start, count: Int(end - start), path: path(handle, "chunk"))
                bytes.withUnsafeReadableBytes { append(CRC32C.checksum($0)) }
            }
        }
        let checksumFile = try Self.open(path(handle, "crc"), [])
        defer { try? checksumFile.close() }
        do { _ = try checksumFile.writeAll(toAbsoluteOffset: Int64(blocks.lowerBound * 4), sums) } catch {
            throw Self.failure(error, path(handle, "crc"))
        }
    }

    /// Reads up to `length` bytes at `offset` (fewer at the replica's end), verifying the checksum of every
    /// block the range touches first; a mismatch is CHECKSUM and nothing is returned.
    public func read(_ handle: ChunkHandle, at offset: Int64, length: Int) throws(GFSError) -> ByteBuffer {
        guard let replica = replica(handle) else { throw GFSError(.notFound, "chunk \(handle) not held here") }
        do {
            return try read(replica, handle, at: offset, length: length)
        } catch where error.code == .checksum && self.replica(handle) !== replica {
            // Deleted (by the master's order) while this read was under way: its files went, nothing is corrupt.
            throw GFSError(.notFound, "chunk \(handle) not held here (deleted)")
        }
    }

    private func read(_ replica: Replica, _ handle: ChunkHandle, at offset: Int64, length: Int) throws(GFSError) -> ByteBuffer {
        try replica.exclusively { () throws(GFSError) -> ByteBuffer in
            let chunkLength = replica.state.withLockedValue { $0.length }
            let count = Int(max(0, min(Int64(length), chunkLength - offset)))
            guard count > 0 else { return ByteBuffer() }
            let blocks = ChecksumLayout.blocks(offset: offset, count: count)
            let blockSize = ChecksumLayout.blockSize
            let start = Int64(blocks.lowerBound * blockSize)
            let end = min(Int64(blocks.upperBound * blockSize), chunkLength)
            let dataFile = try Self.open(path(handle, "chunk"), [])
            defer { try? dataFile.close() }
            var bytes = try readExactly(dataFile, at: start, count: Int(end - start), path: path(handle, "chunk"))
            let checksumFile = try Self.open(path(handle, "crc"), [])
            defer { try? checksumFile.close() }
            let stored = try readExactly(checksumFile, at: Int64(blocks.lowerBound * 4), count: blocks.count * 4,
                                         path: path(handle, "crc"))
            let mismatch = bytes.withUnsafeReadableBytes { raw in
                stored.withUnsafeReadableBytes { ChecksumLayout.firstMismatch(raw, sums: $0, blocks: blocks) }
            }
            if let block = mismatch { throw GFSError(.checksum, "chunk \(handle) block \(block): checksum mismatch") }
            bytes.moveReaderIndex(forwardBy: Int(offset - start))
            return bytes.readSlice(length: count) ?? ByteBuffer()
        }
    }

    func readExactly(_ file: SystemPackage.FileDescriptor, at offset: Int64, count: Int, path: String) throws(GFSError) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count)
        do {
            try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
                var done = 0
                while done < count {
                    let got = try file.read(fromAbsoluteOffset: offset + Int64(done),
                                            into: UnsafeMutableRawBufferPointer(rebasing: raw[done..<count]))
                    if got == 0 { break }
                    done += got
                }
                return done
            }
        } catch { throw Self.failure(error, path) }
        guard buffer.readableBytes == count else {
            throw GFSError(.checksum, "\(path): \(buffer.readableBytes) of \(count) bytes on disk")
        }
        return buffer
    }
}
