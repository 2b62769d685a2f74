import GFSCore

/// Percent-encoding of tokens (gfs-protocol(5), LEXICAL RULES): every byte that could end or split a token —
/// space, `=`, `%`, control bytes, and non-ASCII — travels as `%XX`, so any path, even one with a newline
/// in it, is a single safe token. Commas stay plain so address lists read naturally; list elements
/// (addresses, handles) never contain one.
public enum PercentEncoding {
    /// Whether `byte` may appear unescaped in a token.
    @inline(__always)
    static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ":"),
            UInt8(ascii: "~"), UInt8(ascii: "@"), UInt8(ascii: "+"), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "'"),
            UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "^"),
            UInt8(ascii: ","):
            return true
        default:
            return false
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// The token form of `text`.
    public static func encode(_ text: String) -> String {
        if text.utf8.allSatisfy(isPlain) { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            if isPlain(byte) {
                bytes.append(byte)
            } else {
                bytes.append(UInt8(ascii: "%"))
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the token form of `text` into `out` from `start`, which has room for three bytes per byte of
    /// it; returns the index after it.
    static func encode(_ text: String, to out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        func encode(_ bytes: some Sequence<UInt8>) -> Int {
            var index = start
            for byte in bytes {
                if isPlain(byte) {
                    out[index] = byte
                    index += 1
                } else {
                    out[index] = UInt8(ascii: "%")
                    out[index + 1] = hexDigits[Int(byte >> 4)]
                    out[index + 2] = hexDigits[Int(byte & 0x0F)]
                    index += 3
                }
            }
            return index
        }
        return text.utf8.withContiguousStorageIfAvailable { encode($0) } ?? encode(text.utf8)
    }

    /// Writes `text` as it is (a verb or a key, plain by construction) into `out` from `start`.
    static func copy(_ text: String, to out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        func copy(_ bytes: some Sequence<UInt8>) -> Int {
            var index = start
            for byte in bytes {
                out[index] = byte
                index += 1
            }
            return index
        }
        return text.utf8.withContiguousStorageIfAvailable { copy($0) } ?? copy(text.utf8)
    }

    /// The text a token stands for; throws BADREQ for a broken escape or bytes that are not UTF-8.
    public static func decode(_ token: some Collection<UInt8>) throws(GFSError) -> String {
        let copy = Array(token)
        return try copy.withUnsafeBytes { raw in Result { () throws(GFSError) in try decode(raw) } }.get()
    }

    /// The text a token stands for, read where it lies; a plain token (most are) is copied once.
    static func decode(_ token: UnsafeRawBufferPointer) throws(GFSError) -> String {
        guard token.contains(UInt8(ascii: "%")) else {
            guard let text = Line.text(token) else { throw GFSError(.badRequest, "token is not UTF-8") }
            return text
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.count)
        var iterator = token.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw GFSError(.badRequest, "bad percent escape in token")
            }
            bytes.append(high << 4 | low)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw GFSError(.badRequest, "token is not UTF-8")
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
