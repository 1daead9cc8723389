import TerreinJSON
import Foundation
import GRDB
import TerreinGeometry

extension ReportData {
    /// Reads a finished output directory, for `terrein report OUTPUT_DIR`.
    ///
    /// Source, in this order of preference:
    /// 1. `indicators.gpkg` (layers `terreinen`, `regions`, `natura2000`): everything the
    ///    report needs, geometry in the work CRS, and the pipeline name (the `terreinen`
    ///    row's description in `gpkg_contents`).
    /// 2. otherwise `indicators.geojson` + `regions.csv`: the terreinen are reprojected from
    ///    WGS 84 to RD New (EPSG:28992) for the map; the Natura 2000 sites are not in these
    ///    files, so the map has none; the pipeline name is the directory's name.
    /// A column the catalog knows (every column of Terrein's families) takes its kind,
    /// decimals and report roles from the schema; any other column its kind from the stored
    /// type (GeoPackage) or the values (GeoJSON, CSV), and its decimals from the values.
    public static func load(outputDirectory dir: String, catalog: ColumnCatalog) throws -> ReportData {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw LoadError(message: "\(dir): no such output directory")
        }
        let gpkg = (dir as NSString).appendingPathComponent("indicators.gpkg")
        if FileManager.default.fileExists(atPath: gpkg) {
            return try loadGeoPackage(gpkg, catalog: catalog)
        }
        let geojson = (dir as NSString).appendingPathComponent("indicators.geojson")
        let regions = (dir as NSString).appendingPathComponent("regions.csv")
        let missing = [geojson, regions].filter { !FileManager.default.fileExists(atPath: $0) }
        if !missing.isEmpty {
            throw LoadError(message: "\(dir): cannot render a report: no indicators.gpkg, and "
                            + missing.map { ($0 as NSString).lastPathComponent }.joined(separator: " and ")
                            + " missing (the report needs indicators.gpkg, or indicators.geojson and regions.csv)")
        }
        var data = try loadGeoJSON(geojson, regionsCSV: regions, catalog: catalog)
        data.pipelineName = ((dir as NSString).standardizingPath as NSString).lastPathComponent
        return data
    }

    // MARK: GeoPackage

    static func loadGeoPackage(_ path: String, catalog: ColumnCatalog) throws -> ReportData {
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

            let (indicators, rings) = try readTable(db, name: "terreinen", geometry: true, path: path, catalog: catalog, regions: false)
            let (regions, _) = try readTable(db, name: "regions", geometry: false, path: path, catalog: catalog, regions: true)
            var sites: [(name: String, rings: [[[Double]]])] = []
            if try tableExists("natura2000") {
                let (table, siteRings) = try readTable(db, name: "natura2000", geometry: true, path: path, catalog: .empty, regions: false)
                let nameIndex = table.columnIndex("name")
                for (i, row) in table.rows.enumerated() {
                    var siteName = ""
                    if let nameIndex, case .text(let s) = row[nameIndex] { siteName = s }
                    sites.append((siteName, siteRings[i]))
                }
            }
            var data = ReportData(pipelineName: name.isEmpty ? ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent : name,
                              indicators: indicators, regions: regions, terreinRings: rings,
                              natura2000: sites, mapCRS: crs)
            data.profiles = try readProfiles(db, path: path, indicators: indicators, exists: tableExists)
            return data
        }
    }

    /// The profile layers (`ProfileLayer.tableName`) a run stored, per terrein row, in
    /// fid order; empty when the GeoPackage has none (an older run's).
    static func readProfiles(_ db: Database, path: String, indicators: Table,
                             exists: (String) throws -> Bool) throws -> [[ProfileShape]] {
        var rowOf: [ByteKey: Int] = [:]
        if let idIndex = indicators.columnIndex(role: .identifier) {
            for (i, row) in indicators.rows.enumerated() where idIndex < row.count {
                if case .text(let id) = row[idIndex] { rowOf[ByteKey(id)] = i }
            }
        }
        var out = [[ProfileShape]](repeating: [], count: indicators.rows.count)
        var any = false
        for layer in ProfileLayer.allCases {
            guard try exists(layer.tableName) else { continue }
            any = true
            let t = GeoPackageWriter.quoteIdentifier(layer.tableName)
            let cursor = try Row.fetchCursor(db, sql: "SELECT geom, terrein_id, kind, value, count, name FROM \(t) ORDER BY fid")
            var n = 0
            while let r = try cursor.next() {
                n += 1
                let id: String = r[1] ?? ""
                guard let i = rowOf[ByteKey(id)] else { continue }  // a terrein no longer in the table
                let location = "\(path): '\(layer.tableName)' row \(n)"
                guard case .blob(let blob) = (r[0] as DatabaseValue).storage else { continue }
                var shape = ProfileShape(layer: layer, kind: r[2] ?? "", name: r[5], value: r[3] ?? 0, count: r[4])
                if layer == .nature {
                    guard let h = GeoPackageBinary.header([UInt8](blob)) else {
                        throw LoadError(message: "\(location) has no valid GeoPackage geometry")
                    }
                    let g: Geometry
                    do { g = try Geometry.fromWKB(Array([UInt8](blob)[h.wkbOffset...])) } catch {
                        throw LoadError(message: "\(location) has no valid GeoPackage geometry (\(error))")
                    }
                    shape.line = try g.lineCoordinates()
                    try checkMapCoordinates([[shape.line]], location: location)
                } else {
                    shape.polygons = try mapRings(blob: [UInt8](blob), location: location)
                }
                out[i].append(shape)
            }
        }
        return any ? out : []
    }

    /// A GeoPackage table as a Table (without fid and geom) and, for features, the rings.
    static func readTable(_ db: Database, name: String, geometry: Bool, path: String,
                          catalog: ColumnCatalog, regions: Bool) throws -> (Table, [[[[Double]]]]) {
        let info = try Row.fetchAll(db, sql: "PRAGMA table_info(\(GeoPackageWriter.quoteIdentifier(name)))")
        var columns: [Column] = []
        for r in info {
            let column: String = r["name"]
            let type: String = (r["type"] as String?)?.uppercased() ?? ""
            if column == "fid" || (geometry && column == "geom") { continue }
            columns.append(known(column, catalog, regions: regions) ?? Column(column, kind(sqlType: type)))
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
        settleDecimals(&table, catalog: catalog)
        return (table, rings)
    }

    /// The column as the schema describes it, when the catalog knows it.
    static func known(_ name: String, _ catalog: ColumnCatalog, regions: Bool) -> Column? {
        guard let s = catalog.schema(name) else { return nil }
        return regions ? s.regionColumn : s.indicatorColumn
    }

    static func kind(sqlType: String) -> ColumnKind {
        if sqlType.hasPrefix("BOOL") { return .boolean }
        if sqlType.contains("INT") { return .integer }
        if sqlType.contains("REAL") || sqlType.contains("FLOA") || sqlType.contains("DOUB") {
            return .real(decimals: 0)  // settled from the values by `settleDecimals`
        }
        return .text
    }

    /// Real columns the schema does not describe print with the decimals their values
    /// have (the shortest form of each, at most 6).
    static func settleDecimals(_ table: inout Table, catalog: ColumnCatalog) {
        for (j, c) in table.columns.enumerated() where c.schema == nil {
            guard case .real = c.kind else { continue }
            var decimals = 0
            for row in table.rows {
                guard j < row.count, case .real(let d) = row[j], d.isFinite else { continue }
                let text = "\(d)"
                if text.contains("e") { decimals = 6; break }
                if let dot = text.firstIndex(of: ".") {
                    let tail = text[text.index(after: dot)...]
                    decimals = max(decimals, tail == "0" ? 0 : min(6, tail.count))
                }
            }
            table.columns[j].kind = .real(decimals: decimals)
        }
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


    // MARK: GeoJSON + CSV

    static func loadGeoJSON(_ path: String, regionsCSV: String, catalog: ColumnCatalog) throws -> ReportData {
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
            if let c = known(n, catalog, regions: false) { columns.append(c); continue }
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
            else if sawNumber { k = .real(decimals: 0) }
            else if sawInteger { k = .integer }
            else { k = .text }
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
        settleDecimals(&table, catalog: catalog)
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
        return ReportData(pipelineName: "", indicators: table, regions: tableFromCSV(text, catalog: catalog),
                          terreinRings: lonLat, natura2000: [], mapCRS: .rdNew)
    }

    /// A CSV table with kinds from its values; reals keep the decimals as printed. The
    /// formula guard's leading apostrophe is removed from the text columns it applies to.
    static func tableFromCSV(_ text: String, catalog: ColumnCatalog) -> Table {
        let parsed = CSVFormat.parse(text)
        var columns: [Column] = []
        for (j, n) in parsed.header.enumerated() {
            if let c = known(n, catalog, regions: true) { columns.append(c); continue }
            let values = parsed.rows.compactMap { j < $0.count && !$0[j].isEmpty ? $0[j] : nil }
            let k: ColumnKind
            if !values.isEmpty && values.allSatisfy({ $0 == "true" || $0 == "false" }) { k = .boolean }
            else if !values.isEmpty && values.allSatisfy({ Int($0) != nil }) { k = .integer }
            else if values.allSatisfy({ Double($0) != nil }) {
                let decimals = values.map { v in v.firstIndex(of: ".").map { v.distance(from: $0, to: v.endIndex) - 1 } ?? 0 }.max()
                k = .real(decimals: decimals ?? 0)
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
                    if c.formulaGuard, v.hasPrefix("'"),
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
