import GFSCore
import NIOConcurrencyHelpers
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The highest master epoch this chunkserver has seen, kept durably: orders from a lower epoch come from a
/// deposed master that has not noticed yet, and are refused (DESIGN §6).
///
/// It is kept in two slot files, `epoch.0` and `epoch.1`, each one fixed-size line overwritten in place, the
/// older slot each time. Written in place, an update needs no new block, so a full disk cannot keep a
/// chunkserver from following a new primary (it could not, with a new file renamed over the old: chaos seed
/// 431, `--etcd`). A torn write spoils only the slot being written, whose epoch was not yet admitted; the
/// other slot keeps the one before. The `epoch` file of earlier versions is still read.
final class EpochFence: Sendable {
    private let slots: [String]
    private let folder: String
    private let synchronous: Bool
    /// Held across the file's update, so a lower epoch can never be written over a higher one; with the
    /// epoch each slot holds (nil when it holds none readable).
    private let highest: NIOLockedValueBox<(value: UInt64, slots: [UInt64?])>

    init(store: ChunkStore) {
        folder = store.folder
        synchronous = store.synchronous
        slots = [folder + "/epoch.0", folder + "/epoch.1"]
        // A slot is trusted only once it is surely on disk: a line written before a crash, whose fdatasync
        // never ran or failed, may still be in the page cache and lost at the next power cut.
        let held = slots.map { path in Self.readSlot(path).flatMap { Self.syncSlot(path) ? $0 : nil } }
        let value = (held.compactMap { $0 } + [ChunkStore.readVersionFile(folder + "/epoch") ?? 0]).max() ?? 0
        highest = NIOLockedValueBox((value, held))
        // Made while there is room, so that later updates need none; a full disk now only defers this.
        highest.withLockedValue { state in
            for index in state.slots.indices where state.slots[index] == nil {
                if (try? Self.writeSlot(slots[index], state.value, folder: folder, synchronous: synchronous)) != nil {
                    state.slots[index] = state.value
                }
            }
        }
        // The slots' names, too, must be on disk before a write into one is trusted.
        if synchronous { try? ChunkStore.syncFolder(folder) }
    }

    var current: UInt64 { highest.withLockedValue { $0.value } }

    /// Lets an order from a master at `epoch` through, first making a higher epoch durable; STALE for an
    /// order from below the highest seen.
    func admit(_ epoch: UInt64, _ what: @autoclosure () -> String) async throws(GFSError) {
        let seen = current
        if epoch == seen { return }
        guard epoch > seen else { throw Self.deposed(what(), epoch, seen) }
        let (slots, highest, folder, synchronous) = (self.slots, self.highest, self.folder, self.synchronous)
        try await ChunkService.onDisk { () throws(GFSError) in
            let failure = highest.withLockedValue { (state) -> GFSError? in
                guard epoch > state.value else { return nil }
                // The slot with the lower epoch (or none): the other keeps the highest so far.
                let index = (state.slots[0] ?? 0) <= (state.slots[1] ?? 0) ? 0 : 1
                state.slots[index] = nil  // unknown until the write is through
                do throws(GFSError) { try Self.writeSlot(slots[index], epoch, folder: folder, synchronous: synchronous) } catch {
                    // The line may be in the page cache though not on disk, and would be read back after a
                    // restart as if durable: spoil it (best effort), so the other slot's epoch is read instead.
                    Self.spoil(slots[index])
                    return error
                }
                state.slots[index] = epoch
                state.value = epoch
                return nil
            }
            if let failure { throw failure }
        }
        // A higher epoch may have arrived while this one was written.
        let now = current
        guard epoch >= now else { throw Self.deposed(what(), epoch, now) }
    }

    /// The length of every slot line.
    static let lineLength = 30

    /// A slot's line: the epoch and the CRC32C of its digits, in fixed widths, so every write is as long.
    static func line(_ epoch: UInt64) -> [UInt8] {
        let digits = String(epoch)
        let padded = String(repeating: "0", count: max(0, 20 - digits.count)) + digits
        let check = String(CRC32C.checksum(Array(padded.utf8)), radix: 16)
        return Array((padded + " " + String(repeating: "0", count: max(0, 8 - check.count)) + check + "\n").utf8)
    }

    /// The epoch a slot file holds, or nil if it is missing or its line does not check. Only the first
    /// `lineLength` bytes count: writes go there, and whatever else a file holds cannot spoil them.
    static func readSlot(_ path: String) -> UInt64? {
        guard let file = try? FileDescriptor.open(FilePath(path), .readOnly, options: .closeOnExec) else { return nil }
        defer { try? file.close() }
        var bytes = [UInt8](repeating: 0, count: lineLength)
        let count = (try? bytes.withUnsafeMutableBytes { try file.read(fromAbsoluteOffset: 0, into: $0) }) ?? 0
        guard count == lineLength, bytes[lineLength - 1] == UInt8(ascii: "\n") else { return nil }
        let fields = String(decoding: bytes.dropLast(), as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 2, fields[0].count == 20, fields[1].count == 8, let epoch = UInt64(fields[0]),
              UInt32(fields[1], radix: 16) == CRC32C.checksum(Array(fields[0].utf8)) else { return nil }
        return epoch
    }

    /// fdatasyncs a slot file; false if that fails.
    private static func syncSlot(_ path: String) -> Bool {
        guard let file = try? FileDescriptor.open(FilePath(path), .readOnly, options: .closeOnExec) else { return false }
        defer { try? file.close() }
        return fdatasync(file.rawValue) == 0
    }

    /// Overwrites a slot's line with one that never checks.
    private static func spoil(_ path: String) {
        guard let file = try? FileDescriptor.open(FilePath(path), .writeOnly, options: .closeOnExec) else { return }
        defer { try? file.close() }
        _ = try? file.writeAll(toAbsoluteOffset: 0, [UInt8](repeating: UInt8(ascii: " "), count: lineLength))
    }

    /// Overwrites a slot in place and makes it durable; a missing slot file is made (and its folder synced).
    private static func writeSlot(_ path: String, _ epoch: UInt64, folder: String, synchronous: Bool) throws(GFSError) {
        let existed = access(path, F_OK) == 0
        try ChunkStore.writeDurably(line(epoch), to: try ChunkStore.open(path, [.create]), path: path, synchronous: synchronous)
        if !existed, synchronous { try ChunkStore.syncFolder(folder) }
    }

    private static func deposed(_ what: String, _ epoch: UInt64, _ highest: UInt64) -> GFSError {
        GFSError(.stale, "\(what) comes from master epoch \(epoch), but epoch \(highest) has begun; this master was deposed")
    }
}
