import TerreinJSON
import Foundation
import TerreinGDAL
import TerreinGeometry
import TerreinIO

/// One feature as its source yields it: geometry already in GEOS, in the work CRS (or why
/// the feature has none usable), with its properties and where it sits in the file.
public struct SourceFeature {
    /// 0-based position in the source.
    public var index: Int
    /// The source's own feature id (OGR's FID), for messages; nil for GeoJSON.
    public var fid: Int64?
    /// The OGR layer it was read from, for messages; nil for GeoJSON.
    public var layerName: String? = nil
    /// Line and column of the feature in a text source, for messages.
    public var line: Int?
    public var column: Int?
    public var properties: JSONObject
    /// After the source's own repairs (ring closing and the like), before validity repair.
    public var geometry: GeometryPreparation.Outcome
    /// The digest of the geometry as built (`BuiltDigest`), when it was built.
    public var builtDigest: Digest32? = nil
    /// Set when the geometry was not built (`geometry` holds `Geometry.deferred`): known valid
    /// as built (`ValidityCache`), where it lies and where the feature is in the file.
    var deferred: DeferredGeometry? = nil
}

/// The digest of one feature's geometry as it went to GEOS: every polygon's transformed
/// coordinates and ring ends, in order (`GeometryPreparation.build`'s `onPolygon`). The built
/// geometry is a function of these alone, and what validity repair makes of it a function of
/// the built geometry and the GEOS version; so the digest stands for the prepared geometry in
/// the incremental keys (with the versions in every key), and it is what the validity cache
/// (`ValidityCache`) remembers of features found valid. One per reading pass, reset per feature.
final class BuiltDigest {
    private var builder = DigestBuilder()

    func start() {
        builder = DigestBuilder()
        builder.add("built-v1")
    }

    func add(_ xy: UnsafeBufferPointer<Double>, _ ringEnds: UnsafeBufferPointer<Int>) {
        builder.add(polygonXY: xy, ringEnds: ringEnds)
    }

    func finish() -> Digest32 { builder.finish() }
}

/// What a source tells about itself while it reads.
public struct SourceInfo: Sendable {
    /// SHA-256 of every byte the source read.
    public var sha256 = ""
    /// The encoding (e.g. "FeatureCollection", "GeoJSONSeq").
    public var encoding = ""
    /// The layer's CRS, and where that came from ("pipeline", "crs member", ...).
    public var sourceCRS = ""
    public var crsSource = ""
    /// The PROJ definition of the operation to the work CRS (`CRSTransformer.operation`).
    public var operation = ""
    /// CPU seconds: parsing, reprojecting, building geometry (the source's part).
    public var parseSeconds = 0.0
    public var reprojectSeconds = 0.0
    public var buildSeconds = 0.0
    /// Features a spatially filtered read (a shard's, `LoadOptions.spatialFilter`) did not
    /// return: counted as features of the layer, never seen.
    public var filteredOut = 0
    public init() {}
}

extension SourceInfo {
    /// Runs one feature's geometry build, and for a sampled feature (`StageTiming`) adds its
    /// CPU time, scaled up, to reprojection and building; `build` gets the callback for the
    /// reprojection time, nil when the feature is not timed.
    mutating func timedBuild(featureIndex: Int,
                             _ build: (_ onTransformTime: ((Double) -> Void)?) throws -> GeometryPreparation.Outcome)
        rethrows -> GeometryPreparation.Outcome {
        guard StageTiming.sampled(featureIndex) else { return try build(nil) }
        let start = threadCPUTime()
        var projecting = 0.0
        defer {
            let k = StageTiming.weight(featureIndex)
            reprojectSeconds += projecting * k
            buildSeconds += (threadCPUTime() - start - projecting) * k
        }
        return try build { projecting += $0 }
    }
}

/// A layer's features, from wherever they come: every format sits behind this interface
/// (as GDAL puts every format behind a driver), so that the loader and the indicator
/// families never know where a feature came from.
public protocol LayerSource {
    /// Streams the features in source order, filling `info`. When the source must start
    /// over (a GeoJSON `crs` member after the features), it calls `onReset`: everything
    /// delivered before is void.
    func read(info: inout SourceInfo, onReset: () -> Void, onFeature: (SourceFeature) throws -> Void) throws
}

/// GeoJSON (FeatureCollection, a lone Feature, GeoJSONSeq) through Terrein's own streaming
/// reader, reprojected with PROJ on the raw coordinate buffers before they become GEOS
/// geometries (docs/performance.md: the reader is core to the product).
struct GeoJSONLayerSource: LayerSource {
    let config: LayerConfig
    let workCRS: CRSIdentifier
    /// Told how many more bytes of input have been read.
    let onBytesRead: (@Sendable (Int) -> Void)?
    /// Only these bytes of a GeoJSONSeq file (one part of a layer read by several threads).
    var range: Range<Int>? = nil
    /// Geometries to leave unbuilt when their digest is in it (`LoadOptions.deferKnownValid`).
    var deferral: ValidityCache.Known? = nil
    /// Instead of `range`: several ranges of records, read one after the other with one CRS
    /// transformer (creating one per range cost more than the reading: `IndexedLayers.materialize`).
    var ranges: [Range<Int>]? = nil

    var layerKey: String { config.keyPath }

    func read(info stats: inout SourceInfo, onReset: () -> Void, onFeature: (SourceFeature) throws -> Void) throws {
        var firstPass: PassResult
        do {
            firstPass = try pass(sourceCRS: config.crs, stats: &stats, onFeature: onFeature)
        } catch let error as InputError where config.crs == nil && stats.crsSource.hasPrefix("default") {
            // The features were taken as WGS84 (the RFC 7946 default) and one failed; a
            // legacy crs member after the features would change that: look for one.
            guard let late = try? GeoJSONReader.declaredCRS(path: config.path), late.crsAfterFeatures else { throw error }
            firstPass = PassResult(declaredName: late.name, declared: CRSIdentifier(parsing: late.name), crsAfterFeatures: true)
        }
        if config.crs == nil, let name = firstPass.declaredName, firstPass.crsAfterFeatures {
            // The crs member came after the features: read again with it.
            guard let declared = firstPass.declared else {
                throw InputError(file: config.path, problem: "the file's crs member \"\(name)\" is not a CRS identifier Terrein understands",
                                 hint: "set `crs: EPSG:28992` (or the right code) for \(layerKey) in the pipeline file")
            }
            stats = SourceInfo()
            onReset()
            _ = try pass(sourceCRS: declared, stats: &stats, onFeature: onFeature)
            stats.crsSource = "crs member (after the features)"
        }
    }

    private struct PassResult {
        var declaredName: String?
        var declared: CRSIdentifier?
        var crsAfterFeatures: Bool
    }

    private func pass(sourceCRS override: CRSIdentifier?, stats: inout SourceInfo,
                      onFeature: (SourceFeature) throws -> Void) throws -> PassResult {
        var pieces = ranges.map { $0.map { Optional($0) } } ?? [range]
        if pieces.isEmpty { pieces = [0..<0] }
        var reader = try pieces[0].map { try GeoJSONReader(path: config.path, range: $0) } ?? GeoJSONReader(path: config.path)
        var transformer: CRSTransformer?
        var source: CRSIdentifier?
        var geographic = false

        func resolveCRS() throws {
            if source != nil { return }
            if let override {
                source = override
                stats.crsSource = "pipeline"
            } else if let declared = reader.declaredCRS {
                guard let id = CRSIdentifier(parsing: declared) else {
                    throw InputError(file: config.path, problem: "the file's crs member \"\(declared)\" is not a CRS identifier Terrein understands",
                                     hint: "set `crs: EPSG:28992` (or the right code) for \(layerKey) in the pipeline file")
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
                                 hint: "set `crs:` for \(layerKey) in the pipeline file")
            }
            geographic = info.isGeographic
            stats.sourceCRS = source!.description
            transformer = try CRSTransformer(from: source!, to: workCRS)
            stats.operation = transformer!.operation
        }

        // Parsing is what the pass spends outside reprojection, building and the consumer.
        let passStart = threadCPUTime()
        let prepareBefore = stats.reprojectSeconds + stats.buildSeconds
        var consumer = 0.0
        defer {
            // The stages are sampled estimates (StageTiming): parsing is never counted below zero.
            stats.parseSeconds += max(0, threadCPUTime() - passStart - consumer
                - (stats.reprojectSeconds + stats.buildSeconds - prepareBefore))
        }
        let digest = BuiltDigest()
        let shells = ShellBounds()
        func handle(_ f: GeoJSONFeature) throws {
            try resolveCRS()
            var outcome = GeometryPreparation.Outcome.skipped("no geometry member")
            var builtDigest: Digest32?
            var deferred: DeferredGeometry?
            let timed = StageTiming.sampled(f.index)
            if let raw = f.geometry {
                let wording = GeometryPreparation.Wording(sourceCRS: stats.sourceCRS, crsOrigin: stats.crsSource,
                                                          workCRS: workCRS.description, layerKey: layerKey,
                                                          transformProblem: transformer!.failureProblem)
                do {
                    // Known valid as built: every step but GEOS's, the envelope taken on the way.
                    if let known = deferral, let byteRange = f.byteRange {
                        digest.start()
                        shells.start()
                        let survey = try stats.timedBuild(featureIndex: f.index) { onTransformTime in
                            try GeometryPreparation.build(raw, geographic: geographic, wording: wording,
                                                          transform: { transformer!.transform($0) },
                                                          onTransformTime: onTransformTime, makeGeometry: false,
                                                          onPolygon: { digest.add($0, $1); shells.add($0, $1) })
                        }
                        let d = digest.finish()
                        if case .used = survey, let b = shells.bounds, known.contains(d) {
                            deferred = DeferredGeometry(bounds: b, byteRange: byteRange)
                            outcome = survey
                            builtDigest = d
                        }
                    }
                    if deferred == nil {
                        digest.start()
                        outcome = try stats.timedBuild(featureIndex: f.index) { onTransformTime in
                            try GeometryPreparation.build(raw, geographic: geographic, wording: wording,
                                                          transform: { transformer!.transform($0) },
                                                          onTransformTime: onTransformTime, onPolygon: digest.add)
                        }
                        builtDigest = digest.finish()
                    }
                } catch let p as GeometryPreparation.CoordinateProblem {
                    throw InputError(file: config.path, featureIndex: f.index, line: f.line, column: f.column,
                                     problem: p.problem, hint: p.hint)
                }
            } else {
                outcome = .skipped(f.hasGeometryMember ? "null geometry" : "no geometry member")
            }
            let handedOver = timed ? threadCPUTime() : 0
            defer { if timed { consumer += (threadCPUTime() - handedOver) * StageTiming.weight(f.index) } }
            try onFeature(SourceFeature(index: f.index, fid: nil, line: f.line, column: f.column,
                                        properties: f.properties, geometry: outcome, builtDigest: builtDigest,
                                        deferred: deferred))
        }
        for k in pieces.indices {
            if k > 0 { reader = try GeoJSONReader(path: config.path, range: pieces[k]!) }
            var reported = 0
            defer { onBytesRead?(reader.bytesRead - reported) }
            try reader.read { f in
                if let onBytesRead, reader.bytesRead - reported >= 1 << 20 {
                    onBytesRead(reader.bytesRead - reported)
                    reported = reader.bytesRead
                }
                try handle(f)
            }
        }
        if source == nil { try resolveCRS() }
        stats.encoding = reader.encoding.rawValue
        stats.sha256 = reader.sha256 ?? ""  // the whole file was read
        let declared = reader.declaredCRS.flatMap { CRSIdentifier(parsing: $0) }
        return PassResult(declaredName: reader.declaredCRS, declared: declared, crsAfterFeatures: reader.crsAfterFeatures)
    }
}

/// Any other vector format, through GDAL/OGR (GeoPackage, Shapefile, FlatGeobuf, GML, and
/// any of these in a `.zip`, read in place through `/vsizip/`, as PDOK's downloads come):
/// features in reading (FID) order, coordinates copied from OGR in bulk into the same
/// buffers the GeoJSON reader fills, so the same preparation steps (ring closing, degenerate
/// parts, reprojection with PROJ) and the same counts apply. A layer's CRS is the pipeline's
/// `crs:` when given, else the source's SRS by its authority code.
struct OGRLayerSource: LayerSource {
    let config: LayerConfig
    let workCRS: CRSIdentifier
    let onBytesRead: (@Sendable (Int) -> Void)?
    /// Only features whose envelope meets this rectangle (work CRS) are needed (a shard's
    /// run): OGR's spatial filter, in the source CRS with a margin, reads just those where
    /// the format has a spatial index. The loader tests the exact rectangle after.
    var filter: Bounds? = nil

    /// `filter` in the source CRS, widened by a margin that covers the rough (PROJ default,
    /// not grid) transformation: 0.01° or 100 m. nil when it cannot be transformed (then
    /// everything is read, and the loader filters).
    static func sourceRect(_ filter: Bounds, workCRS: CRSIdentifier, source: CRSIdentifier, geographic: Bool) -> [Double]? {
        guard let t = try? CRSTransformer(from: workCRS, to: source, purpose: .roughBounds),
              let b = t.transformBounds(filter) else { return nil }
        let e = b.expanded(by: geographic ? 0.01 : 100)
        return [e.minX, e.minY, e.maxX, e.maxY]
    }

    var layerKey: String { config.keyPath }

    /// The files a source of `path` reads: a Shapefile's sidecars too.
    static func files(of path: String) -> [String] {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ext == "shp" else { return [path] }
        let stem = (path as NSString).deletingPathExtension
        return [path] + ["shx", "dbf", "prj", "cpg"].compactMap { sidecar in
            [sidecar, sidecar.uppercased()].map { stem + "." + $0 }.first { FileManager.default.fileExists(atPath: $0) }
        }
    }

    func read(info stats: inout SourceInfo, onReset: () -> Void, onFeature: (SourceFeature) throws -> Void) throws {
        let start = threadCPUTime()
        let layer: VectorLayer
        do { layer = try VectorLayer(path: config.path, layer: config.layer) } catch let e as RasterError {
            // The layer's key in the problem; `layer:` in the hint only where it is the fix.
            let aboutLayers = e.problem.contains("layer")
            throw InputError(file: e.path, problem: "\(layerKey): \(e.problem)",
                             hint: aboutLayers && !e.hint.isEmpty ? "\(e.hint) (\(layerKey).layer)" : e.hint)
        }
        stats.encoding = "\(layer.driver) layer \(layer.layerName)"
        let source: CRSIdentifier
        if let override = config.crs {
            source = override
            stats.crsSource = "pipeline"
        } else if let code = layer.crsCode, let id = CRSIdentifier(parsing: code) {
            source = id
            stats.crsSource = "the source's SRS"
        } else {
            let prj = Self.files(of: config.path).first { $0.lowercased().hasSuffix(".prj") }
            let problem: String
            if layer.crsWKT != nil {
                problem = "the layer's CRS has no authority code Terrein can use"
            } else if let prj {
                problem = "the layer has no CRS: GDAL/PROJ cannot read its .prj (\((prj as NSString).lastPathComponent))"
            } else {
                problem = "the layer has no CRS" + (config.path.lowercased().hasSuffix(".shp") ? " (the Shapefile has no .prj)" : "")
            }
            throw InputError(file: config.path, problem: "\(layerKey): \(problem)",
                             hint: "set `crs:` for \(layerKey) in the pipeline file, e.g. crs: EPSG:28992")
        }
        let info: CRSInfo
        do { info = try lookUpCRS(source) } catch {
            throw InputError(file: config.path, problem: "unknown CRS \(source): \(error)",
                             hint: "set `crs:` for \(layerKey) in the pipeline file")
        }
        stats.sourceCRS = source.description
        let transformer = try CRSTransformer(from: source, to: workCRS)
        stats.operation = transformer.operation
        let wording = GeometryPreparation.Wording(sourceCRS: stats.sourceCRS, crsOrigin: stats.crsSource,
                                                  workCRS: workCRS.description, layerKey: layerKey,
                                                  transformProblem: transformer.failureProblem)
        var consumer = 0.0
        let digest = BuiltDigest()
        do {
        func handle(_ f: VectorFeature) throws {
            var outcome: GeometryPreparation.Outcome = .skipped("null geometry")
            var builtDigest: Digest32?
            let timed = StageTiming.sampled(f.index)
            if let g = f.geometry {
                if case .other(let name) = g.kind {
                    outcome = .skipped("\(name) in a polygon layer")
                } else {
                    do {
                        digest.start()
                        outcome = try stats.timedBuild(featureIndex: f.index) { onTransformTime in
                            try GeometryPreparation.build(Self.raw(g), geographic: info.isGeographic, wording: wording,
                                                          transform: { transformer.transform($0) },
                                                          onTransformTime: onTransformTime, onPolygon: digest.add)
                        }
                        builtDigest = digest.finish()
                    } catch let p as GeometryPreparation.CoordinateProblem {
                        throw InputError(file: config.path, featureIndex: f.index,
                                         problem: "layer \"\(layer.layerName)\", FID \(f.fid): \(p.problem)", hint: p.hint)
                    }
                }
            }
            var properties = JSONObject()
            for (name, value) in f.fields {
                switch value {
                case .null: properties[name] = .null
                case .integer(let i): properties[name] = .integer(i)
                case .real(let d): properties[name] = .number(d)
                case .text(let s): properties[name] = .string(s)
                }
            }
            let handedOver = timed ? threadCPUTime() : 0
            defer { if timed { consumer += (threadCPUTime() - handedOver) * StageTiming.weight(f.index) } }
            try onFeature(SourceFeature(index: f.index, fid: f.fid, layerName: layer.layerName, line: nil, column: nil,
                                        properties: properties, geometry: outcome, builtDigest: builtDigest))
        }
        if let filter, let rect = Self.sourceRect(filter, workCRS: workCRS, source: source, geographic: info.isGeographic) {
            stats.filteredOut += try layer.forEach(filter: rect, handle)
        } else {
            try layer.forEach(handle)
        }
        } catch let e as VectorReadError {
            throw InputError(file: config.path, featureIndex: e.featureIndex,
                             problem: "\(layerKey), layer \"\(layer.layerName)\"\(e.fid.map { ", FID \($0)" } ?? ""): \(e.problem)",
                             hint: e.hint)
        }
        var hashes: [String] = []
        var bytes = 0
        for file in Self.files(of: config.path) {
            hashes.append(try Hashing.sha256Hex(fileAt: file))
            bytes += (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        }
        // One file: its own hash; several (a Shapefile): the hash of their hashes, in order.
        stats.sha256 = hashes.count == 1 ? hashes[0] : Hashing.sha256Hex(Data(hashes.joined(separator: "\n").utf8))
        onBytesRead?(bytes)
        // The stages are sampled estimates (StageTiming): parsing is never counted below zero.
        stats.parseSeconds += max(0, threadCPUTime() - start - consumer - stats.reprojectSeconds - stats.buildSeconds)
    }

    /// The OGR buffers as the preparation steps take them.
    static func raw(_ g: VectorGeometry) -> RawGeometry {
        switch g.kind {
        case .polygon, .multiPolygon:
            var r = RawGeometry(type: g.kind == .polygon ? .polygon : .multiPolygon)
            r.xy = g.xy
            r.lineEnds = g.ringEnds
            r.partEnds = g.polygonEnds
            r.dimension = g.dimension
            return r
        case .collection:
            var r = RawGeometry(type: .geometryCollection)
            r.members = g.members.map(raw)
            return r
        case .other:
            // A non-polygonal member of a collection: dropped (and counted) by the preparation.
            return RawGeometry(type: .point)
        }
    }
}
