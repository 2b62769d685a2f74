import GFSCore
import GFSProtocol
import NIOCore

/// One writer appending records to one file (GFS §3.3): each record goes to the end of the file's last chunk
/// at an offset the primary picks, atomically and at least once. With `framed`, records are wrapped in the
/// `RecordFormat` so readers can drop padding, torn attempts and duplicates.
public actor RecordAppender {
    let client: Client
    /// The file appended to.
    public let path: GFSPath
    let framed: Bool
    let writer = UInt64.random(in: 1...UInt64.max)
    private var sequence: UInt64 = 0
    private var chunkSize: Int64 = 0
    /// Which chunk and handle appends go to: GFSCore's, as the simulation's appenders keep it.
    private var cursor = AppendCursor()
    private var end: Int64 = 0
    /// The chunk holding the byte before `end`: told with the size, so a truncation since is noticed.
    private var endHandle: ChunkHandle?
    private var reportedEnd: Int64 = 0
    /// Records that were retried after a failure (each may now be stored twice).
    public private(set) var retries = 0
    /// Whether an append is under way, and the calls waiting their turn. Appends run one at a time, in call
    /// order: a batch's sequence numbers are assigned before it suspends, and readers keep only the highest
    /// number per writer, so a later batch landing first would make an earlier one read as duplicates.
    private var appending = false
    private var turn: [CheckedContinuation<Void, Never>] = []

    /// An appender to `path`, framing each record when `framed`.
    public init(client: Client, path: GFSPath, framed: Bool) {
        self.client = client
        self.path = path
        self.framed = framed
    }

    /// The largest record payload accepted: a quarter chunk, less the framing.
    public func maximumPayloadBytes() async throws(GFSError) -> Int {
        try await prepare()
        return Int(chunkSize / 4) - (framed ? RecordFormat.headerBytes : 0)
    }

    private func prepare() async throws(GFSError) {
        guard cursor.chunkIndex == nil else { return }
        let layout = try await client.master.lookup(path)
        chunkSize = layout.chunkSize
        cursor.located(chunkCount: layout.chunks.count)
    }

    /// Appends one record; returns its offset in the file once every replica has it.
    @discardableResult
    public func append(_ payload: ByteBuffer) async throws(GFSError) -> Int64 {
        try await append(batch: [payload])
    }

    /// Appends records in order, as few atomic appends as the quarter-chunk limit allows (GFS §3.3 lets a
    /// record repeat, never tear; framing keeps each one separable on the way out). A record too large on
    /// its own goes alone, to be refused with its own error.
    public func append(contentsOf records: [ByteBuffer]) async throws(GFSError) {
        try await prepare()
        let limit = Int(chunkSize / 4)
        let overhead = framed ? RecordFormat.headerBytes : 0
        var batch: [ByteBuffer] = []
        var bytes = 0
        for record in records {
            let stored = record.readableBytes + overhead
            if !batch.isEmpty, bytes + stored > limit {
                try await append(batch: batch)
                batch = []
                bytes = 0
            }
            batch.append(record)
            bytes += stored
        }
        if !batch.isEmpty { try await append(batch: batch) }
    }

    /// Appends several framed records as one atomic append (they land together, in order, at least once):
    /// one round of push and commit for the lot, which is how appenders reach disk speed with small records.
    /// Unframed, the batch is one record of their concatenated bytes. Returns the batch's offset.
    @discardableResult
    public func append(batch payloads: [ByteBuffer]) async throws(GFSError) -> Int64 {
        await waitForTurn()
        defer { passTurn() }
        try await prepare()
        var record = ByteBuffer()
        for payload in payloads {
            if framed {
                sequence += 1
                record.writeBytes(RecordFormat.encode(payload.readableBytesView, id: .init(writer: writer, sequence: sequence)))
            } else {
                record.writeImmutableBuffer(payload)
            }
        }
        guard record.readableBytes <= chunkSize / 4 else {
            let bytes = payloads.count == 1 ? payloads[0].readableBytes : record.readableBytes
            throw GFSError(.tooLarge, "record of \(bytes) bytes exceeds the limit of "
                + "\(try await maximumPayloadBytes()) (a quarter chunk)")
        }
        var attempts = MutationAttempts(patience: client.patience())
        defer { retries += attempts.retries }
        while true {
            do throws(GFSError) {
                let (offset, handle) = try await appendOnce(record)
                guard let placed = cursor.position(of: offset, count: Int64(record.readableBytes), chunkSize: chunkSize) else {
                    throw GFSError(.badRequest, "\(path): the primary placed a record at offset \(offset), past any file")
                }
                if placed.end > end { (end, endHandle) = (placed.end, handle) }
                return placed.start
            } catch {
                switch cursor.failed(error, attempts: &attempts, at: client.clock.now) {
                case .nextChunk:
                    continue
                case let .again(pause, forget):
                    if let forget { await client.leaseCache.invalidate(forget) }
                    try await client.sleep(pause, after: error)
                case let .giveUp(error, forget):
                    if let forget { await client.leaseCache.invalidate(forget) }
                    throw error
                }
            }
        }
    }

    private func waitForTurn() async {
        if appending {
            await withCheckedContinuation { turn.append($0) }
        } else {
            appending = true
        }
    }

    private func passTurn() {
        if turn.isEmpty { appending = false } else { turn.removeFirst().resume() }
    }

    private func appendOnce(_ record: ByteBuffer) async throws(GFSError) -> (offset: Int64, handle: ChunkHandle) {
        let current: ChunkHandle
        if let handle = cursor.handle { current = handle } else {
            current = try await client.master.allocate(path, index: cursor.chunkIndex ?? 0).handle
            cursor.allocated(current)
        }
        let lease = try await client.leaseCache.lease(current, of: path, from: client.master)
        let id = Client.pushID()
        try await client.chunks.push(record, id: id, chain: [lease.primary] + lease.secondaries, token: lease.token)
        return (try await client.chunks.append(lease, id: id), current)
    }

    /// Tells the master how far this writer's acknowledged records reach, so readers see them.
    public func flush() async throws(GFSError) {
        guard end > reportedEnd else { return }
        try await client.master.setSize(path, size: end, writtenTo: endHandle)
        reportedEnd = end
        await client.locations.invalidate(path)
    }
}
