import Foundation
import TerreinGDAL
import TerreinGeometry
import TerreinIO

/// What the manifest says about reuse (`incremental`): the only part of a manifest, besides
/// timestamps and timings, in which an incremental run differs from a full one.
public struct IncrementalSummary: Sendable, Encodable, Equatable {
    /// "incremental" when a previous cache was read, else "full".
    public var mode: String
    public var recomputed: Int
    public var reused: Int
    /// Per reason, the recomputed terreinen it applies to (a terrein may count under several):
    /// `new` (no entry in the cache), a layer (`terreinen`, `roofs`, `landcover`, `inundation`,
    /// `heat`) whose features around the terrein changed, or a run-wide setting (`versions`,
    /// `parameters`, `options`, `schema`, `layers_present`, `landcover_coverage`).
    public var reasons: [String: Int]
    /// Terreinen in the cache that this run no longer has.
    public var removed: Int
    /// Why the previous cache was not used (missing, `--full`, or the warning that was logged).
    public var cache: String
    /// Reused terreinen whose Natura 2000 families (`Incremental.naturaFamilies`) were computed
    /// again because the Natura 2000 layer changed (and nothing else around them).
    public var natureRecomputed = 0
    /// The validity cache (`ValidityCache`): "read", or why not (as `cache`).
    public var validityCache = "none in the output folder: every geometry checked"
    /// Used features whose validity check was skipped: found valid as built by the previous run.
    public var validityChecksSkipped = 0
    /// Of those, the features read without building their geometry (docs/incremental.md,
    /// "Deferred geometry"), and how many of these were built after all, for the terreinen
    /// computed (and the land cover's coverage sample).
    public var geometriesDeferred = 0
    public var geometriesBuiltLater = 0

    enum CodingKeys: String, CodingKey {
        case mode, recomputed, reused, reasons, removed, cache
        case natureRecomputed = "nature_recomputed", validityCache = "validity_cache"
        case validityChecksSkipped = "validity_checks_skipped"
        case geometriesDeferred = "geometries_deferred", geometriesBuiltLater = "geometries_built_later"
    }
}

enum Incremental {
    /// The families that read the Natura 2000 sites: nature's distance depends on every site of
    /// the layer, not only those around the terrein, so they depend on `KeyPart.natura2000`.
    /// When only that part changed, a reused terrein has these computed again.
    static let naturaFamilies: Set<String> = ["nature"]

    /// The run-wide settings, each as a digest (names are the manifest's reasons).
    static func runParts(_ pipeline: Pipeline, options: RunOptions, indexed: IndexedLayers,
                         schema: IndicatorSchema, gridSHA256: String?) throws -> [(String, Digest32)] {
        let layers = indexed.layers
        var present = DigestBuilder()
        present.add(layers.natura2000 != nil); present.add(layers.landcover != nil); present.add(layers.inundation != nil)
        for kind in RasterLayerKind.allCases { present.add(layers.rasters[kind] != nil) }
        // A run-wide choice made from the whole land cover layer (which union algorithm): in
        // every key, until it is a per-terrein decision.
        var coverage = DigestBuilder()
        coverage.add(indexed.landcoverIsCoverage)
        return try settingsParts(pipeline, options: options, schema: schema, gridSHA256: gridSHA256)
            + [("layers_present", present.finish()), ("landcover_coverage", coverage.finish())]
    }

    /// The run parts known before any layer is read (all but `layers_present` and
    /// `landcover_coverage`).
    static func settingsParts(_ pipeline: Pipeline, options: RunOptions, schema: IndicatorSchema,
                              gridSHA256: String?) throws -> [(String, Digest32)] {
        var versions = DigestBuilder()
        versions.add("terrein-key-v2")  // v2: feature geometries by their digest as built (`BuiltDigest`)
        versions.add(TerreinCore.terreinVersion); versions.add(GEOSContext.version)
        versions.add(TerreinGeometry.projVersion); versions.add(TerreinGDAL.gdalVersion)
        versions.add(gridSHA256)
        var parameters = DigestBuilder()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        parameters.add(bytes: Array(try encoder.encode(pipeline.parameters)))
        var opts = DigestBuilder()
        opts.add(options.strict)
        opts.add(pipeline.workCRS.description)
        // Whether results carry their profile display features (the report or GeoPackage is on):
        // a cache written without them cannot feed a run that draws them.
        opts.add(pipeline.wantsDisplay)
        // The paved path (`TERREIN_PAVED_PATH`): the two agree within the cross-check tolerance,
        // not to the bit.
        opts.add(Paved.defaultPath == .fast)
        var sch = DigestBuilder()
        for (k, family) in schema.families.enumerated() {
            sch.add(family.name)
            for c in schema.columns[k] { sch.add(c.name) }
            for a in schema.accumulators[k] { sch.add(a.name) }
        }
        return [("versions", versions.finish()), ("parameters", parameters.finish()), ("options", opts.finish()),
                ("schema", sch.finish())]
    }

    /// Whether an incremental run into `folder` will reuse terreinen at all, judged before
    /// reading: there is a result cache of this format, Terrein version and pipeline, and its
    /// settings parts are this run's (a changed parameter, version or option recomputes every
    /// terrein). Deferred geometry (docs/incremental.md) is worth it only then: where every
    /// terrein is computed, every feature would be read twice.
    static func expectsReuse(_ pipeline: Pipeline, options: RunOptions, schema: IndicatorSchema, gridSHA256: String?,
                             folder: String) -> Bool {
        guard let h = ResultCache.readHeader(folder: folder, pipeline: pipeline.name),
              let parts = try? settingsParts(pipeline, options: options, schema: schema, gridSHA256: gridSHA256) else { return false }
        return parts.allSatisfy { h.runParts[$0.0] == $0.1.hex }
    }

    /// The SHA-256 of the installed RDNAPTRANS2018 grid file, nil when there is none.
    static func gridSHA256() -> String? {
        (try? RDGrid.locate()).flatMap { try? Hashing.sha256Hex(fileAt: $0) }
    }

    static func combine(_ parts: [(String, Digest32)]) -> Digest32 {
        var d = DigestBuilder()
        for (name, p) in parts { d.add(name); d.add(p) }
        return d.finish()
    }

    /// The outcome of comparing this run's keys with the previous cache.
    struct Plan {
        /// Per terrein (id order), the stored result to reuse, or nil: compute it.
        var reuse: [TerreinResult?]
        /// Per terrein, whether a reused result has its Natura 2000 families computed again.
        var refreshNature: [Bool]
        /// Per terrein reused as stored (not refreshed), the stored record's JSON: the next
        /// cache gets the same text without encoding it again (1.2 s at scale L).
        var storedJSON: [Substring?]
        var summary: IncrementalSummary
    }

    /// Compares keys with the cache; records that match are decoded (in parallel). A record
    /// that does not decode makes the whole cache `Unusable`.
    static func plan(terreinen: [Terrein], keys: [TerreinKey], runParts: [(String, Digest32)],
                     previous: ResultCache?, cacheNote: String, schema: IndicatorSchema, threads: Int) throws -> Plan {
        var summary = IncrementalSummary(mode: previous == nil ? "full" : "incremental", recomputed: 0, reused: 0,
                                         reasons: [:], removed: 0, cache: cacheNote)
        var refreshNature = [Bool](repeating: false, count: terreinen.count)
        guard let previous else {
            summary.recomputed = terreinen.count
            summary.reasons = terreinen.isEmpty ? [:] : ["new": terreinen.count]
            return Plan(reuse: [TerreinResult?](repeating: nil, count: terreinen.count), refreshNature: refreshNature,
                        storedJSON: [Substring?](repeating: nil, count: terreinen.count), summary: summary)
        }
        let runIndex = KeyPart.allCases.firstIndex(of: .run)!
        let naturaIndex = KeyPart.allCases.firstIndex(of: .natura2000)!
        let changedRunParts = runParts.filter { previous.header.runParts[$0.0] != $0.1.hex }.map(\.0)
        var matched: [(Int, Substring)] = []
        var seen = Set<ByteKey>()
        for (i, (t, k)) in zip(terreinen, keys).enumerated() {
            seen.insert(ByteKey(t.id))
            guard let entry = previous.entries[ByteKey(t.id)] else {
                summary.reasons["new", default: 0] += 1
                continue
            }
            let differing = KeyPart.allCases.indices.filter { entry.parts[$0] != k.parts[$0] }
            if differing.allSatisfy({ $0 == naturaIndex }) {
                matched.append((i, entry.recordJSON))
                if !differing.isEmpty {
                    refreshNature[i] = true
                    summary.natureRecomputed += 1
                }
                continue
            }
            for p in differing where p != naturaIndex {
                let part = KeyPart.allCases[p]
                if p == runIndex {
                    for name in changedRunParts.isEmpty ? ["run"] : changedRunParts { summary.reasons[name, default: 0] += 1 }
                } else {
                    summary.reasons[part.rawValue, default: 0] += 1
                }
            }
        }
        summary.removed = previous.entries.keys.filter { !seen.contains($0) }.count
        let box = UncheckedBox(matched)
        let decoded = try parallelMap(count: matched.count, threads: threads) { j -> TerreinResult in
            let (i, json) = box.value[j]
            do {
                let record = try ResultRecord(storedJSON: json)
                guard record.id == terreinen[i].id else { throw ResultRecordError("entry of \(terreinen[i].id) holds \(record.id)") }
                return try record.result(schema: schema)
            } catch {
                throw ResultCache.Unusable(description: "\(ResultCache.fileName): the stored result of terrein \(terreinen[i].id) does not decode (\(error))")
            }
        }
        var reuse = [TerreinResult?](repeating: nil, count: terreinen.count)
        var storedJSON = [Substring?](repeating: nil, count: terreinen.count)
        for ((i, json), r) in zip(matched, decoded) {
            reuse[i] = r
            if !refreshNature[i] { storedJSON[i] = json }
        }
        summary.reused = matched.count
        summary.recomputed = terreinen.count - matched.count
        return Plan(reuse: reuse, refreshNature: refreshNature, storedJSON: storedJSON, summary: summary)
    }

    /// A reused result with its Natura 2000 families computed again.
    static func refresh(_ stored: TerreinResult, _ t: Terrein, _ indexed: IndexedLayers, _ schema: IndicatorSchema,
                        _ p: Parameters, collectDisplay: Bool) throws -> TerreinResult {
        var r = stored
        let ks = schema.families.indices.filter { naturaFamilies.contains(schema.families[$0].name) }
        if ks.isEmpty { return r }
        do {
            let context = TerreinContext(frame: try TerreinFrame(t), indexed: indexed, parameters: p,
                                         collectDisplay: collectDisplay)
            for k in ks {
                let start = threadCPUTime()
                r.outputs[k] = try schema.families[k].compute(context)
                r.cpuSeconds[k] = threadCPUTime() - start
            }
        } catch let e as GeometryError {
            throw InputError(file: "terrein \(t.id)", featureIndex: t.index, problem: "geometry operation failed: \(e)",
                             hint: Runner.geometryHint)
        }
        return r
    }
}

/// The same-inputs check (docs/incremental.md): a run whose pipeline, options, versions and
/// input files are those of the run that wrote the output folder says so and exits without
/// rewriting anything.
enum SameInputs {
    /// Everything but the input files' contents: cheap, compared first.
    static func settings(_ pipeline: Pipeline, options: RunOptions, families: [any IndicatorFamily]) -> String {
        var d = DigestBuilder()
        d.add("same-inputs-v1")
        d.add(TerreinCore.terreinVersion); d.add(GEOSContext.version); d.add(TerreinGeometry.projVersion)
        d.add(TerreinGDAL.gdalVersion)
        d.add((try? RDGrid.locate()).flatMap { try? Hashing.sha256Hex(fileAt: $0) })
        d.add(pipeline.name); d.add(pipeline.sha256)
        d.add(options.strict); d.add(options.language)
        // The GeoPackage's and data package's dates follow it.
        d.add(ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] ?? "(unset)")
        for f in families { d.add(f.name) }
        for kind in LayerKind.allCases {
            for s in pipeline.sources(kind) { d.add(kind.rawValue); d.add(s.path); d.add(s.declaredPath) }
        }
        for kind in RasterLayerKind.allCases {
            if let r = pipeline.rasters[kind] { d.add(kind.rawValue); d.add(r.path); d.add(r.declaredPath) }
        }
        return d.finish().hex
    }

    /// The inputs' hashes as the manifest records them, computed from the files now; nil when
    /// an input is a VRT (it names other files, which are not hashed). With `expected` (the
    /// previous run's, in the same order), nil as soon as one differs: the files after it are
    /// not hashed (an incremental run reads and hashes them anyway).
    static func inputHashesNow(_ pipeline: Pipeline, expected: [String]? = nil) throws -> [String]? {
        var out: [String] = []
        func add(_ h: String) -> Bool {
            out.append(h)
            guard let expected else { return true }
            return out.count <= expected.count && expected[out.count - 1] == h
        }
        if pipeline.rasters.values.contains(where: { ($0.path as NSString).pathExtension.lowercased() == "vrt" }) { return nil }
        for kind in LayerKind.allCases {
            for s in pipeline.sources(kind) {
                let files = OGRLayerSource.files(of: s.path)
                let hashes = try files.map { try Hashing.sha256Hex(fileAt: $0) }
                guard add(hashes.count == 1 ? hashes[0] : Hashing.sha256Hex(Data(hashes.joined(separator: "\n").utf8))) else { return nil }
            }
        }
        for kind in RasterLayerKind.allCases {
            guard let r = pipeline.rasters[kind] else { continue }
            guard add(try Hashing.sha256Hex(fileAt: r.path)), add(try auxHash(r.path)) else { return nil }
        }
        return out
    }

    /// The same, from a run's loaded layers (which hashed the files while reading them).
    static func inputHashes(_ pipeline: Pipeline, _ layers: LoadedLayers) throws -> [String]? {
        var out: [String] = []
        for kind in LayerKind.allCases {
            for s in layers.sourceStats[kind] ?? [] { out.append(s.sha256) }
        }
        for kind in RasterLayerKind.allCases {
            guard let r = layers.rasters[kind] else { continue }
            if (r.config.path as NSString).pathExtension.lowercased() == "vrt" { return nil }
            out.append(r.sha256)
            out.append(try auxHash(r.config.path))
        }
        return out
    }

    /// GDAL reads a raster's `.aux.xml` (it may set nodata, scale or offset): part of the inputs.
    static func auxHash(_ path: String) throws -> String {
        let aux = path + ".aux.xml"
        return FileManager.default.fileExists(atPath: aux) ? try Hashing.sha256Hex(fileAt: aux) : "(no aux.xml)"
    }

    static func fingerprint(settings: String, inputs: [String]?) -> String {
        guard let inputs else { return "" }
        var d = DigestBuilder()
        d.add(settings)
        for h in inputs { d.add(h) }
        return d.finish().hex
    }

    /// Whether the folder holds the results of a run with these settings and inputs (and all
    /// the files it wrote are still there).
    static func unchanged(_ pipeline: Pipeline, settings: String, folder: String) throws -> Bool {
        guard let h = ResultCache.readHeader(folder: folder, pipeline: pipeline.name), h.settings == settings,
              !h.fingerprint.isEmpty else { return false }
        for f in h.outputs where !FileManager.default.fileExists(atPath: folder + "/" + f) { return false }
        guard let now = try inputHashesNow(pipeline, expected: h.inputs) else { return false }
        return fingerprint(settings: settings, inputs: now) == h.fingerprint
    }
}
