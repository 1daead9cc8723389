import Foundation
import GRDB
import TerreinGeometry

/// The report's language: Dutch by default, English on request.
public enum ReportLanguage: String, Sendable, CaseIterable {
    case nl, en
}

/// What the report shows, independent of where it came from: a finished run
/// (`init(_:)`) or an output directory (`load(outputDirectory:)`).
public struct ReportData {
    public var pipelineName: String
    /// One row per terrein, as in `indicators.csv`.
    public var indicators: Table
    /// One row per region, as in `regions.csv`.
    public var regions: Table
    /// Per terrein, in row order: polygons → rings → interleaved x,y in `mapCRS` (metres,
    /// x east, y north). An empty array for a terrein without geometry.
    public var terreinRings: [[[[Double]]]]
    /// The Natura 2000 sites for display (empty when unknown).
    public var natura2000: [(name: String, rings: [[[Double]]])]
    /// The projected CRS of the map coordinates.
    public var mapCRS: CRSIdentifier

    public init(pipelineName: String, indicators: Table, regions: Table, terreinRings: [[[[Double]]]],
                natura2000: [(name: String, rings: [[[Double]]])], mapCRS: CRSIdentifier) {
        self.pipelineName = pipelineName
        self.indicators = indicators
        self.regions = regions
        self.terreinRings = terreinRings
        self.natura2000 = natura2000
        self.mapCRS = mapCRS
    }

    /// The report of a finished run, map in the work CRS.
    public init(_ a: RunArtifacts) throws {
        self.init(pipelineName: a.pipelineName, indicators: a.indicators, regions: a.regions,
                  terreinRings: try a.terreinGeometries.map { try $0.polygonRings() },
                  natura2000: try a.natura2000Display.map { ($0.name, try $0.geometry.polygonRings()) },
                  mapCRS: a.workCRS)
    }

    public struct LoadError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Reads a finished output directory, for `terrein report OUTPUT_DIR`.
    ///
    /// Source, in this order of preference:
    /// 1. `indicators.gpkg` (layers `terreinen`, `regions`, `natura2000`): everything the
    ///    report needs, geometry in the work CRS, and the pipeline name (the `terreinen`
    ///    row's description in `gpkg_contents`).
    /// 2. otherwise `indicators.geojson` + `regions.csv`: the terreinen are reprojected from
    ///    WGS 84 to RD New (EPSG:28992) for the map; the Natura 2000 sites are not in these
    ///    files, so the map has none; the pipeline name is the directory's name.
    /// Column kinds are taken from the stored types (GeoPackage) or the values (GeoJSON, CSV);
    /// the decimals of real columns, which SQLite and JSON do not keep, follow the spec's
    /// formatting rules (fractions and roof_coverage 4, distances 1, others 2).
    public static func load(outputDirectory dir: String) throws -> ReportData {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw LoadError(message: "\(dir): no such output directory")
        }
        let gpkg = (dir as NSString).appendingPathComponent("indicators.gpkg")
        if FileManager.default.fileExists(atPath: gpkg) {
            return try loadGeoPackage(gpkg)
        }
        let geojson = (dir as NSString).appendingPathComponent("indicators.geojson")
        let regions = (dir as NSString).appendingPathComponent("regions.csv")
        let missing = [geojson, regions].filter { !FileManager.default.fileExists(atPath: $0) }
        if !missing.isEmpty {
            throw LoadError(message: "\(dir): cannot render a report: no indicators.gpkg, and "
                            + missing.map { ($0 as NSString).lastPathComponent }.joined(separator: " and ")
                            + " missing (the report needs indicators.gpkg, or indicators.geojson and regions.csv)")
        }
        var data = try loadGeoJSON(geojson, regionsCSV: regions)
        data.pipelineName = ((dir as NSString).standardizingPath as NSString).lastPathComponent
        return data
    }

    // MARK: GeoPackage

    static func loadGeoPackage(_ path: String) throws -> ReportData {
        var config = Configuration()
        config.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: config) } catch {
            throw LoadError(message: "\(path): cannot open the GeoPackage (\(error))")
        }
        defer { try? queue.close() }
        return try queue.read { db in
            func tableExists(_ name: String) throws -> Bool {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                                 arguments: [name]) == 1
            }
            for required in ["terreinen", "regions", "gpkg_geometry_columns", "gpkg_spatial_ref_sys"] {
                guard try tableExists(required) else {
                    throw LoadError(message: "\(path): the GeoPackage has no '\(required)' table")
                }
            }
            guard let srs = try Row.fetchOne(db, sql: """
                SELECT s.organization, s.organization_coordsys_id FROM gpkg_geometry_columns g
                JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id WHERE g.table_name = 'terreinen'
                """) else {
                throw LoadError(message: "\(path): 'terreinen' has no entry in gpkg_geometry_columns")
            }
            let organization: String = srs[0] ?? "EPSG"
            let code: Int = srs[1] ?? 28992
            let crs = CRSIdentifier(authority: organization, code: String(code))
            let name = try String.fetchOne(db, sql: "SELECT description FROM gpkg_contents WHERE table_name = 'terreinen'") ?? ""

            let (indicators, rings) = try readTable(db, name: "terreinen", geometry: true, path: path)
            let (regions, _) = try readTable(db, name: "regions", geometry: false, path: path)
            var sites: [(name: String, rings: [[[Double]]])] = []
            if try tableExists("natura2000") {
                let (table, siteRings) = try readTable(db, name: "natura2000", geometry: true, path: path)
                let nameIndex = table.columnIndex("name")
                for (i, row) in table.rows.enumerated() {
                    var siteName = ""
                    if let nameIndex, case .text(let s) = row[nameIndex] { siteName = s }
                    sites.append((siteName, siteRings[i]))
                }
            }
            return ReportData(pipelineName: name.isEmpty ? ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent : name,
                              indicators: indicators, regions: regions, terreinRings: rings,
                              natura2000: sites, mapCRS: crs)
        }
    }

    /// A GeoPackage table as a Table (without fid and geom) and, for features, the rings.
    static func readTable(_ db: Database, name: String, geometry: Bool, path: String) throws -> (Table, [[[[Double]]]]) {
        let info = try Row.fetchAll(db, sql: "PRAGMA table_info(\(GeoPackageWriter.quoteIdentifier(name)))")
        var columns: [Column] = []
        for r in info {
            let column: String = r["name"]
            let type: String = (r["type"] as String?)?.uppercased() ?? ""
            if column == "fid" || (geometry && column == "geom") { continue }
            columns.append(Column(column, kind(sqlType: type, column: column)))
        }
        let select = (geometry ? ["\"geom\""] : []) + columns.map { GeoPackageWriter.quoteIdentifier($0.name) }
        let sql = "SELECT \(select.joined(separator: ", ")) FROM \(GeoPackageWriter.quoteIdentifier(name)) ORDER BY \"fid\""
        var table = Table(columns: columns)
        var rings: [[[[Double]]]] = []
        let offset = geometry ? 1 : 0
        let cursor = try Row.fetchCursor(db, sql: sql)
        while let row = try cursor.next() {
            if geometry {
                let value: DatabaseValue = row[0]
                if case .blob(let data) = value.storage {
                    rings.append(try mapRings(blob: [UInt8](data), location: "\(path): '\(name)' row \(table.rows.count + 1)"))
                } else {
                    rings.append([])
                }
            }
            var cells: [Cell] = []
            cells.reserveCapacity(columns.count)
            for (j, c) in columns.enumerated() {
                let value: DatabaseValue = row[j + offset]
                cells.append(cell(value, kind: c.kind))
            }
            table.rows.append(cells)
        }
        return (table, rings)
    }

    static func kind(sqlType: String, column: String) -> ColumnKind {
        if sqlType.hasPrefix("BOOL") { return .boolean }
        if sqlType.contains("INT") { return .integer }
        if sqlType.contains("REAL") || sqlType.contains("FLOA") || sqlType.contains("DOUB") {
            return .real(decimals: specDecimals(column))
        }
        return .text
    }

    static func cell(_ value: DatabaseValue, kind: ColumnKind) -> Cell {
        switch value.storage {
        case .null: return .null
        case .int64(let i):
            switch kind {
            case .boolean: return .boolean(i != 0)
            case .real: return .real(Double(i))
            case .text: return .text(String(i))
            case .integer: return .integer(Int(i))
            }
        case .double(let d):
            if case .integer = kind, d == d.rounded(), abs(d) < 9e15 { return .integer(Int(d)) }
            return .real(d)
        case .string(let s): return .text(s)
        case .blob: return .null
        }
    }

    /// Decimals of a real column by the spec's formatting rules (docs/indicators.md).
    static func specDecimals(_ column: String) -> Int {
        if column.hasSuffix("_fraction") || column == "roof_coverage" { return 4 }
        if column.contains("distance") { return 1 }
        return 2
    }

    // MARK: GeoJSON + CSV

    static func loadGeoJSON(_ path: String, regionsCSV: String) throws -> ReportData {
        let reader = try GeoJSONReader(path: path)
        var names: [String] = []
        var seen: Set<String> = []
        var records: [JSONObject] = []
        var lonLat: [[[[Double]]]] = []
        try reader.read { feature in
            for k in feature.properties.keys where !seen.contains(k) { seen.insert(k); names.append(k) }
            records.append(feature.properties)
            lonLat.append(feature.geometry?.polygons ?? [])
        }
        // Kinds from the values: bool → boolean, string → text, numbers with a fraction or
        // exponent → real, whole numbers only → integer.
        var columns: [Column] = []
        for n in names {
            var sawBool = false, sawString = false, sawNumber = false, sawInteger = false
            for r in records {
                switch r[n] {
                case .bool?: sawBool = true
                case .string?: sawString = true
                case .number?: sawNumber = true
                case .integer?: sawInteger = true
                default: break
                }
            }
            let k: ColumnKind
            if sawString || (sawBool && (sawNumber || sawInteger)) { k = .text }
            else if sawBool { k = .boolean }
            else if sawNumber { k = .real(decimals: specDecimals(n)) }
            else if sawInteger { k = .integer }
            else { k = textColumns.contains(n) ? .text : .real(decimals: specDecimals(n)) }
            columns.append(Column(n, k))
        }
        var table = Table(columns: columns)
        for r in records {
            table.rows.append(columns.map { c in
                switch r[c.name] {
                case .string(let s)?: return .text(s)
                case .bool(let b)?: return c.kind == .text ? .text(b ? "true" : "false") : .boolean(b)
                case .integer(let i)?:
                    if case .real = c.kind { return .real(Double(i)) }
                    return c.kind == .text ? .text(String(i)) : .integer(Int(i))
                case .number(let d)?: return c.kind == .text ? .text(Table.formatFixed(d, decimals: 6)) : .real(d)
                default: return .null
                }
            })
        }
        let transformer = try CRSTransformer(from: .wgs84, to: .rdNew)
        for f in lonLat.indices {
            for p in lonLat[f].indices {
                for r in lonLat[f][p].indices {
                    guard transformer.transform(&lonLat[f][p][r]) else {
                        throw LoadError(message: "\(path): feature \(f + 1) cannot be transformed to RD New (EPSG:28992)")
                    }
                }
            }
            try checkMapCoordinates(lonLat[f], location: "\(path): feature \(f + 1)")
        }
        guard let data = FileManager.default.contents(atPath: regionsCSV), let text = String(data: data, encoding: .utf8) else {
            throw LoadError(message: "\(regionsCSV): cannot be read as UTF-8 text")
        }
        return ReportData(pipelineName: "", indicators: table, regions: tableFromCSV(text),
                          terreinRings: lonLat, natura2000: [], mapCRS: .rdNew)
    }

    static let textColumns: Set<String> = ["id", "name", "region", "n2k_nearest", "water_exposure"]

    /// A CSV table with kinds from its values; reals keep the decimals as printed. The
    /// formula guard's leading apostrophe is removed from the text columns it applies to.
    static func tableFromCSV(_ text: String) -> Table {
        let parsed = CSVFormat.parse(text)
        var columns: [Column] = []
        for (j, n) in parsed.header.enumerated() {
            let values = parsed.rows.compactMap { j < $0.count && !$0[j].isEmpty ? $0[j] : nil }
            let k: ColumnKind
            if textColumns.contains(n) { k = .text }
            else if !values.isEmpty && values.allSatisfy({ $0 == "true" || $0 == "false" }) { k = .boolean }
            else if !values.isEmpty && values.allSatisfy({ Int($0) != nil }) { k = .integer }
            else if values.allSatisfy({ Double($0) != nil }) {
                let decimals = values.map { v in v.firstIndex(of: ".").map { v.distance(from: $0, to: v.endIndex) - 1 } ?? 0 }.max()
                k = .real(decimals: decimals ?? specDecimals(n))
            } else { k = .text }
            columns.append(Column(n, k))
        }
        var table = Table(columns: columns)
        for row in parsed.rows {
            if row.count == 1 && row[0].isEmpty && columns.count > 1 { continue }
            table.rows.append(columns.enumerated().map { j, c in
                let v = j < row.count ? row[j] : ""
                if v.isEmpty { return .null }
                switch c.kind {
                case .text:
                    if RunArtifacts.guardedTextColumns.contains(c.name), v.hasPrefix("'"),
                       CSVFormat.guardFormula(String(v.dropFirst())) == v { return .text(String(v.dropFirst())) }
                    return .text(v)
                case .boolean: return .boolean(v == "true")
                case .integer: return Int(v).map(Cell.integer) ?? .null
                case .real: return Double(v).map(Cell.real) ?? .null
                }
            })
        }
        return table
    }
}

/// Renders `report.html`: one self-contained file (inline CSS, JS and SVG; no network).
///
/// - a summary table per region;
/// - an SVG map of the terreinen in the map CRS (coordinates rounded to 1 m, y flipped),
///   coloured by an indicator picked in a `<select>` (solar yield, paved fraction,
///   inundation fraction, distance to Natura 2000), with a legend per indicator (classes,
///   colours and "no data" grey), the Natura 2000 sites in green hatch and a scale bar;
/// - bar charts of the top 10 terreinen by solar yield, sealed area and inundated area;
/// - the full indicators table, sortable by clicking a header.
///
/// The colours of every indicator are computed here and embedded as JSON; the page's
/// script only swaps fills and legends and sorts tables, and the page works without it
/// (first indicator shown). Every data text is HTML-escaped; the JSON uses
/// `JSONText.quote`, safe inside `<script>`. The output depends only on the input.
public enum ReportWriter {
    public static func render(_ data: ReportData, language: ReportLanguage) -> String {
        let L = Labels(language)
        var h = ""
        h.reserveCapacity(1 << 20)
        let title = "\(L.title): \(data.pipelineName)"
        h += "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(esc(title))</title>\n<style>\n\(css)</style>\n</head>\n<body>\n"
        h += "<header>\n<h1>\(esc(title))</h1>\n"
        let crsText = data.mapCRS.description
        h += "<p class=\"meta\">\(data.indicators.rows.count) \(L.terreinen) · \(data.regions.rows.count) \(L.regionsCount) · \(L.mapIn) \(esc(crsText))</p>\n"
        h += "<nav><a href=\"#regions\">\(L.regionsTitle)</a> · <a href=\"#map\">\(L.mapTitle)</a> · <a href=\"#charts\">\(L.chartsTitle)</a> · <a href=\"#all\">\(L.tableTitle)</a></nav>\n</header>\n"

        // Regions
        h += "<section id=\"regions\">\n<h2>\(L.regionsTitle)</h2>\n"
        h += htmlTable(data.regions, id: "regions-table", emptyRegion: L.noRegion, emptyText: L.noRows)
        h += "</section>\n"

        // Map
        let indicators = mapIndicators(data.indicators, L)
        var maps: [(key: String, classes: [Int], colors: [String])] = []
        h += "<section id=\"map\">\n<h2>\(L.mapTitle)</h2>\n"
        if indicators.isEmpty {
            h += "<p>\(L.noIndicators)</p>\n"
        } else {
            h += "<p><label for=\"indicator\">\(L.indicator)</label> <select id=\"indicator\">\n"
            for (i, ind) in indicators.enumerated() {
                h += "<option value=\"\(esc(ind.column))\"\(i == 0 ? " selected" : "")>\(esc(ind.label))</option>\n"
            }
            h += "</select></p>\n"
        }
        for ind in indicators {
            maps.append((ind.column, ind.classes, ind.colors))
        }
        h += "<div class=\"mapbox\">\n"
        h += mapSVG(data, first: indicators.first, L)
        h += "<div class=\"legends\">\n"
        for (i, ind) in indicators.enumerated() {
            h += "<div class=\"legend\" data-key=\"\(esc(ind.column))\"\(i == 0 ? "" : " hidden")>\n<h3>\(esc(ind.label))</h3>\n<ul>\n"
            for (k, label) in ind.classLabels.enumerated() {
                h += "<li><span class=\"sw\" style=\"background:\(ind.colors[k])\"></span>\(esc(label))</li>\n"
            }
            h += "<li><span class=\"sw\" style=\"background:\(noDataColor)\"></span>\(L.noData)</li>\n</ul>\n</div>\n"
        }
        if !data.natura2000.isEmpty {
            h += "<ul class=\"n2k-key\"><li><span class=\"sw n2k\"></span>\(L.natura2000)</li></ul>\n"
        }
        h += "</div>\n</div>\n</section>\n"

        // Charts
        h += "<section id=\"charts\">\n<h2>\(L.chartsTitle)</h2>\n<div class=\"charts\">\n"
        let chartColumns: [(String, String, String)] = [
            (data.indicators.columnIndex("solar_mwh_yr") != nil ? "solar_mwh_yr" : "solar_kwp", L.chartSolar, palettes["solar"]![3]),
            ("sealed_m2", L.chartSealed, palettes["paved"]![3]), ("inundation_m2", L.chartInundation, palettes["inundation"]![3]),
        ]
        for (column, label, color) in chartColumns {
            h += barChart(data.indicators, column: column, title: label, color: color, L)
        }
        h += "</div>\n</section>\n"

        // Full table
        h += "<section id=\"all\">\n<h2>\(L.tableTitle)</h2>\n<p class=\"hint\">\(L.sortHint)</p>\n"
        h += htmlTable(data.indicators, id: "indicators-table", emptyRegion: nil, emptyText: L.noRows)
        h += "</section>\n<footer>\(L.footer)</footer>\n"

        // Data for the script
        var json = "{\"noData\":" + JSONText.quote(noDataColor) + ",\"maps\":{"
        for (i, m) in maps.enumerated() {
            if i > 0 { json += "," }
            json += JSONText.quote(m.key) + ":{\"colors\":[" + m.colors.map(JSONText.quote).joined(separator: ",")
            json += "],\"classes\":[" + m.classes.map { String($0) }.joined(separator: ",") + "]}"
        }
        json += "}}"
        h += "<script type=\"application/json\" id=\"report-data\">\(json)</script>\n"
        h += "<script>\n\(script)</script>\n</body>\n</html>\n"
        return h
    }

    public static func write(_ data: ReportData, language: ReportLanguage, to path: String) throws {
        try Data(render(data, language: language).utf8).write(to: URL(fileURLWithPath: path))
    }

    // MARK: Labels

    struct Labels {
        let title, terreinen, regionsCount, mapIn, regionsTitle, mapTitle, chartsTitle, tableTitle: String
        let noRegion, noRows, indicator, noIndicators, noData, natura2000, noGeometry, scale: String
        let chartSolar, chartSealed, chartInundation, chartEmpty, sortHint, footer: String
        let solarMWh, solarKWp, paved, inundation, distance: String

        init(_ language: ReportLanguage) {
            switch language {
            case .nl:
                title = "Terreinindicatoren"; terreinen = "terreinen"; regionsCount = "regio’s"; mapIn = "kaart in"
                regionsTitle = "Samenvatting per regio"; mapTitle = "Kaart"; chartsTitle = "Top 10 terreinen"
                tableTitle = "Alle indicatoren"; noRegion = "(geen regio)"; noRows = "Geen rijen."
                indicator = "Indicator:"; noIndicators = "Geen kaartindicatoren in deze uitvoer."
                noData = "geen gegevens"; natura2000 = "Natura 2000-gebied"; noGeometry = "Geen geometrie om te tonen."
                scale = "schaal"
                chartSolar = "Zonne-opbrengst (MWh/jaar)"; chartSealed = "Verharde oppervlakte (m²)"
                chartInundation = "Inundatie (m²)"; chartEmpty = "Geen gegevens voor deze grafiek."
                sortHint = "Klik op een kolomkop om te sorteren; nogmaals klikken keert de volgorde om."
                footer = "Gemaakt met Terrein. Definities: docs/indicators.md."
                solarMWh = "Zonne-opbrengst (MWh/jaar)"; solarKWp = "Zonnepotentieel (kWp)"
                paved = "Verhard aandeel"; inundation = "Inundatie-aandeel"; distance = "Afstand tot Natura 2000 (m)"
            case .en:
                title = "Business park indicators"; terreinen = "business parks"; regionsCount = "regions"; mapIn = "map in"
                regionsTitle = "Summary per region"; mapTitle = "Map"; chartsTitle = "Top 10 business parks"
                tableTitle = "All indicators"; noRegion = "(no region)"; noRows = "No rows."
                indicator = "Indicator:"; noIndicators = "No map indicators in this output."
                noData = "no data"; natura2000 = "Natura 2000 site"; noGeometry = "No geometry to show."
                scale = "scale"
                chartSolar = "Solar yield (MWh/yr)"; chartSealed = "Sealed area (m²)"
                chartInundation = "Inundation (m²)"; chartEmpty = "No data for this chart."
                sortHint = "Click a column header to sort; click again to reverse."
                footer = "Made with Terrein. Definitions: docs/indicators.md."
                solarMWh = "Solar yield (MWh/yr)"; solarKWp = "Solar potential (kWp)"
                paved = "Paved fraction"; inundation = "Inundation fraction"; distance = "Distance to Natura 2000 (m)"
            }
        }
    }

    // MARK: Map classes

    static let noDataColor = "#bdbdbd"

    struct MapIndicator {
        var column: String
        var label: String
        var classes: [Int]
        var colors: [String]
        var classLabels: [String]
    }

    static let palettes: [String: [String]] = [
        "solar": ["#fff3b8", "#fed976", "#fdae4a", "#f07c22", "#c64f0b"],
        "paved": ["#f2e5f4", "#d6b3dc", "#b57dc0", "#8c4d9b", "#5c266d"],
        "inundation": ["#e6f0f9", "#b3d1eb", "#6ca6d4", "#3274b2", "#10477d"],
        "distance": ["#a3101a", "#d9362b", "#f36f50", "#f9ab8e", "#fde0d2"],
    ]

    /// The selectable indicators present in the table, with classes and colours.
    static func mapIndicators(_ t: Table, _ L: Labels) -> [MapIndicator] {
        var out: [MapIndicator] = []
        let solar = t.columnIndex("solar_mwh_yr") != nil ? ("solar_mwh_yr", L.solarMWh) : ("solar_kwp", L.solarKWp)
        let specs: [(String, String, String, [Double]?, Bool)] = [
            // column, label, palette, fixed breaks (nil: quantiles), breaks are fractions
            (solar.0, solar.1, "solar", nil, false),
            ("paved_fraction", L.paved, "paved", [0.2, 0.4, 0.6, 0.8], true),
            ("inundation_fraction", L.inundation, "inundation", [0.01, 0.05, 0.10, 0.20], true),
            ("n2k_distance_m", L.distance, "distance", [500, 1000, 2500, 5000], false),
        ]
        for (column, label, palette, fixed, percent) in specs {
            guard let j = t.columnIndex(column) else { continue }
            let values: [Double?] = t.rows.map { row in
                switch j < row.count ? row[j] : .null {
                case .real(let d): return d.isFinite ? d : nil
                case .integer(let i): return Double(i)
                default: return nil
                }
            }
            let breaks = fixed ?? quantileBreaks(values.compactMap { $0 })
            let colors = pick(palettes[palette]!, count: breaks.count + 1)
            let classes = values.map { v -> Int in
                guard let v else { return -1 }
                return breaks.reduce(0) { $0 + (v >= $1 ? 1 : 0) }
            }
            let unit = column == "n2k_distance_m" ? " m" : ""
            let suffix = percent ? "%" : unit
            func number(_ v: Double) -> String { niceNumber(percent ? v * 100 : v) }
            func text(_ v: Double) -> String { number(v) + suffix }
            var labels: [String] = []
            if breaks.isEmpty {
                let present = values.compactMap { $0 }
                labels = [present.isEmpty ? "–" : text(present[0])]
            } else {
                labels.append("< " + text(breaks[0]))
                for k in 1..<breaks.count { labels.append(number(breaks[k - 1]) + " – " + text(breaks[k])) }
                labels.append("≥ " + text(breaks[breaks.count - 1]))
            }
            out.append(MapIndicator(column: column, label: label, classes: classes, colors: colors, classLabels: labels))
        }
        return out
    }

    /// Up to 4 increasing breaks at the quintiles, rounded to 2 significant digits.
    static func quantileBreaks(_ values: [Double]) -> [Double] {
        let sorted = values.sorted()
        guard sorted.count >= 2, sorted.first! < sorted.last! else { return [] }
        var breaks: [Double] = []
        for q in [0.2, 0.4, 0.6, 0.8] {
            let v = roundSignificant(sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.down)))], digits: 2)
            if v > sorted.first!, v <= sorted.last!, breaks.last.map({ v > $0 }) ?? true { breaks.append(v) }
        }
        return breaks
    }

    static func roundSignificant(_ v: Double, digits: Int) -> Double {
        guard v != 0, v.isFinite else { return v }
        let magnitude = pow(10, floor(log10(abs(v))) - Double(digits - 1))
        return (v / magnitude).rounded() * magnitude
    }

    /// A number for legends: up to 2 decimals, trailing zeros trimmed.
    static func niceNumber(_ v: Double) -> String {
        var s = Table.formatFixed(v, decimals: abs(v) >= 100 ? 0 : 2)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    static func pick(_ palette: [String], count: Int) -> [String] {
        if count >= palette.count { return palette }
        if count <= 1 { return [palette[palette.count / 2]] }
        return (0..<count).map { palette[Int((Double($0) * Double(palette.count - 1) / Double(count - 1)).rounded())] }
    }

    // MARK: SVG

    /// The map: sites (hatched) under the terreinen, a scale bar; y flipped, 1 m units.
    static func mapSVG(_ data: ReportData, first: MapIndicator?, _ L: Labels) -> String {
        var extent: Bounds?
        func include(_ rings: [[[Double]]]) {
            for p in rings { for r in p { var k = 0; while k + 1 < r.count {
                let b = Bounds(minX: r[k], minY: r[k + 1], maxX: r[k], maxY: r[k + 1])
                if extent == nil { extent = b } else { extent!.formUnion(b) }
                k += 2
            } } }
        }
        for t in data.terreinRings { include(t) }
        if let core = extent {
            // Show the sites near the terreinen too: their parts within a margin of
            // max(500 m, 10 % of the terreinen's extent) widen the map.
            let window = core.expanded(by: max(500, 0.1 * max(core.maxX - core.minX, core.maxY - core.minY)))
            for s in data.natura2000 {
                var site: Bounds?
                let saved = extent
                extent = nil
                include(s.rings)
                site = extent
                extent = saved
                guard let b = site, b.intersects(window) else { continue }
                extent!.formUnion(Bounds(minX: max(b.minX, window.minX), minY: max(b.minY, window.minY),
                                         maxX: min(b.maxX, window.maxX), maxY: min(b.maxY, window.maxY)))
            }
        } else {
            for s in data.natura2000 { include(s.rings) }
        }
        guard var box = extent else { return "<p>\(L.noGeometry)</p>\n" }
        let pad = max(100, 0.03 * max(box.maxX - box.minX, box.maxY - box.minY))
        box = box.expanded(by: pad)
        let ox = floor(box.minX), oy = ceil(box.maxY)
        let width = Int(ceil(box.maxX - ox)), height = Int(ceil(oy - box.minY))
        var s = "<svg id=\"map-svg\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">\n"
        s += "<defs><pattern id=\"n2k-hatch\" patternUnits=\"userSpaceOnUse\" width=\"\(max(1, width / 150))\" height=\"\(max(1, width / 150))\" patternTransform=\"rotate(45)\">"
        s += "<rect width=\"\(max(1, width / 150))\" height=\"\(max(1, width / 150))\" fill=\"#2e7d32\" fill-opacity=\"0.06\"/>"
        s += "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"\(max(1, width / 150))\" stroke=\"#2e7d32\" stroke-width=\"\(max(1, width / 600))\" stroke-opacity=\"0.6\"/></pattern></defs>\n"
        s += "<rect width=\"\(width)\" height=\"\(height)\" fill=\"#fbfbf8\"/>\n"
        if !data.natura2000.isEmpty {
            s += "<g id=\"n2k\">\n"
            for site in data.natura2000 {
                let d = pathData(site.rings, ox: ox, oy: oy)
                if d.isEmpty { continue }
                s += "<path d=\"\(d)\"><title>\(esc(site.name))</title></path>\n"
            }
            s += "</g>\n"
        }
        s += "<g id=\"terreinen\">\n"
        let idIndex = data.indicators.columnIndex("id"), nameIndex = data.indicators.columnIndex("name")
        for (i, rings) in data.terreinRings.enumerated() {
            let d = pathData(rings, ox: ox, oy: oy)
            if d.isEmpty { continue }
            var label = ""
            if i < data.indicators.rows.count {
                let row = data.indicators.rows[i]
                if let idIndex, idIndex < row.count { label = Table.format(row[idIndex], as: .text) }
                if let nameIndex, nameIndex < row.count, case .text(let n) = row[nameIndex], !n.isEmpty { label += " · " + n }
            }
            let fill: String
            if let first, i < first.classes.count, first.classes[i] >= 0 { fill = first.colors[first.classes[i]] } else { fill = noDataColor }
            s += "<path data-i=\"\(i)\" fill=\"\(fill)\" d=\"\(d)\"><title>\(esc(label))</title></path>\n"
        }
        s += "</g>\n"
        // Scale bar, bottom left: 1, 2 or 5 × 10^k metres, about a fifth of the width.
        let target = Double(width) / 5
        var length = pow(10, floor(log10(max(target, 1))))
        if length * 5 <= target { length *= 5 } else if length * 2 <= target { length *= 2 }
        let fs = max(1, width / 55)
        let x0 = width / 30, y0 = height - height / 25
        let barH = max(1, fs / 3)
        let lengthText = length >= 1000 ? niceNumber(length / 1000) + " km" : niceNumber(length) + " m"
        s += "<g id=\"scalebar\" font-size=\"\(fs)\" font-family=\"sans-serif\">"
        s += "<rect x=\"\(x0)\" y=\"\(y0 - barH)\" width=\"\(Int(length / 2))\" height=\"\(barH)\" fill=\"#222\"/>"
        s += "<rect x=\"\(x0 + Int(length / 2))\" y=\"\(y0 - barH)\" width=\"\(Int(length) - Int(length / 2))\" height=\"\(barH)\" fill=\"#fff\" stroke=\"#222\" stroke-width=\"\(max(1, barH / 6))\"/>"
        s += "<text x=\"\(x0)\" y=\"\(y0 - barH - fs / 3)\">0</text>"
        s += "<text x=\"\(x0 + Int(length))\" y=\"\(y0 - barH - fs / 3)\" text-anchor=\"middle\">\(lengthText)</text>"
        s += "</g>\n</svg>\n"
        return s
    }

    /// SVG path data: each ring as an absolute move and relative integer steps (1 m), closed.
    static func pathData(_ polygons: [[[Double]]], ox: Double, oy: Double) -> String {
        var d = ""
        for rings in polygons {
            for ring in rings {
                var k = 0
                var px = 0, py = 0
                var first = true
                var steps = 0
                let n = ring.count / 2
                // The closing position repeats the first: "z" draws it.
                let last = n >= 2 && ring[0] == ring[2 * (n - 1)] && ring[1] == ring[2 * (n - 1) + 1] ? n - 1 : n
                while k < last {
                    let x = ring[2 * k] - ox, y = oy - ring[2 * k + 1]
                    guard x.isFinite, y.isFinite else { k += 1; continue }
                    let ix = Int(x.rounded()), iy = Int(y.rounded())
                    if first {
                        d += "M\(ix) \(iy)"
                        first = false
                    } else if ix != px || iy != py {
                        d += "l\(ix - px) \(iy - py)"
                        steps += 1
                    }
                    px = ix; py = iy
                    k += 1
                }
                if !first { d += steps == 0 ? "h0z" : "z" }
            }
        }
        // Negative steps need no separator; "l3-4" is valid path data.
        return d.replacingOccurrences(of: " -", with: "-")
    }

    // MARK: Charts and tables

    static func barChart(_ t: Table, column: String, title: String, color: String, _ L: Labels) -> String {
        var h = "<figure class=\"chart\">\n<figcaption>\(esc(title))</figcaption>\n"
        guard let j = t.columnIndex(column) else { return h + "<p class=\"hint\">\(L.chartEmpty)</p>\n</figure>\n" }
        let kind = t.columns[j].kind
        let idIndex = t.columnIndex("id"), nameIndex = t.columnIndex("name")
        var entries: [(value: Double, row: Int)] = []
        for (i, row) in t.rows.enumerated() where j < row.count {
            switch Table.roundedValue(row[j], as: kind) {
            case .real(let d) where d.isFinite && d > 0: entries.append((d, i))
            case .integer(let n) where n > 0: entries.append((Double(n), i))
            default: break
            }
        }
        // Largest first; ties in table (id) order.
        entries.sort { $0.value != $1.value ? $0.value > $1.value : $0.row < $1.row }
        let top = entries.prefix(10)
        guard let maxValue = top.first?.value else { return h + "<p class=\"hint\">\(L.chartEmpty)</p>\n</figure>\n" }
        h += "<table class=\"bars\">\n"
        for e in top {
            let row = t.rows[e.row]
            var label = idIndex.map { Table.format(row[$0], as: .text) } ?? String(e.row + 1)
            if let nameIndex, case .text(let n) = row[nameIndex], !n.isEmpty { label += " · " + n }
            let pct = Table.formatFixed(max(0.5, 100 * e.value / maxValue), decimals: 1)
            h += "<tr><th scope=\"row\">\(esc(label))</th><td class=\"barcell\"><span class=\"bar\" style=\"width:\(pct)%;background:\(color)\"></span></td>"
            h += "<td class=\"num\">\(esc(Table.format(row[j], as: kind)))</td></tr>\n"
        }
        return h + "</table>\n</figure>\n"
    }

    static func isNumeric(_ kind: ColumnKind) -> Bool {
        switch kind {
        case .integer, .real: return true
        default: return false
        }
    }

    /// A sortable HTML table with the printed values (as in the CSV, without formula guard).
    static func htmlTable(_ t: Table, id: String, emptyRegion: String?, emptyText: String) -> String {
        if t.columns.isEmpty { return "<p>\(emptyText)</p>\n" }
        var h = "<div class=\"scroll\"><table class=\"data sortable\" id=\"\(id)\">\n<thead><tr>"
        for c in t.columns {
            h += "<th scope=\"col\" data-type=\"\(isNumeric(c.kind) ? "num" : "text")\" tabindex=\"0\">\(esc(c.name))</th>"
        }
        h += "</tr></thead>\n<tbody>\n"
        let regionIndex = emptyRegion == nil ? nil : t.columnIndex("region")
        for row in t.rows {
            h += "<tr>"
            for (j, c) in t.columns.enumerated() {
                let cell = j < row.count ? row[j] : .null
                let text = Table.format(cell, as: c.kind)
                if j == regionIndex, text.isEmpty, let emptyRegion {
                    h += "<td><i>\(esc(emptyRegion))</i></td>"
                } else {
                    h += isNumeric(c.kind) ? "<td class=\"num\">\(esc(text))</td>" : "<td>\(esc(text))</td>"
                }
            }
            h += "</tr>\n"
        }
        if t.rows.isEmpty { h += "<tr><td colspan=\"\(t.columns.count)\">\(emptyText)</td></tr>\n" }
        return h + "</tbody>\n</table></div>\n"
    }

    /// HTML text and attribute escaping.
    static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab/LF/CR are not allowed in HTML text.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" && ch != "\r" { out += "\u{FFFD}" }
                else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    // MARK: Inline CSS and JS

    static let css = """
    body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:0 1rem 2rem;color:#1d1d1b;background:#fff}
    h1{font-size:1.6rem;margin:1.2rem 0 .3rem}h2{font-size:1.25rem;margin:2rem 0 .6rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
    h3{font-size:1rem;margin:.2rem 0 .4rem}
    .meta,.hint,footer{color:#555;font-size:.9rem}nav a{color:#1a5d8f}
    .scroll{overflow:auto;max-height:70vh;border:1px solid #ddd}
    table.data{border-collapse:collapse;font-size:.82rem;white-space:nowrap}
    table.data th,table.data td{padding:.2rem .45rem;border-bottom:1px solid #eee;text-align:left}
    table.data thead th{position:sticky;top:0;background:#f3f3f0;cursor:pointer;user-select:none}
    table.data th[aria-sort=ascending]::after{content:" \\25B2"}table.data th[aria-sort=descending]::after{content:" \\25BC"}
    td.num{text-align:right;font-variant-numeric:tabular-nums}
    .mapbox{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
    #map-svg{flex:1 1 600px;max-width:100%;max-height:80vh;border:1px solid #ddd;background:#fbfbf8}
    #terreinen path{stroke:#333;stroke-width:.6px;vector-effect:non-scaling-stroke;stroke-linejoin:round;stroke-linecap:round;fill-rule:evenodd}
    #terreinen path:hover{stroke:#000;stroke-width:2px}
    #n2k path{fill:url(#n2k-hatch);stroke:#2e7d32;stroke-width:1px;vector-effect:non-scaling-stroke;fill-rule:evenodd}
    .legends{flex:0 0 15rem;font-size:.85rem}.legends ul{list-style:none;padding:0;margin:0 0 .6rem}.legends li{margin:.15rem 0}
    .sw{display:inline-block;width:1.1em;height:.9em;margin-right:.4em;border:1px solid #888;vertical-align:middle}
    .sw.n2k{border-color:#2e7d32;background:repeating-linear-gradient(45deg,#2e7d32 0 1px,#eef5ee 1px 4px)}
    .charts{display:flex;flex-wrap:wrap;gap:1.5rem}.chart{flex:1 1 340px;margin:0}
    .chart figcaption{font-weight:600;margin-bottom:.4rem}
    table.bars{border-collapse:collapse;width:100%;font-size:.8rem}
    table.bars th{font-weight:normal;text-align:left;max-width:12rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding:.1rem .4rem .1rem 0}
    td.barcell{width:50%}.bar{display:block;height:.8rem;background:#3274b2}
    footer{margin-top:2rem}
    @media print{.scroll{max-height:none;overflow:visible}select{display:none}}

    """

    static let script = """
    (function () {
      "use strict";
      var el = document.getElementById("report-data");
      var data = el ? JSON.parse(el.textContent) : { maps: {} };
      var select = document.getElementById("indicator");
      var paths = document.querySelectorAll("#terreinen path");
      function show(key) {
        var m = data.maps[key];
        if (!m) return;
        for (var i = 0; i < paths.length; i++) {
          var c = m.classes[parseInt(paths[i].getAttribute("data-i"), 10)];
          paths[i].setAttribute("fill", c >= 0 ? m.colors[c] : data.noData);
        }
        var legends = document.querySelectorAll(".legend[data-key]");
        for (var j = 0; j < legends.length; j++) legends[j].hidden = legends[j].getAttribute("data-key") !== key;
      }
      if (select) {
        select.addEventListener("change", function () { show(select.value); });
        show(select.value);
      }
      function sortBy(table, col, th) {
        var numeric = th.getAttribute("data-type") === "num";
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        var heads = table.tHead.rows[0].cells;
        for (var k = 0; k < heads.length; k++) heads[k].removeAttribute("aria-sort");
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).map(function (r, i) {
          var t = r.cells[col] ? r.cells[col].textContent : "";
          var empty = t === "" || (r.cells[col] && r.cells[col].querySelector("i"));
          return { row: r, i: i, empty: !!empty, v: numeric ? parseFloat(t) : t };
        });
        rows.sort(function (a, b) {
          if (a.empty !== b.empty) return a.empty ? 1 : -1;
          var c = 0;
          if (!a.empty) {
            if (numeric) c = a.v - b.v;
            else c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
          }
          return c !== 0 ? dir * c : a.i - b.i;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (x) { frag.appendChild(x.row); });
        body.appendChild(frag);
      }
      var tables = document.querySelectorAll("table.sortable");
      Array.prototype.forEach.call(tables, function (table) {
        var heads = table.tHead.rows[0].cells;
        Array.prototype.forEach.call(heads, function (th, col) {
          th.addEventListener("click", function () { sortBy(table, col, th); });
          th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(table, col, th); });
        });
      });
    })();

    """
}
