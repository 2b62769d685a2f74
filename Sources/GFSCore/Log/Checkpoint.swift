import HashTreeCollections

/// A checkpoint (GFS §2.6.3): the master's whole durable state as of one log sequence number, in a compact
/// form that loads without replaying history. Frames: a header (magic, sequence, next handle), one frame per
/// namespace entry (parents before children, a file's chunks and their versions inline), one frame per chunk
/// whose settled version is behind its version or with a version reserved past it, one per client call still
/// remembered (`RetryCache`), one per directory quota, and an end frame with the entry count — a checkpoint without it is incomplete
/// and is skipped.
public enum Checkpoint {
    static let magic = Array("GFSCKPT1".utf8)

    /// What a checkpoint holds.
    public struct Contents: Sendable {
        /// The last log record the checkpoint includes.
        public var sequence: UInt64
        /// The first chunk handle not yet issued.
        public var nextHandle: UInt64
        /// Every entry, parents first, with each chunk's version.
        public var entries: [(path: GFSPath, entry: Namespace.Entry, versions: [ChunkVersion])]
        /// Chunks whose newest version no client was handed, with the newest one that was.
        public var settled: [(ChunkHandle, ChunkVersion)] = []
        /// Chunks with a version issued past their version, and the highest one.
        public var reserved: [(ChunkHandle, ChunkVersion)] = []
        /// Client calls lately carried out, and when (so a retry across a checkpoint is still known).
        public var calls: [(call: ClientCall, at: Int64)] = []
        /// Directory quotas (their use is counted again on restore).
        public var quotas: [(path: GFSPath, files: Int64?, bytes: Int64?)] = []
    }

    /// Encodes `state` as of `sequence`, handing out the bytes in pieces of about `pieceBytes`.
    public static func encode(_ state: MasterStateMachine, sequence: UInt64, pieceBytes: Int = 1 << 20,
                              emit: ([UInt8]) throws -> Void) rethrows {
        var header = ByteWriter()
        header.append(magic)
        header.write(sequence)
        header.write(state.nextHandle)
        var piece = Frames.frame(header.bytes)
        var count: UInt64 = 0
        for path in state.namespace.subtree(.root) {
            guard let entry = state.namespace[path] else { continue }
            var writer = ByteWriter()
            writer.write(UInt8(1))
            writer.write(path)
            writer.write(UInt8(entry.kind == .directory ? 1 : 0))
            writer.write(UInt8(entry.replication))
            writer.write(entry.records)
            writer.write(entry.length)
            writer.write(entry.modified)
            writer.write(UInt32(entry.chunks.count))
            for handle in entry.chunks {
                writer.write(handle.rawValue)
                writer.write(state.chunks.version(handle) ?? 0)
            }
            piece += Frames.frame(writer.bytes)
            count += 1
            if piece.count >= pieceBytes {
                try emit(piece)
                piece.removeAll(keepingCapacity: true)
            }
        }
        let extra = state.settledVersions.map { (UInt8(2), $0.key, $0.value) } + state.issuedVersions.map { (UInt8(3), $0.key, $0.value) }
        for (kind, handle, version) in extra.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            var writer = ByteWriter()
            writer.write(kind)
            writer.write(handle.rawValue)
            writer.write(version)
            piece += Frames.frame(writer.bytes)
        }
        for (call, at) in state.calls.remembered.sorted(by: { ($0.at, $0.call.high, $0.call.low) < ($1.at, $1.call.high, $1.call.low) }) {
            var writer = ByteWriter()
            writer.write(UInt8(4))
            writer.write(call.high)
            writer.write(call.low)
            writer.write(at)
            piece += Frames.frame(writer.bytes)
        }
        for (path, quota) in state.quotas.sorted(by: { $0.key.string < $1.key.string }) {
            var writer = ByteWriter()
            writer.write(UInt8(5))
            writer.write(path)
            writer.write(quota.files ?? -1)
            writer.write(quota.bytes ?? -1)
            piece += Frames.frame(writer.bytes)
        }
        var end = ByteWriter()
        end.write(UInt8(9))
        end.write(count)
        piece += Frames.frame(end.bytes)
        try emit(piece)
    }

    /// One namespace entry of a checkpoint, with its chunks' versions.
    public typealias Listed = (path: GFSPath, entry: Namespace.Entry, versions: [ChunkVersion])

    /// Decodes a whole checkpoint file; an error names what is wrong (incomplete, damaged).
    public static func decode(_ bytes: [UInt8]) throws(LogFormatError) -> Contents {
        var entries: [Listed] = []
        var contents = try decode(bytes, entriesInBatchesOf: 1 << 16) { entries += $0 }
        contents.entries = entries
        return contents
    }

    /// Decodes a checkpoint, handing its namespace entries to `each` in batches of `batch` as they are decoded
    /// (the contents returned hold none), so a restart can restore them on another thread meanwhile. Whatever
    /// was handed out is to be thrown away if this throws.
    public static func decode(_ bytes: [UInt8], entriesInBatchesOf batch: Int,
                              each: ([Listed]) -> Void) throws(LogFormatError) -> Contents {
        let (payloads, end) = Frames.scan(bytes)
        guard let first = payloads.first else { throw LogFormatError("no header") }
        var header = ByteReader(bytes, first)
        for byte in magic where try header.read(UInt8.self) != byte { throw LogFormatError("not a checkpoint") }
        var contents = Contents(sequence: try header.read(), nextHandle: try header.read(), entries: [])
        var finished = false
        var listed: [Listed] = []
        var count = 0
        for payload in payloads.dropFirst() {
            var reader = ByteReader(bytes, payload)
            switch try reader.read(UInt8.self) {
            case 1:
                let path = try reader.readPath()
                let kind: Namespace.Kind = try reader.read(UInt8.self) == 1 ? .directory : .file
                var entry = Namespace.Entry(kind: kind, modified: 0)
                entry.replication = Int(try reader.read(UInt8.self))
                entry.records = try reader.readBool()
                entry.length = try reader.read()
                entry.modified = try reader.read()
                var versions: [ChunkVersion] = []
                for _ in 0..<(try reader.read(UInt32.self)) {
                    entry.chunks.append(ChunkHandle(try reader.read()))
                    versions.append(try reader.read())
                }
                listed.append((path, entry, versions))
                count += 1
                if listed.count >= batch {
                    each(listed)
                    listed.removeAll(keepingCapacity: true)
                }
            case 2:
                contents.settled.append((ChunkHandle(try reader.read()), try reader.read()))
            case 3:
                contents.reserved.append((ChunkHandle(try reader.read()), try reader.read()))
            case 4:
                contents.calls.append((ClientCall(high: try reader.read(), low: try reader.read()), try reader.read()))
            case 5:
                let path = try reader.readPath()
                let (files, bytes): (Int64, Int64) = (try reader.read(), try reader.read())
                contents.quotas.append((path, files < 0 ? nil : files, bytes < 0 ? nil : bytes))
            case 9:
                guard try reader.read(UInt64.self) == UInt64(count) else {
                    throw LogFormatError("entry count does not match")
                }
                finished = true
            case let tag:
                throw LogFormatError("unknown checkpoint frame \(tag)")
            }
        }
        guard finished, end == bytes.count else { throw LogFormatError("incomplete (no end frame)") }
        if !listed.isEmpty { each(listed) }
        return contents
    }
}

extension MasterStateMachine {
    /// A checkpoint's entries restored so far (`beginRestore`, `add`, `finishRestore`).
    public struct Restoring: Sendable {
        var namespace = Namespace.Restorer()
        var chunks = ChunkTable()
        /// Replica locations are never persisted: those known before are kept.
        let known: ChunkTable

        /// Restores `entries`, listed parents first.
        public mutating func add(_ entries: [Checkpoint.Listed]) {
            for (path, entry, versions) in entries {
                namespace.add(path, entry)
                for (handle, version) in zip(entry.chunks, versions) {
                    if var info = chunks[handle] {
                        info.references += 1
                        info.goal = max(info.goal, entry.replication)
                        info.trashed = info.trashed && path.isInTrash
                        chunks[handle] = info
                    } else {
                        chunks[handle] = ChunkInfo(version: version, replicas: known[handle]?.replicas ?? [:],
                                                   goal: entry.replication, trashed: path.isInTrash)
                    }
                }
            }
        }
    }

    /// Starts restoring a checkpoint; nothing changes until `finishRestore`.
    public func beginRestore() -> Restoring { Restoring(known: chunks) }

    /// Replaces the durable state with a checkpoint's (replica locations, servers and leases are untouched:
    /// they are never persisted, GFS §2.6.2).
    public mutating func restore(_ contents: Checkpoint.Contents) {
        var restoring = beginRestore()
        restoring.add(contents.entries)
        finishRestore(restoring, contents)
    }

    /// Replaces the durable state with the entries restored and the rest of `contents`.
    public mutating func finishRestore(_ restoring: Restoring, _ contents: Checkpoint.Contents) {
        namespace = restoring.namespace.finish()
        let table = restoring.chunks
        chunks = table
        settledVersions = [:]
        for (handle, version) in contents.settled where (table[handle]?.version ?? 0) > version {
            settledVersions[handle] = version
        }
        issuedVersions = [:]
        for (handle, version) in contents.reserved where (table[handle]?.version ?? .max) < version {
            issuedVersions[handle] = version
        }
        nextHandle = max(nextHandle, contents.nextHandle)
        calls = RetryCache()
        for (call, at) in contents.calls { calls.insert(call, at: at) }
        quotas = [:]
        for (path, files, bytes) in contents.quotas where namespace[path]?.kind == .directory {
            applyQuota(path, files: files, bytes: bytes)
        }
    }
}
