import GFSProtocol
import NIOConcurrencyHelpers
import NIOCore

/// Pushed data waiting for its WRITE or APPLY (GFS §3.2: data flow is decoupled from control flow). Bounded in
/// bytes; entries nobody claimed within `lifetime` are dropped, so a client that vanishes leaks nothing.
public final class PushBuffers: Sendable {
    private struct Entry {
        var data: ByteBuffer
        var arrived: ContinuousClock.Instant
    }

    private let entries = NIOLockedValueBox<(items: [String: Entry], bytes: Int)>(([:], 0))
    /// The most bytes held at once.
    public let capacityBytes: Int
    let lifetime: Duration

    /// Buffers holding at most `capacityBytes`, each kept at most `lifetime`.
    public init(capacityBytes: Int, lifetime: Duration = .seconds(120)) {
        self.capacityBytes = capacityBytes
        self.lifetime = lifetime
    }

    /// Keeps `data` under `id`; NOSPACE when the buffers are full even after dropping expired entries.
    public func store(_ id: String, _ data: ByteBuffer) throws(GFSError) {
        let now = ContinuousClock.now
        let stored = entries.withLockedValue { state -> Bool in
            for (key, entry) in state.items where now - entry.arrived > lifetime {
                state.bytes -= entry.data.readableBytes
                state.items[key] = nil
            }
            if let old = state.items[id] { state.bytes -= old.data.readableBytes }
            guard state.bytes + data.readableBytes <= capacityBytes else { return false }
            state.items[id] = Entry(data: data, arrived: now)
            state.bytes += data.readableBytes
            return true
        }
        guard stored else { throw GFSError(.noSpace, "push buffers full (\(capacityBytes) bytes); retry later") }
    }

    /// Removes and returns the data pushed under `id`.
    public func take(_ id: String) -> ByteBuffer? {
        entries.withLockedValue { state in
            guard let entry = state.items.removeValue(forKey: id) else { return nil }
            state.bytes -= entry.data.readableBytes
            return entry.data
        }
    }

    /// Bytes held now.
    public var bytesHeld: Int { entries.withLockedValue { $0.bytes } }
}
