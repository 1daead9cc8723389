import Foundation
import GRDB
import TerreinGeometry
#if canImport(Glibc)
import Glibc
#endif

/// Writes `indicators.gpkg`: an OGC GeoPackage 1.3 with
/// - `terreinen`: features (MULTIPOLYGON in the work CRS), every indicator column with its
///   rounded value (`Table.roundedValue`), NULL for null;
/// - `regions`: attributes, the per-region table;
/// - `natura2000`: features, the simplified display sites (name), so that `terrein report`
///   can draw the map again from the GeoPackage alone.
///
/// The feature tables have an R-tree spatial index (`gpkg_rtree_index` extension), filled
/// from the geometry envelopes after the bulk load; the standard maintenance triggers are
/// created last, so that GDAL and QGIS keep the index current when an analyst edits a layer.
/// The ST_* functions those triggers call are registered on the writing connection too.
///
/// Each layer has a default QGIS style in `layer_styles` (`LayerStyles`).
///
/// The file is byte-identical for identical inputs: no random ids, and the only timestamps
/// are `gpkg_contents.last_change` and `layer_styles.update_time`, which the caller passes
/// (SOURCE_DATE_EPOCH when set).
public enum GeoPackageWriter {
    /// SQLite column types by column kind. BOOLEAN is what GDAL maps to an OFSTBoolean field.
    static func sqlType(_ kind: ColumnKind) -> String {
        switch kind {
        case .text: return "TEXT"
        case .integer: return "INTEGER"
        case .real: return "REAL"
        case .boolean: return "BOOLEAN"
        }
    }

    static let applicationID: Int32 = 0x4750_4B47 // 'GPKG'
    static let userVersion = 10300

    public static func write(_ a: RunArtifacts, to path: String, lastChange: Date) throws {
        guard a.terreinGeometries.count == a.indicators.rows.count else {
            throw GeoPackageError(path: path, message:
                "\(a.indicators.rows.count) indicator rows but \(a.terreinGeometries.count) geometries")
        }
        for reserved in ["fid", "geom"] where a.indicators.columnIndex(reserved) != nil {
            throw GeoPackageError(path: path, message: "the indicator column name '\(reserved)' is reserved in the GeoPackage")
        }
        if a.regions.columnIndex("fid") != nil {
            throw GeoPackageError(path: path, message: "the region column name 'fid' is reserved in the GeoPackage")
        }

        let srs = try spatialReference(for: a.workCRS)
        let wgs84Definition = try crsWKT(CRSIdentifier(authority: "EPSG", code: "4326"))
        let timestamp = formatLastChange(lastChange)

        // Encode geometries first: a failure leaves no half-written file behind.
        let terreinBlobs = try a.terreinGeometries.map { try GeoPackageBinary.encode($0, srsID: srs.id) }
        let siteBlobs = try a.natura2000Display.map { try GeoPackageBinary.encode($0.geometry, srsID: srs.id) }
        let profileLayers = try profileTables(a, srsID: srs.id)

        let fm = FileManager.default
        for suffix in ["", "-journal", "-wal", "-shm"] where fm.fileExists(atPath: path + suffix) {
            try fm.removeItem(atPath: path + suffix)
        }

        var config = Configuration()
        config.label = "GeoPackageWriter"
        config.prepareDatabase { db in registerSpatialFunctions(db) }
        let queue = try DatabaseQueue(path: path, configuration: config)
        do {
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA application_id = \(applicationID)")
                try db.execute(sql: "PRAGMA user_version = \(userVersion)")
                // The file is new, in the run's staging folder, and thrown away if the run
                // fails: no rollback journal is needed (SQLite still syncs it at commit).
                // With a 64 MB page cache the one large transaction does not spill page by
                // page. No VACUUM after it: nothing is ever deleted, so it only copied the
                // whole file again. At scale L (318 MB, 190 MB of it `profile_heat`) the
                // GeoPackage was 9.5 s of CPU, 2 s of it the VACUUM's copy and 3 s page-cache
                // stress (perf); with these and `Hex` the write stage went from 31.3 s to
                // 17.6 s (docs/performance.md).
                try db.execute(sql: "PRAGMA journal_mode = OFF")
                try db.execute(sql: "PRAGMA cache_size = -65536")
            }
            try queue.write { db in
                try createCoreTables(db)
                try insertSpatialReferenceSystems(db, work: srs, wgs84Definition: wgs84Definition)

                let terreinColumns = a.indicators.columns
                try writeFeatureTable(db, name: "terreinen", description: a.pipelineName, srsID: srs.id,
                                      columns: terreinColumns, rows: a.indicators.rows,
                                      blobs: terreinBlobs, lastChange: timestamp)
                try writeAttributeTable(db, name: "regions", table: a.regions, lastChange: timestamp)
                let siteColumns = [Column("name", .text)]
                let siteRows = a.natura2000Display.map { [Cell.text($0.name)] }
                try writeFeatureTable(db, name: "natura2000", description: "Natura 2000 (simplified for display)",
                                      srsID: srs.id, columns: siteColumns, rows: siteRows,
                                      blobs: siteBlobs, lastChange: timestamp)
                for layer in profileLayers {
                    try writeFeatureTable(db, name: layer.layer.tableName, description: layer.description, srsID: srs.id,
                                          columns: profileColumns, rows: layer.rows, blobs: layer.blobs, lastChange: timestamp,
                                          geometryType: layer.layer.geometryType)
                }
                try writeDataColumns(db, tables: [("terreinen", terreinColumns), ("regions", a.regions.columns)],
                                     language: a.language)
                try LayerStyles.write(db, styles: LayerStyles.styles(a, terreinColumns: terreinColumns, siteColumns: siteColumns),
                                      updateTime: timestamp)
            }
            try queue.close()
        } catch {
            try? queue.close()
            throw error
        }
    }

    // MARK: Profile layers

    /// The columns of every profile layer (`ProfileLayer`).
    static let profileColumns = [Column("terrein_id", .text), Column("kind", .text), Column("value", .real(decimals: 2)),
                                 Column("count", .integer), Column("name", .text)]

    struct ProfileTable {
        var layer: ProfileLayer
        var description: String
        var rows: [[Cell]]
        var blobs: [GeoPackageBinary.Encoded]
    }

    /// The profile display layers that have features, rows in terrein order then feature
    /// order; geometries encoded in parallel (the bulk of them: every roof face in a terrein).
    static func profileTables(_ a: RunArtifacts, srsID: Int) throws -> [ProfileTable] {
        guard !a.profileFeatures.isEmpty else { return [] }
        let idIndex = a.indicators.columnIndex(role: .identifier)
        var out: [ProfileTable] = []
        for layer in ProfileLayer.allCases {
            var features: [(id: String, feature: ProfileFeature)] = []
            for (i, list) in a.profileFeatures.enumerated() {
                var id = ""
                if let idIndex, i < a.indicators.rows.count, case .text(let s) = a.indicators.rows[i][idIndex] { id = s }
                for f in list where f.layer == layer { features.append((id, f)) }
            }
            if features.isEmpty { continue }
            let blobs = try encodeInParallel(features.map(\.feature.geometry), srsID: srsID, asLine: layer == .nature)
            let rows: [[Cell]] = features.map { e in
                [.text(e.id), .text(e.feature.kind), .real(e.feature.value), e.feature.count.map(Cell.integer) ?? .null,
                 e.feature.name.map(Cell.text) ?? .null]
            }
            out.append(ProfileTable(layer: layer, description: "Terrein profiles: \(layer.rawValue) (display data)",
                                    rows: rows, blobs: blobs))
        }
        return out
    }

    static func encodeInParallel(_ geometries: [Geometry], srsID: Int, asLine: Bool) throws -> [GeoPackageBinary.Encoded] {
        let chunk = 512
        let chunks = (geometries.count + chunk - 1) / chunk
        let slots = EncodedSlots(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { k in
            let range = (k * chunk)..<min(geometries.count, (k + 1) * chunk)
            do {
                slots.set(k, .success(try range.map {
                    asLine ? try GeoPackageBinary.encodeAsIs(geometries[$0], srsID: srsID)
                           : try GeoPackageBinary.encode(geometries[$0], srsID: srsID)
                }))
            } catch {
                slots.set(k, .failure(error))
            }
        }
        var out: [GeoPackageBinary.Encoded] = []
        out.reserveCapacity(geometries.count)
        for r in slots.results { out += try r!.get() }  // the lowest chunk's error first
        return out
    }

    /// One result slot per chunk, filled by `concurrentPerform`'s workers.
    final class EncodedSlots: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var results: [Result<[GeoPackageBinary.Encoded], any Error>?]
        init(count: Int) { results = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ r: Result<[GeoPackageBinary.Encoded], any Error>) {
            lock.lock(); results[i] = r; lock.unlock()
        }
    }

    // MARK: Schema

    static func createCoreTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE gpkg_spatial_ref_sys (
              srs_name TEXT NOT NULL,
              srs_id INTEGER NOT NULL PRIMARY KEY,
              organization TEXT NOT NULL,
              organization_coordsys_id INTEGER NOT NULL,
              definition TEXT NOT NULL,
              description TEXT
            );
            CREATE TABLE gpkg_contents (
              table_name TEXT NOT NULL PRIMARY KEY,
              data_type TEXT NOT NULL,
              identifier TEXT UNIQUE,
              description TEXT DEFAULT '',
              last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
              min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
              srs_id INTEGER,
              CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
            );
            CREATE TABLE gpkg_geometry_columns (
              table_name TEXT NOT NULL,
              column_name TEXT NOT NULL,
              geometry_type_name TEXT NOT NULL,
              srs_id INTEGER NOT NULL,
              z TINYINT NOT NULL,
              m TINYINT NOT NULL,
              CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
              CONSTRAINT uk_gc_table_name UNIQUE (table_name),
              CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
              CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
            );
            CREATE TABLE gpkg_extensions (
              table_name TEXT,
              column_name TEXT,
              extension_name TEXT NOT NULL,
              definition TEXT NOT NULL,
              scope TEXT NOT NULL,
              CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
            );
            """)
    }

    struct SpatialReference {
        var id: Int
        var name: String
        var organization: String
        var organizationID: Int
        var definition: String
    }

    /// The work CRS's row: srs_id = its EPSG code; a CRS of another authority gets an id
    /// from the user range (100000 and up).
    static func spatialReference(for crs: CRSIdentifier) throws -> SpatialReference {
        let definition = try crsWKT(crs)
        let name = (try? lookUpCRS(crs).name) ?? crs.description
        if let epsg = crs.epsgCode, crs.authority == "EPSG" {
            return SpatialReference(id: epsg, name: name, organization: "EPSG", organizationID: epsg, definition: definition)
        }
        let code = Int(crs.code) ?? 0
        return SpatialReference(id: 100_000 + (code % 100_000), name: name, organization: crs.authority,
                                organizationID: code, definition: definition)
    }

    static func insertSpatialReferenceSystems(_ db: Database, work: SpatialReference, wgs84Definition: String) throws {
        let sql = """
            INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition, description)
            VALUES (?, ?, ?, ?, ?, ?)
            """
        try db.execute(sql: sql, arguments: ["Undefined Cartesian SRS", -1, "NONE", -1, "undefined",
                                             "undefined Cartesian coordinate reference system"])
        try db.execute(sql: sql, arguments: ["Undefined geographic SRS", 0, "NONE", 0, "undefined",
                                             "undefined geographic coordinate reference system"])
        try db.execute(sql: sql, arguments: ["WGS 84 geodetic", 4326, "EPSG", 4326, wgs84Definition,
                                             "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"])
        if work.id != 4326 && work.id != 0 && work.id != -1 {
            try db.execute(sql: sql, arguments: [work.name, work.id, work.organization, work.organizationID,
                                                 work.definition, DatabaseValue.null])
        }
    }

    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func columnDefinitions(_ columns: [Column]) -> String {
        columns.map { ", \(quoteIdentifier($0.name)) \(sqlType($0.kind))" }.joined()
    }

    static func databaseValue(_ cell: Cell, kind: ColumnKind) -> DatabaseValue {
        switch Table.roundedValue(cell, as: kind) {
        case .null: return .null
        case .text(let s): return s.databaseValue
        case .integer(let i): return Int64(i).databaseValue
        case .real(let d): return d.isFinite ? d.databaseValue : .null
        case .boolean(let b): return (b ? 1 : 0).databaseValue
        }
    }

    private static func writeFeatureTable(_ db: Database, name: String, description: String, srsID: Int,
                                          columns: [Column], rows: [[Cell]], blobs: [GeoPackageBinary.Encoded],
                                          lastChange: String, geometryType: String = "MULTIPOLYGON") throws {
        let t = quoteIdentifier(name)
        try db.execute(sql: "CREATE TABLE \(t) (\"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \"geom\" \(geometryType)\(columnDefinitions(columns)))")

        var extent: Bounds?
        for b in blobs { if let e = b.envelope { if extent == nil { extent = e } else { extent!.formUnion(e) } } }
        try db.execute(sql: """
            INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
            VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [name, name, description, lastChange,
                             extent?.minX, extent?.minY, extent?.maxX, extent?.maxY, srsID])
        try db.execute(sql: """
            INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)
            VALUES (?, 'geom', ?, ?, 0, 0)
            """, arguments: [name, geometryType, srsID])

        let placeholders = String(repeating: ", ?", count: columns.count)
        let names = columns.map { ", " + quoteIdentifier($0.name) }.joined()
        let insert = try db.makeStatement(sql: "INSERT INTO \(t) (\"fid\", \"geom\"\(names)) VALUES (?, ?\(placeholders))")
        for (i, row) in rows.enumerated() {
            var values: [DatabaseValue] = [Int64(i + 1).databaseValue, Data(blobs[i].bytes).databaseValue]
            for (j, column) in columns.enumerated() {
                values.append(j < row.count ? databaseValue(row[j], kind: column.kind) : .null)
            }
            try insert.execute(arguments: StatementArguments(values))
        }

        // R-tree spatial index, filled from the envelopes.
        let rtree = "rtree_\(name)_geom"
        try db.execute(sql: "CREATE VIRTUAL TABLE \(quoteIdentifier(rtree)) USING rtree(id, minx, maxx, miny, maxy)")
        let fill = try db.makeStatement(sql: "INSERT INTO \(quoteIdentifier(rtree)) (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)")
        for (i, blob) in blobs.enumerated() {
            guard let e = blob.envelope else { continue }
            try fill.execute(arguments: [Int64(i + 1), e.minX, e.maxX, e.minY, e.maxY])
        }
        try db.execute(sql: """
            INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
            VALUES (?, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')
            """, arguments: [name])
        try createRTreeTriggers(db, table: name, column: "geom", idColumn: "fid")
    }

    /// The maintenance triggers of the GeoPackage R-tree extension (OGC 12-128r15, annex F.3).
    static func createRTreeTriggers(_ db: Database, table: String, column: String, idColumn: String) throws {
        let t = quoteIdentifier(table), c = quoteIdentifier(column), i = quoteIdentifier(idColumn)
        let r = quoteIdentifier("rtree_\(table)_\(column)")
        func trigger(_ suffix: String) -> String { quoteIdentifier("rtree_\(table)_\(column)_\(suffix)") }
        let upsertNew = """
            INSERT OR REPLACE INTO \(r) VALUES (NEW.\(i), ST_MinX(NEW.\(c)), ST_MaxX(NEW.\(c)), ST_MinY(NEW.\(c)), ST_MaxY(NEW.\(c)));
            """
        try db.execute(sql: """
            CREATE TRIGGER \(trigger("insert")) AFTER INSERT ON \(t)
              WHEN (NEW.\(c) NOT NULL AND NOT ST_IsEmpty(NEW.\(c)))
            BEGIN
              \(upsertNew)
            END;
            CREATE TRIGGER \(trigger("update1")) AFTER UPDATE OF \(c) ON \(t)
              WHEN OLD.\(i) = NEW.\(i) AND (NEW.\(c) NOTNULL AND NOT ST_IsEmpty(NEW.\(c)))
            BEGIN
              \(upsertNew)
            END;
            CREATE TRIGGER \(trigger("update2")) AFTER UPDATE OF \(c) ON \(t)
              WHEN OLD.\(i) = NEW.\(i) AND (NEW.\(c) ISNULL OR ST_IsEmpty(NEW.\(c)))
            BEGIN
              DELETE FROM \(r) WHERE id = OLD.\(i);
            END;
            CREATE TRIGGER \(trigger("update3")) AFTER UPDATE ON \(t)
              WHEN OLD.\(i) != NEW.\(i) AND (NEW.\(c) NOTNULL AND NOT ST_IsEmpty(NEW.\(c)))
            BEGIN
              DELETE FROM \(r) WHERE id = OLD.\(i);
              \(upsertNew)
            END;
            CREATE TRIGGER \(trigger("update4")) AFTER UPDATE ON \(t)
              WHEN OLD.\(i) != NEW.\(i) AND (NEW.\(c) ISNULL OR ST_IsEmpty(NEW.\(c)))
            BEGIN
              DELETE FROM \(r) WHERE id IN (OLD.\(i), NEW.\(i));
            END;
            CREATE TRIGGER \(trigger("delete")) AFTER DELETE ON \(t)
              WHEN OLD.\(c) NOT NULL
            BEGIN
              DELETE FROM \(r) WHERE id = OLD.\(i);
            END;
            """)
    }

    private static func writeAttributeTable(_ db: Database, name: String, table: Table, lastChange: String) throws {
        let t = quoteIdentifier(name)
        try db.execute(sql: "CREATE TABLE \(t) (\"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL\(columnDefinitions(table.columns)))")
        try db.execute(sql: """
            INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
            VALUES (?, 'attributes', ?, '', ?)
            """, arguments: [name, name, lastChange])
        let placeholders = String(repeating: ", ?", count: table.columns.count)
        let names = table.columns.map { ", " + quoteIdentifier($0.name) }.joined()
        let insert = try db.makeStatement(sql: "INSERT INTO \(t) (\"fid\"\(names)) VALUES (?\(placeholders))")
        for (i, row) in table.rows.enumerated() {
            var values: [DatabaseValue] = [Int64(i + 1).databaseValue]
            for (j, column) in table.columns.enumerated() {
                values.append(j < row.count ? databaseValue(row[j], kind: column.kind) : .null)
            }
            try insert.execute(arguments: StatementArguments(values))
        }
    }

    /// Column titles and descriptions from the indicator schema, in the GeoPackage schema
    /// extension (`gpkg_data_columns`), so QGIS and other clients show them; class columns
    /// get an enum constraint listing their labels.
    private static func writeDataColumns(_ db: Database, tables: [(String, [Column])], language: String) throws {
        try db.execute(sql: """
            CREATE TABLE gpkg_data_columns (
              table_name TEXT NOT NULL,
              column_name TEXT NOT NULL,
              name TEXT,
              title TEXT,
              description TEXT,
              mime_type TEXT,
              constraint_name TEXT,
              CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
              CONSTRAINT gdc_tn UNIQUE (table_name, name)
            );
            CREATE TABLE gpkg_data_column_constraints (
              constraint_name TEXT NOT NULL,
              constraint_type TEXT NOT NULL,
              value TEXT,
              min NUMERIC,
              min_is_inclusive BOOLEAN,
              max NUMERIC,
              max_is_inclusive BOOLEAN,
              description TEXT,
              CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value)
            );
            INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) VALUES
              ('gpkg_data_columns', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', 'read-write'),
              ('gpkg_data_column_constraints', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', 'read-write');
            """)
        var constraints: [String] = []
        for (table, columns) in tables {
            for c in columns {
                guard let s = c.schema else { continue }
                var constraint: String?
                if case .classLabel(let labels) = s.kind {
                    let name = "\(s.name)_classes"
                    constraint = name
                    if !constraints.contains(name) {
                        constraints.append(name)
                        for label in labels {
                            try db.execute(sql: """
                                INSERT INTO gpkg_data_column_constraints (constraint_name, constraint_type, value, description)
                                VALUES (?, 'enum', ?, ?)
                                """, arguments: [name, label, s.label.text(language)])
                        }
                    }
                }
                var description = s.description.text(language)
                if let unit = s.unit { description += language == "en" ? " Unit: \(unit)." : " Eenheid: \(unit)." }
                try db.execute(sql: """
                    INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description, mime_type, constraint_name)
                    VALUES (?, ?, ?, ?, ?, NULL, ?)
                    """, arguments: [table, c.name, c.name, s.label.text(language), description, constraint])
            }
        }
    }

    /// `gpkg_contents.last_change`: `%Y-%m-%dT%H:%M:%S.000Z` in UTC (whole seconds).
    static func formatLastChange(_ date: Date) -> String {
        var t = time_t(floor(date.timeIntervalSince1970))
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.000Z",
                      Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
                      Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
    }

    /// `%Y-%m-%dT%H:%M:%SZ` in UTC (whole seconds), for the data package's `created`.
    public static func formatISO8601(_ date: Date) -> String {
        let s = formatLastChange(date)
        return String(s.dropLast(5)) + "Z"
    }

    /// ST_IsEmpty, ST_MinX, ST_MaxX, ST_MinY, ST_MaxY on GeoPackage geometry blobs, as the
    /// R-tree triggers call them.
    static func registerSpatialFunctions(_ db: Database) {
        @Sendable func blob(_ v: DatabaseValue) -> [UInt8]? {
            guard let d = Data.fromDatabaseValue(v) else { return nil }
            return [UInt8](d)
        }
        db.add(function: DatabaseFunction("ST_IsEmpty", argumentCount: 1, pure: true) { args in
            guard let b = blob(args[0]), let h = GeoPackageBinary.header(b) else { return nil }
            return h.isEmpty ? 1 : 0
        })
        let parts: [(String, @Sendable (Bounds) -> Double)] = [("ST_MinX", { $0.minX }), ("ST_MaxX", { $0.maxX }),
                                                     ("ST_MinY", { $0.minY }), ("ST_MaxY", { $0.maxY })]
        for (name, pick) in parts {
            db.add(function: DatabaseFunction(name, argumentCount: 1, pure: true) { args in
                guard let b = blob(args[0]), let e = GeoPackageBinary.envelope(b) else { return nil }
                return pick(e)
            })
        }
    }
}

public struct GeoPackageError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) { self.path = path; self.message = message }
    public var description: String { "\(path): \(message)" }
}

/// GeoPackage geometry blobs: header ('GP', version 0, flags, srs_id, envelope) + ISO WKB.
enum GeoPackageBinary {
    struct Encoded {
        var bytes: [UInt8]
        var envelope: Bounds?
    }

    struct Header {
        var littleEndian: Bool
        var isEmpty: Bool
        var srsID: Int32
        var envelope: Bounds?
        var wkbOffset: Int
    }

    /// A Polygon or MultiPolygon as a MultiPolygon blob with an xy envelope, little endian.
    static func encode(_ g: Geometry, srsID: Int) throws -> Encoded {
        let wkb = try multiPolygonWKB(g)
        let bounds = g.bounds
        var out: [UInt8] = [0x47, 0x50, 0]
        // flags: bit 0 little endian; bits 1-3 envelope (1 = xy); bit 4 empty.
        out.append(bounds == nil ? 0b0001_0001 : 0b0000_0011)
        appendLE(&out, UInt32(bitPattern: Int32(truncatingIfNeeded: srsID)))
        if let b = bounds {
            for v in [b.minX, b.maxX, b.minY, b.maxY] { appendLE(&out, v.bitPattern) }
        }
        out += wkb
        return Encoded(bytes: out, envelope: bounds)
    }

    /// Any geometry as it is (a LineString for the profile's distance lines), with an xy
    /// envelope, little endian.
    static func encodeAsIs(_ g: Geometry, srsID: Int) throws -> Encoded {
        let bounds = g.bounds
        var out: [UInt8] = [0x47, 0x50, 0]
        out.append(bounds == nil ? 0b0001_0001 : 0b0000_0011)
        appendLE(&out, UInt32(bitPattern: Int32(truncatingIfNeeded: srsID)))
        if let b = bounds {
            for v in [b.minX, b.maxX, b.minY, b.maxY] { appendLE(&out, v.bitPattern) }
        }
        out += try g.wkb()
        return Encoded(bytes: out, envelope: bounds)
    }

    /// ISO WKB of a MultiPolygon: a Polygon is wrapped, a MultiPolygon kept, and anything
    /// else rebuilt from its polygonal members.
    static func multiPolygonWKB(_ g: Geometry) throws -> [UInt8] {
        switch g.type {
        case .multiPolygon:
            return try g.wkb()
        case .polygon:
            var out: [UInt8] = [1]
            appendLE(&out, UInt32(6))
            appendLE(&out, UInt32(try g.isEmpty ? 0 : 1))
            if try !g.isEmpty { out += try g.wkb() }
            return out
        default:
            let polygons = try g.polygonRings()
            var out: [UInt8] = [1]
            appendLE(&out, UInt32(6))
            appendLE(&out, UInt32(polygons.count))
            for rings in polygons {
                out.append(1)
                appendLE(&out, UInt32(3))
                appendLE(&out, UInt32(rings.count))
                for ring in rings {
                    appendLE(&out, UInt32(ring.count / 2))
                    for v in ring { appendLE(&out, v.bitPattern) }
                }
            }
            return out
        }
    }

    static func appendLE(_ out: inout [UInt8], _ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    static func appendLE(_ out: inout [UInt8], _ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    static func readUInt32(_ b: [UInt8], _ at: Int, littleEndian: Bool) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32(b[at + k]) << (littleEndian ? 8 * k : 8 * (3 - k)) }
        return v
    }

    static func readDouble(_ b: [UInt8], _ at: Int, littleEndian: Bool) -> Double {
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(b[at + k]) << (littleEndian ? 8 * k : 8 * (7 - k)) }
        return Double(bitPattern: v)
    }

    static func header(_ b: [UInt8]) -> Header? {
        guard b.count >= 8, b[0] == 0x47, b[1] == 0x50 else { return nil }
        let flags = b[3]
        let le = flags & 1 == 1
        let envelopeKind = Int((flags >> 1) & 0b111)
        let doubles: Int
        switch envelopeKind {
        case 0: doubles = 0
        case 1: doubles = 4
        case 2, 3: doubles = 6
        case 4: doubles = 8
        default: return nil
        }
        let offset = 8 + 8 * doubles
        guard b.count >= offset else { return nil }
        var envelope: Bounds?
        if doubles > 0 {
            envelope = Bounds(minX: readDouble(b, 8, littleEndian: le), minY: readDouble(b, 24, littleEndian: le),
                              maxX: readDouble(b, 16, littleEndian: le), maxY: readDouble(b, 32, littleEndian: le))
        }
        return Header(littleEndian: le, isEmpty: flags & 0b1_0000 != 0,
                      srsID: Int32(bitPattern: readUInt32(b, 4, littleEndian: le)),
                      envelope: envelope, wkbOffset: offset)
    }

    /// The envelope from the header, or from the geometry when the header has none.
    static func envelope(_ b: [UInt8]) -> Bounds? {
        guard let h = header(b), !h.isEmpty else { return nil }
        if let e = h.envelope { return e }
        return (try? Geometry.fromWKB(Array(b[h.wkbOffset...])))?.bounds
    }

    /// The geometry of a blob.
    static func decode(_ b: [UInt8]) throws -> Geometry? {
        guard let h = header(b) else { return nil }
        return try Geometry.fromWKB(Array(b[h.wkbOffset...]))
    }
}
