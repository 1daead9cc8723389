import TerreinJSON
import Foundation
import TerreinGeometry
import TerreinIO

/// Reads one layer from its source and prepares it: validity repair, the one outcome of
/// every feature (used, repaired, skipped or an error) counted in the stats, `--strict`,
/// the field mapping and extent checks.
struct LayerLoader {
    let config: LayerConfig
    let workCRS: CRSIdentifier
    let workArea: Bounds?
    let options: LoadOptions
    /// Only these bytes of a GeoJSONSeq file: one part of a layer read by several threads
    /// (`LoadedLayers.load`). The whole-layer checks (`checkLayer`) are then left to the caller.
    var range: Range<Int>? = nil
    /// Instead of `range`, several ranges of records read one after the other (GeoJSON only:
    /// `IndexedLayers.materialize`); the whole-layer checks are left out too.
    var ranges: [Range<Int>]? = nil

    /// The prepared polygonal geometry of each used feature, with its properties.
    struct Prepared {
        var index: Int
        var geometry: Geometry
        var properties: JSONObject
        /// The geometry as built, before validity repair (`BuiltDigest`).
        var digest: Digest32
        /// Not built: `geometry` is `Geometry.deferred` (`SourceFeature.deferred`).
        var deferred: DeferredGeometry? = nil
    }

    /// The layer's source, by format: GeoJSON through Terrein's own reader (OGR would give a
    /// field one type per layer, which the spec's per-feature attribute rules cannot accept),
    /// everything else through GDAL/OGR.
    func source() -> any LayerSource {
        config.isGeoJSON ? GeoJSONLayerSource(config: config, workCRS: workCRS, onBytesRead: options.onBytesRead, range: range,
                                              deferral: defersGeometry ? options.knownValid : nil, ranges: ranges)
                         : OGRLayerSource(config: config, workCRS: workCRS, onBytesRead: options.onBytesRead, filter: filter)
    }

    /// Whether geometries the validity cache vouches for are left unbuilt (`DeferredSource`):
    /// for the layers with many features that an incremental run mostly reuses, not in a
    /// shard's run (its spatial filter needs every geometry's envelope from GEOS).
    var defersGeometry: Bool {
        options.deferKnownValid && options.knownValid != nil && filter == nil
            && [.roofs, .landcover, .inundation].contains(config.kind)
    }

    /// The rectangle (work CRS) a shard's run needs of this layer, nil for all of it.
    var filter: Bounds? { options.filteredKinds.contains(config.kind) ? options.spatialFilter : nil }

    /// Streams the used features to `onFeature`, and the index and properties of each
    /// skipped one to `onSkipped`. When the source starts over, `onReset` is called first.
    func load(onReset: () -> Void = {}, onSkipped: (Int, JSONObject) throws -> Void = { _, _ in },
              onFeature: (Prepared) throws -> Void) throws -> LayerStats {
        var stats = LayerStats(layer: config.kind, path: config.path)
        let wanted = Set(config.kind.attributes.map { config.field($0) })
        var seenKeys = Set<String>()
        var info = SourceInfo()
        try source().read(info: &info, onReset: {
            stats = LayerStats(layer: config.kind, path: config.path)
            seenKeys.removeAll()
            onReset()
        }) { feature in
            stats.features += 1
            for key in feature.properties.keys where wanted.contains(key) { seenKeys.insert(key) }
            if let filter {
                // A shard's run: only features whose envelope meets its rectangle (those
                // without a usable geometry have no place, and are left out too).
                guard case .used(let g, _) = feature.geometry, let b = g.bounds, b.intersects(filter) else {
                    stats.filteredOut += 1
                    return
                }
            }
            let prepared: Prepared?
            do {
                prepared = try prepare(feature, stats: &stats)
            } catch let e as GeometryError {
                throw fail(feature, "geometry operation failed: \(e)",
                           "GEOS could not process this feature: check it with `terrein inspect`, repair or simplify it in the source")
            }
            guard let prepared else {
                try onSkipped(feature.index, feature.properties)
                return
            }
            stats.used += 1
            if let b = prepared.deferred?.bounds ?? prepared.geometry.bounds {
                if stats.bounds == nil { stats.bounds = b } else { stats.bounds!.formUnion(b) }
            }
            try onFeature(prepared)
        }
        stats.sha256 = info.sha256
        stats.encoding = info.encoding
        stats.sourceCRS = info.sourceCRS
        stats.crsSource = info.crsSource
        stats.operation = info.operation
        stats.parseSeconds = info.parseSeconds
        stats.reprojectSeconds = info.reprojectSeconds
        stats.buildRepairSeconds += info.buildSeconds
        stats.features += info.filteredOut
        stats.filteredOut += info.filteredOut
        stats.seenFields = seenKeys
        if range == nil && ranges == nil { try checkLayer(stats) }
        return stats
    }

    /// The checks of a whole layer: explicitly mapped fields exist, and its extent meets the
    /// work CRS's area of use.
    func checkLayer(_ stats: LayerStats) throws {
        try checkFields(stats: stats, seen: stats.seenFields)
        if let b = stats.bounds, let area = workArea, !b.intersects(area) {
            throw InputError(
                file: config.path,
                problem: String(format: "the layer's extent (%.0f, %.0f – %.0f, %.0f in %@) lies wholly outside the area of use of the work CRS",
                                b.minX, b.minY, b.maxX, b.maxY, workCRS.description),
                hint: "the coordinates are probably in lat/lon order instead of lon/lat (swapped axes), or in another CRS than \(stats.sourceCRS); fix the export or set `crs:` for \(config.keyPath)")
        }
    }

    /// Explicitly mapped fields must exist in the data (when it has features).
    private func checkFields(stats: LayerStats, seen: Set<String>) throws {
        guard stats.features > 0 else { return }
        for attr in config.kind.attributes.sorted() where config.explicitFields.contains(attr) {
            let field = config.field(attr)
            if !seen.contains(field) {
                throw InputError(
                    file: config.path,
                    problem: "\(config.keyPath).fields.\(attr): no feature has a property \"\(field)\"",
                    hint: "run `terrein inspect \(config.declaredPath)` to list the property names, and fix the field mapping in the pipeline file")
            }
        }
    }

    private func fail(_ f: SourceFeature, _ problem: String, _ hint: String = "") -> InputError {
        InputError(file: config.path, featureIndex: f.index, line: f.line, column: f.column,
                   problem: (f.layerName.map { "layer \"\($0)\", " } ?? "") + (f.fid.map { "FID \($0): " } ?? "") + problem, hint: hint)
    }

    /// The outcome of one feature: the prepared geometry, or nil when it is skipped.
    /// Repairs are noted only when the feature ends up used: a feature has exactly one
    /// outcome, so one that is repaired and then skipped counts as skipped only.
    private func prepare(_ f: SourceFeature, stats: inout LayerStats) throws -> Prepared? {
        func skip(_ reason: String) throws -> Prepared? {
            if options.strict {
                throw fail(f, "skipped: \(reason) (--strict turns skips into errors)",
                           "fix the feature in the source, or run without --strict to skip it")
            }
            stats.noteSkip(f.index, reason)
            return nil
        }
        guard case .used(let built, let sourceRepairs) = f.geometry else {
            if case .skipped(let reason) = f.geometry { return try skip(reason) }
            return nil
        }
        let digest = f.builtDigest ?? Digest32()
        let timed = StageTiming.sampled(f.index)
        let start = timed ? threadCPUTime() : 0
        defer { if timed { stats.buildRepairSeconds += (threadCPUTime() - start) * StageTiming.weight(f.index) } }
        // A geometry the previous run found valid as built (the same digest, under the same
        // GEOS version: `ValidityCache`) is valid now: its check is skipped, nothing else.
        let outcome: GeometryPreparation.Outcome
        if let d = f.builtDigest, f.deferred != nil || options.knownValid?.contains(d) == true {
            outcome = .used(built, repairs: sourceRepairs)
            stats.validAsBuilt.append(ValidityCache.Key(d))
            stats.validityChecksSkipped += 1
        } else {
            outcome = try GeometryPreparation.makeValid(built, repairs: sourceRepairs)
            if let d = f.builtDigest, case .used(_, let repairs) = outcome, repairs.count == sourceRepairs.count {
                stats.validAsBuilt.append(ValidityCache.Key(d))
            }
        }
        switch outcome {
        case .skipped(let validity):
            if config.kind == .terreinen {
                let id = Attributes.text(f.properties[config.field("id")]).map { "terrein \"\($0)\": " } ?? ""
                throw fail(f, "\(id)the terrein's polygon is invalid (\(validity)) and repairing it leaves no area",
                           "fix the terrein's outline in the source")
            }
            return try skip("invalid polygon with no area after repair (\(validity))")
        case .used(let geometry, let repairs):
            if options.strict, let reason = repairs.first {
                throw fail(f, "needs repair: \(reason) (--strict turns repairs into errors)",
                           "fix the feature in the source, or run without --strict to let Terrein repair it")
            }
            for reason in repairs { stats.noteRepair(f.index, reason) }
            return Prepared(index: f.index, geometry: geometry, properties: f.properties, digest: digest, deferred: f.deferred)
        }
    }
}
