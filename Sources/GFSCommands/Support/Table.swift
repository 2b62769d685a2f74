import GFSCore

/// Columns of output: tab-separated with no decoration for pipes and scripts (`cut -f3` works), padded into
/// aligned columns when a person reads them at a terminal.
struct Table {
    private(set) var rows: [[String]] = []

    init(rows: [[String]] = []) { self.rows = rows }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// Prints the rows to stdout, aligned only when stdout is a terminal.
    func print(aligned: Bool = StandardStreams.isTerminal(1)) {
        for line in (aligned ? Self.aligned(rows) : rows.map { $0.joined(separator: "\t") }) {
            StandardStreams.output(line)
        }
    }

    /// The rows padded to each column's widest cell, two spaces apart; numbers are right-aligned, as in `ls -l`.
    static func aligned(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        let numeric = (0..<columns).map { column in
            rows.allSatisfy { column >= $0.count || isNumber($0[column]) }
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                if numeric[column] { return padding + cell }
                return column == row.count - 1 ? cell : cell + padding
            }.joined(separator: "  ")
        }
    }

    /// Digits, optionally with a decimal point and a unit suffix (`12`, `1.5`, `64M`): a quantity.
    private static func isNumber(_ cell: String) -> Bool {
        guard let first = cell.first, first.isNumber else { return cell == "-" }
        return cell.dropFirst().allSatisfy { $0.isNumber || $0 == "." || "BKMGTP".contains($0) }
    }
}

extension ByteCount {
    /// Plain bytes for scripts; with `-h`, the short form people read (`64M`, `1.5G`).
    static func text(_ bytes: Int64, human: Bool) -> String { human ? format(bytes) : String(bytes) }
}
