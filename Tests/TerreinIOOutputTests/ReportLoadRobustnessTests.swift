import Foundation
import TerreinGeometry
import XCTest
@testable import TerreinIO

/// `terrein report` reads back files that may have changed since the run: odd geometry is
/// a `LoadError` naming the file, table and row, never a trap (issue 9, defect 4).
final class ReportLoadRobustnessTests: XCTestCase {
    func testNonFiniteAndHugeCoordinatesAreLoadErrors() throws {
        for v in [Double.nan, -Double.infinity, 1e300, -2e9] {
            let dir = try temporaryDirectory("odd\(v)")
            let shape = try Geometry.polygon(rings: [[155000, 463000, v, 463000, 155200, 463100, 155000, 463000]])
            var a = try Fixtures.artifacts()
            a.terreinGeometries[1] = shape
            try GeoPackageWriter.write(a, to: dir + "/indicators.gpkg", lastChange: Date(timeIntervalSince1970: 0))
            XCTAssertThrowsError(try ReportData.load(outputDirectory: dir, catalog: Fixtures.catalog), "\(v)") { error in
                let message = "\(error)"
                XCTAssertTrue(error is ReportData.LoadError, message)
                XCTAssertTrue(message.contains(dir + "/indicators.gpkg: 'terreinen' row 2") && message.contains("not a place on the map"), message)
            }
        }
    }

    func testGeoPackageBlobThatIsNoGeometry() {
        // The GeoPackage header, then bytes that are no WKB.
        let blob: [UInt8] = [0x47, 0x50, 0, 1, 0, 0, 0, 0, 1, 6, 0, 0, 0, 9, 9]
        XCTAssertThrowsError(try ReportData.mapRings(blob: blob, location: "x.gpkg: 'terreinen' row 7")) {
            XCTAssertTrue($0 is ReportData.LoadError && "\($0)".hasPrefix("x.gpkg: 'terreinen' row 7 has no valid GeoPackage geometry"), "\($0)")
        }
    }
}
