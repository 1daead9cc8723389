import XCTest
@testable import TerreinGeometry

/// `simplifiedForDisplay`: Douglas–Peucker where it keeps every polygon and ring, else the
/// topology-preserving simplification.
final class DisplaySimplificationTests: XCTestCase {
    /// A 1 km square whose edges wiggle by `amplitude` m every 10 m, with the given holes.
    func wiggly(amplitude: Double, holes: [String] = []) throws -> Geometry {
        var pts: [String] = []
        for k in 0..<100 { pts.append("\(Double(k) * 10) \(k % 2 == 0 ? 0 : amplitude)") }
        for k in 0..<100 { pts.append("\(1000 - (k % 2 == 0 ? 0 : amplitude)) \(Double(k) * 10)") }
        for k in 0..<100 { pts.append("\(1000 - Double(k) * 10) \(1000 - (k % 2 == 0 ? 0 : amplitude))") }
        for k in 0..<100 { pts.append("\(k % 2 == 0 ? 0 : amplitude) \(1000 - Double(k) * 10)") }
        pts.append(pts[0])
        let rings = ["(" + pts.joined(separator: ", ") + ")"] + holes
        return try Geometry.fromWKT("POLYGON (" + rings.joined(separator: ", ") + ")")
    }

    func testDouglasPeuckerWhereItKeepsEveryRing() throws {
        let g = try wiggly(amplitude: 1, holes: ["(400 400, 600 400, 600 600, 400 600, 400 400)"])
        let s = try g.simplifiedForDisplay(tolerance: 25)
        XCTAssertTrue(try s.isValid)
        XCTAssertEqual(try s.ringCounts(), [2])
        XCTAssertLessThan(try s.numPoints, 20)
        XCTAssertEqual(try s.area(), try g.area(), accuracy: 0.01 * (try g.area()))
    }

    func testTopologyKeptWhereDouglasPeuckerWouldLoseAHole() throws {
        // A hole of 10 m collapses under a 25 m Douglas–Peucker; the topology-preserving
        // simplification keeps it.
        let g = try wiggly(amplitude: 1, holes: ["(500 500, 510 500, 510 510, 500 510, 500 500)"])
        let s = try g.simplifiedForDisplay(tolerance: 25)
        XCTAssertEqual(try s.ringCounts(), [2])
        XCTAssertTrue(try s.isValid)
        XCTAssertEqual(try s.wkt(), try g.simplified(tolerance: 25).wkt())
        // Parts of a MultiPolygon are counted one by one.
        let m = try Geometry.fromWKT("MULTIPOLYGON (((0 0, 5 0, 5 5, 0 5, 0 0)), ((100 0, 200 0, 200 100, 100 100, 100 0)))")
        XCTAssertEqual(try m.simplifiedForDisplay(tolerance: 25).ringCounts(), [1, 1])
    }
}
