// libFuzzer target: the master's dispatcher over its in-memory state. Each input line that parses as a
// master request is carried out on a `MasterStateMachine` (three chunkservers registered first), as
// MasterService would, minus the I/O. Nothing may trap, and the mutations logged along the way, written as
// log records, read back and replayed on an empty state, must rebuild exactly the same namespace: what a
// restarted master would recover.
import GFSCore
import GFSProtocol

final class FuzzClock: GFSClock {
    var now: Instant { Instant(sinceStart: .zero) }
    var wallMilliseconds: Int64 { 1_700_000_000_000 }
}


public func fuzzMaster(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count < 16_384, let text = String(validating: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) else { return 0 }
    var configuration = MasterConfiguration()
    configuration.chunkSize = 1 << 20
    let clock = FuzzClock()
    var state = MasterStateMachine(configuration: configuration, clock: clock)
    var logged: [Mutation] = []
    for port in 1...3 {
        let server = ServerID(host: "127.0.0.1", port: 7700 + port)
        logged += state.register(server, rack: "r\(port % 2)", capacityBytes: 1 << 40, freeBytes: 1 << 40, report: []).adopted
    }
    for raw in text.split(separator: "\n").prefix(64) {
        guard let line = try? Line(parsing: raw.utf8), let request = try? MasterRequest(line) else { continue }
        if let mutations = try? dispatch(request, on: &state) { logged += mutations }
    }
    // Replay through the log format, as recovery does.
    var bytes: [UInt8] = []
    for (index, mutation) in logged.enumerated() {
        bytes += LogRecord(sequence: UInt64(index + 1), mutation: mutation).framed
    }
    let (records, end, problem) = LogRecord.decodeAll(bytes)
    precondition(problem == nil && end == bytes.count && records.map(\.mutation) == logged, "log records do not read back")
    checkBatchedLog(logged, raw: UnsafeBufferPointer(start: start, count: count))
    var replayed = MasterStateMachine(configuration: configuration, clock: clock)
    for record in records { replayed.apply(record.mutation) }
    precondition(walk(state).elementsEqual(walk(replayed), by: ==), "replaying the log does not rebuild the namespace")
    return 0
}

/// The same records in a batched log file (a few per batch, zeros after) read back whole; the raw input read
/// as a batched file's contents, and searched for damage, may give anything back but must not trap.
func checkBatchedLog(_ logged: [Mutation], raw: UnsafeBufferPointer<UInt8>) {
    var file = LogFileFormat.marker
    var batch: [UInt8] = []
    var first: UInt64 = 1
    for (index, mutation) in logged.enumerated() {
        batch += LogRecord(sequence: UInt64(index + 1), mutation: mutation).framed
        guard index % 3 == 2 || index == logged.count - 1 else { continue }
        guard let framed = try? LogFileFormat.batch(batch, first: first) else { preconditionFailure("a batch of \(batch.count) bytes") }
        file += framed
        (batch, first) = ([], UInt64(index + 2))
    }
    let end = file.count
    file += [UInt8](repeating: 0, count: 1024)
    var records: [LogRecord] = []
    let scan = LogFileFormat.decodeAll(file, from: 0, inBatchesOf: 7) { records += $0 }
    precondition(scan == LogFileFormat.Scan(end: end) && records.map(\.mutation) == logged, "batched log records do not read back")
    let contents = LogFileFormat.marker + Array(raw)
    let found = LogFileFormat.decodeAll(contents, from: 0, inBatchesOf: 16) { _ in }
    _ = LogFileFormat.recordAfterDamage(in: contents, after: found.end, numberedPast: 0)
}

/// Every path with its entry, depth first. Compared as values: formatting them as text cost a third of each run.
func walk(_ state: MasterStateMachine) -> [(GFSPath, Namespace.Entry)] {
    var lines: [(GFSPath, Namespace.Entry)] = []
    var pending: [GFSPath] = [.root]
    while let path = pending.popLast() {
        for name in state.namespace.childNames(of: path) {
            let child = path.appending(name)
            if let entry = state.namespace[child] { lines.append((child, entry)) }
            pending.append(child)
        }
    }
    return lines
}

/// Carries out one request; returns the mutations it logged.
func dispatch(_ request: MasterRequest, on state: inout MasterStateMachine) throws(GFSError) -> [Mutation] {
    switch request {
    case let .makeDirectory(path, parents):
        return try state.makeDirectory(path, parents: parents)
    case let .create(path, replication, records):
        return [try state.createFile(path, replication: replication, records: records)]
    case let .list(path, after, limit):
        _ = try state.list(path, after: after, limit: limit ?? MasterRequest.listPage)
    case let .stat(path):
        _ = try state.stat(path)
    case let .lookup(path, stale):
        _ = try state.lookup(path, allowingStale: stale)
    case let .move(source, destination):
        return [try state.move(source, to: destination)]
    case let .remove(path, recursive):
        return try state.delete(path, recursive: recursive).mutations
    case let .allocate(path, index):
        guard case let .create(index, handle, version, servers) = try state.allocate(path, index: index) else { return [] }
        let (_, mutation) = try state.chunkCreated(path, index: index, handle: handle, version: version, confirmed: servers)
        return mutation.map { [$0] } ?? []
    case let .lease(handle, path):
        _ = try state.requestLease(handle, of: path)
    case let .setSize(path, size, touch, handle):
        return try state.extendLength(path, to: size, touch: touch, writtenTo: handle).map { [$0] } ?? []
    case let .heartbeat(server, free, leases):
        _ = try state.heartbeat(server, freeBytes: free, extendLeases: leases)
    case let .corrupt(handle, server):
        state.replicaCorrupt(handle, on: server)
    case let .snapshot(source, destination):
        // Each snapshot can double the tree: past a few hundred entries a run costs milliseconds and finds
        // nothing a small tree does not.
        guard state.namespace.count <= 256 else { return [] }
        // As MasterService does: prepare (check, block the leases), then apply, which unblocks them.
        _ = try state.prepareSnapshot(source, to: destination)
        return [try state.snapshot(source, to: destination)]
    case let .deleted(path):
        _ = state.deleted(under: path)
    case let .undelete(path):
        return [try state.undelete(path)]
    case let .collectGarbage(all):
        return state.collectGarbage(everything: all).mutations
    case let .fsck(path, _, _, after, limit):
        _ = try state.fsck(path, after: after, limit: limit ?? .max) { _, _, _ in }
    case let .drain(server, stop):
        try state.drain(server, !stop)
    case let .tune(perServer, total, rate):
        state.tune(clonesPerServer: perServer, clonesTotal: total, cloneBytesPerSecond: rate)
    case let .setReplication(path, replication, recursive):
        return try state.setReplication(path, to: replication, recursive: recursive)
    case let .usage(path, _):
        _ = try state.usage(path)
    case let .setQuota(path, files, bytes):
        return [try state.setQuota(path, files: files, bytes: bytes)]
    case let .truncate(path, size):
        let (_, blocked) = try state.prepareTruncate(path, to: size)
        defer { state.finishTruncate(blocked) }
        let copy = try state.planTruncateCopy(path, to: size)
        return try state.truncate(path, to: size, copy: copy, confirmed: copy?.servers ?? [])
    case let .quotas(path):
        _ = state.quotas(under: path)
    case let .concat(destination, sources, replication, pad):
        _ = try state.prepareConcat(destination, sources: sources, pad: pad)
        let copies = pad ? try state.planPadCopies(sources) : []
        return [try state.concat(destination, sources: sources, replication: replication,
                                 padded: copies.map { ($0, $0.servers) })]
    case .register, .report, .leave, .tail, .checkpoint, .promote, .status, .help:
        break
    }
    _ = state.planReplication()
    return []
}
