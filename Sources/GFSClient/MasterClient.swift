import GFSCore
import GFSProtocol
import NIOConcurrencyHelpers
import NIOCore

/// Typed calls to the master, one per verb. Given a primary and its shadows, it sends each request to the
/// master that last answered, and moves on when that one is unreachable or (for a write) read-only.
public struct MasterClient: Sendable {
    /// The masters, in the order given.
    public let addresses: [ServerID]
    let pool: ConnectionPool
    let timeout: Duration
    private let preferred = NIOLockedValueBox(0)
    /// Told what the client is waiting for while it waits, and nil once every wait is over (the CLI shows it
    /// on a terminal).
    let waiting: WaitingNotices?

    /// A client of the masters at `addresses`, sharing `pool`'s connections.
    public init(addresses: [ServerID], pool: ConnectionPool, timeout: Duration = .seconds(30),
                waiting: (@Sendable (String?) -> Void)? = nil) {
        precondition(!addresses.isEmpty, "a client needs a master address")
        self.addresses = addresses
        self.pool = pool
        self.timeout = timeout
        self.waiting = waiting.map(WaitingNotices.init)
    }

    /// A client of the one master at `address`.
    public init(address: ServerID, pool: ConnectionPool, timeout: Duration = .seconds(30)) {
        self.init(addresses: [address], pool: pool, timeout: timeout)
    }

    /// The master requests go to first.
    public var address: ServerID { addresses[preferred.withLockedValue { $0 }] }

    /// Sends `request` and returns the `OK` reply. Failures that may pass (no master reachable, too few
    /// chunkservers, only shadows answering) are waited out, trying every master in turn with backoff, until
    /// `timeout` passes with no answer; then the last one is thrown (`Patience.exhausted`). A LEASE refused
    /// with `retry_ms=` (a lease fence, a frozen primary's lease) is thrown at once: the write that asked
    /// waits it out in its own patience. A request whose reply was lost is sent again only if repeating it
    /// does no harm: a namespace change carries a `call=` of its own, the same on every try, by which the
    /// master knows a retry of what it already did.
    public func call(_ request: MasterRequest, payload: ByteBuffer? = nil) async throws(GFSError) -> Reply {
        let clock = SystemClock()
        var patience = Patience(timeout: timeout, now: clock.now, seed: UInt64.random(in: 0...UInt64.max))
        let line = request.isRemembered ? CallField.stamp(request.line, ClientCall.random()) : request.line
        var uncertain = false
        // Taken at the first wait, so a call that is answered at once never touches the notices' lock.
        var waiter: UInt64?
        defer { if let waiter { waiting?.done(waiter) } }
        while true {
            var failure: GFSError
            switch await callOnce(request, line: line, payload: payload) {
            case let .answered(reply): return reply
            case let .refused(error): throw error
            case let .passing(error, sent): (failure, uncertain) = (error, uncertain || sent)
            }
            guard let pause = patience.pause(at: clock.now, promised: failure.retryAfter) else {
                if uncertain { failure.message += "; \(line.verb) may or may not have been done" }
                throw patience.exhausted(failure, at: clock.now)
            }
            if let waiting {
                let id = waiter ?? waiting.waiter()
                waiter = id
                waiting.wait(id, "\(line.verb): \(failure.message)")
            }
            try? await Task.sleep(for: pause)
            if Task.isCancelled { throw GFSError(.internal, "cancelled") }
        }
    }

    private enum Attempt {
        case answered(Reply)
        /// An answer worth no retry, or a lost reply to a request not safe to repeat.
        case refused(GFSError)
        /// Worth another round; `sent` when some master may have carried the request out.
        case passing(GFSError, sent: Bool)
    }

    /// One round over the masters, from the one that last answered: a master that cannot be reached, or a
    /// shadow refusing a write (or a read it may answer wrong), passes the request on to the next.
    private func callOnce(_ request: MasterRequest, line: Line, payload: ByteBuffer?) async -> Attempt {
        let start = preferred.withLockedValue { $0 }
        let repeatable = request.isSafeToRepeat || request.isRemembered
        var failure = GFSError(.unavailable, "no master answered")
        var sent = false
        for step in 0..<addresses.count {
            let index = (start + step) % addresses.count
            let connection: Connection
            do { connection = try await pool.connection(to: addresses[index]) } catch {
                failure = error
                continue
            }
            switch await connection.exchange(line, payload: payload, timeout: timeout) {
            case let .success(reply):
                guard let error = reply.error else {
                    preferred.withLockedValue { $0 = index }
                    return .answered(reply)
                }
                // A shadow refusing a write, or a read while it may lack acknowledged changes: another
                // master may answer.
                if error.code == .readOnly, addresses.count > 1 {
                    failure = error
                    continue
                }
                // A TIMEOUT reply means it was carried out but not confirmed everywhere: like a lost reply.
                if error.code == .timeout {
                    guard repeatable else { return .refused(error) }
                    return .passing(error, sent: true)
                }
                // A refusal that says when it ends (a frozen primary's lease) is the caller's to wait out: a
                // write's own patience then knows the wait was promised.
                if case .lease = request, error.retryAfter != nil { return .refused(error) }
                // A lone shadow refusing a read catches up, or is answering again, in a while.
                let shadowBehind = error.code == .readOnly && !request.isMutation
                return error.isPassing || shadowBehind ? .passing(error, sent: sent) : .refused(error)
            case let .failure(error):
                guard repeatable else {
                    return .refused(GFSError(error.code, error.message + "; \(line.verb) may or may not have been done"))
                }
                failure = error
                sent = true
            }
        }
        return .passing(failure, sent: sent)
    }

    /// Sends `request` to one particular master.
    public func call(_ request: MasterRequest, to address: ServerID) async throws(GFSError) -> Reply {
        try await pool.connection(to: address).call(request.line, timeout: timeout)
    }

    /// `MKDIR`.
    public func makeDirectory(_ path: GFSPath, parents: Bool = false) async throws(GFSError) {
        _ = try await call(.makeDirectory(path, parents: parents))
    }

    /// `CREATE`; `records` makes a record file (GFS §2.7.2).
    public func create(_ path: GFSPath, replication: Int? = nil, records: Bool = false) async throws(GFSError) {
        _ = try await call(.create(path, replication: replication, records: records))
    }

    /// `LS`: a directory's entries, or the file itself, page after page.
    public func list(_ path: GFSPath) async throws(GFSError) -> [EntryInfo] {
        var entries: [EntryInfo] = []
        var after: String?
        repeat {
            let reply = try await call(.list(path, after: after))
            for line in reply.body { entries.append(try EntryInfo(line)) }
            // A name that does not move the cursor on would ask for the same pages forever.
            guard let next = reply.line["next"], after.map({ next > $0 }) ?? true else { break }
            after = next
        } while true
        return entries
    }

    /// `STAT`.
    public func stat(_ path: GFSPath) async throws(GFSError) -> EntryInfo {
        try EntryInfo(try await call(.stat(path)).line)
    }

    /// `MV`.
    public func move(_ source: GFSPath, to destination: GFSPath) async throws(GFSError) {
        _ = try await call(.move(source, to: destination))
    }

    /// `RM`; returns how many deleted entries it purged for good (removing from the trash).
    @discardableResult
    public func remove(_ path: GFSPath, recursive: Bool = false) async throws(GFSError) -> Int {
        try RemoveReply(try await call(.remove(path, recursive: recursive))).purged
    }

    /// `SETREP`: a new replication goal for a file, or every file under a directory; returns how many changed.
    public func setReplication(_ path: GFSPath, to replication: Int, recursive: Bool = false) async throws(GFSError) -> Int {
        try SetReplicationReply(try await call(.setReplication(path, replication: replication, recursive: recursive))).files
    }

    /// `CONCAT`: `destination` (made with `replication` if missing) gets the sources' whole chunks, shared.
    public func concat(_ sources: [GFSPath], into destination: GFSPath, replication: Int? = nil,
                       pad: Bool = false) async throws(GFSError) {
        _ = try await call(.concat(destination, sources: sources, replication: replication, pad: pad))
    }

    /// `SETQUOTA`: limits under a directory (both nil removes its quota).
    public func setQuota(_ path: GFSPath, files: Int64?, bytes: Int64?) async throws(GFSError) {
        _ = try await call(.setQuota(path, files: files, bytes: bytes))
    }

    /// `QUOTAS`: the quotas at or under a path, with their use.
    public func quotas(_ path: GFSPath) async throws(GFSError) -> [QuotasReply.Item] {
        try QuotasReply(try await call(.quotas(path))).items
    }

    /// `TRUNCATE`: cuts a file to `size` bytes.
    public func truncate(_ path: GFSPath, to size: Int64) async throws(GFSError) {
        _ = try await call(.truncate(path, size: size))
    }

    /// `DU`: what a path holds, and with `children` what each entry directly inside it holds.
    public func usage(_ path: GFSPath, children: Bool = false) async throws(GFSError) -> UsageReply {
        try UsageReply(try await call(.usage(path, children: children)))
    }

    /// `LOOKUP`: the file's size, the cluster's chunk size, and where each chunk is.
    public func lookup(_ path: GFSPath, stale: Bool = false) async throws(GFSError) -> FileLayout {
        try FileLayout(try await call(.lookup(path, stale: stale)))
    }

    /// `ALLOCATE`: chunk `index`, created if it is the file's next one.
    public func allocate(_ path: GFSPath, index: Int) async throws(GFSError) -> ChunkLocation {
        try ChunkLocation(try await call(.allocate(path, index: index)).line)
    }

    /// `LEASE`, for a chunk of `path`: refused if the chunk is no longer that file's.
    public func lease(_ handle: ChunkHandle, of path: GFSPath) async throws(GFSError) -> LeaseInfo {
        try LeaseInfo(try await call(.lease(handle, of: path)).line)
    }

    /// `SETSIZE`; with `touch`, the modification time becomes now even if the size does not grow.
    public func setSize(_ path: GFSPath, size: Int64, touch: Bool = false, writtenTo handle: ChunkHandle? = nil) async throws(GFSError) {
        _ = try await call(.setSize(path, size: size, touch: touch, handle: handle))
    }

    /// `STATUS`: the master's counters and one summary per chunkserver.
    public func status() async throws(GFSError) -> MasterStatus {
        try MasterStatus(try await call(.status))
    }

    /// `FSCK` of the tree at `path`, every page: the totals of all, and their items in tree order.
    public func fsck(_ path: GFSPath, files: Bool, chunks: Bool, pageSize: Int? = nil) async throws(GFSError) -> FsckReply {
        var whole = FsckReply(summary: FsckSummary(), items: [])
        try await fsckPages(path, files: files, chunks: chunks, pageSize: pageSize) { page in
            whole.summary.add(page.summary)
            whole.items += page.items
        }
        return whole
    }

    /// `FSCK` of the tree at `path`, handing each page to `each` as it comes, so a caller printing them keeps
    /// one page in memory however large the tree.
    public func fsckPages(_ path: GFSPath, files: Bool, chunks: Bool, pageSize: Int? = nil,
                          _ each: (FsckReply) throws(GFSError) -> Void) async throws(GFSError) {
        var after: GFSPath?
        repeat {
            let page = try FsckReply(try await call(.fsck(path, files: files, chunks: chunks, after: after,
                                                          limit: pageSize ?? MasterRequest.fsckPage)))
            try each(page)
            guard let next = page.next else { return }
            // A cursor that does not move on would ask for the same pages forever; totals cut short would lie.
            if let after, !Namespace.treeOrder(after, next) {
                throw GFSError(.internal, "FSCK: the master's next page starts at \(next), not after \(after)")
            }
            after = next
        } while true
    }

    /// `GC`.
    public func collectGarbage(all: Bool) async throws(GFSError) -> CollectionSummary {
        try CollectionSummary(try await call(.collectGarbage(all: all)))
    }

    /// `TUNE`.
    public func tune(clonesPerServer: Int?, clonesTotal: Int?, cloneBytesPerSecond: Int64?) async throws(GFSError) -> TuneReply {
        try TuneReply(try await call(.tune(clonesPerServer: clonesPerServer, clonesTotal: clonesTotal,
                                           cloneRate: cloneBytesPerSecond)))
    }

    /// `DELETED`: what the trash holds under `path`.
    public func deleted(under path: GFSPath) async throws(GFSError) -> [DeletedInfo] {
        try DeletedListing(try await call(.deleted(path))).entries
    }

    /// `PROMOTE`, sent to one particular master.
    public func promote(_ address: ServerID) async throws(GFSError) -> PromoteReply {
        try PromoteReply(try await call(.promote, to: address))
    }
}
