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
        public var invalidGeometries = 0
        public var firstInvalid: [(Int, String)] = []
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
            if let reason = invalidReason(g) {
                r.invalidGeometries += 1
                if r.firstInvalid.count < 5 { r.firstInvalid.append((f.index, reason)) }
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

    /// Why a polygonal geometry is invalid as written (unclosed rings count), or nil.
    static func invalidReason(_ g: RawGeometry) -> String? {
        switch g.type {
        case .polygon, .multiPolygon:
            var rings = g.polygons
            for p in rings.indices {
                for r in rings[p].indices {
                    let ring = rings[p][r]
                    if ring.count < 8 { return "ring with fewer than 4 positions" }
                    if ring[0] != ring[ring.count - 2] || ring[1] != ring[ring.count - 1] { return "unclosed ring" }
                }
            }
            do {
                let polys = try rings.indices.map { try Geometry.polygon(rings: rings[$0]) }
                rings = []
                let geom = polys.count == 1 ? polys[0] : try Geometry.collection(polys, type: .multiPolygon)
                return try geom.isValid ? nil : LayerLoader.shortReason(geom.validityReason)
            } catch {
                return "\(error)"
            }
        case .geometryCollection:
            return g.members.lazy.compactMap(invalidReason).first
        default:
            return nil
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
        lines.append("invalid geometries: \(r.invalidGeometries)" + (r.firstInvalid.isEmpty ? "" :
            " (first: " + r.firstInvalid.map { "#\($0.0) \($0.1)" }.joined(separator: "; ") + ")"))
        return lines.joined(separator: "\n")
    }
}
