import Foundation
import TerreinGDAL
import TerreinGeometry
import TerreinIO
import TerreinJSON

/// `terrein inspect FILE [--layer NAME]`: what is in a vector file, without a pipeline. A
/// GeoJSON file is read by Terrein's own reader, any other by GDAL/OGR, as a run reads them
/// (`LayerConfig.isGeoJSON`); every feature goes through the run's preparation steps
/// (`GeometryPreparation.build` and `makeValid`), so the counts of what a run would repair
/// or skip are a run's, and the time the command takes is a run's reading time for the layer
/// (before reprojection: nothing is reprojected here).
public enum Inspector {
    public struct Report {
        public var features = 0
        public var geometryTypes: [String: Int] = [:]
        public var nullGeometries = 0
        public var declaredCRS: String?
        public var encoding = ""
        public var bounds: Bounds?
        public var properties: [String: [String: Int]] = [:]
        public var propertyOrder: [String] = []
        /// Features a run would repair, and skip (null geometries aside).
        public var toRepair = 0
        public var firstToRepair: [(Int, String)] = []
        public var toSkip = 0
        public var firstToSkip: [(Int, String)] = []
        /// The same, labelled for the text: "12", or "12 (FID 13)" for OGR sources.
        public var firstToRepairLabelled: [(String, String)] = []
        public var firstToSkipLabelled: [(String, String)] = []
        public var maxDimension = 2
        /// OGR sources: the driver, every layer, and the one read feature by feature (nil
        /// when the file has several and none was named).
        public var driver: String?
        public var layers: [VectorLayer.LayerDescription] = []
        public var layerName: String?
        public var text = ""
    }

    /// A GeoJSON file (`layer` must be nil), or any vector file GDAL reads: every layer
    /// listed, and `layer` (or the only one) read feature by feature.
    public static func inspect(path: String, layer: String? = nil) throws -> Report {
        if LayerConfig.isGeoJSON(path: path) {
            if layer != nil {
                throw InputError(file: path, problem: "a GeoJSON file has one layer; --layer names a layer of a GeoPackage or another GDAL file",
                                 hint: "run `terrein inspect \(path)` without --layer")
            }
            return try inspectGeoJSON(path: path)
        }
        return try inspectOGR(path: path, layer: layer)
    }

    static func inspectGeoJSON(path: String) throws -> Report {
        let reader = try GeoJSONReader(path: path)
        var r = Report()
        // Property names and JSON types are counted per slot, and a feature's properties
        // usually come in the order of the previous feature's: the name is compared with the
        // slot it had there, not hashed (two dictionary lookups per property and feature
        // were 4 % of inspecting the M roofs, perf). Turned into `r.properties` at the end.
        var slotOfName: [String: Int] = [:]
        var slotNames: [String] = []
        var slotCounts: [[Int]] = []
        var previousSlots: [Int] = []
        var typeCounts: [(GeoJSONType, Int)] = []
        try reader.read { f in
            r.features += 1
            for (j, (k, v)) in zip(f.properties.keys, f.properties.values).enumerated() {
                let slot: Int
                if j < previousSlots.count && slotNames[previousSlots[j]] == k {
                    slot = previousSlots[j]
                } else {
                    if let known = slotOfName[k] { slot = known } else {
                        slot = slotNames.count
                        slotOfName[k] = slot
                        slotNames.append(k)
                        slotCounts.append([Int](repeating: 0, count: Self.jsonTypeNames.count))
                    }
                    if j < previousSlots.count { previousSlots[j] = slot } else { previousSlots.append(slot) }
                }
                slotCounts[slot][Self.jsonTypeIndex(v)] += 1
            }
            guard let g = f.geometry else { r.nullGeometries += 1; return }
            if let t = typeCounts.firstIndex(where: { $0.0 == g.type }) { typeCounts[t].1 += 1 } else { typeCounts.append((g.type, 1)) }
            r.maxDimension = max(r.maxDimension, g.dimension)
            extend(&r.bounds, g)
            if let note = preparationNote(g) {
                if note.skipped {
                    r.toSkip += 1
                    if r.firstToSkip.count < 5 {
                        r.firstToSkip.append((f.index, note.reason))
                        r.firstToSkipLabelled.append(("\(f.index)", note.reason))
                    }
                } else {
                    r.toRepair += 1
                    if r.firstToRepair.count < 5 {
                        r.firstToRepair.append((f.index, note.reason))
                        r.firstToRepairLabelled.append(("\(f.index)", note.reason))
                    }
                }
            }
        }
        r.propertyOrder = slotNames
        for (name, counts) in zip(slotNames, slotCounts) {
            var types: [String: Int] = [:]
            for (t, n) in zip(Self.jsonTypeNames, counts) where n > 0 { types[t] = n }
            r.properties[name] = types
        }
        for (t, n) in typeCounts { r.geometryTypes[t.rawValue] = n }
        r.declaredCRS = reader.declaredCRS
        r.encoding = reader.encoding.rawValue
        r.text = render(r, path: path)
        return r
    }

    /// `JSONValue.typeName` of each case, in `jsonTypeIndex` order.
    static let jsonTypeNames = ["null", "boolean", "integer", "number", "string", "array", "object"]

    static func jsonTypeIndex(_ v: JSONValue) -> Int {
        switch v {
        case .null: return 0
        case .bool: return 1
        case .integer: return 2
        case .number: return 3
        case .string: return 4
        case .array: return 5
        case .object: return 6
        }
    }

    static func extend(_ b: inout Bounds?, _ g: RawGeometry) {
        g.xy.withUnsafeBufferPointer { xy in
            guard xy.count >= 2 else { return }
            var box = b ?? Bounds(minX: xy[0], minY: xy[1], maxX: xy[0], maxY: xy[1])
            for i in stride(from: 0, to: xy.count, by: 2) {
                box.formUnion(Bounds(minX: xy[i], minY: xy[i + 1], maxX: xy[i], maxY: xy[i + 1]))
            }
            b = box
        }
        for m in g.members { extend(&b, m) }
    }

    /// What a run would do with the feature's geometry, by the same preparation steps
    /// (docs/indicators.md, "Geometry preparation"), before reprojection: nil when it is
    /// used as written, else (skipped, the first reason).
    static func preparationNote(_ g: RawGeometry) -> (skipped: Bool, reason: String)? {
        let wording = GeometryPreparation.Wording(sourceCRS: "the file's CRS", crsOrigin: "as written",
                                                  workCRS: "the work CRS", layerKey: "the layer")
        do {
            switch try GeometryPreparation.build(g, geographic: false, wording: wording, transform: { _ in true }) {
            case .skipped(let reason): return (true, reason)
            case .used(let built, let repairs):
                switch try GeometryPreparation.makeValid(built, repairs: repairs) {
                case .skipped(let validity): return (true, "invalid polygon with no area after repair (\(validity))")
                case .used(_, let all): return all.first.map { (false, $0) }
                }
            }
        } catch let p as GeometryPreparation.CoordinateProblem {
            return (true, p.problem)
        } catch {
            return (true, "\(error)")
        }
    }

    /// Every layer described; `layer` (or the only one) read with the run's OGR reader.
    static func inspectOGR(path: String, layer requested: String?) throws -> Report {
        if let kind = InputFile.nonRegularKind(atPath: path) {
            throw InputError(file: path, problem: "is \(kind), not a regular file", hint: "give the path of a vector or raster file")
        }
        var r = Report()
        do {
            // The file is opened once: every layer described, and a --layer (or a file's only
            // layer) read as a run reads it (an unknown name is the same error, listing the layers).
            let opened = try VectorLayer.describeAndOpen(path: path, layer: requested)
            r.driver = opened.driver
            r.layers = opened.layers
            if let layer = opened.layer {
                r.layerName = layer.layerName
                r.encoding = "\(layer.driver) layer \(layer.layerName)"
                r.declaredCRS = layer.crsCode ?? layer.crsWKT.map { crsShortName(definition: $0) }
                try layer.forEach { f in note(f, in: &r) }
            }
        } catch let e as RasterError {
            throw InputError(file: e.path, problem: e.problem, hint: e.hint)
        } catch let e as VectorReadError {
            throw InputError(file: path, featureIndex: e.featureIndex, problem: e.problem, hint: e.hint)
        }
        r.text = renderOGR(r, path: path)
        return r
    }

    /// One OGR feature: its types, extent, fields, and what the preparation steps do with it.
    static func note(_ f: VectorFeature, in r: inout Report) {
        r.features += 1
        for (k, v) in f.fields {
            if r.properties[k] == nil { r.propertyOrder.append(k) }
            let type: String
            switch v {
            case .null: type = "null"
            case .integer: type = "integer"
            case .real: type = "number"
            case .text: type = "string"
            }
            r.properties[k, default: [:]][type, default: 0] += 1
        }
        guard let g = f.geometry else { r.nullGeometries += 1; return }
        let name: String
        switch g.kind {
        case .polygon: name = "Polygon"
        case .multiPolygon: name = "MultiPolygon"
        case .collection: name = "GeometryCollection"
        case .other(let n): name = n
        }
        r.geometryTypes[name, default: 0] += 1
        r.maxDimension = max(r.maxDimension, g.dimension)
        let raw = OGRLayerSource.raw(g)
        extend(&r.bounds, raw)
        let label = "\(f.index) (FID \(f.fid))"
        let outcome: (skipped: Bool, reason: String)?
        if case .other(let n) = g.kind { outcome = (true, "\(n) in a polygon layer") } else { outcome = preparationNote(raw) }
        guard let outcome else { return }
        if outcome.skipped {
            r.toSkip += 1
            if r.firstToSkipLabelled.count < 5 { r.firstToSkipLabelled.append((label, outcome.reason)) }
        } else {
            r.toRepair += 1
            if r.firstToRepairLabelled.count < 5 { r.firstToRepairLabelled.append((label, outcome.reason)) }
        }
    }

    static func renderOGR(_ r: Report, path: String) -> String {
        var lines = ["file: \(path)", "driver: \(r.driver ?? "OGR")", "layers: \(r.layers.count)"]
        for l in r.layers {
            lines.append("layer \"\(l.name)\": \(l.featureCount) feature(s), \(l.geometryType)")
            lines.append("  crs: " + (l.crsCode ?? l.crsWKT.map { "\(crsShortName(definition: $0)) (no authority code: a pipeline must give crs:)" }
                ?? "none (a pipeline must give crs:; a Shapefile without .prj?)"))
            if let e = l.extent {
                lines.append(String(format: "  extent: %.6f, %.6f, %.6f, %.6f", e[0], e[1], e[2], e[3]))
            }
            lines.append("  fields: " + (l.fields.isEmpty ? "none" : l.fields.map { "\($0.name) (\($0.type))" }.joined(separator: ", ")))
        }
        guard let name = r.layerName else {
            lines.append("give --layer NAME (one of " + r.layers.map { "\"\($0.name)\"" }.joined(separator: ", ")
                         + ") to read a layer feature by feature and see what a run would repair or skip")
            return lines.joined(separator: "\n")
        }
        lines.append("layer \"\(name)\", read feature by feature as a run reads it:")
        lines.append(contentsOf: body(r))
        return lines.joined(separator: "\n")
    }

    /// The per-feature part, shared by GeoJSON and OGR sources.
    static func body(_ r: Report) -> [String] {
        var lines = ["features: \(r.features)"]
        lines.append("geometry types: " + (r.geometryTypes.isEmpty ? "none" :
            r.geometryTypes.keys.sorted().map { "\($0) \(r.geometryTypes[$0]!)" }.joined(separator: ", "))
            + (r.nullGeometries > 0 ? ", null \(r.nullGeometries)" : ""))
        lines.append("coordinate dimension: \(r.maxDimension)")
        if r.driver == nil {
            lines.append("crs: " + (r.declaredCRS.map { "\($0) (crs member)" }
                ?? (r.encoding == "GeoJSONSeq" ? "none (GeoJSONSeq: WGS84 unless the pipeline sets crs)" : "none (RFC 7946: WGS84 lon/lat)")))
        }
        if let b = r.bounds {
            lines.append(String(format: "bbox: %.6f, %.6f, %.6f, %.6f", b.minX, b.minY, b.maxX, b.maxY))
        }
        lines.append("properties:")
        for k in r.propertyOrder {
            let types = r.properties[k]!
            lines.append("  \(k): " + types.keys.sorted().map { "\($0) \(types[$0]!)" }.joined(separator: ", "))
        }
        func first(_ notes: [(String, String)]) -> String {
            notes.isEmpty ? "" : " (first: " + notes.map { "#\($0.0) \($0.1)" }.joined(separator: "; ") + ")"
        }
        lines.append("a run would repair: \(r.toRepair) feature(s)" + first(r.firstToRepairLabelled))
        lines.append("a run would skip: \(r.toSkip) feature(s) with a geometry" + first(r.firstToSkipLabelled))
        return lines
    }

    static func render(_ r: Report, path: String) -> String {
        (["file: \(path)", "encoding: \(r.encoding)"] + body(r)).joined(separator: "\n")
    }
}
