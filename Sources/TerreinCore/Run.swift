import Foundation
import TerreinGeometry
import TerreinIO

/// Options of `terrein run`.
public struct RunOptions: Sendable {
    public var threads: Int
    public var strict: Bool
    public var language: String
    public var progress: Bool
    /// Ignore the incremental cache and the same-inputs check: compute every terrein.
    public var full: Bool
    /// The process ends after the run (the CLI): the layers and results are left to the exit
    /// instead of being freed one by one (`ProcessLifetime`).
    public var endsProcess = false
    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount, strict: Bool = false,
                language: String = "nl", progress: Bool = false, full: Bool = false) {
        self.threads = max(1, threads)
        self.strict = strict
        self.language = language
        self.progress = progress
        self.full = full
    }
}

/// Values kept until the process exits. Freeing a national run's layers one geometry at a
/// time costs seconds the exit does in one go: at scale L (1.65 million GEOS geometries and
/// their STRtrees), `terrein run` took 24.9 s of wall time against 21.8 s inside the run, the
/// difference being mostly `GEOSGeom_destroy` and `free` (`perf record`, 2026-12-01). Only for a
/// process that ends after the run (`RunOptions.endsProcess`); tests and library callers free.
enum ProcessLifetime {
    nonisolated(unsafe) private static var kept: [Any] = []
    private static let lock = NSLock()

    static func keep(_ value: Any) {
        lock.lock()
        kept.append(value)
        lock.unlock()
    }
}

/// What a run produced, for the CLI to print.
public struct RunSummary: Sendable {
    public var outputDirectory: String
    public var files: [String]
    public var terreinen: Int
    public var regions: Int
    public var warnings: [String]
    public var seconds: Double
    /// The run's id in the run history, when the pipeline keeps one.
    public var historyRunID: Int? = nil
    /// The folder already held the results of these inputs (docs/incremental.md): nothing was written.
    public var unchanged = false
    /// How many terreinen were reused from the previous results, and why the others were not.
    public var incremental: IncrementalSummary?
}

/// Stage timings for the manifest.
struct StageClock {
    private(set) var stages: [(String, Double)] = []
    private var last = Date()
    mutating func lap(_ name: String) {
        let now = Date()
        stages.append((name, now.timeIntervalSince(last)))
        last = now
    }
}

/// A test-only pause: with TERREIN_TEST_PAUSE_AT=<stage>, the run stops at that stage
/// (printing "paused at <stage>" on stderr) until it is killed, so that kill tests
/// land at a known point rather than by timing.
public func testPause(_ stage: String) {
    guard let want = ProcessInfo.processInfo.environment["TERREIN_TEST_PAUSE_AT"], want == stage else { return }
    // write(2), not FileHandle.write, which traps when stderr cannot take the bytes (a full
    // disk, `ulimit -f`); a lost line only makes the waiting test time out.
    let line = Array("paused at \(stage)\n".utf8)
    var offset = 0
    while offset < line.count {
        let n = line[offset...].withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
    }
    while true { sleep(60) }
}

public enum Runner {
    /// Computes every terrein: in parallel over `threads`, each thread with its own GEOS
    /// context; results in id order whatever the thread count.
    public static func compute(_ indexed: IndexedLayers, schema: IndicatorSchema, parameters: Parameters, threads: Int,
                               progress: ProgressReporter? = nil, collectDisplay: Bool = false) throws -> [TerreinResult] {
        let layers = indexed.layers
        let terreinen = idOrder(layers.terreinen)
        progress?.begin("indicators", total: terreinen.count)
        let results = try parallelMap(count: terreinen.count, threads: threads) { i -> TerreinResult in
            defer { progress?.advance() }
            return try computeOne(terreinen[i], indexed, schema, parameters, collectDisplay: collectDisplay)
        }
        progress?.end()
        return results
    }

    /// `compute` with the standard families.
    public static func compute(_ indexed: IndexedLayers, parameters: Parameters, threads: Int,
                               progress: ProgressReporter? = nil) throws -> [TerreinResult] {
        try compute(indexed, schema: IndicatorSchema(parameters: parameters), parameters: parameters,
                    threads: threads, progress: progress)
    }

    /// The terreinen sorted by id (as UTF-8 bytes): the order of results and tables.
    static func idOrder(_ terreinen: [Terrein]) -> [Terrein] {
        terreinen.sorted { Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8)) }
    }

        static func computeOne(_ t: Terrein, _ indexed: IndexedLayers, _ schema: IndicatorSchema, _ p: Parameters,
                           collectDisplay: Bool = false) throws -> TerreinResult {
        do {
            let context = TerreinContext(frame: try TerreinFrame(t), indexed: indexed, parameters: p, collectDisplay: collectDisplay)
            return try schema.compute(context)
        } catch let e as GeometryError {
            throw InputError(file: "terrein \(t.id)", featureIndex: t.index,
                             problem: "geometry operation failed: \(e)",
                             hint: Self.geometryHint)
        }
    }

    /// What to do when GEOS fails on (valid-looking) user data.
    static let geometryHint = "GEOS could not process the geometry of this terrein or of the features around it: check "
        + "the layers with `terrein inspect`, repair or simplify the features there (if they look right, please report "
        + "it with the input files)"

    /// Runs `body`, turning a GEOS failure into an InputError naming the layers involved.
    static func onLayers<T>(_ kinds: [LayerKind], of pipeline: Pipeline, _ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as GeometryError {
            let files = kinds.flatMap { pipeline.sources($0).map(\.path) }
            throw InputError(file: files.isEmpty ? pipeline.file : files.joined(separator: ", "),
                             problem: "geometry operation failed while \(what): \(e)", hint: geometryHint)
        }
    }

    /// Loads, computes and writes a pipeline's outputs atomically.
    public static func run(_ pipeline: Pipeline, options: RunOptions,
                           families: [any IndicatorFamily] = IndicatorFamilies.standard,
                           log: @escaping @Sendable (String) -> Void) throws -> RunSummary {
        let started = Date()
        let startedWall = ISO8601DateFormatter().string(from: started)
        var clock = StageClock()
        let progress = ProgressReporter(enabled: options.progress)
        let lastChange = try sourceDate()
        // The output lock before anything is read: a second run into the same folder is
        // refused at once, not after all its work. `out` holds the lock until the commit.
        let out = try OutputDirectory(target: pipeline.outputDirectory)
        // The run history is checked before any work (even a same-inputs exit) and appended after the swap.
        try checkHistory(pipeline)
        // The same inputs as the run that wrote the folder: say so, write nothing (docs/incremental.md).
        let sameInputs = SameInputs.settings(pipeline, options: options, families: families)
        if !options.full, historyHoldsFolder(pipeline, folder: out.target),
           try SameInputs.unchanged(pipeline, settings: sameInputs, folder: out.target) {
            return RunSummary(outputDirectory: pipeline.outputDirectory, files: [], terreinen: 0, regions: 0, warnings: [],
                              seconds: Date().timeIntervalSince(started), unchanged: true)
        }

        let schema = IndicatorSchema(families: families, parameters: pipeline.parameters)
        let grid = Incremental.gridSHA256()
        var loadOptions = LoadOptions(strict: options.strict, threads: options.threads)
        loadOptions.onBytesRead = { progress.advance(by: $0) }
        // Geometries the previous run found valid as built are not checked again (docs/incremental.md).
        var cacheWarnings: [String] = []
        var validityNote = "--full: not read"
        if !options.full {
            do {
                loadOptions.knownValid = try ValidityCache.read(folder: out.target)
                loadOptions.deferKnownValid = Incremental.expectsReuse(pipeline, options: options, schema: schema,
                                                                      gridSHA256: grid, folder: out.target)
                validityNote = loadOptions.knownValid == nil ? "none in the output folder: every geometry checked" : "read"
            } catch let e as ResultCache.Unusable {
                validityNote = "ignored: \(e.description)"
                cacheWarnings.append("the validity cache was ignored, every geometry is checked: \(e.description)")
            }
        }
        let inputBytes = LayerKind.allCases.flatMap { pipeline.sources($0) }.reduce(0) { total, layer in
            total + ((try? FileManager.default.attributesOfItem(atPath: layer.path)[.size] as? Int) ?? 0)
        }
        progress.begin("reading", total: inputBytes, bytes: true)
        var loaded: LoadedLayers? = try LoadedLayers.load(pipeline, options: loadOptions) { kind in
            if !options.progress { log("reading \(kind.rawValue)") }
        }
        progress.end()
        clock.lap("read_reproject_repair")
        testPause("loaded")

        // The index holds the only copy of the layers from here on: building deferred features
        // in place (`materialize`) then copies no array.
        let indexed = try onLayers(LayerKind.allCases, of: pipeline, "indexing the layers") {
            try IndexedLayers(loaded.take()!, threads: options.threads)
        }
        clock.lap("index")

        // Incremental runs: keys per terrein, the previous cache, what can be reused.
        var reuse = try IncrementalRun.prepare(pipeline, options: options, indexed: indexed, schema: schema,
                                               gridSHA256: grid, folder: out.target, log: log)
        reuse.plan.summary.validityCache = validityNote
        reuse.plan.summary.validityChecksSkipped = indexed.layers.stats.values.reduce(0) { $0 + $1.validityChecksSkipped }
        clock.lap("incremental_keys")
        // The features that the terreinen to compute need, built (docs/incremental.md, "Deferred geometry").
        try onLayers([.roofs, .landcover, .inundation], of: pipeline, "building the features of the terreinen to compute") {
            try reuse.materialize(indexed, threads: options.threads)
        }
        reuse.plan.summary.geometriesDeferred = indexed.layers.deferred.reduce(0) { $0 + $1.positions.count }
        reuse.plan.summary.geometriesBuiltLater = indexed.builtLater
        clock.lap("build_deferred")
        let layers = indexed.layers
        let results = try reuse.compute(indexed, schema: schema, parameters: pipeline.parameters, threads: options.threads,
                                        progress: progress, collectDisplay: pipeline.wantsDisplay)
        clock.lap("indicators")
        testPause("computed")

        let (indicators, regions, warnings, overlaps) = try tables(results, schema: schema, layers: layers, pipeline: pipeline)
        clock.lap("tables_overlaps")

        // Writers: everything goes into the staging folder, then one swap.
        progress.begin("writing", total: pipeline.formats.count + 1)
        defer { progress.end() }
        // The result cache's entries are rendered beside the writers: they need only the results
        // (with display features for the report, 1 s at scale real-s, as long as the writers).
        let cacheInputs = UncheckedBox((results, reuse, schema))
        let (written, cacheBody) = try besides(threads: options.threads, {
            try writeOutputs(indicators: indicators, regions: regions, results: results, terreinen: layers.terreinen,
                             natura2000: layers.natura2000, sources: dataPackageSources(pipeline, layers),
                             pipeline: pipeline, options: options, lastChange: lastChange, to: out, progress: progress)
        }, {
            let (results, reuse, schema) = cacheInputs.value
            return try reuse.cacheBody(results, schema: schema)
        })
        var files = written.files
        clock.lap("write")
        testPause("staging-written")

        // The caches for the next run (the result cache lists the files a same-inputs exit
        // requires, the manifest among them), timed before the manifest is built.
        try out.write(ResultCache.fileName, parts: try reuse.cacheFile(results, schema: schema, pipeline: pipeline, layers: layers,
                                                                       settings: sameInputs, outputs: files + ["manifest.json"],
                                                                       body: cacheBody))
        try out.write(ValidityCache.fileName, try ValidityCache.render(layers))
        clock.lap("write_caches")
        let manifest = try Manifest.build(pipeline: pipeline, options: options, layers: layers, schema: schema, results: results,
                                      stages: clock.stages, started: startedWall, finished: Date(),
                                      files: files + [ResultCache.fileName, ValidityCache.fileName], warnings: warnings,
                                      overlaps: overlaps, incremental: reuse.summary)
        files += [ResultCache.fileName, ValidityCache.fileName]
        try out.write("manifest.json", manifest)
        files.append("manifest.json")
        progress.advance()
        try out.commit(pauseHook: testPause)
        let historyRunID = try appendHistory(pipeline, sources: dataPackageSources(pipeline, layers), started: startedWall, indicators: indicators,
                                             regions: regions, indicatorsCSV: written.indicatorsCSV, regionsCSV: written.regionsCSV,
                                             geometries: written.geometries)
        if options.endsProcess { ProcessLifetime.keep((indexed, results, reuse)) }
        // A cache that could not be trusted is a warning of this run, not of its results (the manifest).
        return RunSummary(outputDirectory: pipeline.outputDirectory, files: files, terreinen: results.count,
                          regions: regions.rows.count, warnings: warnings + cacheWarnings + reuse.warnings,
                          seconds: Date().timeIntervalSince(started), historyRunID: historyRunID,
                          incremental: reuse.summary)
    }

    /// Both tables from the results (sorted by id), the layers' warnings, and the number of
    /// overlapping terrein pairs over the whole terreinen layer (with its warning).
    static func tables(_ results: [TerreinResult], schema: IndicatorSchema, layers: LoadedLayers,
                       pipeline: Pipeline) throws -> (indicators: Table, regions: Table, warnings: [String], overlaps: Int) {
        var warnings = layerWarnings(layers)
        let overlaps = try onLayers([.terreinen], of: pipeline, "looking for overlapping terreinen") {
            try overlappingPairs(layers.terreinen)
        }
        if overlaps > 0 { warnings.append("\(overlaps) pair(s) of terreinen overlap; each is computed on its own") }
        return (schema.indicatorTable(results), schema.regionTable(results), warnings, overlaps)
    }

    /// What `writeOutputs` wrote, and what the run history takes from it.
    struct WrittenOutputs {
        var files: [String]
        var indicatorsCSV: String
        var regionsCSV: String
        /// The terrein polygons in table order.
        var geometries: [Geometry]
    }

    /// Every output file but the manifest, into the staging folder: the CSVs and their data
    /// package, then GeoJSON, GeoPackage, report and profiles as the pipeline asks. One function
    /// for a run and a merge of shards, so that both write the same bytes from the same results
    /// (`results` sorted by id, with their display features when the report or GeoPackage is on).
    static func writeOutputs(indicators: Table, regions: Table, results: [TerreinResult], terreinen: [Terrein],
                             natura2000: [Site]?, sources: [DataPackageWriter.Source], pipeline: Pipeline,
                             options: RunOptions, lastChange: Date, to out: OutputDirectory,
                             progress: ProgressReporter) throws -> WrittenOutputs {
        var files: [String] = []
        let indicatorsCSV = CSVFormat.render(indicators), regionsCSV = CSVFormat.render(regions)
        try out.write("indicators.csv", indicatorsCSV)
        try out.write("regions.csv", regionsCSV)
        files += ["indicators.csv", "regions.csv"]
        // The data package describes the two CSVs, so it belongs to the csv format (always written).
        try out.write("datapackage.json", DataPackageWriter.render(
            pipelineName: pipeline.name,
            indicators: .init(resourceName: "indicators", path: "indicators.csv", table: indicators, bytes: Data(indicatorsCSV.utf8)),
            regions: .init(resourceName: "regions", path: "regions.csv", table: regions, bytes: Data(regionsCSV.utf8)),
            sources: sources, created: lastChange, language: options.language))
        files.append("datapackage.json")
        progress.advance()
        // Keyed by the id's bytes: ids that differ only in Unicode normalisation are distinct.
        let byId = Dictionary(uniqueKeysWithValues: terreinen.map { (ByteKey($0.id), $0.geometry) })
        let wantsDisplay = pipeline.wantsDisplay
        var artifacts = RunArtifacts(
            pipelineName: pipeline.name, indicators: indicators, regions: regions,
            terreinGeometries: results.map { byId[ByteKey($0.id)]! },
            // Simplified sites are only drawn (report) or stored (GeoPackage for the report).
            natura2000Display: wantsDisplay
                ? try onLayers([.natura2000], of: pipeline, "simplifying the sites for display") {
                    try simplifiedSites(natura2000 ?? [], threads: options.threads)
                } : [],
            workCRS: pipeline.workCRS, language: options.language)
        if wantsDisplay { artifacts.profileFeatures = results.map { $0.outputs.flatMap(\.display) } }
        try writeExtraFormats(artifacts, pipeline: pipeline, options: options, lastChange: lastChange, to: out,
                              files: &files, progress: progress)
        return WrittenOutputs(files: files, indicatorsCSV: indicatorsCSV, regionsCSV: regionsCSV,
                              geometries: artifacts.terreinGeometries)
    }

    /// The sites simplified for display (25 m, `simplifiedForDisplay`), in their order. In parallel,
    /// the sites with most vertices first: at scale M (21 sites, one of 250,000 vertices) the
    /// simplification alone took 7.4 % of a run's samples with every format on, on one thread
    /// (perf, 2026-12-02).
    static func simplifiedSites(_ sites: [Site], threads: Int) throws -> [(String, Geometry)] {
        let sizes = try sites.map { try $0.geometry.numPoints }
        let order = sites.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        let simplified = try parallelMap(count: order.count, threads: threads) { k in
            try sites[order[k]].geometry.simplifiedForDisplay(tolerance: 25)
        }
        var out = [(String, Geometry)?](repeating: nil, count: sites.count)
        for (k, i) in order.enumerated() { out[i] = (sites[i].name ?? "", simplified[k]) }
        return out.map { $0! }
    }

    /// The input layers as the data package's `sources`: path as the pipeline file gives it, SHA-256
    /// (each land cover source on its own).
    static func dataPackageSources(_ pipeline: Pipeline, _ layers: LoadedLayers) -> [DataPackageWriter.Source] {
        var out: [DataPackageWriter.Source] = []
        for kind in LayerKind.allCases {
            for (s, config) in zip(layers.sourceStats[kind] ?? [], pipeline.sources(kind)) {
                let title = kind.rawValue + (config.sourceIndex.map { ".sources[\($0)]" } ?? "")
                out.append(.init(title: title, path: config.declaredPath, sha256: s.sha256))
            }
        }
        for kind in RasterLayerKind.allCases {
            guard let r = layers.rasters[kind] else { continue }
            out.append(.init(title: kind.rawValue, path: r.config.declaredPath, sha256: r.sha256))
        }
        return out
    }

    /// Repairs, skips and other things the analyst should know, per layer (per source for
    /// land cover from several sources: `landcover.sources[1]`).
    static func layerWarnings(_ layers: LoadedLayers) -> [String] {
        var w: [String] = []
        for kind in LayerKind.allCases {
            for s in layers.sourceStats[kind] ?? layers.stats[kind].map({ [$0] }) ?? [] {
            let name = kind.rawValue + (s.sourceIndex.map { ".sources[\($0)]" } ?? "")
            if s.repaired > 0 {
                w.append("\(name): \(s.repaired) feature(s) repaired (first: \(s.firstRepaired.map { "#\($0.index) \($0.reason)" }.joined(separator: "; ")))")
            }
            if s.skipped > 0 {
                w.append("\(name): \(s.skipped) feature(s) skipped (first: \(s.firstSkipped.map { "#\($0.index) \($0.reason)" }.joined(separator: "; ")))")
            }
            if kind != .terreinen && kind != .roofs && s.used == 0 {
                w.append(s.features == 0
                         ? "\(name): the layer has no features (check the file and layers.\(name).path)"
                         : "\(name): none of the layer's \(s.features) features is usable (all skipped)")
            }
            if s.nonNumericDepths > 0 {
                w.append("\(name): \(s.nonNumericDepths) feature(s) with a depth that is missing or not a number, which never flood (first: \(s.firstNonNumericDepths.map { "#\($0)" }.joined(separator: ", ")))")
            }
            if !s.unmappedClasses.isEmpty {
                w.append("\(name): unmapped class values counted as other: " +
                         s.unmappedClasses.keys.sorted().map { "\"\($0)\" (\(s.unmappedClasses[$0]!))" }.joined(separator: ", "))
            }
            }
        }
        return w
    }

    /// Number of pairs of terreinen whose interiors overlap (area > 1e-6 m²).
    static func overlappingPairs(_ terreinen: [Terrein]) throws -> Int {
        let index = try SpatialIndex(terreinen.map(\.geometry))
        var pairs = 0
        for (i, t) in terreinen.enumerated() {
            for j in index.query(t.geometry) where j > i {
                if try t.geometry.intersects(terreinen[j].geometry),
                   try t.geometry.intersection(terreinen[j].geometry).area() > 1e-6 {
                    pairs += 1
                }
            }
        }
        return pairs
    }

    /// GeoJSON, GeoPackage and report, as the pipeline asks. The GeoPackage (one SQLite
    /// transaction on one thread) is written beside the GeoJSON and the report: they read the
    /// same artifacts and write different files in the staging folder. Measured at scale M with
    /// every format on (release build, `--threads 2 --full`, three runs each, 2026-12-02): write
    /// stage 1.22 / 1.21 / 0.96 s → 0.92 / 1.19 / 0.85 s, every output byte-identical with
    /// `--threads 1` (docs/performance.md, "The GeoPackage beside the other writers").
    static func writeExtraFormats(_ a: RunArtifacts, pipeline: Pipeline, options: RunOptions, lastChange: Date,
                                  to out: OutputDirectory, files: inout [String], progress: ProgressReporter) throws {
        // The staging path is taken here, on this thread: the side thread only writes its file.
        let gpkgPath = pipeline.formats.contains(.gpkg) ? try out.stagingPath("indicators.gpkg") : nil
        let artifacts = UncheckedBox(a)
        let (others, _) = try besides(threads: options.threads, {
            try writeGeoJSONAndReport(a, pipeline: pipeline, options: options, lastChange: lastChange, to: out,
                                      progress: progress)
        }, {
            guard let gpkgPath else { return }
            try GeoPackageWriter.write(artifacts.value, to: gpkgPath, lastChange: lastChange)
            progress.advance()
        })
        // The files in the order of the formats, whichever writer finished first.
        if pipeline.formats.contains(.geojson) { files.append("indicators.geojson") }
        if gpkgPath != nil { files.append("indicators.gpkg") }
        files += others
    }

    /// The GeoJSON and the report (with its profiles) of `writeExtraFormats`; returns the report's
    /// files.
    private static func writeGeoJSONAndReport(_ a: RunArtifacts, pipeline: Pipeline, options: RunOptions, lastChange: Date,
                                              to out: OutputDirectory, progress: ProgressReporter) throws -> [String] {
        if pipeline.formats.contains(.geojson) {
            try out.write("indicators.geojson", try GeoJSONOutputWriter.render(a))
            progress.advance()
        }
        var files: [String] = []
        if pipeline.formats.contains(.report) {
            let lang = ReportLanguage(rawValue: options.language) ?? .nl
            let data = try ReportData(a, trends: try reportTrends(pipeline, indicators: a.indicators, lastChange: lastChange))
            // One page per terrein under profiles/ (README "Outputs"), linked from the report.
            let profiles = try ProfileSet(data, language: lang)
            _ = try ProfileFolder.write(profiles, to: out.stagingPath("profiles"), threads: options.threads)
            try out.write("report.html", ReportWriter.render(data, language: lang, profileFiles: profiles.fileNames))
            files += ["report.html", "profiles/"]
            progress.advance()
        }
        return files
    }

    /// The profiles' trends: the pipeline's run history (if it has one and it exists yet), then
    /// this run, which is appended to the history only after the outputs are swapped in.
    static func reportTrends(_ pipeline: Pipeline, indicators: Table, lastChange: Date) throws -> [String: [ReportTrendPoint]] {
        guard let path = pipeline.historyPath else { return [:] }
        let finished = GeoPackageWriter.formatISO8601(lastChange)
        // Without the file yet (the history's first run), this run is the only point. This run is
        // never in the history yet, so no SHA-256 to match.
        let history = FileManager.default.fileExists(atPath: path) ? try RunHistory.open(path: path) : nil
        return try ReportTrends.points(history: history, current: indicators, finished: finished, currentSHA256: "")
    }

    /// SOURCE_DATE_EPOCH when set (reproducible builds convention), else now. Empty counts
    /// as unset. Anything but whole seconds from 1970 to 9999 is a `ConfigError` (the
    /// convention asks to fail on a malformed value): `1e300` or `nan` used to reach the
    /// date formatting of the GeoPackage and trap there.
    public static func sourceDate(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Date {
        guard let s = environment["SOURCE_DATE_EPOCH"], !s.isEmpty else { return Date() }
        guard s.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let secs = Int64(s), secs <= maxSourceDate else {
            throw ConfigError(file: "SOURCE_DATE_EPOCH (environment)", keyPath: "",
                              problem: "\"\(s.prefix(40))\" is not a time: expected whole seconds since 1970-01-01 UTC (0 to \(maxSourceDate))",
                              hint: "set it to e.g. $(date +%s) or unset it (then the current time is used)")
        }
        return Date(timeIntervalSince1970: TimeInterval(secs))
    }

    /// 9999-12-31T23:59:59Z: the last second with a four-digit year.
    static let maxSourceDate: Int64 = 253_402_300_799
}

/// Runs `body` for 0..<count on `threads` threads (8 MiB stacks: GEOS recurses on big
/// geometries) and returns the results in index order. On failure, the error of the
/// lowest failing index is thrown, so errors do not depend on the thread count either.
func parallelMap<T: Sendable>(count: Int, threads: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
    if count == 0 { return [] }
    let n = min(threads, count)
    let state = ParallelMapState<T>(count: count)
    let group = DispatchGroup()
    for _ in 0..<n {
        group.enter()
        let thread = Thread {
            while let i = state.claim() {
                do {
                    state.store(try body(i), at: i)
                } catch {
                    state.fail(i, error)
                }
            }
            group.leave()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
    group.wait()
    return try state.finish()
}

/// Runs `side` on a thread of its own while `main` runs on this one (one after the other with
/// one thread), and returns both results; `main`'s error wins over `side`'s.
func besides<A, B: Sendable>(threads: Int, _ main: () throws -> A, _ side: @escaping @Sendable () throws -> B) throws -> (A, B) {
    guard threads > 1 else {
        let a = try main()
        return (a, try side())
    }
    let box = SideResult<B>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.result = Result { try side() }
        done.signal()
    }
    thread.stackSize = 8 << 20
    thread.start()
    let a: A
    do { a = try main() } catch {
        done.wait()
        throw error
    }
    done.wait()
    return (a, try box.result!.get())
}

/// The result of `besides`'s side thread, written by it before it signals and read after.
private final class SideResult<B>: @unchecked Sendable {
    var result: Result<B, any Error>?
}

/// The shared state of one `parallelMap`: the next index to hand out, the results, and
/// the errors, all behind one lock. Each index is claimed by exactly one thread, and the
/// results are read only after every thread has left (the DispatchGroup wait orders
/// those accesses), hence `@unchecked Sendable`.
private final class ParallelMapState<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var next = 0
    private var results: [T?]
    private var errors: [(index: Int, error: any Error)] = []

    init(count: Int) {
        self.count = count
        results = [T?](repeating: nil, count: count)
    }

    /// The next index to compute, or nil when all are handed out or one has failed.
    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count, errors.isEmpty else { return nil }
        next += 1
        return next - 1
    }

    func store(_ value: T, at i: Int) {
        lock.lock()
        results[i] = value
        lock.unlock()
    }

    func fail(_ i: Int, _ error: any Error) {
        lock.lock()
        errors.append((i, error))
        lock.unlock()
    }

    /// The results in index order, or the error of the lowest failing index.
    func finish() throws -> [T] {
        lock.lock()
        defer { lock.unlock() }
        if let first = errors.min(by: { $0.index < $1.index }) { throw first.error }
        return results.map { $0! }
    }
}
