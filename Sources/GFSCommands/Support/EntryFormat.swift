import Foundation
import GFSProtocol

/// How listings print: tab-separated columns awk can cut, or JSON.
enum EntryFormat {
    /// `type replication size mtime path`: the columns of `ls -l`.
    static func long(_ entry: EntryInfo, name: String, human: Bool = false) -> [String] {
        let type = entry.kind == .directory ? "d" : "-"
        let replication = entry.kind == .directory ? "-" : String(entry.replication)
        return [type, replication, ByteCount.text(entry.size, human: human), timestamp(entry.modified), name]
    }

    /// `key value` rows for `stat`.
    static func keyValues(_ entry: EntryInfo, human: Bool = false) -> [[String]] {
        [["path", entry.path.string], ["type", entry.kind.rawValue], ["size", ByteCount.text(entry.size, human: human)],
         ["chunks", String(entry.chunks)], ["replication", String(entry.replication)],
         ["mtime", timestamp(entry.modified)], ["records", entry.records ? "yes" : "no"], ["shared", String(entry.shared)]]
    }

    /// ISO 8601 in UTC, to the second.
    static func timestamp(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).ISO8601Format()
    }

    /// An entry as JSON.
    struct JSONEntry: Encodable {
        var path: String, type: String, size: Int64, chunks: Int, replication: Int, mtime: String, records: Bool

        init(_ entry: EntryInfo) {
            path = entry.path.string
            type = entry.kind.rawValue
            size = entry.size
            chunks = entry.chunks
            replication = entry.replication
            mtime = timestamp(entry.modified)
            records = entry.records
        }
    }

    /// A protocol line's fields by name (the reply count `n` left out).
    static func fields(_ line: Line) -> [String: String] {
        Dictionary(line.fields.filter { $0.key != "n" }.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    }

    /// A protocol line's fields by name, with numbers as JSON numbers (the reply count `n` left out).
    static func typedFields(_ line: Line) -> [String: JSONScalar] {
        fields(line).reduce(into: [:]) { typed, field in typed[field.key] = JSONScalar(field.value, key: field.key) }
    }

    /// Pretty JSON text for any encodable value.
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A field value in JSON: a number when it is one, else a string. Names that only look like numbers (chunk
/// handles, paths, addresses) stay strings.
enum JSONScalar: Encodable, Equatable {
    case integer(Int64), number(Double), text(String)

    static let textual: Set<String> = ["handle", "path", "addr", "address", "name", "principal", "new", "from", "to"]

    init(_ value: String, key: String) {
        if Self.textual.contains(key) {
            self = .text(value)
        } else if let integer = Int64(value) {
            self = .integer(integer)
        } else if value.contains("."), value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }),
                  let number = Double(value), number.isFinite {
            self = .number(number)
        } else {
            self = .text(value)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .integer(value): try container.encode(value)
        case let .number(value): try container.encode(value)
        case let .text(value): try container.encode(value)
        }
    }
}
