import TerreinJSON
import Foundation
import TerreinGeometry
import TerreinIO

// MARK: Attribute reading

enum Attributes {
    /// The id of a terrein: a string as is, an integer in decimal.
    static func terreinId(_ v: JSONValue?, field: String, file: String, feature: Int) throws -> String {
        switch v {
        case .string(let s)?:
            return s
        case .integer(let i)?:
            return String(i)
        case nil, .null?:
            throw InputError(file: file, featureIndex: feature, problem: "terrein without an id (property \"\(field)\" is missing or null)",
                             hint: "every terrein needs a unique id; fill it in the source or map another field with layers.terreinen.fields.id")
        case .some(let other):
            throw InputError(file: file, featureIndex: feature,
                             problem: "terrein id must be a string or an integer, found \(other.typeName) \(other.jsonText.prefix(60))",
                             hint: "map a string or integer field with layers.terreinen.fields.id")
        }
    }

    /// Optional text attributes: strings as is, numbers and booleans as JSON text, null/missing nil.
    static func text(_ v: JSONValue?) -> String? {
        switch v {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case .some(let other): return other.jsonText
        }
    }

    /// Numbers; strings are not numbers.
    static func number(_ v: JSONValue?) -> Double? { v?.doubleValue }
}

// MARK: Loading all layers

extension LoadedLayers {
    /// Reads every layer of the pipeline, in a fixed order, prepared in the work CRS.
    public static func load(_ pipeline: Pipeline, options: LoadOptions,
                            progress: (@Sendable (LayerKind) -> Void)? = nil) throws -> LoadedLayers {
        let workInfo = try lookUpCRS(pipeline.workCRS)
        var area: Bounds?
        if let a = workInfo.areaOfUse, let t = try? CRSTransformer(from: .wgs84, to: pipeline.workCRS, purpose: .roughBounds),
           let b = t.transformBounds(Bounds(minX: a.west, minY: a.south, maxX: a.east, maxY: a.north)) {
            area = b.expanded(by: 50_000)
        }
        let workArea = area
        // Layers are independent: read them in parallel (each thread with its own GEOS and
        // PROJ contexts), then merge in layer order. An error of the first layer in that
        // order wins, whatever the scheduling.
        // One unit per source: a layer has one, land cover one per entry of `sources:`.
        let units = LayerKind.allCases.filter { options.onlyKinds?.contains($0) ?? true }.flatMap { pipeline.sources($0) }
        let parts = try parallelMap(count: units.count, threads: options.threads) { i -> LoadedLayers in
            let config = units[i]
            let kind = config.kind
            var out = LoadedLayers()
            progress?(kind)
            let loader = LayerLoader(config: config, workCRS: pipeline.workCRS, workArea: workArea, options: options)
            var stats: LayerStats
            switch kind {
            case .terreinen:
                // Ids compare as UTF-8 bytes (not String ==), and skipped terreinen's too.
                var seen: [ByteKey: Int] = [:]
                let idField = config.field("id")
                func checkId(_ index: Int, _ properties: JSONObject) throws -> String {
                    let id = try Attributes.terreinId(properties[idField], field: idField, file: config.path, feature: index)
                    if let first = seen[ByteKey(id)] {
                        throw InputError(file: config.path, featureIndex: index,
                                         problem: "duplicate terrein id \"\(id)\" (also feature \(first))",
                                         hint: "terrein ids must be unique: fix the source or map another id field")
                    }
                    seen[ByteKey(id)] = index
                    return id
                }
                stats = try loader.load(onReset: { out.terreinen.removeAll(); seen.removeAll() },
                                        onSkipped: { _ = try checkId($0, $1) }) { p in
                    let id = try checkId(p.index, p.properties)
                out.terreinen.append(Terrein(index: p.index, id: id,
                                                 name: Attributes.text(p.properties[config.field("name")]),
                                                 region: Attributes.text(p.properties[config.field("region")]),
                                                 geometry: p.geometry, digest: p.digest))
                }
                if out.terreinen.isEmpty {
                    throw InputError(file: config.path, problem: "the terreinen layer has no usable terrein",
                                     hint: "check the file with `terrein inspect \(config.declaredPath)`")
                }
            case .roofs:
                let sf = config.field("slope_deg"), af = config.field("azimuth_deg"), bf = config.field("building_id")
                stats = try loader.load(onReset: { out.roofs.removeAll() }) { p in
                    let slopeValue = p.properties[sf]
                    let slope: Double? = (slopeValue == nil || slopeValue == .null) ? 0 : Attributes.number(slopeValue)
                    out.roofs.append(RoofFace(index: p.index, geometry: p.geometry, area: try p.geometry.area(),
                                              slope: slope, azimuth: Attributes.number(p.properties[af]),
                                              buildingId: Attributes.text(p.properties[bf]).flatMap { $0.isEmpty ? nil : $0 },
                                              digest: p.digest))
                }
            case .natura2000:
                var sites: [Site] = []
                stats = try loader.load(onReset: { sites.removeAll() }) { p in
                    sites.append(Site(index: p.index, name: Attributes.text(p.properties[config.field("name")]), geometry: p.geometry,
                                      digest: p.digest))
                }
                out.natura2000 = sites
            case .landcover:
                var polys: [LandCoverPolygon] = []
                var unmapped: [String: Int] = [:]
                var perClass: [String: Int] = [:]
                let source = config.sourceIndex ?? 0
                stats = try loader.load(onReset: { polys.removeAll(); unmapped.removeAll(); perClass.removeAll() }) { p in
                    let value = config.constantClass == nil ? Attributes.text(p.properties[config.field("class")]) ?? "" : ""
                    let (cls, mapped) = config.landCoverClass(of: value)
                    if !mapped { unmapped[value, default: 0] += 1 }
                    perClass[cls.rawValue, default: 0] += 1
                    polys.append(LandCoverPolygon(index: p.index, source: source, cls: cls, geometry: p.geometry, digest: p.digest))
                }
                stats.unmappedClasses = unmapped
                stats.usedPerClass = perClass
                out.landcover = polys
            case .inundation:
                var polys: [InundationPolygon] = []
                var nonNumeric: [Int] = []
                stats = try loader.load(onReset: { polys.removeAll(); nonNumeric.removeAll() }) { p in
                    let depth = Attributes.number(p.properties[config.field("depth_m")])
                    if depth == nil { nonNumeric.append(p.index) }
                    polys.append(InundationPolygon(index: p.index, depth: depth, geometry: p.geometry, digest: p.digest))
                }
                stats.nonNumericDepths = nonNumeric.count
                stats.firstNonNumericDepths = Array(nonNumeric.prefix(LayerStats.firstFew))
                out.inundation = polys
            }
            stats.sourceIndex = config.sourceIndex
            stats.ogrLayer = config.layer
            out.stats[kind] = stats
            return out
        }
        // Merged in source order: land cover's features in source order, then feature order.
        var out = LoadedLayers()
        for part in parts {
            if !part.terreinen.isEmpty { out.terreinen = part.terreinen }
            if !part.roofs.isEmpty { out.roofs = part.roofs }
            out.natura2000 = part.natura2000 ?? out.natura2000
            if let lc = part.landcover { out.landcover = (out.landcover ?? []) + lc }
            out.inundation = part.inundation ?? out.inundation
            for (kind, s) in part.stats {
                out.sourceStats[kind, default: []].append(s)
                out.stats[kind] = out.stats[kind].map { $0.merged(with: s) } ?? s
            }
        }
        for kind in RasterLayerKind.allCases where options.rasters {
            guard let config = pipeline.rasters[kind] else { continue }
            out.rasters[kind] = try RasterLayer(config, workCRS: pipeline.workCRS)
        }
        return out
    }
}
