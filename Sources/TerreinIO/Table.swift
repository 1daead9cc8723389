import Foundation

/// How a column's values are printed (docs/indicators.md, "Formatting").
public enum ColumnKind: Equatable, Sendable {
    case text
    case integer
    /// A double printed as `%.Nf` with N decimals, never as `-0.00`.
    case real(decimals: Int)
    case boolean
}

public struct Column: Equatable, Sendable {
    public var name: String
    public var kind: ColumnKind
    /// The indicator schema's description of the column (nil for tables outside it, such
    /// as the diff's or a column an older run wrote).
    public var schema: ColumnSchema?
    public init(_ name: String, _ kind: ColumnKind, schema: ColumnSchema? = nil) {
        self.name = name
        self.kind = kind
        self.schema = schema
    }

    /// Whether the CSV formula guard applies to the column.
    public var formulaGuard: Bool { schema?.formulaGuard ?? false }
}

/// One value of a table; `null` prints as an empty CSV field.
public enum Cell: Equatable, Sendable {
    case null
    case text(String)
    case integer(Int)
    case real(Double)
    case boolean(Bool)
}

/// An output table: the single source of the CSV, GeoJSON and GeoPackage values.
public struct Table: Sendable {
    public var columns: [Column]
    public var rows: [[Cell]]

    public init(columns: [Column], rows: [[Cell]] = []) {
        self.columns = columns
        self.rows = rows
    }

    public func columnIndex(_ name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// The column that plays `role` (by its schema), if the table has one.
    public func columnIndex(role: ColumnRole) -> Int? { columns.firstIndex { $0.schema?.role == role } }

    /// The printed form of a cell in a column, without CSV quoting ("" for null).
    public static func format(_ cell: Cell, as kind: ColumnKind) -> String {
        switch cell {
        case .null: return ""
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .boolean(let b): return b ? "true" : "false"
        case .real(let d):
            if case .real(let n) = kind { return formatFixed(d, decimals: n) }
            return formatFixed(d, decimals: 6)
        }
    }

    /// `%.Nf`, with negative zero printed as zero.
    public static func formatFixed(_ d: Double, decimals: Int) -> String {
        guard d.isFinite else { return "" }
        var s = String(format: "%.\(decimals)f", d)
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() }
        return s
    }

    /// The value as the outputs carry it: reals rounded to the column's decimals.
    public static func roundedValue(_ cell: Cell, as kind: ColumnKind) -> Cell {
        if case .real(let d) = cell, case .real(let n) = kind {
            return .real(Double(formatFixed(d, decimals: n)) ?? d)
        }
        return cell
    }
}

/// CSV per RFC 4180 with LF line ends and a final newline, plus the spreadsheet
/// formula-injection guard on the named text columns.
public enum CSVFormat {
    /// Quotes a field when it holds a comma, quote, CR or LF.
    public static func field(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// A value starting with =, +, -, @, tab or CR gets a leading apostrophe.
    public static func guardFormula(_ s: String) -> String {
        guard let f = s.unicodeScalars.first else { return s }
        switch f {
        case "=", "+", "-", "@", "\t", "\r": return "'" + s
        default: return s
        }
    }

    /// The CSV text of a table; the text columns whose schema asks for it get the formula guard.
    public static func render(_ table: Table) -> String {
        var out = table.columns.map { field($0.name) }.joined(separator: ",") + "\n"
        let guardMask = table.columns.map(\.formulaGuard)
        for row in table.rows {
            var fields: [String] = []
            fields.reserveCapacity(row.count)
            for (i, cell) in row.enumerated() {
                var s = Table.format(cell, as: table.columns[i].kind)
                if guardMask[i] { s = guardFormula(s) }
                fields.append(field(s))
            }
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// Parses CSV text (RFC 4180, as written by `render`) into a header and rows of strings.
    public static func parse(_ text: String) -> (header: [String], rows: [[String]]) {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var chars = Array(text.unicodeScalars)[...]
        var afterQuote = false
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars.removeFirst() } else { inQuotes = false; afterQuote = true }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !afterQuote: inQuotes = true
            case ",": record.append(field); field = ""; afterQuote = false
            case "\n":
                record.append(field); field = ""; afterQuote = false
                records.append(record); record = []
            case "\r": break
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        guard let header = records.first else { return ([], []) }
        return (header, Array(records.dropFirst()))
    }
}
