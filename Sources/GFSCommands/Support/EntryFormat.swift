import Foundation
import GFSProtocol

/// How listings print: tab-separated columns awk can cut, or JSON.
enum EntryFormat {
    /// `type replication size mtime path`, tab-separated, like `ls -l` without the decoration.
    static func long(_ entry: EntryInfo, name: String) -> String {
        let type = entry.kind == .directory ? "d" : "-"
        let replication = entry.kind == .directory ? "-" : String(entry.replication)
        return [type, replication, String(entry.size), timestamp(entry.modified), name].joined(separator: "\t")
    }

    /// `key<TAB>value` lines for `stat`.
    static func keyValues(_ entry: EntryInfo) -> [String] {
        ["path\t\(entry.path)", "type\t\(entry.kind.rawValue)", "size\t\(entry.size)", "chunks\t\(entry.chunks)",
         "replication\t\(entry.replication)", "mtime\t\(timestamp(entry.modified))",
         "records\t\(entry.records ? "yes" : "no")", "shared\t\(entry.shared)"]
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

    /// Pretty JSON text for any encodable value.
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}
