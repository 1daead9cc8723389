import Foundation
import GRDB
import TerreinGeometry
#if canImport(Glibc)
import Glibc
#endif

/// One finished run, as `RunHistory.append` stores it.
public struct HistoryRecord {
    public var pipelineName: String
    public var pipelineFile: String
    public var pipelineSHA256: String
    /// ISO 8601 wall-clock start (as in the manifest).
    public var started: String
    /// The run's time: SOURCE_DATE_EPOCH when set, else the time it finished.
    public var finished: Date
    public var workCRS: CRSIdentifier
    public var outputDirectory: String
    /// JSON array of the inputs (layer, path, sha256).
    public var inputsJSON: String
    /// JSON of the resolved parameters.
    public var parametersJSON: String
    public var terreinVersion, geosVersion, projVersion, gdalVersion: String
    /// SHA-256 of the run's `indicators.csv` and `regions.csv` bytes.
    public var indicatorsSHA256, regionsSHA256: String
    public var indicators: Table
    public var regions: Table
    /// The terrein polygons in the work CRS, in the order of `indicators.rows`.
    public var terreinGeometries: [Geometry]

    public init(pipelineName: String, pipelineFile: String, pipelineSHA256: String, started: String, finished: Date,
                workCRS: CRSIdentifier, outputDirectory: String, inputsJSON: String, parametersJSON: String,
                terreinVersion: String, geosVersion: String, projVersion: String, gdalVersion: String,
                indicatorsSHA256: String, regionsSHA256: String, indicators: Table, regions: Table,
                terreinGeometries: [Geometry]) {
        self.pipelineName = pipelineName
        self.pipelineFile = pipelineFile
        self.pipelineSHA256 = pipelineSHA256
        self.started = started
        self.finished = finished
        self.workCRS = workCRS
        self.outputDirectory = outputDirectory
        self.inputsJSON = inputsJSON
        self.parametersJSON = parametersJSON
        self.terreinVersion = terreinVersion
        self.geosVersion = geosVersion
        self.projVersion = projVersion
        self.gdalVersion = gdalVersion
        self.indicatorsSHA256 = indicatorsSHA256
        self.regionsSHA256 = regionsSHA256
        self.indicators = indicators
        self.regions = regions
        self.terreinGeometries = terreinGeometries
    }
}

extension RunHistory {
    /// The history belongs to another pipeline, or stores geometry in another CRS: the
    /// pipeline file (or `--history`) names the wrong file. The run maps it to a
    /// `ConfigError` on `outputs.history`.
    public struct Mismatch: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var problem: String
        public var hint: String
        public var description: String { "\(path): \(problem)\n  → \(hint)" }
    }

    /// The checks a run makes before it does any work: an existing history must be a
    /// Terrein history of this pipeline name, of a schema this Terrein knows and in the same
    /// work CRS; an older schema is migrated now (on a copy, renamed over the original). An
    /// absent history needs an existing folder. `append` checks all of it again.
    public static func prepare(path: String, pipelineName: String, workCRS: CRSIdentifier,
                               schema: HistorySchema = .current) throws {
        let parent = (path as NSString).deletingLastPathComponent
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent.isEmpty ? "." : parent, isDirectory: &isDir), isDir.boolValue else {
            throw OutputError(path: path, problem: "the folder of the run history does not exist",
                              hint: "create \(parent) or choose another outputs.history")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw OutputError(path: path, problem: "the run history path is a folder",
                              hint: "give a file name ending in .gpkg in outputs.history (or --history)")
        }
        let lock = try HistoryLock(path)
        defer { lock.release() }
        guard FileManager.default.fileExists(atPath: path) else { return }
        try checkAndMigrate(path, pipelineName: pipelineName, workCRS: workCRS, schema: schema)
    }

    /// Appends a run in one transaction under the history's lock and returns its run id.
    /// The first run writes a new file beside the target and renames it into place.
    /// `pauseHook("history-append")` is called with the transaction open (tests kill the run
    /// there).
    @discardableResult
    public static func append(_ record: HistoryRecord, to path: String, schema: HistorySchema = .current,
                              pauseHook: (String) -> Void = { _ in }) throws -> Int {
        for reserved in ["fid", "geom", "run_id"] {
            if record.indicators.columns.contains(where: { $0.name.lowercased() == reserved })
                || (reserved != "geom" && record.regions.columns.contains(where: { $0.name.lowercased() == reserved })) {
                throw OutputError(path: path, problem: "the column name '\(reserved)' is reserved in the run history")
            }
        }
        guard record.terreinGeometries.count == record.indicators.rows.count else {
            throw OutputError(path: path, problem: "\(record.indicators.rows.count) indicator rows but \(record.terreinGeometries.count) geometries")
        }
        let srs = try GeoPackageWriter.spatialReference(for: record.workCRS)
        let blobs = try record.terreinGeometries.map { try GeoPackageBinary.encode($0, srsID: srs.id) }

        let lock = try HistoryLock(path)
        defer { lock.release() }
        lock.cleanUpLeftovers()
        if FileManager.default.fileExists(atPath: path) {
            try checkAndMigrate(path, pipelineName: record.pipelineName, workCRS: record.workCRS, schema: schema)
            return try write(record, blobs: blobs, to: path, pauseHook: pauseHook)
        }
        // A new history: written completely beside the target, then renamed into place.
        let staging = lock.stagingPath("new")
        do {
            try createSkeleton(staging, record: record, srs: srs, schemaVersion: schema.version)
            let id = try write(record, blobs: blobs, to: staging, pauseHook: pauseHook)
            try syncFile(staging)
            guard rename(staging, path) == 0 else {
                throw OutputError(path: path, problem: "cannot rename the new run history into place: \(String(cString: strerror(errno)))")
            }
            try syncFile(lock.parent, directory: true)
            return id
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// What `terrein validate` says about a pipeline's history, without writing anything:
    /// nil when there is none yet; a `Mismatch` or `InputError` as a run would throw it.
    public static func inspect(path: String, pipelineName: String, workCRS: CRSIdentifier) throws -> RunHistory? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let h = try open(path: path)
        if let m = mismatch(path, stored: FileInfo(version: h.fileSchemaVersion, pipelineName: h.pipelineName, workCRS: h.workCRS),
                            pipelineName: pipelineName, workCRS: workCRS) {
            throw m
        }
        return h
    }

    static func mismatch(_ path: String, stored info: FileInfo, pipelineName: String, workCRS: CRSIdentifier) -> Mismatch? {
        guard info.pipelineName == pipelineName else {
            return Mismatch(path: path, problem: "this run history belongs to the pipeline \"\(info.pipelineName)\", not \"\(pipelineName)\"",
                            hint: "a history follows one pipeline (parameter and layer changes are new runs of it): give this pipeline its own history file, or run pipeline \"\(info.pipelineName)\"")
        }
        guard info.workCRS.isEmpty || info.workCRS == workCRS.description else {
            return Mismatch(path: path, problem: "this run history stores geometry in \(info.workCRS); the pipeline's work CRS is \(workCRS.description)",
                            hint: "keep work_crs: \(info.workCRS) for this history, or start a new history file for the new work CRS")
        }
        return nil
    }

    static func checkAndMigrate(_ path: String, pipelineName: String, workCRS: CRSIdentifier, schema: HistorySchema) throws {
        let queue = try openQueue(path, readonly: false)
        let info: FileInfo
        do {
            info = try readInfo(queue, path: path)
            try queue.close()
        } catch {
            try? queue.close()
            throw error
        }
        if info.version > schema.version { throw newerSchemaError(path, info.version, schema.version) }
        if let m = mismatch(path, stored: info, pipelineName: pipelineName, workCRS: workCRS) { throw m }
        if info.version < schema.version {
            // Never in place: the migration runs on a copy, which then replaces the original.
            let parent = (path as NSString).deletingLastPathComponent
            let name = (path as NSString).lastPathComponent
            let copy = (parent.isEmpty ? "." : parent) + "/.\(name).migrate-\(getpid())"
            do {
                try copyFile(path, to: copy)
                try migrate(copy, from: info.version, schema: schema, displayPath: path)
                try syncFile(copy)
                guard rename(copy, path) == 0 else {
                    throw OutputError(path: path, problem: "cannot rename the migrated run history into place: \(String(cString: strerror(errno)))")
                }
                try syncFile(parent.isEmpty ? "." : parent, directory: true)
            } catch {
                try? FileManager.default.removeItem(atPath: copy)
                throw error
            }
        }
    }

    // MARK: Writing

    static let tables: [(name: String, dataType: String)] = [
        ("history_meta", "attributes"), ("history_runs", "attributes"), ("history_columns", "attributes"),
        ("history_terreinen", "features"), ("history_regions", "attributes"),
    ]

    /// A new GeoPackage with the history's empty tables.
    static func createSkeleton(_ path: String, record: HistoryRecord, srs: GeoPackageWriter.SpatialReference,
                               schemaVersion: Int) throws {
        let fm = FileManager.default
        for suffix in ["", "-journal", "-wal", "-shm"] where fm.fileExists(atPath: path + suffix) {
            try fm.removeItem(atPath: path + suffix)
        }
        let wgs84Definition = try crsWKT(CRSIdentifier(authority: "EPSG", code: "4326"))
        let created = GeoPackageWriter.formatLastChange(record.finished)
        let queue = try openQueue(path, readonly: false)
        defer { try? queue.close() }
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA application_id = \(GeoPackageWriter.applicationID)")
            try db.execute(sql: "PRAGMA user_version = \(GeoPackageWriter.userVersion)")
        }
        try queue.write { db in
            try GeoPackageWriter.createCoreTables(db)
            try GeoPackageWriter.insertSpatialReferenceSystems(db, work: srs, wgs84Definition: wgs84Definition)
            try db.execute(sql: """
                CREATE TABLE history_meta (
                  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                  key TEXT NOT NULL UNIQUE,
                  value TEXT NOT NULL
                );
                CREATE TABLE history_runs (
                  run_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                  finished TEXT NOT NULL,
                  started TEXT,
                  pipeline_name TEXT NOT NULL,
                  pipeline_file TEXT,
                  pipeline_sha256 TEXT,
                  work_crs TEXT,
                  output_directory TEXT,
                  inputs TEXT,
                  parameters TEXT,
                  terrein_version TEXT,
                  geos_version TEXT,
                  proj_version TEXT,
                  gdal_version TEXT,
                  indicators_csv_sha256 TEXT,
                  regions_csv_sha256 TEXT,
                  terreinen INTEGER,
                  regions INTEGER
                );
                CREATE TABLE history_columns (
                  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                  run_id INTEGER NOT NULL REFERENCES history_runs(run_id),
                  table_name TEXT NOT NULL,
                  position INTEGER NOT NULL,
                  column_name TEXT NOT NULL,
                  kind TEXT NOT NULL,
                  decimals INTEGER,
                  role TEXT
                );
                CREATE INDEX history_columns_run ON history_columns (run_id, table_name);
                CREATE TABLE history_terreinen (
                  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                  geom MULTIPOLYGON,
                  run_id INTEGER NOT NULL REFERENCES history_runs(run_id)
                );
                CREATE INDEX history_terreinen_run ON history_terreinen (run_id);
                CREATE TABLE history_regions (
                  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                  run_id INTEGER NOT NULL REFERENCES history_runs(run_id)
                );
                CREATE INDEX history_regions_run ON history_regions (run_id);
                """)
            let meta = [("schema_version", String(schemaVersion)), ("pipeline_name", record.pipelineName),
                        ("work_crs", record.workCRS.description), ("created", created)]
            for (k, v) in meta {
                try db.execute(sql: "INSERT INTO history_meta (key, value) VALUES (?, ?)", arguments: [k, v])
            }
            let descriptions = [
                "history_meta": "Terrein run history: schema version and pipeline",
                "history_runs": "Terrein run history of pipeline \(record.pipelineName): one row per run",
                "history_columns": "Terrein run history: the columns of each run's tables",
                "history_terreinen": "Terrein run history: the terreinen of every run, with their indicators",
                "history_regions": "Terrein run history: the regions of every run",
            ]
            for (name, dataType) in tables {
                if dataType == "features" {
                    try db.execute(sql: """
                        INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id)
                        VALUES (?, 'features', ?, ?, ?, ?)
                        """, arguments: [name, name, descriptions[name], created, srs.id])
                    try db.execute(sql: """
                        INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)
                        VALUES (?, 'geom', 'MULTIPOLYGON', ?, 0, 0)
                        """, arguments: [name, srs.id])
                    try db.execute(sql: "CREATE VIRTUAL TABLE \(sqlName("rtree_\(name)_geom")) USING rtree(id, minx, maxx, miny, maxy)")
                    try db.execute(sql: """
                        INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
                        VALUES (?, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')
                        """, arguments: [name])
                    try GeoPackageWriter.createRTreeTriggers(db, table: name, column: "geom", idColumn: "fid")
                } else {
                    try db.execute(sql: """
                        INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
                        VALUES (?, 'attributes', ?, ?, ?)
                        """, arguments: [name, name, descriptions[name], created])
                }
            }
        }
        try queue.close()
    }

    static func kindName(_ kind: ColumnKind) -> (String, Int?) {
        switch kind {
        case .text: return ("text", nil)
        case .integer: return ("integer", nil)
        case .real(let d): return ("real", d)
        case .boolean: return ("boolean", nil)
        }
    }

    static func roleName(_ role: ColumnRole?) -> String? {
        switch role {
        case .identifier: return "identifier"
        case .label: return "label"
        case .grouping: return "grouping"
        case nil: return nil
        }
    }

    /// One transaction: the run row, its columns (new ones added to the tables), its
    /// terreinen with geometry and its regions, the contents' timestamps and extent.
    static func write(_ r: HistoryRecord, blobs: [GeoPackageBinary.Encoded], to path: String,
                      pauseHook: (String) -> Void) throws -> Int {
        let queue = try openQueue(path, readonly: false)
        defer { try? queue.close() }
        let finished = GeoPackageWriter.formatISO8601(r.finished)
        let lastChange = GeoPackageWriter.formatLastChange(r.finished)
        var runID = 0
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.inTransaction(.exclusive) {
                try db.execute(sql: """
                    INSERT INTO history_runs (finished, started, pipeline_name, pipeline_file, pipeline_sha256, work_crs,
                      output_directory, inputs, parameters, terrein_version, geos_version, proj_version, gdal_version,
                      indicators_csv_sha256, regions_csv_sha256, terreinen, regions)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [finished, r.started, r.pipelineName, r.pipelineFile, r.pipelineSHA256,
                                     r.workCRS.description, r.outputDirectory, r.inputsJSON, r.parametersJSON,
                                     r.terreinVersion, r.geosVersion, r.projVersion, r.gdalVersion,
                                     r.indicatorsSHA256, r.regionsSHA256, r.indicators.rows.count, r.regions.rows.count])
                runID = Int(db.lastInsertedRowID)
                for (table, t) in [("terreinen", r.indicators), ("regions", r.regions)] {
                    let sqlTable = "history_" + table
                    let existing = Set(try db.columns(in: sqlTable).map { $0.name.lowercased() })
                    for c in t.columns where !existing.contains(c.name.lowercased()) {
                        try db.execute(sql: "ALTER TABLE \(sqlName(sqlTable)) ADD COLUMN \(sqlName(c.name)) \(GeoPackageWriter.sqlType(c.kind))")
                    }
                    for (position, c) in t.columns.enumerated() {
                        let (kind, decimals) = kindName(c.kind)
                        try db.execute(sql: """
                            INSERT INTO history_columns (run_id, table_name, position, column_name, kind, decimals, role)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [runID, table, position, c.name, kind, decimals, roleName(c.schema?.role)])
                    }
                    let names = t.columns.map { ", " + sqlName($0.name) }.joined()
                    let geometry = table == "terreinen"
                    let placeholders = String(repeating: ", ?", count: t.columns.count + (geometry ? 1 : 0))
                    let insert = try db.makeStatement(sql: "INSERT INTO \(sqlName(sqlTable)) (run_id\(geometry ? ", geom" : "")\(names)) VALUES (?\(placeholders))")
                    for (i, row) in t.rows.enumerated() {
                        var values: [DatabaseValue] = [Int64(runID).databaseValue]
                        if geometry { values.append(Data(blobs[i].bytes).databaseValue) }
                        for (j, column) in t.columns.enumerated() {
                            values.append(j < row.count ? GeoPackageWriter.databaseValue(row[j], kind: column.kind) : .null)
                        }
                        try insert.execute(arguments: StatementArguments(values))
                    }
                }
                // The features' extent over every run.
                var extent: Bounds?
                for b in blobs { if let e = b.envelope { if extent == nil { extent = e } else { extent!.formUnion(e) } } }
                if let old = try Row.fetchOne(db, sql: "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'history_terreinen'"),
                   let minX: Double = old["min_x"], let minY: Double = old["min_y"],
                   let maxX: Double = old["max_x"], let maxY: Double = old["max_y"] {
                    let previous = Bounds(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
                    if extent == nil { extent = previous } else { extent!.formUnion(previous) }
                }
                if let e = extent {
                    try db.execute(sql: "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = 'history_terreinen'",
                                   arguments: [e.minX, e.minY, e.maxX, e.maxY])
                }
                try db.execute(sql: "UPDATE gpkg_contents SET last_change = ? WHERE table_name IN ('history_meta', 'history_runs', 'history_columns', 'history_terreinen', 'history_regions')",
                               arguments: [lastChange])
                pauseHook("history-append")
                return .commit
            }
        }
        try queue.close()
        return runID
    }

    /// fsync of a file or folder; a failure is an `OutputError`.
    static func syncFile(_ path: String, directory: Bool = false) throws {
        let fd = Glibc.open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC)
        guard fd >= 0 else { throw OutputError(path: path, problem: "cannot open to sync: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw OutputError(path: path, problem: "sync failed: \(String(cString: strerror(errno)))",
                              hint: "check the disk; the run history is as it was before this run")
        }
    }
}

/// The history's lock: `flock` on `.NAME.lock` beside it (holding the PID of its holder),
/// taken by every writer; a second run waits for it (up to two minutes, then an error
/// naming the holder). A killed holder's lock dies with it.
final class HistoryLock {
    let parent: String
    let name: String
    private var fd: Int32 = -1

    init(_ path: String, timeout: TimeInterval = 120) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        parent = url.deletingLastPathComponent().path
        name = url.lastPathComponent
        let lockPath = parent + "/.\(name).lock"
        switch PIDLock.take(lockPath, wait: timeout) {
        case .success(let fd):
            self.fd = fd
        case .failure(.cannotOpen(let e)):
            throw OutputError(path: lockPath, problem: "cannot open the run history's lock file: \(String(cString: strerror(e)))",
                              hint: "check that you may write into \(parent)")
        case .failure(.held(let holder)):
            throw OutputError(path: path, problem: "another Terrein run (PID \(holder)) has held the run history for \(Int(timeout)) s",
                              hint: "wait for it to finish and run again")
        }
    }

    func stagingPath(_ kind: String) -> String { parent + "/.\(name).\(kind)-\(getpid())" }

    /// Removes new or migrated copies that killed writers left (we hold the lock).
    func cleanUpLeftovers() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for e in entries where e.hasPrefix(".\(name).new-") || e.hasPrefix(".\(name).migrate-") {
            try? FileManager.default.removeItem(atPath: parent + "/" + e)
        }
    }

    func release() {
        if fd >= 0 { close(fd); fd = -1 }
    }

    deinit { release() }
}
