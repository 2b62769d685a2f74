import GFSCore
import GFSProtocol
import NIOCore
import SystemPackage

/// A push's payload in the parts it arrived in, written to the replica from them: copying 8 MiB of parts into
/// one buffer, on every replica of every piece, was 4% of all CPU time in a 3-replica `put` on two cores.
/// A part is a slice of a read buffer (256 KiB over TCP; up to a few MiB behind TLS, which gathers a turn's
/// reads into one), and a slice keeps all of its buffer alive. So a part is kept only when it fills at least
/// half of its buffer and holds at least `gatherBytes`. Other parts are copied together into buffers that grow
/// by doubling, each closed once it holds `gatherBytes`. The memory a push holds is then at most about twice
/// the bytes `PushBuffers` counts for it, and a payload trickled in tiny reads is a few buffers, not one
/// object (and one checksum scan step) per read.
struct PushedBytes: Sendable {
    static let gatherBytes = 128 << 10

    private(set) var parts: [ByteBuffer] = []
    /// Bytes in all parts.
    private(set) var count = 0
    /// Whether the last part is a buffer of copied parts that takes more.
    private var gathering = false

    init() {}

    /// The bytes of one buffer, as they are.
    init(_ bytes: ByteBuffer) {
        if bytes.readableBytes > 0 { parts = [bytes] }
        count = bytes.readableBytes
    }

    mutating func append(_ part: ByteBuffer) {
        guard part.readableBytes > 0 else { return }
        count += part.readableBytes
        if part.readableBytes >= Self.gatherBytes, part.readableBytes >= part.storageCapacity - part.readableBytes {
            parts.append(part)
            gathering = false
        } else if gathering {
            parts[parts.count - 1].writeImmutableBuffer(part)
        } else {
            // A buffer of its own, sized to its bytes and doubled as parts join it (NIO rounds to powers of 2).
            var gathered = ByteBuffer()
            gathered.writeImmutableBuffer(part)
            parts.append(gathered)
            gathering = true
        }
        if gathering, parts[parts.count - 1].readableBytes >= Self.gatherBytes { gathering = false }
    }

    /// The CRC32C of the payload's bytes `range`.
    func checksum(_ range: Range<Int>) -> UInt32 {
        var sum: UInt32 = 0
        var start = 0
        for part in parts {
            let end = start + part.readableBytes
            let lower = max(range.lowerBound, start), upper = min(range.upperBound, end)
            if lower < upper {
                part.withUnsafeReadableBytes { raw in
                    sum = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(lower - start)..<(upper - start)]), seed: sum)
                }
            }
            if end >= range.upperBound { break }
            start = end
        }
        return sum
    }

    /// Writes the payload at `offset` of `file`, part after part.
    func write(to file: SystemPackage.FileDescriptor, at offset: Int64) throws {
        var position = offset
        for part in parts {
            _ = try part.withUnsafeReadableBytes { try file.writeAll(toAbsoluteOffset: position, $0) }
            position += Int64(part.readableBytes)
        }
    }
}
