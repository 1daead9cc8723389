import Foundation
import TerreinGeometry
import TerreinIO

/// One run's incremental state (docs/incremental.md): the keys of its terreinen, what the
/// previous cache lets it reuse, and the cache it leaves for the next run.
struct IncrementalRun {
    var terreinen: [Terrein]
    var keys: [TerreinKey]
    var runParts: [(String, Digest32)]
    var plan: Incremental.Plan
    var warnings: [String] = []
    var summary: IncrementalSummary { plan.summary }

    /// Hashes every feature, computes the keys, and reads the previous cache from `folder`
    /// (not with `--full`). A cache that cannot be trusted is ignored with a warning.
    /// `gridSHA256`: `Incremental.gridSHA256()`, taken once by the run.
    static func prepare(_ pipeline: Pipeline, options: RunOptions, indexed: IndexedLayers, schema: IndicatorSchema,
                        gridSHA256: String?, folder: String, log: (String) -> Void) throws -> IncrementalRun {
        let threads = options.threads
        let runParts = try Incremental.runParts(pipeline, options: options, indexed: indexed, schema: schema,
                                                gridSHA256: gridSHA256)
        let hashes = try Runner.onLayers(LayerKind.allCases, of: pipeline, "hashing the features") {
            try FeatureHashes.compute(indexed.layers, threads: threads)
        }
        var warnings: [String] = []
        var previous: ResultCache?
        var note = "none in the output folder: every terrein computed"
        if options.full {
            note = "--full: not read"
        } else {
            do {
                previous = try ResultCache.read(folder: folder, pipeline: pipeline.name)
                if previous != nil { note = "read" }
            } catch let e as ResultCache.Unusable {
                note = "ignored: \(e.description)"
                warnings.append("the incremental cache was ignored, every terrein is computed: \(e.description)")
            }
        }
        // Raster parts stored for a raster that is the same (`TerreinKeys.compute`).
        var sameRasters = Set<KeyPart>()
        for (kind, r) in indexed.layers.rasters where previous?.header.rasters?[kind.rawValue] == TerreinKeys.rasterIdentity(r).hex {
            sameRasters.insert(kind == .heat ? .heat : .inundation)
        }
        let terreinen = Runner.idOrder(indexed.layers.terreinen)
        let keys = try Runner.onLayers(LayerKind.allCases, of: pipeline, "computing the terreinen's keys") {
            try TerreinKeys.compute(terreinen, indexed: indexed, hashes: hashes, runPart: Incremental.combine(runParts),
                                    previous: previous, sameRasters: sameRasters, threads: threads)
        }
        var plan: Incremental.Plan
        do {
            plan = try Incremental.plan(terreinen: terreinen, keys: keys, runParts: runParts, previous: previous,
                                        cacheNote: note, schema: schema, threads: threads)
        } catch let e as ResultCache.Unusable {
            warnings.append("the incremental cache was ignored, every terrein is computed: \(e.description)")
            plan = try Incremental.plan(terreinen: terreinen, keys: keys, runParts: runParts, previous: nil,
                                        cacheNote: "ignored: \(e.description)", schema: schema, threads: threads)
        }
        if plan.summary.mode == "incremental" {
            let why = plan.summary.reasons.keys.sorted().map { "\($0) \(plan.summary.reasons[$0]!)" }.joined(separator: ", ")
            log("incremental: \(plan.summary.reused) terreinen reused, \(plan.summary.recomputed) recomputed"
                + (why.isEmpty ? "" : " (\(why))"))
        }
        return IncrementalRun(terreinen: terreinen, keys: keys, runParts: runParts, plan: plan, warnings: warnings)
    }

    /// Builds the deferred features (`DeferredSource`) that the terreinen to compute need:
    /// every candidate their families clip (`TerreinFrame.clip` queries with the terrein).
    func materialize(_ indexed: IndexedLayers, threads: Int) throws {
        guard !indexed.layers.deferred.isEmpty else { return }
        for kind in [LayerKind.roofs, .landcover, .inundation] {
            guard let index = indexed.index(kind), indexed.layers.deferred.contains(where: { $0.kind == kind }) else { continue }
            var needed: [Int] = []
            for (i, t) in terreinen.enumerated() where plan.reuse[i] == nil { needed += index.query(t.geometry) }
            try indexed.materialize(kind, needed, threads: threads)
        }
    }

    /// Every terrein's result in id order: reused ones from the cache (with their Natura 2000
    /// families computed again where only that layer changed), the others computed.
    func compute(_ indexed: IndexedLayers, schema: IndicatorSchema, parameters: Parameters, threads: Int,
                 progress: ProgressReporter?, collectDisplay: Bool) throws -> [TerreinResult] {
        let box = UncheckedBox((terreinen, plan.reuse, plan.refreshNature))
        progress?.begin("indicators", total: terreinen.count)
        defer { progress?.end() }
        return try parallelMap(count: terreinen.count, threads: threads) { i -> TerreinResult in
            defer { progress?.advance() }
            let (terreinen, reuse, refreshNature) = box.value
            if let stored = reuse[i] {
                guard refreshNature[i] else { return stored }
                return try Incremental.refresh(stored, terreinen[i], indexed, schema, parameters, collectDisplay: collectDisplay)
            }
            return try Runner.computeOne(terreinen[i], indexed, schema, parameters, collectDisplay: collectDisplay)
        }
    }

    /// The cache file for this run's results.
    func cacheFile(_ results: [TerreinResult], schema: IndicatorSchema, pipeline: Pipeline, layers: LoadedLayers,
                   settings: String, outputs: [String], body: Data? = nil) throws -> [Data] {
        let inputs = try SameInputs.inputHashes(pipeline, layers)
        let fingerprint = SameInputs.fingerprint(settings: settings, inputs: inputs)
        return try ResultCache.render(results: results, keys: keys, schema: schema, pipeline: pipeline.name,
                                      runParts: runParts, settings: settings, fingerprint: fingerprint, inputs: inputs,
                                      outputs: outputs, storedJSON: plan.storedJSON,
                                      rasters: Dictionary(uniqueKeysWithValues: layers.rasters.map {
                                          ($0.key.rawValue, TerreinKeys.rasterIdentity($0.value).hex)
                                      }), body: body)
    }

    /// The cache's entries for this run's results (`ResultCache.body`).
    func cacheBody(_ results: [TerreinResult], schema: IndicatorSchema) throws -> Data {
        try ResultCache.body(results: results, keys: keys, schema: schema, storedJSON: plan.storedJSON)
    }
}
