import GFSCore
import NIOCore

/// The reply to `LS` written straight into a buffer: the `OK` line, then one `ENTRY` line per child, each
/// byte for byte what `Reply.ok(_:body:)` of `EntryInfo.line`s writes. A page is a hundred lines or more, and
/// building each as a `Line` of eight fields first took most of the master's time answering it.
public enum ListingReply {
    /// Writes the reply listing `children` of `directory` (a page; `next` is the name to continue after).
    public static func write(directory: GFSPath, children: [(name: String, entry: Namespace.Entry)], next: String?,
                             to buffer: inout ByteBuffer) {
        var fields = next.map { [Line.Field("next", $0)] } ?? []
        if !children.isEmpty { fields.append(.init("n", String(children.count))) }
        Line("OK", [], fields).write(to: &buffer)
        let prefix = PercentEncoding.encode(directory.isRoot ? "" : directory.string) + "/"
        for (name, entry) in children { writeEntry(prefix: prefix, name: name, entry: entry, to: &buffer) }
    }

    /// One `ENTRY` line, as `EntryInfo(path:entry:).line` writes it (`shared=1`: a listing does not count
    /// sharing), copied into the buffer's memory in one pass.
    static func writeEntry(prefix: String, name: String, entry: Namespace.Entry, to buffer: inout ByteBuffer) {
        // The fixed text, the escaped prefix and name, four numbers of at most 20 characters and the flags.
        let room = 192 + prefix.utf8.count + 3 * name.utf8.count
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { out in
            var index = copy("ENTRY path=", to: out, at: 0)
            index = PercentEncoding.copy(prefix, to: out, at: index)
            index = PercentEncoding.encode(name, to: out, at: index)
            index = copy(entry.kind == .file ? " type=file size=" : " type=directory size=", to: out, at: index)
            index = decimal(entry.length, to: out, at: index)
            index = copy(" chunks=", to: out, at: index)
            index = decimal(Int64(entry.chunks.count), to: out, at: index)
            index = copy(" replication=", to: out, at: index)
            index = decimal(Int64(entry.replication), to: out, at: index)
            index = copy(" mtime=", to: out, at: index)
            index = decimal(entry.modified, to: out, at: index)
            return copy(entry.records ? " records=1 shared=1\n" : " records=0 shared=1\n", to: out, at: index)
        }
    }

    private static func copy(_ text: StaticString, to out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        let count = text.utf8CodeUnitCount
        UnsafeMutableRawBufferPointer(rebasing: out[start..<(start + count)])
            .copyMemory(from: UnsafeRawBufferPointer(start: text.utf8Start, count: count))
        return start + count
    }

    /// `value` in decimal, as `String(value)` spells it.
    private static func decimal(_ value: Int64, to out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        var index = start
        if value < 0 {
            out[index] = UInt8(ascii: "-")
            index += 1
        }
        var magnitude = value.magnitude
        var digits = 1
        var power: UInt64 = 10
        while digits < 20, magnitude >= power {
            digits += 1
            (power, _) = power.multipliedReportingOverflow(by: 10)
        }
        for position in stride(from: index + digits - 1, through: index, by: -1) {
            out[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        }
        return index + digits
    }
}
