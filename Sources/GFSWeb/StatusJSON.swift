import Foundation

/// `/status.json`: sorted keys, so the output is stable for diffs and tests.
public enum StatusJSON {
    public static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? Array(encoder.encode(value))) ?? Array("{}".utf8)
    }
}
