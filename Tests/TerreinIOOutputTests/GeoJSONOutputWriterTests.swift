import Foundation
import TerreinGeometry
import XCTest
@testable import TerreinIO

final class GeoJSONOutputWriterTests: XCTestCase {
    func render() throws -> (String, [String: Any]) {
        let text = try GeoJSONOutputWriter.render(try Fixtures.artifacts())
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return (text, try XCTUnwrap(object))
    }

    func testStructureAndProperties() throws {
        let (text, root) = try render()
        XCTAssertEqual(root["type"] as? String, "FeatureCollection")
        XCTAssertNil(root["crs"])
        XCTAssertFalse(text.contains("\"crs\""))
        XCTAssertTrue(text.hasSuffix("]}\n"))
        let features = try XCTUnwrap(root["features"] as? [[String: Any]])
        XCTAssertEqual(features.count, 3)
        XCTAssertEqual(features.map { $0["id"] as? String }, ["T1", "T2", "T3"])
        let p0 = try XCTUnwrap(features[0]["properties"] as? [String: Any])
        XCTAssertEqual(p0.count, Fixtures.columns.count)
        XCTAssertEqual(p0["name"] as? String, Fixtures.hostileName)
        XCTAssertEqual(p0["area_m2"] as? Double, 19600)
        XCTAssertEqual(p0["solar_mwh_yr"] as? Double, 831.38)
        XCTAssertEqual(p0["paved_fraction"] as? Double, 0.2551)
        XCTAssertEqual(p0["n2k_within_500m"] as? Bool, true)
        XCTAssertEqual(p0["roof_faces"] as? Int, 12)
        let p1 = try XCTUnwrap(features[1]["properties"] as? [String: Any])
        XCTAssertTrue(p1["inundation_m2"] is NSNull)
        XCTAssertEqual(p1["name"] as? String, "=SUM(A1)")
        XCTAssertTrue(text.contains("\"solar_mwh_yr\":831.38,"))
        XCTAssertTrue(text.contains("\"area_m2\":120000.50,"))
        XCTAssertFalse(text.contains("-0.00"))
        // Property order follows the table's column order.
        let keys = Fixtures.columns.map { "\"\($0.name)\":" }
        var last = text.startIndex
        for k in keys {
            let r = try XCTUnwrap(text.range(of: k, range: last..<text.endIndex))
            last = r.upperBound
        }
        // Safe for HTML embedding too.
        XCTAssertFalse(text.contains("<script>"))
    }

    func testCoordinates() throws {
        let (text, root) = try render()
        let features = try XCTUnwrap(root["features"] as? [[String: Any]])
        for f in features {
            let g = try XCTUnwrap(f["geometry"] as? [String: Any])
            XCTAssertEqual(g["type"] as? String, "MultiPolygon")
            let polygons = try XCTUnwrap(g["coordinates"] as? [[[[Double]]]])
            for polygon in polygons {
                for (r, ring) in polygon.enumerated() {
                    XCTAssertGreaterThanOrEqual(ring.count, 4)
                    XCTAssertEqual(ring.first, ring.last)
                    for p in ring {
                        XCTAssertEqual(p.count, 2)
                        XCTAssertTrue((3.0...7.5).contains(p[0]), "longitude \(p[0])")
                        XCTAssertTrue((50.5...54.0).contains(p[1]), "latitude \(p[1])")
                    }
                    let xy = ring.flatMap { $0 }
                    let area = GeoJSONOutputWriter.signedArea2(xy)
                    if r == 0 { XCTAssertGreaterThan(area, 0, "outer ring must be counter-clockwise") }
                    else { XCTAssertLessThan(area, 0, "holes must be clockwise") }
                }
            }
        }
        let first = try XCTUnwrap((features[0]["geometry"] as? [String: Any])?["coordinates"] as? [[[[Double]]]])
        XCTAssertEqual(first[0].count, 2) // the hole is kept
        XCTAssertEqual((features[2]["geometry"] as? [String: Any])?["coordinates"].map { ($0 as? [Any])?.count }, 2)

        // At most 6 decimals, no trailing zeros, in the geometry text.
        let geometryText = text.components(separatedBy: "\"coordinates\":").dropFirst()
            .map { $0.components(separatedBy: "]]]]")[0] }.joined(separator: "\n")
        let numbers = try NSRegularExpression(pattern: "-?[0-9]+\\.([0-9]+)")
        let matches = numbers.matches(in: geometryText, range: NSRange(geometryText.startIndex..., in: geometryText))
        XCTAssertFalse(matches.isEmpty)
        for m in matches {
            let decimals = String(geometryText[Range(m.range(at: 1), in: geometryText)!])
            XCTAssertLessThanOrEqual(decimals.count, 6)
            XCTAssertFalse(decimals.hasSuffix("0"))
        }
    }

    func testDeterministicAndCoordinateFormat() throws {
        let a = try GeoJSONOutputWriter.render(try Fixtures.artifacts())
        let b = try GeoJSONOutputWriter.render(try Fixtures.artifacts())
        XCTAssertEqual(a, b)
        XCTAssertEqual(GeoJSONOutputWriter.coordinate(5.1), "5.1")
        XCTAssertEqual(GeoJSONOutputWriter.coordinate(5), "5")
        XCTAssertEqual(GeoJSONOutputWriter.coordinate(-0.00000001), "0")
        XCTAssertEqual(GeoJSONOutputWriter.coordinate(52.123456789), "52.123457", "6 decimals, about 0.1 m")
    }

    func testWritesFile() throws {
        let dir = try temporaryDirectory()
        try GeoJSONOutputWriter.write(try Fixtures.artifacts(), to: dir + "/indicators.geojson")
        let text = try String(contentsOfFile: dir + "/indicators.geojson", encoding: .utf8)
        XCTAssertEqual(text, try GeoJSONOutputWriter.render(try Fixtures.artifacts()))
    }
}
