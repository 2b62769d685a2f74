import GFSProtocol
import NIOConcurrencyHelpers
import NIOCore

/// Pushed data waiting for its WRITE or APPLY (GFS §3.2: data flow is decoupled from control flow). Bounded in
/// bytes; entries nobody claimed within `lifetime` are dropped, so a client that vanishes leaks nothing.
public final class PushBuffers: Sendable {
    private struct Entry {
        var data: PushedBytes
        var arrived: ContinuousClock.Instant
    }

    /// Entries, the bytes they hold, and the bytes reserved for pushes still arriving.
    private let entries = NIOLockedValueBox<(items: [String: Entry], bytes: Int, reserved: Int)>(([:], 0, 0))
    /// The most bytes held and reserved at once.
    public let capacityBytes: Int
    let lifetime: Duration

    /// Buffers holding at most `capacityBytes`, each kept at most `lifetime`.
    public init(capacityBytes: Int, lifetime: Duration = .seconds(120)) {
        self.capacityBytes = capacityBytes
        self.lifetime = lifetime
    }

    /// Sets aside room for a push of `length` bytes before its first byte is read, so pushes arriving at once
    /// can never hold more than the capacity between them; NOSPACE when there is no room even after dropping
    /// expired entries. `store` uses the room; `release` gives it back.
    public func reserve(_ length: Int) throws(GFSError) {
        let now = ContinuousClock.now
        let reserved = entries.withLockedValue { state -> Bool in
            for (key, entry) in state.items where now - entry.arrived > lifetime {
                state.bytes -= entry.data.count
                state.items[key] = nil
            }
            guard length <= capacityBytes - state.bytes - state.reserved else { return false }
            state.reserved += length
            return true
        }
        guard reserved else { throw GFSError(.noSpace, "push buffers full (\(capacityBytes) bytes); retry later") }
    }

    /// Gives back room reserved for a push that failed.
    public func release(_ length: Int) {
        entries.withLockedValue { $0.reserved -= length }
    }

    /// Keeps `data` under `id`, in the room reserved for it.
    func store(_ id: String, _ data: PushedBytes) {
        entries.withLockedValue { state in
            state.reserved -= data.count
            if let old = state.items[id] { state.bytes -= old.data.count }
            state.items[id] = Entry(data: data, arrived: ContinuousClock.now)
            state.bytes += data.count
        }
    }

    /// Removes and returns the data pushed under `id`.
    func take(_ id: String) -> PushedBytes? {
        entries.withLockedValue { state in
            guard let entry = state.items.removeValue(forKey: id) else { return nil }
            state.bytes -= entry.data.count
            return entry.data
        }
    }

    /// Bytes held now.
    public var bytesHeld: Int { entries.withLockedValue { $0.bytes } }
}
