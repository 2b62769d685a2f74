import GFSProtocol
import NIOConcurrencyHelpers

/// Bytes this chunkserver has served to readers, written into replicas, and copied in from other servers, for
/// the status page and `/metrics`.
public final class Traffic: Sendable {
    /// The running totals.
    public struct Totals: Sendable, Equatable {
        public var read: Int64 = 0, written: Int64 = 0, replicated: Int64 = 0
    }

    private let totals = NIOLockedValueBox(Totals())

    /// The totals so far.
    public var current: Totals { totals.withLockedValue { $0 } }

    func read(_ bytes: Int) { totals.withLockedValue { $0.read &+= Int64(bytes) } }
    func wrote(_ bytes: Int) { totals.withLockedValue { $0.written &+= Int64(bytes) } }
    func replicated(_ bytes: Int) { totals.withLockedValue { $0.replicated &+= Int64(bytes) } }
}

extension ChunkService {
    /// What `/status.json` serves.
    func report(operationsPerSecond: Double) -> ChunkServerReport {
        let space = store.diskSpace()
        let totals = store.traffic.current
        return ChunkServerReport(address: address.description, masters: masters.map(\.description), chunks: store.count,
                                 capacityBytes: space.capacity, freeBytes: space.free, bufferedBytes: pushes.bytesHeld,
                                 operationsPerSecond: operationsPerSecond, bytesRead: totals.read,
                                 bytesWritten: totals.written, bytesReplicated: totals.replicated)
    }
}
