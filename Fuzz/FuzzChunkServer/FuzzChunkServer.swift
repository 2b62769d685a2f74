// libFuzzer target: the chunkserver's dispatcher over its in-memory state. Each input line that parses as a
// chunkserver request is carried out on a `ChunkServerState` (grants, leases, the primary's serial order, a
// secondary's admission), with replica versions and lengths kept beside it as the store would. Nothing may
// trap; every mutation a primary orders lies within the chunk, and its serials only grow per chunk.
import GFSCore
import GFSProtocol


public func fuzzChunkServer(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count < 16_384, let text = String(validating: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) else { return 0 }
    let chunkSize: Int64 = 1 << 20
    var state = ChunkServerState(address: ServerID(host: "127.0.0.1", port: 7701), chunkSize: chunkSize)
    var versions: [ChunkHandle: ChunkVersion] = [:], lengths: [ChunkHandle: Int64] = [:]
    var lastSerial: [ChunkHandle: UInt64] = [:]
    var now = Instant(sinceStart: .zero)
    // LOCAL's tickets, drawn from a fixed seed so a crash replays; each may open only its own chunk, once.
    var tickets = LocalTickets(), random = SplitMix64(seed: 1), issued: [LocalTickets.Ticket: ChunkHandle] = [:]
    for raw in text.split(separator: "\n").prefix(64) {
        now = now.advanced(by: .milliseconds(10))
        guard let line = try? Line(parsing: raw.utf8), let request = try? ChunkRequest(line) else { continue }
        func ordered(_ handle: ChunkHandle, _ version: ChunkVersion, count: Int64, at target: Int64?) {
            guard let order = try? state.order(handle, version: version, held: versions[handle],
                                               length: lengths[handle] ?? 0, count: count, at: target, now: now) else { return }
            precondition(order.serial > (lastSerial[handle] ?? 0), "serials of \(handle) went back")
            lastSerial[handle] = order.serial
            if let offset = order.offset {
                precondition(offset >= 0 && offset + count <= chunkSize, "a mutation ordered past the chunk")
                lengths[handle] = max(lengths[handle] ?? 0, offset + count)
            } else {
                lengths[handle] = order.paddedSize
            }
        }
        switch request {
        case let .grant(handle, version, lease, _, secondaries):
            // As the store: a grant below the replica's version is refused (STALE) and changes nothing.
            if let held = versions[handle], version < held { continue }
            versions[handle] = version
            state.granted(handle, version: version, leaseMilliseconds: lease, secondaries: secondaries, arrival: now)
        case let .write(handle, version, offset, id):
            let count = Int64(id.utf8.count)
            guard (try? state.admitWrite(handle, version: version, offset: offset, count: count, at: now)) != nil else { continue }
            ordered(handle, version, count: count, at: offset)
        case let .append(handle, version, id):
            let count = Int64(id.utf8.count)
            guard (try? state.admitAppend(handle, version: version, count: count, at: now)) != nil else { continue }
            ordered(handle, version, count: count, at: nil)
        case let .apply(handle, version, serial, offset, id):
            let count = Int64(id.utf8.count)
            guard (try? state.admitApply(handle, offset: offset, count: count)) != nil,
                (try? state.mayApply(handle, version: version, serial: serial, held: versions[handle])) != nil
            else { continue }
            state.applied(serial, to: handle)
        case let .pad(handle, version, serial, size, _):
            guard (try? state.admitPad(handle, size: size)) != nil,
                (try? state.mayApply(handle, version: version, serial: serial, held: versions[handle])) != nil
            else { continue }
            state.applied(serial, to: handle)
        case let .revoke(handle, version):
            state.revoked(handle, through: version)
        case let .clone(_, new, version, _, _, _):
            // As the store: a clone never replaces a replica already held.
            if versions[new] == nil { versions[new] = version }
        case let .local(handle, _):
            issued[tickets.issue(handle, now: now, using: &random).ticket] = handle
            precondition(tickets.held <= LocalTickets.capacity, "tickets past their bound")
        case let .open(ticket):
            let handle = tickets.redeem(ticket, now: now)?.handle
            precondition(handle == nil || handle == issued[ticket], "a ticket opened another chunk")
            precondition(tickets.redeem(ticket, now: now) == nil, "a ticket opened twice")
        case .push, .sync, .read, .replicate, .status, .help, .checksum:
            break
        }
        _ = state.leasesToExtend(at: now)
    }
    return 0
}
