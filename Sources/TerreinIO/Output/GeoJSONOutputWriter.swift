import TerreinJSON
import Foundation
import TerreinGeometry

/// Writes `indicators.geojson` per RFC 7946:
/// - coordinates reprojected from the work CRS to WGS 84 longitude/latitude, at most 6
///   decimals with trailing zeros trimmed (about 0.1 m);
/// - every geometry a MultiPolygon (one type for the whole layer, as in the GeoPackage),
///   outer rings counter-clockwise and holes clockwise (fixed here by signed area);
/// - one Feature per terrein in row order, `id` = the terrein id, and every indicator
///   column as a property with its rounded value (`Table.roundedValue`, printed with the
///   column's decimals) or null;
/// - no `crs` member; a foreign member `name` carries the pipeline name;
/// - one feature per line, LF line ends, a final newline: the bytes depend only on the input.
public enum GeoJSONOutputWriter {
    public static func write(_ a: RunArtifacts, to path: String) throws {
        let text = try render(a)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    public static func render(_ a: RunArtifacts) throws -> String {
        guard a.terreinGeometries.count == a.indicators.rows.count else {
            throw GeometryError(operation: "GeoJSON output",
                                message: "\(a.indicators.rows.count) indicator rows but \(a.terreinGeometries.count) geometries")
        }
        let transformer = try CRSTransformer(from: a.workCRS, to: .wgs84)
        let idIndex = a.indicators.columnIndex(role: .identifier)
        var out = "{\"type\":\"FeatureCollection\",\"name\":" + JSONText.quote(a.pipelineName) + ",\"features\":[\n"
        let columns = a.indicators.columns
        for (i, row) in a.indicators.rows.enumerated() {
            if i > 0 { out += ",\n" }
            out += "{\"type\":\"Feature\""
            if let idIndex, idIndex < row.count {
                switch row[idIndex] {
                case .text(let s): out += ",\"id\":" + JSONText.quote(s)
                case .integer(let n): out += ",\"id\":" + String(n)
                default: break
                }
            }
            out += ",\"properties\":{"
            for (j, column) in columns.enumerated() {
                if j > 0 { out += "," }
                out += JSONText.quote(column.name) + ":"
                out += propertyValue(j < row.count ? row[j] : .null, kind: column.kind)
            }
            out += "},\"geometry\":"
            var polygons = try a.terreinGeometries[i].polygonRings()
            for p in polygons.indices {
                for r in polygons[p].indices {
                    guard transformer.transform(&polygons[p][r]) else {
                        let id = idIndex.map { Table.format(row[$0], as: .text) } ?? String(i)
                        throw GeometryError(operation: "GeoJSON output",
                                            message: "terrein \(id): coordinates cannot be transformed to WGS 84")
                    }
                }
            }
            out += multiPolygonJSON(polygons)
            out += "}"
        }
        out += "\n]}\n"
        return out
    }

    /// A property value as JSON: the rounded value printed with the column's decimals.
    static func propertyValue(_ cell: Cell, kind: ColumnKind) -> String {
        switch Table.roundedValue(cell, as: kind) {
        case .null: return "null"
        case .text(let s): return JSONText.quote(s)
        case .integer(let n): return String(n)
        case .boolean(let b): return b ? "true" : "false"
        case .real(let d):
            let s = Table.format(.real(d), as: kind)
            return s.isEmpty ? "null" : s
        }
    }

    /// Decimals of longitude/latitude: 6 is about 0.1 m, finer than the 0.5–1 m absolute
    /// accuracy of WGS84 → RD New without the RDNAPTRANS grid; RFC 7946 recommends 6, and
    /// GeoJSON validators flag more as excessive precision.
    static let coordinateDecimals = 6

    /// A coordinate with at most `coordinateDecimals` decimals, trailing zeros (and a bare point) trimmed, never "-0".
    static func coordinate(_ v: Double) -> String {
        var s = Table.formatFixed(v, decimals: coordinateDecimals)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        if s == "-0" { s = "0" }
        return s
    }

    /// Twice the signed area (positive = counter-clockwise) of a ring of interleaved x,y.
    static func signedArea2(_ xy: [Double]) -> Double {
        let n = xy.count / 2
        guard n >= 3 else { return 0 }
        var sum = 0.0
        let x0 = xy[0], y0 = xy[1]
        for k in 0..<n {
            let k2 = (k + 1) % n
            sum += (xy[2 * k] - x0) * (xy[2 * k2 + 1] - y0) - (xy[2 * k2] - x0) * (xy[2 * k + 1] - y0)
        }
        return sum
    }

    /// Reverses the order of the positions of a ring of interleaved x,y.
    static func reversedRing(_ xy: [Double]) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(xy.count)
        var k = xy.count / 2 - 1
        while k >= 0 { out.append(xy[2 * k]); out.append(xy[2 * k + 1]); k -= 1 }
        return out
    }

    /// Rounds a ring to the printed precision and drops positions that repeat the previous
    /// one after rounding (keeping the original when that would leave fewer than 4).
    static func roundedRing(_ xy: [Double]) -> [Double] {
        let scale = pow(10.0, Double(coordinateDecimals))
        var out: [Double] = []
        out.reserveCapacity(xy.count)
        for k in 0..<(xy.count / 2) {
            let x = (xy[2 * k] * scale).rounded() / scale
            let y = (xy[2 * k + 1] * scale).rounded() / scale
            if out.count >= 2, out[out.count - 2] == x, out[out.count - 1] == y { continue }
            out.append(x); out.append(y)
        }
        return out.count >= 8 ? out : xy
    }

    /// A MultiPolygon geometry object (null without polygons), RFC 7946 ring orientation.
    static func multiPolygonJSON(_ polygons: [[[Double]]]) -> String {
        if polygons.isEmpty { return "null" }
        var out = "{\"type\":\"MultiPolygon\",\"coordinates\":["
        for (p, rings) in polygons.enumerated() {
            if p > 0 { out += "," }
            out += "["
            for (r, raw) in rings.enumerated() {
                if r > 0 { out += "," }
                var ring = roundedRing(raw)
                let area = signedArea2(ring)
                // Outer ring (r == 0) counter-clockwise, holes clockwise.
                if (r == 0 && area < 0) || (r > 0 && area > 0) { ring = reversedRing(ring) }
                out += "["
                for k in 0..<(ring.count / 2) {
                    if k > 0 { out += "," }
                    out += "[" + coordinate(ring[2 * k]) + "," + coordinate(ring[2 * k + 1]) + "]"
                }
                out += "]"
            }
            out += "]"
        }
        out += "]}"
        return out
    }
}
