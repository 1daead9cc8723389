import Foundation
import TerreinJSON

/// Writes `datapackage.json` beside `indicators.csv` and `regions.csv`: a Frictionless
/// Tabular Data Package (Data Package v1, Table Schema v1), so that tools that read data
/// packages (frictionless, pandas through it, open-data portals such as CKAN) learn every
/// column's type, title, description, unit and constraints from the indicator schema.
///
/// - one `tabular-data-resource` per CSV, with its path, format, media type, encoding,
///   byte count and SHA-256 (so a validator notices a changed file), and the CSV dialect
///   as `CSVFormat.render` writes it (comma, `"` doubled, LF, a header row);
/// - fields in column order: `type` from the column's kind (number, integer, boolean,
///   string), `title` and `description` in the run's language, the unit in the custom
///   property `unit` (Table Schema v1 has none) and at the end of the description,
///   `constraints.enum` for class columns, both languages in the custom property
///   `translations`, and the column's family and region rule in `terrein`;
/// - `primaryKey`: the identifier column (indicators) or the grouping column (regions);
///   `missingValues: [""]` (an empty field is null), except for the region key of
///   `regions.csv`, where the empty text is the region of the terreinen without one.
///
/// Keys are written in a fixed order and the bytes depend only on the tables, the names
/// and the `created` time (SOURCE_DATE_EPOCH when set, as the GeoPackage's).
public enum DataPackageWriter {
    public struct Source: Sendable, Equatable {
        /// The layer ("terreinen", "roofs", ...).
        public var title: String
        /// The path as the pipeline file gives it (relative to that file).
        public var path: String
        public var sha256: String
        public init(title: String, path: String, sha256: String) {
            self.title = title
            self.path = path
            self.sha256 = sha256
        }
    }

    /// A CSV file of the package: its name in the folder and its bytes.
    public struct CSVFile {
        public var resourceName: String
        public var path: String
        public var table: Table
        public var bytes: Data
        public init(resourceName: String, path: String, table: Table, bytes: Data) {
            self.resourceName = resourceName
            self.path = path
            self.table = table
            self.bytes = bytes
        }
    }

    public static func render(pipelineName: String, indicators: CSVFile, regions: CSVFile, sources: [Source],
                              created: Date, language: String) -> String {
        let en = language == "en"
        var package: [(String, JSON)] = [
            ("profile", .s("tabular-data-package")),
            ("name", .s(packageName(pipelineName))),
            ("title", .s(en ? "Terrein indicators: \(pipelineName)" : "Terrein-indicatoren: \(pipelineName)")),
            ("description", .s(en
                ? "Sustainability indicators per business park (terrein) and per region, computed by Terrein from the pipeline '\(pipelineName)'. Column definitions: docs/indicators.md of Terrein."
                : "Duurzaamheidsindicatoren per bedrijventerrein en per regio, berekend door Terrein met de pipeline '\(pipelineName)'. Definities van de kolommen: docs/indicators.md van Terrein.")),
            ("created", .s(GeoPackageWriter.formatISO8601(created))),
            ("keywords", .a(["bedrijventerreinen", "duurzaamheid", "zonne-energie", "Natura 2000", "hittestress"].map { .s($0) })),
            ("contributors", .a([.o([("title", .s("Terrein")), ("role", .s("author"))])])),
        ]
        if !sources.isEmpty {
            package.append(("sources", .a(sources.map { s in
                .o([("title", .s(s.title)), ("path", .s(s.path)), ("sha256", .s(s.sha256))])
            })))
        }
        package.append(("resources", .a([
            resource(indicators, title: en ? "Indicators per terrein" : "Indicatoren per terrein",
                     description: en ? "One row per terrein, sorted by id." : "Eén rij per terrein, op id gesorteerd.",
                     key: .identifier, language: language),
            resource(regions, title: en ? "Indicators per region" : "Indicatoren per regio",
                     description: en ? "One row per region, sorted by region; sums, minima and fractions recomputed from the sums."
                                     : "Eén rij per regio, op regio gesorteerd; sommen, minima en uit de sommen herberekende fracties.",
                     key: .grouping, language: language),
        ])))
        return JSON.o(package).pretty() + "\n"
    }

    /// The package name: lower case letters, digits, `-`, `_`, `.` (the Data Package rule).
    static func packageName(_ pipelineName: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        let s = String(pipelineName.lowercased().map { allowed.contains($0) ? $0 : "-" })
        return "terrein-" + (s.isEmpty ? "run" : s)
    }

    static func resource(_ f: CSVFile, title: String, description: String, key role: ColumnRole, language: String) -> JSON {
        let keyColumn = f.table.columnIndex(role: role).map { f.table.columns[$0].name }
        var schema: [(String, JSON)] = [
            ("fields", .a(f.table.columns.map { field($0, isKey: $0.name == keyColumn, language: language,
                                                      emptyIsValue: role == .grouping && $0.name == keyColumn) })),
            ("missingValues", .a([.s("")])),
        ]
        if let keyColumn { schema.append(("primaryKey", .a([.s(keyColumn)]))) }
        return .o([
            ("profile", .s("tabular-data-resource")),
            ("name", .s(f.resourceName)),
            ("path", .s(f.path)),
            ("title", .s(title)),
            ("description", .s(description)),
            ("format", .s("csv")),
            ("mediatype", .s("text/csv")),
            ("encoding", .s("utf-8")),
            ("bytes", .n(f.bytes.count)),
            ("hash", .s("sha256:" + Hashing.sha256Hex(f.bytes))),
            ("dialect", .o([
                ("delimiter", .s(",")), ("lineTerminator", .s("\n")), ("quoteChar", .s("\"")),
                ("doubleQuote", .b(true)), ("skipInitialSpace", .b(false)), ("header", .b(true)),
            ])),
            ("schema", .o(schema)),
        ])
    }

    /// Table Schema type of a column as the CSV prints it.
    static func type(_ kind: ColumnKind) -> String {
        switch kind {
        case .text: return "string"
        case .integer: return "integer"
        case .real: return "number"
        case .boolean: return "boolean"
        }
    }

    static func field(_ c: Column, isKey: Bool, language: String, emptyIsValue: Bool) -> JSON {
        var f: [(String, JSON)] = [("name", .s(c.name)), ("type", .s(type(c.kind)))]
        switch c.kind {
        case .real: f += [("bareNumber", .b(true)), ("decimalChar", .s("."))]
        case .integer: f.append(("bareNumber", .b(true)))
        case .boolean: f += [("trueValues", .a([.s("true")])), ("falseValues", .a([.s("false")]))]
        case .text: break
        }
        if let s = c.schema {
            f.append(("title", .s(s.label.text(language))))
            f.append(("description", .s(description(s, column: c, language: language))))
            if let unit = s.unit { f.append(("unit", .s(unit))) }
            f.append(("translations", .o(["nl", "en"].map { lang in
                (lang, .o([("title", .s(s.label.text(lang))), ("description", .s(description(s, column: c, language: lang)))]))
            })))
            f.append(("terrein", .o([("family", .s(s.family)), ("region_rule", .s(regionRule(s.regionRule)))])))
        }
        var constraints: [(String, JSON)] = []
        if isKey && !emptyIsValue { constraints.append(("required", .b(true))) }
        if isKey { constraints.append(("unique", .b(true))) }
        if case .classLabel(let labels)? = c.schema?.kind, c.kind == .text {
            constraints.append(("enum", .a(labels.map { .s($0) })))
        }
        if !constraints.isEmpty { f.append(("constraints", .o(constraints))) }
        // Table Schema v2's field-level missingValues (frictionless 5 reads it): the empty
        // region is a region, not a missing value.
        if emptyIsValue { f.append(("missingValues", .a([]))) }
        return .o(f)
    }

    /// The schema's description, with the unit and, for guarded text, the formula guard.
    static func description(_ s: ColumnSchema, column c: Column, language: String) -> String {
        let en = language == "en"
        var d = s.description.text(language)
        if let unit = s.unit { d += en ? " Unit: \(unit)." : " Eenheid: \(unit)." }
        if c.kind == .integer && s.kind == .boolean {
            d += en ? " Per region: the number of terreinen where it is true." : " Per regio: het aantal terreinen waarvoor het waar is."
        }
        if s.formulaGuard {
            d += en ? " A value that starts with =, +, -, @, a tab or a carriage return has a ' added in front in the CSV (spreadsheet formula guard); the GeoPackage and GeoJSON hold it unchanged."
                    : " Een waarde die begint met =, +, -, @, een tab of een regelterugloop krijgt in de CSV een ' ervoor (bescherming tegen spreadsheetformules); de GeoPackage en GeoJSON bevatten de waarde ongewijzigd."
        }
        return d
    }

    static func regionRule(_ r: RegionRule) -> String {
        switch r {
        case .none: return "none"
        case .key: return "key"
        case .memberCount: return "count"
        case .sum: return "sum"
        case .min: return "min"
        case .countTrue: return "count_true"
        case .ratio(let n, let d): return "ratio(\(n), \(d))"
        case .cellWeightedMean(let s, let c): return "cell_weighted_mean(\(s), \(c))"
        case .classOf(let c): return "class_of(\(c))"
        }
    }
}

/// A JSON value with its object keys in the order given, printed with two-space
/// indentation (arrays of scalars on one line).
enum JSON {
    case s(String)
    case n(Int)
    case b(Bool)
    case a([JSON])
    case o([(String, JSON)])

    var isScalar: Bool {
        switch self {
        case .s, .n, .b: return true
        case .a, .o: return false
        }
    }

    func pretty(_ indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .s(let s): return JSONText.quote(s)
        case .n(let n): return String(n)
        case .b(let b): return b ? "true" : "false"
        case .a(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy(\.isScalar) { return "[" + items.map { $0.pretty() }.joined(separator: ", ") + "]" }
            return "[\n" + items.map { inner + $0.pretty(inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .o(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { inner + JSONText.quote($0.0) + ": " + $0.1.pretty(inner) }.joined(separator: ",\n")
                + "\n" + indent + "}"
        }
    }
}
