import Foundation
import TerreinGeometry
import TerreinIO

/// A terrein as used by the indicators.
public struct Terrein: @unchecked Sendable {
    public var index: Int
    public var id: String
    public var name: String?
    public var region: String?
    public var geometry: Geometry
}

/// A roof face: the 2D projection of one roof plane, with its raw attributes.
public struct RoofFace: @unchecked Sendable {
    public var index: Int
    public var geometry: Geometry
    /// area(r): the whole face's area, for `min_face_m2`.
    public var area: Double
    /// nil when the slope attribute is present but not a number; missing or null is 0.
    public var slope: Double?
    /// nil when missing, null or not a number.
    public var azimuth: Double?
    public var buildingId: String?
}

public struct Site: @unchecked Sendable {
    public var index: Int
    public var name: String?
    public var geometry: Geometry
}

public struct LandCoverPolygon: @unchecked Sendable {
    public var index: Int
    public var cls: LandCoverClass
    public var geometry: Geometry
}

public struct InundationPolygon: @unchecked Sendable {
    public var index: Int
    /// nil when missing or not a number (never floods).
    public var depth: Double?
    public var geometry: Geometry
}

/// How the features of one layer ended (docs/indicators.md, "Geometry preparation").
public struct LayerStats: Sendable {
    public var layer: LayerKind
    public var path: String
    public var sha256 = ""
    public var encoding = ""
    public var sourceCRS = ""
    public var crsSource = ""
    public var features = 0
    public var used = 0
    public var repaired = 0
    public var skipped = 0
    public var firstRepaired: [(index: Int, reason: String)] = []
    public var firstSkipped: [(index: Int, reason: String)] = []
    public var repairReasons: [String: Int] = [:]
    public var skipReasons: [String: Int] = [:]
    public var unmappedClasses: [String: Int] = [:]
    public var invalidRoofAttributes = 0
    public var firstInvalidRoofAttributes: [Int] = []
    public var bounds: Bounds?
    /// CPU seconds: parsing JSON, reprojecting, building and repairing GEOS geometry.
    public var parseSeconds = 0.0
    public var reprojectSeconds = 0.0
    public var buildRepairSeconds = 0.0

    static let firstFew = 5

    var lastRepairedIndex = -1

    mutating func noteRepair(_ index: Int, _ reason: String) {
        repairReasons[reason, default: 0] += 1
        if lastRepairedIndex != index {
            lastRepairedIndex = index
            repaired += 1
            if firstRepaired.count < Self.firstFew { firstRepaired.append((index, reason)) }
        }
    }

    mutating func noteSkip(_ index: Int, _ reason: String) {
        skipped += 1
        skipReasons[reason, default: 0] += 1
        if firstSkipped.count < Self.firstFew { firstSkipped.append((index, reason)) }
    }
}

/// All layers of a run, prepared in the work CRS.
public struct LoadedLayers: @unchecked Sendable {
    public var terreinen: [Terrein] = []
    public var roofs: [RoofFace] = []
    public var natura2000: [Site]?
    public var landcover: [LandCoverPolygon]?
    public var inundation: [InundationPolygon]?
    public var stats: [LayerKind: LayerStats] = [:]
}

/// Options that change how strictly inputs are taken.
public struct LoadOptions: Sendable {
    /// Repairs and skips become errors.
    public var strict = false
    /// Layers read at the same time.
    public var threads = 1
    /// Told how many more bytes of input have been read (from any reading thread).
    public var onBytesRead: (@Sendable (Int) -> Void)?
    public init(strict: Bool = false, threads: Int = 1) {
        self.strict = strict
        self.threads = max(1, threads)
    }
}

/// Reads, reprojects and prepares one layer.
struct LayerLoader {
    let config: LayerConfig
    let workCRS: CRSIdentifier
    let workArea: Bounds?
    let options: LoadOptions

    /// The prepared polygonal geometry of each used feature, with its properties.
    struct Prepared {
        var index: Int
        var geometry: Geometry
        var properties: JSONObject
    }

    /// Streams the used features to `onFeature`. When the file's `crs` member comes after
    /// its features, the file is read a second time; `onReset` is called before that pass.
    func load(onReset: () -> Void = {}, onFeature: (Prepared) throws -> Void) throws -> LayerStats {
        var stats = LayerStats(layer: config.kind, path: config.path)
        var firstPass: PassResult
        do {
            firstPass = try pass(sourceCRS: config.crs, stats: &stats, onFeature: onFeature)
        } catch let error as InputError where config.crs == nil && stats.crsSource.hasPrefix("default") {
            // The features were taken as WGS84 (the RFC 7946 default) and one failed; a
            // legacy crs member after the features would change that: look for one.
            guard let late = try? GeoJSONReader.declaredCRS(path: config.path), late.crsAfterFeatures else { throw error }
            firstPass = PassResult(declaredName: late.name, declared: CRSIdentifier(parsing: late.name),
                                   crsAfterFeatures: true, seenKeys: [])
        }
        if config.crs == nil, let name = firstPass.declaredName, firstPass.crsAfterFeatures {
            // The crs member came after the features: read again with it.
            guard let declared = firstPass.declared else {
                throw InputError(file: config.path, problem: "the file's crs member \"\(name)\" is not a CRS identifier Terrein understands",
                                 hint: "set `crs: EPSG:28992` (or the right code) for layers.\(config.kind.rawValue) in the pipeline file")
            }
            stats = LayerStats(layer: config.kind, path: config.path, sha256: stats.sha256)
            onReset()
            let second = try pass(sourceCRS: declared, stats: &stats, onFeature: onFeature)
            stats.crsSource = "crs member (after the features)"
            firstPass.seenKeys = second.seenKeys
        }
        try checkFields(stats: stats, seen: firstPass.seenKeys)
        if let b = stats.bounds, let area = workArea, !b.intersects(area) {
            throw InputError(
                file: config.path,
                problem: String(format: "the layer's extent (%.0f, %.0f – %.0f, %.0f in %@) lies wholly outside the area of use of the work CRS",
                                b.minX, b.minY, b.maxX, b.maxY, workCRS.description),
                hint: "the coordinates are probably in lat/lon order instead of lon/lat (swapped axes), or in another CRS than \(stats.sourceCRS); fix the export or set `crs:` for layers.\(config.kind.rawValue)")
        }
        return stats
    }

    private struct PassResult {
        var declaredName: String?
        var declared: CRSIdentifier?
        var crsAfterFeatures: Bool
        var seenKeys: Set<String>
    }

    private func pass(sourceCRS override: CRSIdentifier?, stats: inout LayerStats,
                      onFeature: (Prepared) throws -> Void) throws -> PassResult {
        let reader = try GeoJSONReader(path: config.path)
        var transformer: CRSTransformer?
        var source: CRSIdentifier?
        var geographic = false
        var seenKeys = Set<String>()
        let wanted = Set(config.kind.attributes.map { config.field($0) })

        func resolveCRS() throws {
            if source != nil { return }
            if let override {
                source = override
                stats.crsSource = "pipeline"
            } else if let declared = reader.declaredCRS {
                guard let id = CRSIdentifier(parsing: declared) else {
                    throw InputError(file: config.path, problem: "the file's crs member \"\(declared)\" is not a CRS identifier Terrein understands",
                                     hint: "set `crs: EPSG:28992` (or the right code) for layers.\(config.kind.rawValue) in the pipeline file")
                }
                source = id
                stats.crsSource = "crs member"
            } else {
                source = .wgs84
                stats.crsSource = reader.encoding == .sequence ? "default (GeoJSONSeq has no crs member)" : "default (RFC 7946)"
            }
            let info: CRSInfo
            do { info = try lookUpCRS(source!) } catch {
                throw InputError(file: config.path, problem: "unknown CRS \(source!): \(error)",
                                 hint: "set `crs:` for layers.\(config.kind.rawValue) in the pipeline file")
            }
            geographic = info.isGeographic
            stats.sourceCRS = source!.description
            transformer = try CRSTransformer(from: source!, to: workCRS)
        }

        let passStart = threadCPUTime()
        let prepareBefore = stats.reprojectSeconds + stats.buildRepairSeconds
        defer {
            stats.parseSeconds += threadCPUTime() - passStart - (stats.reprojectSeconds + stats.buildRepairSeconds - prepareBefore)
        }
        var reported = 0
        defer { options.onBytesRead?(reader.bytesRead - reported) }
        try reader.read { feature in
            if let onBytesRead = options.onBytesRead, reader.bytesRead - reported >= 1 << 20 {
                onBytesRead(reader.bytesRead - reported)
                reported = reader.bytesRead
            }
            try resolveCRS()
            stats.features += 1
            for key in feature.properties.keys where wanted.contains(key) { seenKeys.insert(key) }
            let prepared: Prepared?
            do {
                prepared = try prepare(feature, transformer: transformer!, geographic: geographic, stats: &stats)
            } catch let e as GeometryError {
                throw fail(feature, "geometry operation failed: \(e)", "GEOS could not process this feature: check it with `terrein inspect`, repair or simplify it in the source")
            }
            guard let prepared else { return }
            stats.used += 1
            if let b = prepared.geometry.bounds {
                if stats.bounds == nil { stats.bounds = b } else { stats.bounds!.formUnion(b) }
            }
            try onFeature(prepared)
        }
        if source == nil { try resolveCRS() }
        stats.encoding = reader.encoding.rawValue
        stats.sha256 = reader.sha256 ?? ""  // the whole file was read
        let declared = reader.declaredCRS.flatMap { CRSIdentifier(parsing: $0) }
        return PassResult(declaredName: reader.declaredCRS, declared: declared, crsAfterFeatures: reader.crsAfterFeatures, seenKeys: seenKeys)
    }

    /// Explicitly mapped fields must exist in the data (when it has features).
    private func checkFields(stats: LayerStats, seen: Set<String>) throws {
        guard stats.features > 0 else { return }
        for attr in config.kind.attributes.sorted() where config.explicitFields.contains(attr) {
            let field = config.field(attr)
            if !seen.contains(field) {
                throw InputError(
                    file: config.path,
                    problem: "layers.\(config.kind.rawValue).fields.\(attr): no feature has a property \"\(field)\"",
                    hint: "run `terrein inspect \(config.declaredPath)` to list the property names, and fix the field mapping in the pipeline file")
            }
        }
    }

    private func fail(_ f: GeoJSONFeature, _ problem: String, _ hint: String = "") -> InputError {
        InputError(file: config.path, featureIndex: f.index, line: f.line, column: f.column, problem: problem, hint: hint)
    }

    /// Geometry preparation of one feature: nil when it is skipped.
    private func prepare(_ f: GeoJSONFeature, transformer: CRSTransformer, geographic: Bool,
                         stats: inout LayerStats) throws -> Prepared? {
        func skip(_ reason: String) throws -> Prepared? {
            if options.strict {
                throw fail(f, "skipped: \(reason) (--strict turns skips into errors)",
                           "fix the feature in the source, or run without --strict to skip it")
            }
            stats.noteSkip(f.index, reason)
            return nil
        }
        // Repairs are noted when the feature ends up used: a feature has exactly one
        // outcome, so one that is repaired and then skipped counts as skipped only.
        var repairs: [String] = []
        func repaired(_ reason: String) throws {
            if !repairs.contains(reason) { repairs.append(reason) }
        }
        func used(_ p: Prepared) throws -> Prepared {
            if options.strict, let reason = repairs.first {
                throw fail(f, "needs repair: \(reason) (--strict turns repairs into errors)",
                           "fix the feature in the source, or run without --strict to let Terrein repair it")
            }
            for reason in repairs { stats.noteRepair(f.index, reason) }
            return p
        }
        guard let raw = f.geometry else {
            return try skip(f.hasGeometryMember ? "null geometry" : "no geometry member")
        }
        // Polygons of the feature, as rings of interleaved x,y in the source CRS.
        var polygons: [[[Double]]] = []
        var dropped: [String] = []
        func collect(_ g: RawGeometry) {
            switch g.type {
            case .polygon, .multiPolygon: polygons.append(contentsOf: g.polygons)
            case .geometryCollection: g.members.forEach(collect)
            default: dropped.append(g.type.rawValue)
            }
        }
        collect(raw)
        if polygons.isEmpty {
            return try skip(raw.type == .geometryCollection
                            ? "GeometryCollection without polygons"
                            : "\(raw.type.rawValue) in a polygon layer")
        }
        if raw.type == .geometryCollection && !dropped.isEmpty {
            try repaired("non-polygonal members of a GeometryCollection dropped")
        }

        // Coordinates: finite, plausible, rings closed and long enough; then reproject.
        var clock = threadCPUTime()
        defer { stats.buildRepairSeconds += threadCPUTime() - clock }
        var built: [Geometry] = []
        for var rings in polygons {
            for r in rings.indices {
                let ring = rings[r]
                for i in stride(from: 0, to: ring.count, by: 2) {
                    let x = ring[i], y = ring[i + 1]
                    guard x.isFinite, y.isFinite, abs(x) < 1e9, abs(y) < 1e9 else {
                        throw fail(f, "absurd coordinate (\(x), \(y))",
                                   "coordinates must be finite and in the layer's CRS; fix or drop this feature in the source")
                    }
                    if geographic && (abs(x) > 180 || abs(y) > 90) {
                        let looksRD = x > -10_000 && x < 300_000 && y > 280_000 && y < 650_000
                        throw fail(f, "coordinate (\(x), \(y)) is not a longitude/latitude, but the layer's CRS is \(stats.sourceCRS) (\(stats.crsSource))",
                                   looksRD
                                   ? "these look like RD New metres: set `crs: EPSG:28992` for layers.\(config.kind.rawValue) in the pipeline file"
                                   : "set `crs:` for layers.\(config.kind.rawValue) to the file's real CRS in the pipeline file")
                    }
                }
                if ring.count >= 2 && (ring[0] != ring[ring.count - 2] || ring[1] != ring[ring.count - 1]) {
                    rings[r].append(ring[0]); rings[r].append(ring[1])
                    try repaired("unclosed ring closed")
                }
            }
            // A polygon written with no rings at all ("coordinates": []) is as degenerate
            // as one whose shell is too short.
            if rings.isEmpty || rings[0].count < 8 {
                dropped.append("shell with fewer than 4 positions")
                continue
            }
            let before = rings.count
            rings = [rings[0]] + rings.dropFirst().filter { $0.count >= 8 }
            if rings.count < before { try repaired("hole with fewer than 4 positions dropped") }
            let projectStart = threadCPUTime()
            for r in rings.indices {
                guard transformer.transform(&rings[r]) else {
                    throw fail(f, "coordinates cannot be transformed from \(stats.sourceCRS) to \(workCRS)",
                               "check that the layer's CRS is right (set `crs:` in the pipeline file)")
                }
            }
            let projectTime = threadCPUTime() - projectStart
            stats.reprojectSeconds += projectTime
            clock += projectTime
            do {
                built.append(try Geometry.polygon(rings: rings))
            } catch {
                return try skip("cannot build polygon: \(error)")
            }
        }
        if built.isEmpty { return try skip("no ring with at least 4 positions") }
        if built.count < polygons.count { try repaired("polygon with a degenerate shell dropped") }
        var geometry = built.count == 1 ? built[0] : try Geometry.collection(built, type: .multiPolygon)
        if try !geometry.isValid {
            let reason = geometry.validityReason
            let fixed = try geometry.makeValid().polygonalPart()
            guard let fixed, try !fixed.isEmpty, try fixed.area() > 0 else {
                if config.kind == .terreinen {
                    let id = Attributes.text(f.properties[config.field("id")]).map { "terrein \"\($0)\": " } ?? ""
                    throw fail(f, "\(id)the terrein's polygon is invalid (\(reason)) and repairing it leaves no area",
                               "fix the terrein's outline in the source")
                }
                return try skip("invalid polygon with no area after repair (\(reason))")
            }
            try repaired("invalid polygon made valid (\(Self.shortReason(reason)))")
            geometry = fixed
        }
        return try used(Prepared(index: f.index, geometry: geometry, properties: f.properties))
    }

    /// "Self-intersection[1 2]" → "Self-intersection".
    static func shortReason(_ r: String) -> String {
        String(r.prefix { $0 != "[" }).trimmingCharacters(in: .whitespaces)
    }
}

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
        var workArea: Bounds?
        if let a = workInfo.areaOfUse, let t = try? CRSTransformer(from: .wgs84, to: pipeline.workCRS),
           let b = t.transformBounds(Bounds(minX: a.west, minY: a.south, maxX: a.east, maxY: a.north)) {
            workArea = b.expanded(by: 50_000)
        }
        // Layers are independent: read them in parallel (each thread with its own GEOS and
        // PROJ contexts), then merge in layer order. An error of the first layer in that
        // order wins, whatever the scheduling.
        let kinds = LayerKind.allCases.filter { pipeline.layers[$0] != nil }
        let parts = try parallelMap(count: kinds.count, threads: options.threads) { i -> LoadedLayers in
            let kind = kinds[i]
            let config = pipeline.layers[kind]!
            var out = LoadedLayers()
            progress?(kind)
            let loader = LayerLoader(config: config, workCRS: pipeline.workCRS, workArea: workArea, options: options)
            var stats: LayerStats
            switch kind {
            case .terreinen:
                var seen: [String: Int] = [:]
                let idField = config.field("id")
                stats = try loader.load(onReset: { out.terreinen.removeAll(); seen.removeAll() }) { p in
                    let id = try Attributes.terreinId(p.properties[idField], field: idField, file: config.path, feature: p.index)
                    if let first = seen[id] {
                        throw InputError(file: config.path, featureIndex: p.index,
                                         problem: "duplicate terrein id \"\(id)\" (also feature \(first))",
                                         hint: "terrein ids must be unique: fix the source or map another id field")
                    }
                    seen[id] = p.index
                    out.terreinen.append(Terrein(index: p.index, id: id,
                                                 name: Attributes.text(p.properties[config.field("name")]),
                                                 region: Attributes.text(p.properties[config.field("region")]),
                                                 geometry: p.geometry))
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
                                              buildingId: Attributes.text(p.properties[bf]).flatMap { $0.isEmpty ? nil : $0 }))
                }
            case .natura2000:
                var sites: [Site] = []
                stats = try loader.load(onReset: { sites.removeAll() }) { p in
                    sites.append(Site(index: p.index, name: Attributes.text(p.properties[config.field("name")]), geometry: p.geometry))
                }
                out.natura2000 = sites
            case .landcover:
                var polys: [LandCoverPolygon] = []
                var unmapped: [String: Int] = [:]
                stats = try loader.load(onReset: { polys.removeAll(); unmapped.removeAll() }) { p in
                    let value = Attributes.text(p.properties[config.field("class")]) ?? ""
                    let cls = config.classes[value] ?? .other
                    if config.classes[value] == nil { unmapped[value, default: 0] += 1 }
                    polys.append(LandCoverPolygon(index: p.index, cls: cls, geometry: p.geometry))
                }
                stats.unmappedClasses = unmapped
                out.landcover = polys
            case .inundation:
                var polys: [InundationPolygon] = []
                stats = try loader.load(onReset: { polys.removeAll() }) { p in
                    polys.append(InundationPolygon(index: p.index, depth: Attributes.number(p.properties[config.field("depth_m")]),
                                                   geometry: p.geometry))
                }
                out.inundation = polys
            }
            out.stats[kind] = stats
            return out
        }
        var out = LoadedLayers()
        for part in parts {
            if !part.terreinen.isEmpty { out.terreinen = part.terreinen }
            if !part.roofs.isEmpty { out.roofs = part.roofs }
            out.natura2000 = part.natura2000 ?? out.natura2000
            out.landcover = part.landcover ?? out.landcover
            out.inundation = part.inundation ?? out.inundation
            out.stats.merge(part.stats) { a, _ in a }
        }
        return out
    }
}
