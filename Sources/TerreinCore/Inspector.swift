import Foundation
import TerreinGeometry
import TerreinIO

/// `terrein inspect FILE`: what is in a GeoJSON file, without a pipeline.
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
        public var maxDimension = 2
        public var text = ""
    }

    public static func inspect(path: String) throws -> Report {
        let reader = try GeoJSONReader(path: path)
        var r = Report()
        try reader.read { f in
            r.features += 1
            for (k, v) in zip(f.properties.keys, f.properties.values) {
                if r.properties[k] == nil { r.propertyOrder.append(k) }
                r.properties[k, default: [:]][v.typeName, default: 0] += 1
            }
            guard let g = f.geometry else { r.nullGeometries += 1; return }
            r.geometryTypes[g.type.rawValue, default: 0] += 1
            r.maxDimension = max(r.maxDimension, g.dimension)
            extend(&r.bounds, g)
            if let note = preparationNote(g) {
                if note.skipped {
                    r.toSkip += 1
                    if r.firstToSkip.count < 5 { r.firstToSkip.append((f.index, note.reason)) }
                } else {
                    r.toRepair += 1
                    if r.firstToRepair.count < 5 { r.firstToRepair.append((f.index, note.reason)) }
                }
            }
        }
        r.declaredCRS = reader.declaredCRS
        r.encoding = reader.encoding.rawValue
        r.text = render(r, path: path)
        return r
    }

    static func extend(_ b: inout Bounds?, _ g: RawGeometry) {
        for i in stride(from: 0, to: g.xy.count, by: 2) {
            let p = Bounds(minX: g.xy[i], minY: g.xy[i + 1], maxX: g.xy[i], maxY: g.xy[i + 1])
            if b == nil { b = p } else { b!.formUnion(p) }
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

    static func render(_ r: Report, path: String) -> String {
        var lines = ["file: \(path)", "encoding: \(r.encoding)", "features: \(r.features)"]
        lines.append("geometry types: " + (r.geometryTypes.isEmpty ? "none" :
            r.geometryTypes.keys.sorted().map { "\($0) \(r.geometryTypes[$0]!)" }.joined(separator: ", "))
            + (r.nullGeometries > 0 ? ", null \(r.nullGeometries)" : ""))
        lines.append("coordinate dimension: \(r.maxDimension)")
        lines.append("crs: " + (r.declaredCRS.map { "\($0) (crs member)" }
            ?? (r.encoding == "GeoJSONSeq" ? "none (GeoJSONSeq: WGS84 unless the pipeline sets crs)" : "none (RFC 7946: WGS84 lon/lat)")))
        if let b = r.bounds {
            lines.append(String(format: "bbox: %.6f, %.6f, %.6f, %.6f", b.minX, b.minY, b.maxX, b.maxY))
        }
        lines.append("properties:")
        for k in r.propertyOrder {
            let types = r.properties[k]!
            lines.append("  \(k): " + types.keys.sorted().map { "\($0) \(types[$0]!)" }.joined(separator: ", "))
        }
        func first(_ notes: [(Int, String)]) -> String {
            notes.isEmpty ? "" : " (first: " + notes.map { "#\($0.0) \($0.1)" }.joined(separator: "; ") + ")"
        }
        lines.append("a run would repair: \(r.toRepair) feature(s)" + first(r.firstToRepair))
        lines.append("a run would skip: \(r.toSkip) feature(s) with a geometry" + first(r.firstToSkip))
        return lines.joined(separator: "\n")
    }
}
