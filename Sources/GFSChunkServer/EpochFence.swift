import GFSCore
import NIOConcurrencyHelpers

/// The highest master epoch this chunkserver has seen, kept durably in `epoch` in its folder: orders from
/// a lower epoch come from a deposed master that has not noticed yet, and are refused (DESIGN §6).
final class EpochFence: Sendable {
    private let file: String
    private let store: ChunkStore
    /// Held across the file's update, so a lower epoch can never be written over a higher one.
    private let highest: NIOLockedValueBox<UInt64>

    init(store: ChunkStore) {
        self.store = store
        file = store.folder + "/epoch"
        highest = NIOLockedValueBox(ChunkStore.readVersionFile(file) ?? 0)
    }

    var current: UInt64 { highest.withLockedValue { $0 } }

    /// Lets an order from a master at `epoch` through, first making a higher epoch durable; STALE for an
    /// order from below the highest seen.
    func admit(_ epoch: UInt64, _ what: @autoclosure () -> String) async throws(GFSError) {
        let seen = current
        if epoch == seen { return }
        guard epoch > seen else { throw Self.deposed(what(), epoch, seen) }
        let (file, store, highest) = (self.file, self.store, self.highest)
        try await ChunkService.onDisk { () throws(GFSError) in
            let failure: GFSError? = highest.withLockedValue { (value) -> GFSError? in
                guard epoch > value else { return nil }
                do throws(GFSError) { try store.writeNumber(epoch, to: file) } catch { return error }
                value = epoch
                return nil
            }
            if let failure { throw failure }
        }
        // A higher epoch may have arrived while this one was written.
        let now = current
        guard epoch >= now else { throw Self.deposed(what(), epoch, now) }
    }

    private static func deposed(_ what: String, _ epoch: UInt64, _ highest: UInt64) -> GFSError {
        GFSError(.stale, "\(what) comes from master epoch \(epoch), but epoch \(highest) has begun; this master was deposed")
    }
}
