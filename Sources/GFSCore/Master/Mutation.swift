/// A durable change to the master's metadata: the one funnel through which namespace and chunk-version
/// state changes, so the operation log (GFS §2.6.3) can record exactly these and replay them.
public enum Mutation: Sendable, Equatable {
    /// A new directory.
    case makeDirectory(GFSPath, modified: Int64)
    /// A new, empty file whose chunks should have `replication` replicas; `records` marks a record file.
    case createFile(GFSPath, replication: Int, records: Bool, modified: Int64)
    /// Removal of a file or of a directory and everything under it.
    case remove(GFSPath, modified: Int64)
    /// A rename of a file or directory tree.
    case move(GFSPath, to: GFSPath, modified: Int64)
    /// A new chunk appended to a file's chunk list.
    case addChunk(GFSPath, ChunkHandle, version: ChunkVersion)
    /// A lease at this version was handed to a client (GFS §4.5): it is the chunk's version, and a replica
    /// at an older one may lack acknowledged mutations.
    case setVersion(ChunkHandle, ChunkVersion)
    /// Replicas took this version, but no lease at it reached a client (a grant that failed, or one a
    /// restarted master adopts from a report): replicas at the last `setVersion` still hold every
    /// acknowledged mutation.
    case issueVersion(ChunkHandle, ChunkVersion)
    /// A grant at this version is about to be sent. Logged first, so no later run of the master issues the same
    /// version to other replicas (the simulation lost acknowledged appends when a restarted master re-issued a
    /// version a replica had taken from a grant cut short by the crash).
    case reserveVersion(ChunkHandle, ChunkVersion)
    /// A file's length grew after a successful write.
    case setLength(GFSPath, Int64, modified: Int64)
    /// A copy of a file or directory tree whose files share the source's chunks (GFS §3.4).
    case snapshot(GFSPath, to: GFSPath, modified: Int64)
    /// Copy-on-write: chunk `index` of a file now is `handle`, a local copy of the shared one (GFS §3.4).
    case replaceChunk(GFSPath, index: Int, ChunkHandle, version: ChunkVersion)
    /// A master elected at this epoch starts writing here. It changes nothing, but makes the first record of
    /// each primary's reign unique, so a shadow whose log ends in records the new primary never had finds
    /// that out (its last record differs from the primary's at the same number).
    case beginEpoch(UInt64)
    /// A file's chunks should now have `replication` replicas: repair copies or removes replicas to match.
    case setReplication(GFSPath, replication: Int)
    /// `destination` (created with `replication` if missing) gets the chunks of `sources` appended, shared by
    /// reference counts as a snapshot shares them (MooseFS's mfsappendchunks); no data moves. With `padded`,
    /// a source's last chunk is instead a copy padded with zeros to the chunk size (`--pad`).
    case concat(GFSPath, sources: [GFSPath], replication: Int, modified: Int64, padded: [PaddedChunk] = [])
    /// Most entries and most bytes (times replication) under a directory; nil is no limit, both nil no quota.
    case setQuota(GFSPath, files: Int64?, bytes: Int64?)
    /// A file cut to `length` bytes: chunks wholly past it are dropped, and the chunk it cuts, if any, is
    /// replaced by its shortened copy `replacing` (one record, so no crash can keep half of it).
    case truncate(GFSPath, length: Int64, modified: Int64, replacing: ChunkHandle? = nil, version: ChunkVersion = 0)
    /// The client operation named `call` is done (logged after its own mutations, at `at` wall milliseconds):
    /// a retry of it is answered as done (`RetryCache`).
    case finishCall(ClientCall, at: Int64)
}

/// A source's last chunk as a concat with `--pad` took it: a copy, padded with zeros to the chunk size.
public struct PaddedChunk: Sendable, Equatable {
    /// Which of the concat's sources it ends.
    public var source: Int
    public var handle: ChunkHandle
    public var version: ChunkVersion

    public init(source: Int, handle: ChunkHandle, version: ChunkVersion) {
        self.source = source
        self.handle = handle
        self.version = version
    }
}
