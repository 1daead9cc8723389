import Foundation
import XCTest
import TerreinGDAL
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO

/// The per-terrein profiles: the GEOS wrappers they use, the display layers the families
/// return (on hand-built geometry whose answer is known exactly), the page's statistics,
/// trend section and file names, and the run's profiles/ folder and GeoPackage layers.
final class ProfileTests: XCTestCase {
    /// Computes with display collection on, as a run that writes the report does.
    func computeWithDisplay(terreinen: [Terrein], roofs: [RoofFace] = [], sites: [Site]? = nil,
                            inundation: [InundationPolygon]? = nil, heat: RasterLayerConfig? = nil,
                            inundationRaster: RasterLayerConfig? = nil) throws -> [TerreinResult] {
        var layers = LoadedLayers()
        layers.terreinen = terreinen
        layers.roofs = roofs
        layers.natura2000 = sites
        layers.inundation = inundation
        if let heat { layers.rasters[.heat] = try RasterLayer(heat, workCRS: .rdNew) }
        if let inundationRaster { layers.rasters[.inundation] = try RasterLayer(inundationRaster, workCRS: .rdNew) }
        return try Runner.compute(try IndexedLayers(layers), schema: IndicatorSchema(parameters: Parameters()), parameters: Parameters(),
                                  threads: 1, collectDisplay: true)
    }

    func display(_ r: TerreinResult, _ layer: ProfileLayer) -> [ProfileFeature] {
        r.outputs.flatMap(\.display).filter { $0.layer == layer }
    }

    /// A 10 × 10 raster of 1 m cells, corner (0, 10), value by column and row.
    func raster(_ scratch: ScratchDir, kind: RasterLayerKind, _ value: (Int, Int) -> Float) throws -> RasterLayerConfig {
        let path = scratch.path + "/\(kind.rawValue)-\(UUID().uuidString).tif"
        var values: [Float] = []
        for r in 0..<10 { for c in 0..<10 { values.append(value(c, r)) } }
        try GeoTIFFWriter.write(path: path, width: 10, height: 10, geoTransform: [0, 1, 0, 10, 0, -1],
                                crs: .rdNew, values: values, nodata: -9999, scale: 1, offset: 0)
        return RasterLayerConfig(kind: kind, path: path, declaredPath: path)
    }

    // MARK: GEOS wrappers

    func testNearestPointsOfTwoSquaresAndOfAPointAndASquare() throws {
        let a = try rect(0, 0, 10, 10), b = try rect(20, 3, 30, 7)
        let p = try XCTUnwrap(try a.nearestPoints(b))
        XCTAssertEqual(p.fromX, 10); XCTAssertEqual(p.toX, 20)
        XCTAssertEqual(p.fromY, p.toY, "a horizontal line between the facing edges")
        XCTAssertEqual(p.length, 10)
        let q = try XCTUnwrap(try PreparedGeometry(a).nearestPoints(try Geometry.point(x: 13, y: 14)))
        XCTAssertEqual(q, NearestPoints(fromX: 10, fromY: 10, toX: 13, toY: 14), "the corner, then the point")
        XCTAssertEqual(q.length, 5)
        XCTAssertNil(try a.nearestPoints(try Geometry.collection([])), "an empty geometry has no nearest point")
    }

    func testClipByRectangleAndLineStringRoundTrip() throws {
        let clipped = try rect(0, 0, 10, 10).clipped(minX: 5, minY: -5, maxX: 20, maxY: 5)
        XCTAssertEqual(try clipped.area(), 25)
        let line = try Geometry.lineString([1, 2, 3, 4])
        XCTAssertEqual(line.type, .lineString)
        XCTAssertEqual(try line.lineCoordinates(), [1, 2, 3, 4])
        XCTAssertEqual(try Geometry.fromWKB(try line.wkb()).lineCoordinates(), [1, 2, 3, 4])
    }

    // MARK: Display layers

    /// Faces in a 100 × 100 terrein: flat (flat factor 0.87: good), east at 30° (factor 0.84:
    /// fair), north at 30° (deviation 180 > 90: unsuitable), no slope number (invalid), a 5 m²
    /// face (below min_face_m2: unsuitable), and a flat one half outside the terrein, clipped.
    func testRoofFacesGroupedBySolarClassAndClipped() throws {
        let roofs = [
            try roof(try rect(10, 10, 30, 30), slope: 0, index: 0),                   // flat: good (factor 0.87)
            try roof(try rect(40, 10, 60, 30), slope: 30, azimuth: 90, index: 1),      // east, 30°: factor 0.84: fair
            try roof(try rect(10, 40, 30, 60), slope: 30, azimuth: 0, index: 2),       // north: deviation 180 > 90: unsuitable
            try roof(try rect(40, 40, 60, 60), slope: nil, index: 3),                  // invalid
            try roof(try rect(90, 90, 110, 110), slope: 0, index: 4),                  // half outside: 100 m² inside, good
            try roof(try rect(70, 10, 75, 11), slope: 0, index: 5),                    // 5 m²: unsuitable
        ]
        let r = try computeWithDisplay(terreinen: [terrein("T", try rect(0, 0, 100, 100))], roofs: roofs)[0]
        let f = display(r, .roofs)
        XCTAssertEqual(f.map(\.kind), ["good", "fair", "unsuitable", "invalid"], "in the classes' order, only those present")
        XCTAssertEqual(f.map(\.count), [2, 1, 2, 1])
        XCTAssertEqual(f.map(\.value), [500, 400, 405, 400], "footprint areas inside the terrein")
        XCTAssertEqual(try f[0].geometry.area(), 500)
        XCTAssertEqual(f[0].geometry.type, .multiPolygon)
        XCTAssertEqual(RoofDisplayClass.of(suitable: true, valid: true, yieldFactor: 0.85), .good)
        XCTAssertEqual(RoofDisplayClass.of(suitable: true, valid: true, yieldFactor: 0.70), .fair)
        XCTAssertEqual(RoofDisplayClass.of(suitable: true, valid: true, yieldFactor: 0.6999), .moderate)
        XCTAssertEqual(RoofDisplayClass.of(suitable: false, valid: true, yieldFactor: 1), .unsuitable)
    }

    func testNoDisplayUnlessTheRunAsksForIt() throws {
        let r = try compute(terreinen: [terrein("T", try rect(0, 0, 100, 100))],
                            roofs: [try roof(try rect(10, 10, 30, 30), index: 0)])[0]
        XCTAssertTrue(r.outputs.allSatisfy { $0.display.isEmpty })
    }

    /// Depth raster: columns 0–2 deep (0.5 m), 3–5 flooded (0.2 m), the rest dry; the
    /// terrein covers columns 0–7 and rows 0–9: flooded = x 0–6 × y 0–10, deep = x 0–3.
    func testFloodedAndDeepCellsBecomeOneRectangleEach() throws {
        let scratch = ScratchDir()
        let config = try raster(scratch, kind: .inundation) { c, _ in c < 3 ? 0.5 : (c < 6 ? 0.2 : 0.05) }
        let r = try computeWithDisplay(terreinen: [terrein("T", try rect(0, 0, 8, 10))], inundationRaster: config)[0]
        let f = display(r, .water)
        XCTAssertEqual(f.map(\.kind), ["flooded", "deep"])
        XCTAssertEqual(f.map(\.value), [60, 30])
        XCTAssertEqual(f.map(\.count), [60, 30])
        XCTAssertEqual(try f[0].geometry.polygonRings().count, 1, "the row runs merge into one polygon")
        XCTAssertEqual(f[0].geometry.bounds, Bounds(minX: 0, minY: 0, maxX: 6, maxY: 10))
        XCTAssertEqual(f[1].geometry.bounds, Bounds(minX: 0, minY: 0, maxX: 3, maxY: 10))
    }

    /// Polygon inundation: the flooded area is the union of the patches within T.
    func testFloodPolygonsClippedToTheTerrein() throws {
        let patches = [InundationPolygon(index: 0, depth: 0.2, geometry: try rect(-10, 0, 20, 10)),
                       InundationPolygon(index: 1, depth: 0.4, geometry: try rect(10, 0, 30, 10)),
                       InundationPolygon(index: 2, depth: 0.05, geometry: try rect(50, 50, 60, 60))]
        let r = try computeWithDisplay(terreinen: [terrein("T", try rect(0, 0, 100, 100))], inundation: patches)[0]
        let f = display(r, .water)
        XCTAssertEqual(f.map(\.kind), ["flooded", "deep"])
        XCTAssertEqual(f.map(\.value), [300, 200])
        XCTAssertEqual(f[0].geometry.bounds, Bounds(minX: 0, minY: 0, maxX: 30, maxY: 10))
    }

    /// PET 36 °C in the left half, 42 °C in the top-left 2 × 2 cells, 30 °C elsewhere.
    func testHeatStrongAndExtremeAreas() throws {
        let scratch = ScratchDir()
        let config = try raster(scratch, kind: .heat) { c, r in c < 2 && r < 2 ? 42 : (c < 5 ? 36 : 30) }
        let r = try computeWithDisplay(terreinen: [terrein("T", try rect(0, 0, 10, 10))], heat: config)[0]
        let f = display(r, .heat)
        XCTAssertEqual(f.map(\.kind), ["strong", "extreme"])
        XCTAssertEqual(f.map(\.value), [50, 4])
        XCTAssertEqual(f[1].geometry.bounds, Bounds(minX: 0, minY: 8, maxX: 2, maxY: 10))
    }

    /// The distance line runs from the terrein's nearest point to the nearest site's.
    func testDistanceLineToTheNearestSite() throws {
        let sites = [Site(index: 0, name: "Duinen", geometry: try rect(300, 0, 400, 100)),
                     Site(index: 1, name: "Veen", geometry: try rect(0, 500, 100, 600))]
        let r = try computeWithDisplay(terreinen: [terrein("T", try rect(0, 0, 100, 100))], sites: sites)[0]
        let f = display(r, .nature)
        XCTAssertEqual(f.count, 1)
        XCTAssertEqual(f[0].name, "Duinen")
        XCTAssertEqual(f[0].value, 200)
        let xy = try f[0].geometry.lineCoordinates()
        XCTAssertEqual(xy[0], 100); XCTAssertEqual(xy[2], 300)
        XCTAssertEqual(xy[1], xy[3])
        // Touching: no line.
        let touching = try computeWithDisplay(terreinen: [terrein("T", try rect(0, 0, 300, 100))], sites: sites)[0]
        XCTAssertTrue(display(touching, .nature).isEmpty)
    }

    // MARK: The page

    func testPercentileMedianAndFileNames() {
        XCTAssertEqual(ProfileSet.percentile(3, in: [1, 2, 3, 4]), 62.5, "2 below, 1 equal (half): 2.5 of 4")
        XCTAssertEqual(ProfileSet.percentile(1, in: [1, 1, 1, 1]), 50)
        XCTAssertEqual(ProfileSet.percentile(9, in: [1, 2]), 100)
        XCTAssertEqual(ProfileSet.median([1, 2, 3, 10]), 2.5)
        XCTAssertEqual(ProfileSet.median([1, 2, 10]), 2)
        XCTAssertNil(ProfileSet.median([]))
        XCTAssertEqual(ProfileSet.fileName(id: "T-001_a.b"), "T-001_a.b.html")
        XCTAssertEqual(ProfileSet.fileName(id: "T 1/ä"), "T~201~2F~C3~A4.html")
        XCTAssertEqual(ProfileSet.fileName(id: ".hidden"), "~2Ehidden.html")
        XCTAssertEqual(ProfileSet.fileName(id: "~"), "~7E.html")
        XCTAssertEqual(ProfileSet.fileName(id: ""), "~.html")
        let long = ProfileSet.fileName(id: String(repeating: "é", count: 100))
        XCTAssertLessThan(long.utf8.count, 140)
        XCTAssertNotEqual(long, ProfileSet.fileName(id: String(repeating: "é", count: 101)))
    }

    /// A small report data set: three terreinen in two regions, one solar column.
    func sampleData() throws -> ReportData {
        let catalog = IndicatorFamilies.catalog()
        let cols = ["id", "name", "region", "solar_mwh_yr"].map { catalog.schema($0)!.indicatorColumn }
        var t = Table(columns: cols)
        t.rows = [[.text("A"), .text("Alfa"), .text("Noord"), .real(10)],
                  [.text("B"), .text("Bravo"), .text("Noord"), .real(30)],
                  [.text("C"), .text("Charlie"), .text("Zuid"), .real(20)]]
        let rings: [[[[Double]]]] = [[[[0, 0, 100, 0, 100, 100, 0, 100, 0, 0]]], [[[200, 0, 300, 0, 300, 100, 200, 100, 200, 0]]], []]
        return ReportData(pipelineName: "p", indicators: t, regions: Table(columns: []), terreinRings: rings,
                          natura2000: [], mapCRS: .rdNew)
    }

    func testIndicatorRowHasValueUnitPercentileAndMedians() throws {
        let set = try ProfileSet(try sampleData(), language: .en)
        let html = try set.render(1)
        // B: 30 MWh/yr, the highest of three (2.5 of 3 = 83 %), Noord median 20, run median 20.
        let row = try XCTUnwrap(html.components(separatedBy: "<tr data-column=\"solar_mwh_yr\">").dropFirst().first)
            .components(separatedBy: "</tr>")[0]
        XCTAssertTrue(row.contains(">30.00<"), row)
        XCTAssertTrue(row.contains(">MWh/jaar<") || row.contains(">MWh/yr<"), row)
        XCTAssertTrue(row.contains(">83<"), row)
        XCTAssertEqual(row.components(separatedBy: ">20.00<").count - 1, 2, "region and run median: \(row)")
        XCTAssertTrue(html.contains("<h1>Bravo (B)</h1>"))
        XCTAssertTrue(html.contains("href=\"../report.html\""))
        XCTAssertTrue(html.contains("@page{size:A4"))
        XCTAssertTrue(html.contains("id=\"no-history\""), "no trend data: the page says so")
        XCTAssertTrue(try set.render(2).contains("No geometry to show."))
    }

    func testTrendSectionFromHandMadeHistory() throws {
        var data = try sampleData()
        data.trends = ["A": [ReportTrendPoint(runID: 2, finished: "2026-11-02T10:00:00Z", values: ["solar_mwh_yr": 12]),
                             ReportTrendPoint(runID: 1, finished: "2026-10-01T10:00:00Z", values: ["solar_mwh_yr": 8]),
                             ReportTrendPoint(runID: 3, finished: "2026-12-01T10:00:00Z", values: ["solar_mwh_yr": 10])],
                       "B": [ReportTrendPoint(runID: 1, finished: "2026-10-01T10:00:00Z", values: ["solar_mwh_yr": 30])],
                       "C": [ReportTrendPoint(runID: 1, finished: "x", values: ["solar_mwh_yr": nil]),
                             ReportTrendPoint(runID: 2, finished: "y", values: ["solar_mwh_yr": 20])]]
        let set = try ProfileSet(data, language: .en)
        let a = try set.render(0)
        let trend = try XCTUnwrap(a.components(separatedBy: "id=\"profile-trend\"").dropFirst().first)
        // Runs in id order: 8 → 12 → 10; first 8.00, last 10.00, change +2.00; a 3-point sparkline.
        XCTAssertTrue(trend.contains(">8.00</td><td class=\"num\">10.00</td><td class=\"num\">+2.00<"), trend)
        XCTAssertTrue(trend.contains("<polyline points=\"2.0,22.0 60.0,2.0 118.0,12.0\""), trend)
        XCTAssertTrue(a.contains("#1 (2026-10-01T10:00:00Z), #2 (2026-11-02T10:00:00Z), #3"))
        XCTAssertTrue(try set.render(1).contains("One run in the history"), "one point: no trend")
        XCTAssertTrue(try set.render(2).contains("One run in the history"), "one value (the other nil): no trend")
    }

    // MARK: The run

    func testRunWritesAProfilePerTerreinAndReportRendersThemAgain() throws {
        let scratch = ScratchDir()
        let out = scratch.path + "/out"
        var (s, _, e) = try runCLI(["run", repoRoot + "/Pipelines/sample.yml", "--output", out, "--quiet"])
        XCTAssertEqual(s, 0, e)
        let csv = CSVFormat.parse(try String(contentsOfFile: out + "/indicators.csv", encoding: .utf8))
        let files = try FileManager.default.contentsOfDirectory(atPath: out + "/profiles").sorted()
        XCTAssertEqual(files, csv.rows.map { ProfileSet.fileName(id: $0[0]) }.sorted())
        let report = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertTrue(report.contains("<a href=\"profiles/\(files[0])\">"))
        var before: [String: Data] = [:]
        for f in files { before[f] = try Data(contentsOf: URL(fileURLWithPath: out + "/profiles/" + f)) }
        let page = String(decoding: before[files[0]]!, as: UTF8.self)
        XCTAssertTrue(page.contains("class=\"roof\""), "roof faces drawn")
        XCTAssertTrue(page.contains("id=\"p-heat\"") && page.contains("data-kind=\"strong\"") || page.contains("id=\"p-water\""))
        // terrein report re-renders every page from indicators.gpkg, byte for byte.
        try FileManager.default.removeItem(atPath: out + "/profiles")
        (s, _, e) = try runCLI(["report", out])
        XCTAssertEqual(s, 0, e)
        for f in files {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/profiles/" + f)), before[f], f)
        }
        // (report.html itself is not compared: its map classes come from the run's unrounded
        // values, and a value that rounds onto a class break, as 34.99 °C to 35.0, falls in
        // another class when read back from the GeoPackage; the links are the same.)
        XCTAssertTrue(try String(contentsOfFile: out + "/report.html", encoding: .utf8).contains("<a href=\"profiles/\(files[0])\">"))
        // And again over an existing folder (swapped in, no leftovers).
        (s, _, e) = try runCLI(["report", out])
        XCTAssertEqual(s, 0, e)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: out).contains { $0.hasPrefix(".profiles") })
    }
}
