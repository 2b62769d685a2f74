// libFuzzer target: whatever bytes arrive on a port. The frame decoder cuts them into frames (fed in pieces
// the input's first byte sizes, as TCP would); every line goes through each role's request parser, the
// handshake parser and the token parser. Nothing may trap, and every request that parses prints back to a
// line that parses to the same request.
import GFSCore
import GFSProtocol
import NIOCore


public func fuzzWire(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    guard let first = bytes.first else { return 0 }
    let piece = Int(first % 64) + 1
    var decoder = FrameDecoder(limits: Limits(maximumPayloadBytes: 4096))
    var buffer = ByteBuffer()
    var offset = 1
    feeding: while offset < count {
        let end = min(count, offset + piece)
        buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[offset..<end]))
        offset = end
        while true {
            let frame: Frame?
            do { frame = try decoder.decode(buffer: &buffer) } catch { break feeding }  // framing lost: closed
            guard let frame else { break }
            if case let .line(line) = frame { check(line) }
            if case let .head(line, _) = frame { check(line) }
        }
    }
    if let text = String(validating: bytes, as: UTF8.self) {
        _ = try? ExportRules(parsing: text)
        _ = try? ChunkToken.parse(text)
        _ = AddressRange(text)
    }
    return 0
}

func check(_ line: Line) {
    if let request = try? MasterRequest(line) {
        let again = try? MasterRequest(request.line)
        precondition(again == request, "MASTER round trip: \(line) -> \(request.line)")
        _ = request.needs
    }
    if let request = try? ChunkRequest(line) {
        let again = try? ChunkRequest(request.line)
        precondition(again == request, "CHUNK round trip: \(line) -> \(request.line)")
    }
    _ = try? HandshakeRequest(line)
    if let token = line["token"] { _ = try? ChunkToken.parse(token) }
    _ = try? CallField.of(line)
}
