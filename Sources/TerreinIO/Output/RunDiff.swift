import Foundation

/// `terrein diff OUTPUT_A OUTPUT_B`: the change between two runs, read from their
/// `indicators.csv` files (a path may also name the CSV file itself, or a run of a run
/// history as `HISTORY.gpkg@RUN_ID`, whose table is written as that run wrote its CSV).
///
/// Terreinen are matched by `id`. Columns present in both runs are compared in run A's
/// column order; columns in one run only are listed as not compared. A column's kind comes
/// from the indicator schema (the catalog); a column it does not know is judged by its
/// values in both runs: all-`true`/`false` values make a boolean column, all-numeric values
/// a numeric one, anything else text. Values are compared as printed (numbers by value, so
/// `1.50` and `1.5` are equal). Changes are summed for the columns whose region value is a
/// sum (amounts and counts, not fractions, minima or classes).
///
/// `diff.csv` rows (`id,column,a,b,change,relative_change,kind`), sorted by id (UTF-8
/// bytes), then column order:
/// - `changed`: both values present and different; for numbers `change` = b − a, printed
///   with the larger number of decimals of a and b, and `relative_change` = (b − a) / |a|
///   with 6 decimals when a ≠ 0 (empty otherwise);
/// - `null_to_value`, `value_to_null`: a value appeared or disappeared;
/// - `added` (only in B), `removed` (only in A): one row per terrein with an empty column.
/// The `a` and `b` fields are the CSV values as written (text values already carry the
/// runs' formula guard; nothing is added).
public struct RunDiff: Sendable {
    public enum Kind: String, Sendable {
        case changed
        case nullToValue = "null_to_value"
        case valueToNull = "value_to_null"
        case added
        case removed
    }

    public enum ValueKind: String, Sendable { case text, boolean, numeric }

    public struct Row: Equatable, Sendable {
        public var id: String
        public var column: String
        public var a: String
        public var b: String
        public var change: String
        public var relativeChange: String
        public var kind: Kind
    }

    public struct ColumnSummary: Sendable {
        public var column: String
        public var kind: ValueKind
        public var changed = 0
        public var nullToValue = 0
        public var valueToNull = 0
        /// Σ(b − a) over changed values, for summable numeric columns (areas, volumes,
        /// energy, counts; not fractions, coverage or distances); nil otherwise.
        public var sumOfChange: Double?
        /// Decimals for printing `sumOfChange`.
        public var decimals = 0
    }

    public var pathA: String
    public var pathB: String
    public var countA: Int
    public var countB: Int
    public var rows: [Row]
    public var columns: [ColumnSummary]
    public var added: [String]
    public var removed: [String]
    public var onlyInA: [String]
    public var onlyInB: [String]

    public struct DiffError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Reads `indicators.csv` from two output directories (or two CSV files, or two runs of a
    /// run history, `HISTORY.gpkg@RUN_ID`, see `historyReference`) and compares them.
    public static func compare(a: String, b: String, catalog: ColumnCatalog) throws -> RunDiff {
        let (textA, fileA) = try indicatorsCSV(a, catalog: catalog), (textB, fileB) = try indicatorsCSV(b, catalog: catalog)
        var diff = try compare(csvA: textA, csvB: textB, nameA: fileA, nameB: fileB, catalog: catalog)
        diff.pathA = a
        diff.pathB = b
        return diff
    }

    /// A side of the diff as `HISTORY.gpkg@RUN_ID` (or `HISTORY.gpkg@latest`): the history
    /// path and the run, when `argument` names no existing file or folder as written, ends
    /// in `@` and a run number or `latest`, and the part before it ends in `.gpkg`.
    public static func historyReference(_ argument: String) -> (path: String, run: String)? {
        guard !FileManager.default.fileExists(atPath: argument), let at = argument.lastIndex(of: "@") else { return nil }
        let path = String(argument[..<at]), run = String(argument[argument.index(after: at)...])
        guard path.lowercased().hasSuffix(".gpkg"),
              run == "latest" || (!run.isEmpty && run.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })) else {
            return nil
        }
        return (path, run)
    }

    /// The indicators.csv text of a side and the name the diff shows for it: a folder's or a
    /// file's CSV as read, or a history run's table written as the run wrote its CSV.
    static func indicatorsCSV(_ argument: String, catalog: ColumnCatalog) throws -> (String, String) {
        if let ref = historyReference(argument) {
            let history = try RunHistory.open(path: ref.path)
            let run = try history.run(named: ref.run)
            return (CSVFormat.render(try history.indicators(runID: run.runID, catalog: catalog)), "\(ref.path)@\(run.runID)")
        }
        let file = try csvPath(argument)
        return (try read(file), file)
    }

    static func csvPath(_ path: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DiffError(message: "\(path): no such output directory or file")
        }
        if !isDir.boolValue { return path }
        let file = (path as NSString).appendingPathComponent("indicators.csv")
        guard FileManager.default.fileExists(atPath: file) else {
            throw DiffError(message: "\(path): no indicators.csv in this output directory")
        }
        return file
    }

    static func read(_ file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DiffError(message: "\(file): cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DiffError(message: "\(file): not UTF-8 text")
        }
        return text
    }

    /// Compares two indicators.csv texts; `nameA`/`nameB` name them in errors.
    public static func compare(csvA: String, csvB: String, nameA: String = "A", nameB: String = "B",
                               catalog: ColumnCatalog) throws -> RunDiff {
        let isIdentifier = { (name: String) in catalog.schema(name)?.role == .identifier }
        let tA = try Run(parsing: csvA, name: nameA, isIdentifier: isIdentifier)
        let tB = try Run(parsing: csvB, name: nameB, isIdentifier: isIdentifier)

        let setB = Set(tB.header)
        let setA = Set(tA.header)
        let common = tA.header.filter { setB.contains($0) && $0 != tA.header[tA.idColumn] }
        let onlyInA = tA.header.filter { !setB.contains($0) }
        let onlyInB = tB.header.filter { !setA.contains($0) }

        // Kinds, from the values of both runs.
        var summaries: [ColumnSummary] = []
        for name in common {
            let ia = tA.index[name]!, ib = tB.index[name]!
            let values = tA.rows.map { $0[ia] }.filter { !$0.isEmpty } + tB.rows.map { $0[ib] }.filter { !$0.isEmpty }
            let kind: ValueKind
            let schema = catalog.schema(name)
            if let schema {
                switch schema.kind {
                case .text, .classLabel: kind = .text
                case .boolean: kind = .boolean
                case .number, .count: kind = .numeric
                }
            } else if values.allSatisfy({ $0 == "true" || $0 == "false" }) && !values.isEmpty {
                kind = .boolean
            } else if values.allSatisfy({ Double($0) != nil }) {
                kind = .numeric
            } else {
                kind = .text
            }
            var s = ColumnSummary(column: name, kind: kind)
            if kind == .numeric && schema?.isSummable == true { s.sumOfChange = 0 }
            summaries.append(s)
        }

        let ids = Set(tA.byID.keys).union(tB.byID.keys).sorted()
        var rows: [Row] = []
        var added: [String] = [], removed: [String] = []
        for key in ids {
            let id = key.string
            guard let ra = tA.byID[key] else {
                added.append(id)
                rows.append(Row(id: id, column: "", a: "", b: "", change: "", relativeChange: "", kind: .added))
                continue
            }
            guard let rb = tB.byID[key] else {
                removed.append(id)
                rows.append(Row(id: id, column: "", a: "", b: "", change: "", relativeChange: "", kind: .removed))
                continue
            }
            let rowA = tA.rows[ra], rowB = tB.rows[rb]
            for (c, name) in common.enumerated() {
                let va = rowA[tA.index[name]!], vb = rowB[tB.index[name]!]
                // Values compare as bytes: a name changed only in normalisation is a change.
                if va.utf8.elementsEqual(vb.utf8) { continue }
                if va.isEmpty {
                    summaries[c].nullToValue += 1
                    rows.append(Row(id: id, column: name, a: va, b: vb, change: "", relativeChange: "", kind: .nullToValue))
                    continue
                }
                if vb.isEmpty {
                    summaries[c].valueToNull += 1
                    rows.append(Row(id: id, column: name, a: va, b: vb, change: "", relativeChange: "", kind: .valueToNull))
                    continue
                }
                var change = "", relative = ""
                if summaries[c].kind == .numeric, let x = Double(va), let y = Double(vb) {
                    if x == y { continue }
                    let decimals = max(decimalPlaces(va), decimalPlaces(vb))
                    let delta = y - x
                    change = Table.formatFixed(delta, decimals: decimals)
                    if x != 0 { relative = Table.formatFixed(delta / abs(x), decimals: 6) }
                    if summaries[c].sumOfChange != nil {
                        summaries[c].sumOfChange! += delta
                        summaries[c].decimals = max(summaries[c].decimals, decimals)
                    }
                }
                summaries[c].changed += 1
                rows.append(Row(id: id, column: name, a: va, b: vb, change: change, relativeChange: relative, kind: .changed))
            }
        }
        return RunDiff(pathA: nameA, pathB: nameB, countA: tA.rows.count, countB: tB.rows.count, rows: rows,
                       columns: summaries, added: added, removed: removed, onlyInA: onlyInA, onlyInB: onlyInB)
    }

    static func decimalPlaces(_ s: String) -> Int {
        guard let dot = s.firstIndex(of: ".") else { return 0 }
        return s[s.index(after: dot)...].prefix { $0.isNumber }.count
    }

    /// One parsed indicators.csv.
    struct Run {
        var header: [String]
        var index: [String: Int]
        var rows: [[String]]
        /// Row by terrein id, the id compared as UTF-8 bytes.
        var byID: [ByteKey: Int]
        var idColumn: Int

        init(parsing text: String, name: String, isIdentifier: (String) -> Bool) throws {
            let parsed = CSVFormat.parse(text)
            header = parsed.header
            guard !header.isEmpty else { throw DiffError(message: "\(name): empty CSV, no header") }
            var index: [String: Int] = [:]
            for (i, h) in header.enumerated() {
                guard index[h] == nil else { throw DiffError(message: "\(name): column '\(h)' appears twice") }
                index[h] = i
            }
            guard let idColumn = header.firstIndex(where: isIdentifier) else {
                throw DiffError(message: "\(name): no terrein id column (id) in the header: is this an indicators.csv of Terrein?")
            }
            self.idColumn = idColumn
            self.index = index
            rows = []
            byID = [:]
            for (n, var row) in parsed.rows.enumerated() {
                if row.count == 1 && row[0].isEmpty && header.count > 1 { continue } // blank line
                guard row.count <= header.count else {
                    throw DiffError(message: "\(name): line \(n + 2) has \(row.count) fields, the header \(header.count)")
                }
                while row.count < header.count { row.append("") }
                let id = ByteKey(row[idColumn])
                guard byID[id] == nil else { throw DiffError(message: "\(name): terrein id '\(id)' appears twice") }
                byID[id] = rows.count
                rows.append(row)
            }
        }
    }

    // MARK: Output

    public static let csvHeader = ["id", "column", "a", "b", "change", "relative_change", "kind"]

    /// `diff.csv`: RFC 4180, LF line ends, a final newline.
    public func csv() -> String {
        var out = RunDiff.csvHeader.joined(separator: ",") + "\n"
        for r in rows {
            out += [r.id, r.column, r.a, r.b, r.change, r.relativeChange, r.kind.rawValue]
                .map(CSVFormat.field).joined(separator: ",") + "\n"
        }
        return out
    }

    /// A short text table for the terminal.
    public func summary() -> String {
        var out = "A: \(pathA) (\(countA) terreinen)\nB: \(pathB) (\(countB) terreinen)\n"
        out += "matched \(countA - removed.count), added \(added.count), removed \(removed.count)\n"
        let touched = columns.filter { $0.changed + $0.nullToValue + $0.valueToNull > 0 }
        if touched.isEmpty {
            out += "\nno value changed in the \(columns.count) compared columns\n"
        } else {
            let head = ["column", "changed", "null->value", "value->null", "sum of change"]
            var lines: [[String]] = [head]
            for s in touched {
                let sum = s.sumOfChange.map { Table.formatFixed($0, decimals: s.decimals) } ?? ""
                lines.append([s.column, String(s.changed), String(s.nullToValue), String(s.valueToNull), sum])
            }
            let widths = (0..<head.count).map { c in lines.map { $0[c].count }.max() ?? 0 }
            out += "\n"
            for line in lines {
                var text = line[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)
                for c in 1..<line.count {
                    text += "  " + String(repeating: " ", count: widths[c] - line[c].count) + line[c]
                }
                while text.hasSuffix(" ") { text.removeLast() }
                out += text + "\n"
            }
            let quiet = columns.count - touched.count
            if quiet > 0 { out += "(no changes in \(quiet) other compared column\(quiet == 1 ? "" : "s"))\n" }
        }
        if !onlyInA.isEmpty { out += "not compared, only in A: " + onlyInA.joined(separator: ", ") + "\n" }
        if !onlyInB.isEmpty { out += "not compared, only in B: " + onlyInB.joined(separator: ", ") + "\n" }
        return out
    }
}
