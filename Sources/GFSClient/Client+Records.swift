import GFSProtocol
import NIOCore

extension Client {
    /// Reads a record file in order, handing each record's payload to `sink` exactly once (GFS §2.7.2):
    /// padding, torn attempts and duplicates are skipped.
    /// - Returns: how many duplicate records were skipped.
    @discardableResult
    public func readRecords(_ path: GFSPath, into sink: (ByteBuffer) throws(GFSError) -> Void) async throws(GFSError) -> Int {
        let layout = try await locations.layout(of: path, from: master)
        var decoder = RecordDecoder(maximumPayloadBytes: Int(layout.chunkSize / 4))
        try await read(path) { (piece) throws(GFSError) in
            var out = ByteBuffer()
            for record in decoder.feed(piece.readableBytesView) { out.writeBytes(record) }
            if out.readableBytes > 0 { try sink(out) }
        }
        return decoder.duplicates
    }
}
