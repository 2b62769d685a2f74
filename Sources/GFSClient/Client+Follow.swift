import GFSCore
import GFSProtocol
import NIOCore

extension Client {
    /// What a follower hands on: a file's bytes, or a record file's records each once (GFS §2.7.2).
    public struct Follower: Sendable {
        /// Where the next byte will be read from.
        public private(set) var position: Int64
        var decoder: RecordDecoder?

        /// A follower from byte `position` (for a record file, a chunk boundary: records never cross one).
        public init(position: Int64, records: Bool, chunkSize: Int64) {
            self.position = max(0, position)
            decoder = records ? RecordDecoder(maximumPayloadBytes: Int(chunkSize / 4)) : nil
        }

        /// What `piece`, the next bytes of the file, holds for the reader.
        mutating func take(_ piece: ByteBuffer) -> ByteBuffer {
            position += Int64(piece.readableBytes)
            guard let records = decoder?.feed(piece.readableBytesView) else { return piece }
            var out = ByteBuffer()
            for record in records { out.writeBytes(record) }
            return out
        }

        /// The records among `piece` one by one (for `tail -n` of a record file), or nil for a plain file.
        public mutating func records(_ piece: ByteBuffer) -> [ArraySlice<UInt8>]? {
            guard decoder != nil else { return nil }
            position += Int64(piece.readableBytes)
            return decoder?.feed(piece.readableBytesView)
        }
    }

    /// Errors a follower waits out: a master restarting or failing over, chunkservers away for a moment.
    static func isPassing(_ error: GFSError) -> Bool {
        [.unavailable, .timeout, .readOnly, .notPrimary, .stale, .checksum].contains(error.code)
    }

    /// Reads whatever the file holds past the follower's position now, handing it to `sink`; returns whether
    /// there was anything. Errors the cluster recovers from by itself are reported as nothing new.
    public func poll(_ path: GFSPath, _ follower: inout Follower,
                     into sink: (ByteBuffer) throws(GFSError) -> Void) async throws(GFSError) -> Bool {
        do {
            let layout = try await locations.refresh(path, from: master)
            guard layout.size > follower.position else { return false }
            var copy = follower
            defer { follower = copy }
            try await read(path, from: copy.position, layout: layout) { (piece) throws(GFSError) in
                let out = copy.take(piece)
                if out.readableBytes > 0 { try sink(out) }
            }
            return true
        } catch {
            guard Self.isPassing(error) else { throw error }
            return false
        }
    }

    /// Follows a growing file from the follower's position until the task is cancelled, like `tail -F`: new
    /// bytes (or records) are handed to `sink` as they are written, the size asked of the master every
    /// `interval` while nothing is new. Master restarts and failovers are waited out.
    public func follow(_ path: GFSPath, _ follower: inout Follower, interval: Duration = .milliseconds(300),
                       into sink: (ByteBuffer) throws(GFSError) -> Void) async throws(GFSError) {
        while !Task.isCancelled {
            if try await !poll(path, &follower, into: sink) {
                try? await Task.sleep(for: interval)
            }
        }
    }
}
