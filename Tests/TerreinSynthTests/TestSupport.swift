import Foundation
import XCTest
@testable import TerreinSynth

/// An approximate RD New -> WGS84 mapping around Katwijk: an affine stand-in for PROJ, exact
/// enough for tests and exactly invertible.
enum ApproxRD {
    static let lon0 = 5.387206, lat0 = 52.155172
    static let x0 = 155_000.0, y0 = 463_000.0
    static let metresPerDegLon = 68_300.0, metresPerDegLat = 111_200.0

    static var reproject: Reproject { { xy in
        for i in stride(from: 0, to: xy.count, by: 2) {
            let x = xy[i], y = xy[i + 1]
            xy[i] = lon0 + (x - x0) / metresPerDegLon
            xy[i + 1] = lat0 + (y - y0) / metresPerDegLat
        }
    } }

    static func inverse(_ lon: Double, _ lat: Double) -> (Double, Double) {
        (x0 + (lon - lon0) * metresPerDegLon, y0 + (lat - lat0) * metresPerDegLat)
    }
}

/// A fresh directory under the temporary directory, removed by `cleanUp`.
final class ScratchDirectory {
    let url: URL

    init(_ name: String) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("terrein-synth-tests-\(ProcessInfo.processInfo.processIdentifier)")
            .appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    func data(_ name: String) throws -> Data { try Data(contentsOf: file(name)) }

    func cleanUp() {
        try? FileManager.default.removeItem(at: url)
        // The per-process parent goes too once its last test directory is gone.
        let parent = url.deletingLastPathComponent()
        if (try? FileManager.default.contentsOfDirectory(atPath: parent.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: parent)
        }
    }
}

/// A feature read back with JSONSerialization.
struct ReadFeature {
    let properties: [String: Any]
    let geometryType: String
    /// Polygons -> rings -> (x, y) positions, as written (the closing vertex included).
    let polygons: [[[(Double, Double)]]]

    init(_ object: Any, file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try XCTUnwrap(object as? [String: Any], file: file, line: line)
        XCTAssertEqual(f["type"] as? String, "Feature", file: file, line: line)
        properties = try XCTUnwrap(f["properties"] as? [String: Any], file: file, line: line)
        let g = try XCTUnwrap(f["geometry"] as? [String: Any], file: file, line: line)
        geometryType = try XCTUnwrap(g["type"] as? String, file: file, line: line)
        func ring(_ r: Any) throws -> [(Double, Double)] {
            let positions = try XCTUnwrap(r as? [Any], file: file, line: line)
            return try positions.map { p in
                let xy = try XCTUnwrap(p as? [Double], file: file, line: line)
                XCTAssertEqual(xy.count, 2, file: file, line: line)
                return (xy[0], xy[1])
            }
        }
        func polygon(_ p: Any) throws -> [[(Double, Double)]] {
            try XCTUnwrap(p as? [Any], file: file, line: line).map(ring)
        }
        let coords = try XCTUnwrap(g["coordinates"] as? [Any], file: file, line: line)
        switch geometryType {
        case "Polygon": polygons = [try polygon(coords)]
        case "MultiPolygon": polygons = try coords.map(polygon)
        default:
            XCTFail("unexpected geometry \(geometryType)", file: file, line: line)
            polygons = []
        }
    }

    func string(_ key: String) -> String? { properties[key] as? String }
    func number(_ key: String) -> Double? { (properties[key] as? NSNumber)?.doubleValue }
    func isNull(_ key: String) -> Bool { properties[key] is NSNull }
    func has(_ key: String) -> Bool { properties[key] != nil }

    /// The same feature with every position mapped (lon/lat back to RD, say).
    func mapped(_ f: (Double, Double) -> (Double, Double)) -> [[[(Double, Double)]]] {
        polygons.map { $0.map { $0.map { f($0.0, $0.1) } } }
    }
}

/// A FeatureCollection file: its top-level object and features.
func readCollection(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws
    -> (top: [String: Any], features: [ReadFeature]) {
    let data = try Data(contentsOf: url)
    let top = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], file: file, line: line)
    XCTAssertEqual(top["type"] as? String, "FeatureCollection", file: file, line: line)
    let features = try XCTUnwrap(top["features"] as? [Any], file: file, line: line)
    return (top, try features.map { try ReadFeature($0, file: file, line: line) })
}

/// A GeoJSON text sequence: each line must be one valid JSON Feature.
func readSequence(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [ReadFeature] {
    let text = try XCTUnwrap(String(data: try Data(contentsOf: url), encoding: .utf8), file: file, line: line)
    XCTAssertTrue(text.hasSuffix("\n"), "a sequence ends with a newline", file: file, line: line)
    var out: [ReadFeature] = []
    for (i, l) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !l.isEmpty {
        let obj: Any
        do {
            obj = try JSONSerialization.jsonObject(with: Data(l.utf8))
        } catch {
            XCTFail("line \(i + 1) of \(url.lastPathComponent) is not valid JSON: \(error)", file: file, line: line)
            continue
        }
        let f = try ReadFeature(obj, file: file, line: line)
        XCTAssertNil((obj as? [String: Any])?["crs"], "no crs member in a sequence", file: file, line: line)
        out.append(f)
    }
    return out
}

/// The RFC 7946 crs member the RD collections carry.
func crsName(_ top: [String: Any]) -> String? {
    ((top["crs"] as? [String: Any])?["properties"] as? [String: Any])?["name"] as? String
}

enum Planar {
    static func pointInRing(_ p: (Double, Double), _ ring: [(Double, Double)]) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let a = ring[i], b = ring[j]
            if (a.1 > p.1) != (b.1 > p.1), p.0 < a.0 + (p.1 - a.1) / (b.1 - a.1) * (b.0 - a.0) {
                inside.toggle()
            }
            j = i
        }
        return inside
    }

    static func orientation(_ a: (Double, Double), _ b: (Double, Double), _ c: (Double, Double)) -> Double {
        (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
    }

    static func segmentsCross(_ p1: (Double, Double), _ p2: (Double, Double),
                              _ q1: (Double, Double), _ q2: (Double, Double)) -> Bool {
        let d1 = orientation(q1, q2, p1), d2 = orientation(q1, q2, p2)
        let d3 = orientation(p1, p2, q1), d4 = orientation(p1, p2, q2)
        return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))
    }

    /// True when two non-adjacent edges of the closed ring cross.
    static func selfIntersects(_ closed: [(Double, Double)]) -> Bool {
        let n = closed.count - 1
        guard n >= 4 else { return false }
        for i in 0..<n {
            for j in stride(from: i + 2, to: n, by: 1) where !(i == 0 && j == n - 1) {
                if segmentsCross(closed[i], closed[i + 1], closed[j], closed[j + 1]) { return true }
            }
        }
        return false
    }

    static func signedArea(_ closed: [(Double, Double)]) -> Double {
        var s = 0.0
        for i in 0..<(closed.count - 1) {
            s += closed[i].0 * closed[i + 1].1 - closed[i + 1].0 * closed[i].1
        }
        return s / 2
    }

    static func segmentDistance(_ p: (Double, Double), _ a: (Double, Double), _ b: (Double, Double)) -> Double {
        let dx = b.0 - a.0, dy = b.1 - a.1
        let l2 = dx * dx + dy * dy
        var t = l2 > 0 ? ((p.0 - a.0) * dx + (p.1 - a.1) * dy) / l2 : 0
        t = max(0, min(1, t))
        let x = a.0 + t * dx - p.0, y = a.1 + t * dy - p.1
        return (x * x + y * y).squareRoot()
    }

    /// Distance between two disjoint closed rings (0 when they cross or one holds the other).
    static func distance(_ a: [(Double, Double)], _ b: [(Double, Double)]) -> Double {
        if pointInRing(a[0], b) || pointInRing(b[0], a) { return 0 }
        var best = Double.infinity
        for p in a { for j in 0..<(b.count - 1) { best = min(best, segmentDistance(p, b[j], b[j + 1])) } }
        for p in b { for j in 0..<(a.count - 1) { best = min(best, segmentDistance(p, a[j], a[j + 1])) } }
        return best
    }
}
