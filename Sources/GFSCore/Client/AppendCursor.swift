/// Where a record appender is in its file (GFS §3.3), shared by `gfs append` and the simulation's appenders:
/// records go to the last chunk; CHUNKFULL moves on to the next one (the primary padded the full one), and any
/// other failure forgets the chunk's handle and lease so the next attempt asks the master again.
public struct AppendCursor: Sendable {
    /// The chunk appended to, once the file's layout is known.
    public private(set) var chunkIndex: Int?
    /// Its handle, once allocated.
    public private(set) var handle: ChunkHandle?

    /// What to do after a failed append.
    public enum Next: Sendable, Equatable {
        /// Append to the next chunk at once.
        case nextChunk
        /// Try again after the pause; `forget` is the chunk whose cached lease is now suspect.
        case again(after: Duration, forget: ChunkHandle?)
        /// Stop, reporting the error; `forget` as for `again` (the appender may be used again).
        case giveUp(GFSError, forget: ChunkHandle?)
    }

    /// Nothing known of the file yet.
    public init() {}

    /// The file has `chunkCount` chunks: appends go to the last (or the first, made on demand).
    public mutating func located(chunkCount: Int) { chunkIndex = max(chunkCount - 1, 0) }

    /// The master allocated (or named) the current chunk.
    public mutating func allocated(_ handle: ChunkHandle) { self.handle = handle }

    /// An append at `now` failed with `error`.
    public mutating func failed(_ error: GFSError, attempts: inout MutationAttempts, at now: Instant) -> Next {
        if error.code == .chunkFull {
            chunkIndex = (chunkIndex ?? 0) + 1
            handle = nil
            attempts.progressed(at: now)
            return .nextChunk
        }
        let suspect = handle
        handle = nil
        switch attempts.failed(error, at: now) {
        case let .again(pause): return .again(after: pause, forget: suspect)
        case let .giveUp(error): return .giveUp(error, forget: suspect)
        }
    }

    /// Where a record of `count` bytes the primary placed at `offset` of the current chunk is in the file,
    /// and where it ends; nil if that passes the largest file offset (numbers from the network).
    public func position(of offset: Int64, count: Int64, chunkSize: Int64) -> (start: Int64, end: Int64)? {
        let (first, overflow) = Int64(chunkIndex ?? 0).multipliedReportingOverflow(by: chunkSize)
        let (start, overflow2) = first.addingReportingOverflow(offset)
        let (end, overflow3) = start.addingReportingOverflow(count)
        guard !overflow, !overflow2, !overflow3, offset >= 0, count >= 0 else { return nil }
        return (start, end)
    }
}
