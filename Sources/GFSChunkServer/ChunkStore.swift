import GFSClient
import GFSProtocol
import NIOConcurrencyHelpers
import NIOCore
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Chunk replicas on disk (GFS §2.2, §5.2): for handle H, `chunks/H.chunk` holds the bytes as an ordinary
/// file, `chunks/H.crc` one little-endian CRC32C per 64 KiB block, and `chunks/H.version` the version, replaced
/// atomically. Calls block on disk I/O: run them off the event loops.
public final class ChunkStore: Sendable {
    /// One replica's in-memory state; its lock orders data and checksum updates against reads.
    final class Replica: Sendable {
        let lock = NIOLock()
        struct State {
            var version: ChunkVersion
            var length: Int64
            /// Mutations applied, and how many of them an fdatasync has made durable (group commit).
            var applied: UInt64 = 0
            var durable: UInt64 = 0
        }
        let state: NIOLockedValueBox<State>
        init(version: ChunkVersion, length: Int64) { state = NIOLockedValueBox(State(version: version, length: length)) }

        /// Runs `body` holding the replica's lock (`NIOLock.withLock` cannot pass typed errors through).
        func exclusively<T>(_ body: () throws(GFSError) -> T) throws(GFSError) -> T {
            lock.lock()
            defer { lock.unlock() }
            return try body()
        }
    }

    /// The folder holding the chunk files.
    public let folder: String
    /// Bytes read, written and copied in.
    public let traffic = Traffic()
    /// Whether writes are fsynced before they are acknowledged.
    let synchronous: Bool
    private let replicas = NIOLockedValueBox<[ChunkHandle: Replica]>([:])

    /// Opens (creating if needed) the chunk folder and indexes the replicas in it.
    public init(directory: String, synchronous: Bool = true) throws(GFSError) {
        folder = directory + "/chunks"
        self.synchronous = synchronous
        try DirectoryLock.makeDirectories(folder)
        for name in try Self.listFolder(folder) where name.hasSuffix(".chunk") {
            guard let handle = ChunkHandle(hex: name.dropLast(6)) else { continue }
            let version = Self.readVersionFile(path(handle, "version"))
            let length = Self.fileSize(path(handle, "chunk"))
            guard let version, let length else { continue }
            replicas.withLockedValue { $0[handle] = Replica(version: version, length: length) }
        }
    }

    func path(_ handle: ChunkHandle, _ kind: String) -> String { "\(folder)/\(handle).\(kind)" }

    /// The replica's data and checksum files, opened read-only to be handed to a local reader (`OPEN`). A file
    /// gone is NOTFOUND here, not a lost replica: the reader then asks with `READ`, which finds and reports it.
    /// Errors name the chunk, not its paths: they go to readers that are not to learn the folder's layout.
    func openForReading(_ handle: ChunkHandle) throws(GFSError) -> (chunk: Int32, checksum: Int32) {
        guard replica(handle) != nil else { throw GFSError(.notFound, "chunk \(handle) not held here") }
        func open(_ kind: String) throws(GFSError) -> Int32 {
            let descriptor = Glibc.open(path(handle, kind), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else {
                let failure = errno
                throw failure == ENOENT ? GFSError(.notFound, "chunk \(handle): its \(kind) file is missing")
                    : GFSError(.internal, "chunk \(handle): its \(kind) file: \(String(cString: strerror(failure)))")
            }
            return descriptor
        }
        let chunk = try open("chunk")
        do {
            return (chunk, try open("crc"))
        } catch {
            close(chunk)
            throw error
        }
    }

    /// Every replica with its version and length, sorted by handle.
    public func report() -> [ReportedChunk] {
        replicas.withLockedValue { $0.map { ($0.key, $0.value.state.withLockedValue { $0 }) } }
            .map { ReportedChunk(handle: $0.0, version: $0.1.version, length: $0.1.length) }
            .sorted { $0.handle < $1.handle }
    }

    /// Number of replicas held.
    public var count: Int { replicas.withLockedValue { $0.count } }

    /// The version of the replica of `handle`, if held.
    public func version(_ handle: ChunkHandle) -> ChunkVersion? {
        replica(handle)?.state.withLockedValue { $0.version }
    }

    func replica(_ handle: ChunkHandle) -> Replica? { replicas.withLockedValue { $0[handle] } }

    /// Bytes in the replica of `handle`, if held.
    public func length(_ handle: ChunkHandle) -> Int64? {
        replica(handle)?.state.withLockedValue { $0.length }
    }

    /// Creates an empty replica at `version`, or adopts `version` if the replica already exists.
    public func create(_ handle: ChunkHandle, version: ChunkVersion) throws(GFSError) {
        if replica(handle) != nil { return try setVersion(handle, version) }
        try DirectoryLock.makeDirectories(folder)
        for kind in ["chunk", "crc"] {
            let descriptor = try Self.open(path(handle, kind), [.create, .truncate])
            try? descriptor.close()
        }
        try writeVersion(handle, version)
        replicas.withLockedValue { $0[handle] = Replica(version: version, length: 0) }
    }

    /// Indexes a replica whose data and checksum files were just written.
    func writeNewReplica(_ handle: ChunkHandle, version: ChunkVersion, length: Int64) throws(GFSError) {
        try writeVersion(handle, version)
        replicas.withLockedValue { $0[handle] = Replica(version: version, length: length) }
    }

    /// Durably records a newer version (GFS §4.5); an older one than held is refused as STALE.
    public func setVersion(_ handle: ChunkHandle, _ version: ChunkVersion) throws(GFSError) {
        guard let replica = replica(handle) else { throw GFSError(.notFound, "chunk \(handle) not held here") }
        let current = replica.state.withLockedValue { $0.version }
        guard version >= current else { throw GFSError(.stale, "chunk \(handle): version \(version) < \(current)") }
        guard version > current else { return }
        try writeVersion(handle, version)
        replica.state.withLockedValue { $0.version = version }
    }

    /// Replaces the version file durably: the new file's bytes are fsynced, then renamed over the old one,
    /// then the folder is fsynced so the rename survives a power loss. Any failed step is an error: a version
    /// that might not be on disk must never be acknowledged (DESIGN.md §6).
    private func writeVersion(_ handle: ChunkHandle, _ version: ChunkVersion) throws(GFSError) {
        try writeNumber(version, to: path(handle, "version"))
    }

    /// Replaces a one-number file durably (a version, or the highest master epoch).
    func writeNumber(_ version: UInt64, to target: String) throws(GFSError) {
        let temporary = target + ".tmp"
        try Self.writeDurably(Array("\(version)\n".utf8), to: try Self.open(temporary, [.create, .truncate]), path: temporary,
                              synchronous: synchronous)
        guard rename(temporary, target) == 0 else { throw Self.errnoFailure(target) }
        if synchronous { try Self.syncFolder(folder) }
    }

    /// Writes `bytes` at the start of `file`, fdatasyncs it when `synchronous`, and closes it once, whatever
    /// failed (Linux frees a descriptor even when close fails: a second close could hit another's).
    static func writeDurably(_ bytes: [UInt8], to file: SystemPackage.FileDescriptor, path: String,
                             synchronous: Bool) throws(GFSError) {
        var failure: GFSError?
        do {
            _ = try file.writeAll(toAbsoluteOffset: 0, bytes)
            if synchronous, fdatasync(file.rawValue) != 0 { failure = errnoFailure(path) }
        } catch {
            failure = Self.failure(error, path)
        }
        do { try file.close() } catch { failure = failure ?? Self.failure(error, path) }
        if let failure { throw failure }
    }

    /// Removes a replica's files.
    /// Deletes a replica for good: the folder is synced, since a replica whose unlink a power loss undid
    /// would come back at the version it had, without what was written since, and be trusted (the
    /// simulation found this).
    public func delete(_ handle: ChunkHandle) throws(GFSError) {
        _ = replicas.withLockedValue { $0.removeValue(forKey: handle) }
        for kind in ["chunk", "crc", "version"] { unlink(path(handle, kind)) }
        try Self.syncFolder(folder)
    }

    /// Takes a replica that failed its checksum out of service, keeping its files (renamed `.corrupt`) for
    /// inspection; the master re-replicates from a good copy (GFS §5.2).
    public func quarantine(_ handle: ChunkHandle) {
        _ = replicas.withLockedValue { $0.removeValue(forKey: handle) }
        for kind in ["chunk", "crc", "version"] { rename(path(handle, kind), path(handle, kind) + ".corrupt") }
    }

    /// Bytes free and in all on the chunk folder's file system.
    public func diskSpace() -> (capacity: Int64, free: Int64) {
        var stats = statvfs()
        guard statvfs(folder, &stats) == 0 else { return (0, 0) }
        return (Int64(stats.f_blocks) * Int64(stats.f_frsize), Int64(stats.f_bavail) * Int64(stats.f_frsize))
    }
}

// MARK: - File helpers

extension ChunkStore {
    static func open(_ path: String, _ options: SystemPackage.FileDescriptor.OpenOptions) throws(GFSError) -> SystemPackage.FileDescriptor {
        do {
            return try SystemPackage.FileDescriptor.open(FilePath(path), .readWrite, options: options.union(.closeOnExec),
                                           permissions: [.ownerReadWrite])
        } catch { throw failure(error, path) }
    }

    static func failure(_ error: any Error, _ path: String) -> GFSError {
        if let errno = error as? Errno, errno == .noSpace { return GFSError(.noSpace, "\(path): disk full") }
        // A replica's file gone from under the server (a wiped disk) is as lost as a corrupt one.
        if let errno = error as? Errno, errno == .noSuchFileOrDirectory { return GFSError(.checksum, "\(path): missing on disk") }
        return GFSError(.internal, "\(path): \(error)")
    }

    static func errnoFailure(_ path: String) -> GFSError {
        errno == ENOSPC ? GFSError(.noSpace, "\(path): disk full")
            : GFSError(.internal, "\(path): \(String(cString: strerror(errno)))")
    }

    static func readVersionFile(_ path: String) -> ChunkVersion? {
        guard let file = try? open(path, []) else { return nil }
        defer { try? file.close() }
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = (try? bytes.withUnsafeMutableBytes { try file.read(fromAbsoluteOffset: 0, into: $0) }) ?? 0
        return UInt64(String(decoding: bytes.prefix(count).prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self))
    }

    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    static func syncFolder(_ path: String) throws(GFSError) {
        let descriptor = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw errnoFailure(path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw errnoFailure(path) }
    }

    static func listFolder(_ path: String) throws(GFSError) -> [String] {
        guard let directory = opendir(path) else { throw errnoFailure(path) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            names.append(name)
        }
        return names
    }
}
