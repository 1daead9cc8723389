import Foundation
import TerreinGDAL
import TerreinGeometry
import TerreinIO

/// The run's two steps with the run history (`outputs.history`, docs/history.md): the
/// check before any work, and the append after the outputs are swapped in.
extension Runner {
    /// Refuses, before anything is read, a history of another pipeline, of a newer schema or
    /// in another work CRS (an older schema is migrated now, on a copy).
    static func checkHistory(_ pipeline: Pipeline) throws {
        guard let path = pipeline.historyPath else { return }
        try refuseHistoryInsideOutputs(pipeline, path)
        do {
            try mappingMismatch(pipeline) {
                try RunHistory.prepare(path: path, pipelineName: pipeline.name, workCRS: pipeline.workCRS)
            }
        } catch let e where e is ConfigError || e is InputError || e is OutputError {
            throw e
        } catch {
            // SQLite failing while migrating the copy (disk full, I/O).
            throw OutputError(path: path, problem: "migrating the run history failed: \(error)",
                              hint: "free disk space beside the history and run again; the history is as it was")
        }
    }

    /// Whether the run history, if the pipeline keeps one, already holds the run whose results
    /// are in `folder` (its newest run has the folder's `indicators.csv`). A run killed after its
    /// outputs were swapped in but before its append left a folder the history lacks: the
    /// same-inputs exit must not skip that append (docs/incremental.md).
    static func historyHoldsFolder(_ pipeline: Pipeline, folder: String) -> Bool {
        guard let path = pipeline.historyPath else { return true }
        guard FileManager.default.fileExists(atPath: path),
              let last = (try? RunHistory.open(path: path))?.runs.last,
              let csv = try? Hashing.sha256Hex(fileAt: folder + "/indicators.csv") else { return false }
        return last.indicatorsSHA256 == csv
    }

    /// Appends the finished run (called after `out.commit`); returns the new run id.
    static func appendHistory(_ pipeline: Pipeline, sources: [DataPackageWriter.Source], started: String,
                              indicators: Table, regions: Table, indicatorsCSV: String, regionsCSV: String,
                              geometries: [Geometry]) throws -> Int? {
        guard let path = pipeline.historyPath else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .throw
        struct InputEntry: Encodable { var layer, path, sha256: String }
        let inputs = sources.map { InputEntry(layer: $0.title, path: $0.path, sha256: $0.sha256) }
        // With SOURCE_DATE_EPOCH set, both times are that time (as the GeoPackage's and the data
        // package's are), so that the same runs give the same history bytes.
        let reproducible = !(ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] ?? "").isEmpty
        let finished = try sourceDate()
        let record = HistoryRecord(
            pipelineName: pipeline.name, pipelineFile: pipeline.file, pipelineSHA256: pipeline.sha256,
            started: reproducible ? GeoPackageWriter.formatISO8601(finished) : started, finished: finished,
            workCRS: pipeline.workCRS,
            outputDirectory: pipeline.outputDirectory,
            inputsJSON: String(decoding: try encoder.encode(inputs), as: UTF8.self),
            parametersJSON: String(decoding: try encoder.encode(pipeline.parameters), as: UTF8.self),
            terreinVersion: terreinVersion, geosVersion: GEOSContext.version, projVersion: TerreinGeometry.projVersion,
            gdalVersion: TerreinGDAL.gdalVersion,
            indicatorsSHA256: Hashing.sha256Hex(Data(indicatorsCSV.utf8)),
            regionsSHA256: Hashing.sha256Hex(Data(regionsCSV.utf8)),
            indicators: indicators, regions: regions, terreinGeometries: geometries)
        let done = "the run's outputs are in place in \(pipeline.outputDirectory); this run was not added to the history"
        do {
            return try mappingMismatch(pipeline) {
                try RunHistory.append(record, to: path, pauseHook: testPause)
            }
        } catch let e as OutputError {
            throw OutputError(path: e.path, problem: e.problem, hint: (e.hint.isEmpty ? "" : e.hint + "; ") + done)
        } catch let e as ConfigError {
            throw e
        } catch let e as InputError {
            throw e
        } catch {
            // SQLite failing to write (disk full, permissions, I/O).
            throw OutputError(path: path, problem: "appending the run to the history failed: \(error)",
                              hint: "free disk space or fix the permissions and run again; \(done), the history is as it was")
        }
    }

    /// For `terrein validate`: a line about the pipeline's history (nil without one), or the
    /// error a run would give, without writing anything.
    public static func describeHistory(_ pipeline: Pipeline) throws -> String? {
        guard let path = pipeline.historyPath else { return nil }
        try refuseHistoryInsideOutputs(pipeline, path)
        let h = try mappingMismatch(pipeline) {
            try RunHistory.inspect(path: path, pipelineName: pipeline.name, workCRS: pipeline.workCRS)
        }
        guard let h else { return "history: \(path) does not exist yet; the first run creates it" }
        return "history: \(path), \(h.runs.count) run\(h.runs.count == 1 ? "" : "s") of pipeline \(h.pipelineName) (schema version \(h.fileSchemaVersion))"
    }

    /// The output folder is replaced as a whole by every run: a history inside it would be
    /// removed with the previous results.
    static func refuseHistoryInsideOutputs(_ pipeline: Pipeline, _ path: String) throws {
        let out = URL(fileURLWithPath: pipeline.outputDirectory).standardizedFileURL.path
        let history = URL(fileURLWithPath: path).standardizedFileURL.path
        guard history.hasPrefix(out.hasSuffix("/") ? out : out + "/") || history == out else { return }
        throw ConfigError(file: pipeline.file, keyPath: "outputs.history",
                          problem: "the run history \(history) is inside the output folder \(out), which every run replaces as a whole",
                          hint: "put the history beside the output folder, e.g. history: ../Output/\(pipeline.name)-history.gpkg")
    }

    /// A history of another pipeline or CRS is a wrong `outputs.history` (or `--history`).
    private static func mappingMismatch<T>(_ pipeline: Pipeline, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as RunHistory.Mismatch {
            throw ConfigError(file: pipeline.file, keyPath: "outputs.history", problem: "\(e.path): \(e.problem)", hint: e.hint)
        }
    }
}
