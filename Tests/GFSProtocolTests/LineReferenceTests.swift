// Goal: the parser that reads lines where their bytes lie says what the parser before it said, for any bytes.
// Method: the earlier parser (split into tokens, String(validating:) per token) kept here as the reference,
// both run on seeded random lines over the bytes that matter: separators, escapes, letters, non-UTF-8.
import GFSCore
import GFSProtocol
import Testing

@Suite struct LineReferenceTests {
    @Test(arguments: [1, 2, 3, 4]) func randomLinesParseAsTheReferenceParses(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let alphabet: [UInt8] = Array("aZz09fF_=%/ .-".utf8) + [0x0D, 0xC3, 0xA9, 0x80, 0xFF, 0xE2, 0x82, 0xAC]
        for _ in 0..<3000 {
            let length = Int(random.next() % 24)
            let bytes = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let prefix: [UInt8] = random.next() % 4 == 0 ? Array("ERR ".utf8) : (random.next() % 2 == 0 ? Array("ok ".utf8) : [])
            let line = prefix + bytes
            let parsed = line.withUnsafeBytes { raw in try? Line(parsing: raw) }
            #expect(parsed == Reference.parse(line), "\(line)")
        }
    }

    /// The parser as it was before it read in place.
    enum Reference {
        static func parse(_ bytes: [UInt8]) -> Line? {
            var tokens = bytes.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)[...]
            guard let first = tokens.popFirst(), let verb = String(validating: first, as: UTF8.self) else { return nil }
            var line = Line(verb.uppercased())
            if line.verb == "ERR" {
                if let code = tokens.popFirst() { line.arguments.append(String(decoding: code, as: UTF8.self)) }
                line.arguments.append(tokens.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " "))
                return line
            }
            for token in tokens {
                if let equals = token.firstIndex(of: UInt8(ascii: "=")) {
                    let key = token[..<equals]
                    guard !key.isEmpty, key.allSatisfy(isKeyByte),
                          let value = decode(token[token.index(after: equals)...]) else { return nil }
                    line.fields.append(.init(String(decoding: key, as: UTF8.self), value))
                } else {
                    guard let argument = decode(token) else { return nil }
                    line.arguments.append(argument)
                }
            }
            return line
        }

        static func decode(_ token: ArraySlice<UInt8>) -> String? {
            guard token.contains(UInt8(ascii: "%")) else { return String(validating: token, as: UTF8.self) }
            var bytes: [UInt8] = []
            var iterator = token.makeIterator()
            while let byte = iterator.next() {
                guard byte == UInt8(ascii: "%") else {
                    bytes.append(byte)
                    continue
                }
                guard let high = iterator.next().flatMap(hex), let low = iterator.next().flatMap(hex) else { return nil }
                bytes.append(high << 4 | low)
            }
            return String(validating: bytes, as: UTF8.self)
        }

        static func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }

        static func isKeyByte(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }
}
