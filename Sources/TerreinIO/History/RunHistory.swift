import Foundation
import GRDB
import TerreinGeometry
#if canImport(Glibc)
import Glibc
#endif

/// A run history (`outputs.history: PATH.gpkg`, docs/history.md): every successful run of
/// one pipeline appends itself to a GeoPackage, so that indicators can be followed over
/// the years.
///
/// The file is an OGC GeoPackage 1.3 (GDAL, QGIS and `validate_gpkg.py` read it) with:
/// - `history_meta` (attributes): `key`/`value` rows: `schema_version`, `pipeline_name`,
///   `work_crs` (the CRS of the stored geometry), `created`;
/// - `history_runs` (attributes): one row per run: `run_id` (1, 2, ...), `finished`
///   (SOURCE_DATE_EPOCH when set, like the run's other timestamps), `started`,
///   `pipeline_name`, `pipeline_file`, `pipeline_sha256`, `work_crs`, `output_directory`,
///   `inputs` (JSON: layer, path as the pipeline gives it, SHA-256), `parameters` (the
///   resolved parameters, JSON as in the manifest), `terrein_version`, `geos_version`,
///   `proj_version`, `gdal_version`, `indicators_csv_sha256`, `regions_csv_sha256`,
///   `terreinen`, `regions`;
/// - `history_columns` (attributes): per run and table (`terreinen`, `regions`) the
///   columns that run wrote, in order, with their kind, decimals and role, so that a run's
///   tables are read back exactly as its CSVs were written;
/// - `history_terreinen` (features, MULTIPOLYGON in the history's CRS, R-tree index):
///   `run_id` and every column of that run's `indicators.csv` (rounded as there), with the
///   terrein's geometry of that run (boundaries change over the years);
/// - `history_regions` (attributes): `run_id` and every column of that run's `regions.csv`.
///   Regions have no geometry in Terrein (the region is an attribute of the terreinen).
///
/// Columns can differ between runs (a band parameter renames `n2k_within_<b>m`, a family
/// is added): a column first written by a later run is added with `ALTER TABLE ADD COLUMN`
/// and is NULL for the earlier runs; `history_columns` says which columns each run had.
///
/// Appending is atomic and exclusive: a lock file (`.NAME.lock` beside the history, `flock`)
/// serialises every writer, one SQLite transaction holds the whole run, and the first run
/// writes a new file beside the target and renames it into place. A killed run, or a kill
/// during the append, leaves the history as it was. A file written by an older history
/// schema is migrated on a copy that is then renamed over the original; a newer one is
/// refused.
///
/// Reading, for the report and the CLI:
/// ```swift
/// let h = try RunHistory.open(path: "history.gpkg")
/// for run in h.runs { print(run.runID, run.finished) }
/// let series = try h.series()          // terrein id → points in run order
/// let table = try h.indicators(runID: 2) // that run's indicators.csv as a Table
/// ```
public final class RunHistory {
    /// The history schema this Terrein writes.
    public static let schemaVersion = 1

    public let path: String
    /// The pipeline the history belongs to.
    public let pipelineName: String
    /// The schema version of the file as it was opened (older files are read through a
    /// migrated temporary copy).
    public let fileSchemaVersion: Int
    /// The CRS of the stored geometry ("EPSG:28992").
    public let workCRS: String
    /// Every run, in run order.
    public let runs: [HistoryRun]

    private let queue: DatabaseQueue
    private let temporaryCopy: String?

    deinit {
        try? queue.close()
        if let temporaryCopy { try? FileManager.default.removeItem(atPath: temporaryCopy) }
    }

    // MARK: Opening for reading

    /// Opens a history for reading. An older schema is migrated on a temporary copy (the
    /// file itself is left alone); a newer one, or a file that is no Terrein history, is
    /// an `InputError`.
    public static func open(path: String, schema: HistorySchema = .current) throws -> RunHistory {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw InputError(file: path, problem: "no such run history",
                             hint: "give the GeoPackage named by outputs.history (or --history) of a pipeline that has run")
        }
        var queue = try openQueue(path, readonly: !fm.isWritableFile(atPath: path))
        var info = try readInfo(queue, path: path)
        var copy: String?
        if info.version > schema.version {
            try? queue.close()
            throw newerSchemaError(path, info.version, schema.version)
        }
        if info.version < schema.version {
            try? queue.close()
            let tmp = NSTemporaryDirectory() + "terrein-history-\(getpid())-\(UUID().uuidString).gpkg"
            try copyFile(path, to: tmp)
            do {
                try migrate(tmp, from: info.version, schema: schema, displayPath: path)
                queue = try openQueue(tmp, readonly: false)
                info = try readInfo(queue, path: path)
            } catch {
                try? fm.removeItem(atPath: tmp)
                throw error
            }
            copy = tmp
        }
        let runs = try queue.read { db in try HistoryRun.fetchAll(db) }
        return RunHistory(path: path, queue: queue, info: info, runs: runs, temporaryCopy: copy)
    }

    private init(path: String, queue: DatabaseQueue, info: FileInfo, runs: [HistoryRun], temporaryCopy: String?) {
        self.path = path
        self.queue = queue
        self.pipelineName = info.pipelineName
        self.fileSchemaVersion = info.version
        self.workCRS = info.workCRS
        self.runs = runs
        self.temporaryCopy = temporaryCopy
    }

    /// The run with this id, or an `InputError` that lists the runs there are.
    public func run(_ runID: Int) throws -> HistoryRun {
        if let r = runs.first(where: { $0.runID == runID }) { return r }
        let ids = runs.map { String($0.runID) }
        throw InputError(file: path, problem: "no run \(runID) in this history",
                         hint: ids.isEmpty ? "the history has no runs yet"
                            : "its runs are " + (ids.count > 12 ? ids.prefix(6).joined(separator: ", ") + ", ..., " + ids.suffix(3).joined(separator: ", ")
                                                  : ids.joined(separator: ", ")) + " (`terrein history \(path)` lists them)")
    }

    /// The run `latest` or a number, as `terrein diff` and `terrein history` accept it.
    public func run(named name: String) throws -> HistoryRun {
        if name == "latest" {
            guard let last = runs.last else { throw InputError(file: path, problem: "the history has no runs yet") }
            return last
        }
        guard let id = Int(name), id > 0 else {
            throw InputError(file: path, problem: "\"\(name)\" is not a run id",
                             hint: "give a run number (`terrein history \(path)` lists them) or `latest`")
        }
        return try run(id)
    }

    /// That run's `indicators.csv` as a table: its columns in its order and kinds, its rows
    /// sorted by id as written. Columns carry the schema `catalog` knows for their name (for
    /// the CSV formula guard); the stored kinds win.
    public func indicators(runID: Int, catalog: ColumnCatalog = .empty) throws -> Table {
        try table("terreinen", runID: runID, catalog: catalog)
    }

    /// That run's `regions.csv` as a table.
    public func regions(runID: Int, catalog: ColumnCatalog = .empty) throws -> Table {
        try table("regions", runID: runID, catalog: catalog)
    }

    /// The terrein polygons of a run, by terrein id (WKB from the GeoPackage blobs).
    public func geometries(runID: Int) throws -> [String: Geometry] {
        _ = try run(runID)
        let idColumn = try columns("terreinen", runID: runID).first { $0.role == "identifier" }?.name ?? "id"
        return try queue.read { db in
            var out: [String: Geometry] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT \(sqlName(idColumn)) AS id, geom FROM history_terreinen WHERE run_id = ? ORDER BY fid",
                                        arguments: [runID])
            for row in rows {
                guard let id: String = row["id"], let blob: Data = row["geom"],
                      let g = try GeoPackageBinary.decode([UInt8](blob)) else { continue }
                out[id] = g
            }
            return out
        }
    }

    /// Every terrein's values over the runs: terrein id → one point per run that had the
    /// terrein, in run order. A point's `values` hold the columns of that run (by name;
    /// null values included as `.null`).
    public func series() throws -> [String: [HistoryPoint]] {
        try series("terreinen", role: "identifier", fallback: "id")
    }

    /// Every region's values over the runs: region (the empty string for terreinen without
    /// one) → one point per run that had the region, in run order.
    public func regionSeries() throws -> [String: [HistoryPoint]] {
        try series("regions", role: "grouping", fallback: "region")
    }

    /// One terrein's points, or an `InputError` naming a few ids the history has.
    public func series(terrein id: String) throws -> [HistoryPoint] {
        let all = try series()
        if let points = all[id] { return points }
        let known = all.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let shown = known.prefix(8).joined(separator: ", ") + (known.count > 8 ? ", ... (\(known.count) in all)" : "")
        throw InputError(file: path, problem: "no terrein with id \"\(id)\" in any run of this history",
                         hint: known.isEmpty ? "the history has no terreinen" : "ids there: \(shown)")
    }

    private func series(_ table: String, role: String, fallback: String) throws -> [String: [HistoryPoint]] {
        var out: [String: [HistoryPoint]] = [:]
        for run in runs {
            let t = try self.table(table, runID: run.runID, catalog: .empty)
            let stored = try columns(table, runID: run.runID)
            guard let key = stored.firstIndex(where: { $0.role == role }) ?? t.columnIndex(fallback) else { continue }
            for row in t.rows {
                guard case .text(let id) = row[key] else { continue }
                var values: [String: Cell] = [:]
                for (c, column) in t.columns.enumerated() { values[column.name] = row[c] }
                out[id, default: []].append(HistoryPoint(runID: run.runID, finished: run.finished, values: values))
            }
        }
        return out
    }

    // MARK: Reading tables

    struct StoredColumn {
        var name: String
        var kind: ColumnKind
        var role: String?
    }

    func columns(_ table: String, runID: Int) throws -> [StoredColumn] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT column_name, kind, decimals, role FROM history_columns
                WHERE run_id = ? AND table_name = ? ORDER BY position
                """, arguments: [runID, table]).map { row in
                let kindName: String = row["kind"]
                let kind: ColumnKind
                switch kindName {
                case "integer": kind = .integer
                case "real": kind = .real(decimals: row["decimals"] ?? 6)
                case "boolean": kind = .boolean
                default: kind = .text
                }
                return StoredColumn(name: row["column_name"], kind: kind, role: row["role"])
            }
        }
    }

    private func table(_ name: String, runID: Int, catalog: ColumnCatalog) throws -> Table {
        _ = try run(runID)
        let stored = try columns(name, runID: runID)
        let columns = stored.map { Column($0.name, $0.kind, schema: catalog.schema($0.name)) }
        guard !stored.isEmpty else { return Table(columns: columns) }
        let select = stored.map { sqlName($0.name) }.joined(separator: ", ")
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT \(select) FROM \(sqlName("history_" + name)) WHERE run_id = ? ORDER BY fid",
                             arguments: [runID]).map { row in
                stored.enumerated().map { c, column in Self.cell(row[c] as DatabaseValue, kind: column.kind) }
            }
        }
        return Table(columns: columns, rows: rows)
    }

    static func cell(_ v: DatabaseValue, kind: ColumnKind) -> Cell {
        switch (v.storage, kind) {
        case (.null, _): return .null
        case (.int64(let i), .boolean): return .boolean(i != 0)
        case (.int64(let i), .integer): return .integer(Int(i))
        case (.int64(let i), .real): return .real(Double(i))
        case (.double(let d), .real): return .real(d)
        case (.double(let d), .integer): return .integer(Int(d))
        case (.string(let s), .text): return .text(s)
        case (.string(let s), _): return .text(s)
        case (.int64(let i), .text): return .text(String(i))
        case (.double(let d), .text): return .text(String(d))
        case (.double(let d), .boolean): return .boolean(d != 0)
        case (.blob, _): return .null
        }
    }

    // MARK: Files

    struct FileInfo {
        var version: Int
        var pipelineName: String
        var workCRS: String
    }

    static func openQueue(_ path: String, readonly: Bool) throws -> DatabaseQueue {
        var config = Configuration()
        config.label = "RunHistory"
        config.readonly = readonly
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in GeoPackageWriter.registerSpatialFunctions(db) }
        do {
            return try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw InputError(file: path, problem: "cannot open the run history: \(error)",
                             hint: "give a GeoPackage written by `terrein run` with outputs.history")
        }
    }

    static func readInfo(_ queue: DatabaseQueue, path: String) throws -> FileInfo {
        let notHistory = { (why: String) in
            InputError(file: path, problem: "not a Terrein run history (\(why))",
                       hint: "give the GeoPackage named by outputs.history of a pipeline, or choose a new file name for a new history")
        }
        do {
            return try queue.read { db in
                guard try db.tableExists("history_meta") else { throw notHistory("no history_meta table") }
                let pairs = try Row.fetchAll(db, sql: "SELECT key, value FROM history_meta")
                var meta: [String: String] = [:]
                for row in pairs { meta[row["key"]] = row["value"] }
                guard let v = meta["schema_version"].flatMap(Int.init), let name = meta["pipeline_name"] else {
                    throw notHistory("history_meta has no schema_version or pipeline_name")
                }
                return FileInfo(version: v, pipelineName: name, workCRS: meta["work_crs"] ?? "")
            }
        } catch let e as InputError {
            throw e
        } catch {
            throw notHistory("\(error)")
        }
    }

    static func newerSchemaError(_ path: String, _ found: Int, _ known: Int) -> InputError {
        InputError(file: path, problem: "the run history has schema version \(found); this Terrein (\(terreinHistoryVersionNote)) knows versions up to \(known)",
                   hint: "use a newer Terrein for this history (it is left untouched), or write to a new history file")
    }

    static let terreinHistoryVersionNote = "history schema \(schemaVersion)"

    /// Copies a file's bytes (a plain copy: the caller holds the lock, no writer is active).
    static func copyFile(_ from: String, to: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: to) { try fm.removeItem(atPath: to) }
        do {
            try fm.copyItem(atPath: from, toPath: to)
        } catch {
            throw OutputError(path: to, problem: "cannot copy the run history for its migration: \(error)",
                              hint: "free disk space beside the history; the history is untouched")
        }
    }

    /// Runs the migrations from `version` up to `schema.version` on the file at `path` (a
    /// copy), one transaction each.
    static func migrate(_ path: String, from version: Int, schema: HistorySchema, displayPath: String) throws {
        let queue = try openQueue(path, readonly: false)
        defer { try? queue.close() }
        var v = version
        while v < schema.version {
            guard let step = schema.migrations[v] else {
                throw InputError(file: displayPath, problem: "no migration from history schema version \(v) to \(v + 1)",
                                 hint: "this history is too old for this Terrein: use a Terrein version of its time to export it")
            }
            try queue.write { db in
                try step(db)
                try db.execute(sql: "UPDATE history_meta SET value = ? WHERE key = 'schema_version'", arguments: [String(v + 1)])
            }
            v += 1
        }
    }
}

/// A history schema: its version and the migrations that lead to it. `migrations[v]`
/// turns a file of version `v` into one of version `v + 1`, inside a transaction on a copy.
/// Version 1 is the first; there are no migrations yet (tests pass their own schema).
public struct HistorySchema: Sendable {
    public var version: Int
    public var migrations: [Int: @Sendable (Database) throws -> Void]
    public init(version: Int, migrations: [Int: @Sendable (Database) throws -> Void]) {
        self.version = version
        self.migrations = migrations
    }
    public static let current = HistorySchema(version: RunHistory.schemaVersion, migrations: [:])
}

/// One row of `history_runs`.
public struct HistoryRun: Sendable, Equatable {
    public var runID: Int
    public var finished: String
    public var started: String
    public var pipelineName: String
    public var pipelineFile: String
    public var pipelineSHA256: String
    public var workCRS: String
    public var outputDirectory: String
    /// JSON: `[{"layer": ..., "path": ..., "sha256": ...}]`.
    public var inputs: String
    /// JSON: the resolved parameters.
    public var parameters: String
    public var terreinVersion, geosVersion, projVersion, gdalVersion: String
    public var indicatorsSHA256, regionsSHA256: String
    public var terreinen, regions: Int

    static func fetchAll(_ db: Database) throws -> [HistoryRun] {
        try Row.fetchAll(db, sql: "SELECT * FROM history_runs ORDER BY run_id").map { r in
            HistoryRun(runID: r["run_id"], finished: r["finished"], started: r["started"] ?? "",
                       pipelineName: r["pipeline_name"], pipelineFile: r["pipeline_file"] ?? "",
                       pipelineSHA256: r["pipeline_sha256"] ?? "", workCRS: r["work_crs"] ?? "",
                       outputDirectory: r["output_directory"] ?? "", inputs: r["inputs"] ?? "[]",
                       parameters: r["parameters"] ?? "{}", terreinVersion: r["terrein_version"] ?? "",
                       geosVersion: r["geos_version"] ?? "", projVersion: r["proj_version"] ?? "",
                       gdalVersion: r["gdal_version"] ?? "", indicatorsSHA256: r["indicators_csv_sha256"] ?? "",
                       regionsSHA256: r["regions_csv_sha256"] ?? "", terreinen: r["terreinen"] ?? 0,
                       regions: r["regions"] ?? 0)
        }
    }
}

/// One terrein's (or region's) values in one run.
public struct HistoryPoint: Sendable, Equatable {
    public var runID: Int
    /// The run's `finished` time (ISO 8601, UTC).
    public var finished: String
    /// The run's columns by name, as in that run's CSV (rounded); `.null` for empty values.
    public var values: [String: Cell]
    public init(runID: Int, finished: String, values: [String: Cell]) {
        self.runID = runID
        self.finished = finished
        self.values = values
    }
}

@inline(__always) func sqlName(_ name: String) -> String { GeoPackageWriter.quoteIdentifier(name) }
