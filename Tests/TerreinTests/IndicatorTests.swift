import XCTest
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO

/// The spec's definitions on hand-built geometry whose answers are known exactly.
final class SolarTests: XCTestCase {
    let T = { try! rect(0, 0, 1000, 1000) }

    func testWorkedExampleSouthFacing30Degrees() throws {
        let r = try compute(terreinen: [terrein("T", T())],
                            roofs: [try roof(rect(100, 100, 200, 150), slope: 30, azimuth: 180)])[0]
        XCTAssertEqual(r.solar.roofFaces, 1)
        XCTAssertEqual(r.solar.roofAreaM2, 5000, accuracy: 1e-9)
        XCTAssertEqual(Table.formatFixed(r.solar.roofSurfaceM2, decimals: 2), "5773.50")
        XCTAssertEqual(Table.formatFixed(r.solar.suitableM2, decimals: 2), "5773.50")
        XCTAssertEqual(Table.formatFixed(r.solar.kwp, decimals: 2), "923.76")
        XCTAssertEqual(Table.formatFixed(r.solar.mwhPerYear, decimals: 2), "831.38")
    }

    func testNorthFacingIsNotSuitable() throws {
        let r = try compute(terreinen: [terrein("T", T())],
                            roofs: [try roof(rect(100, 100, 200, 150), slope: 30, azimuth: 0)])[0]
        XCTAssertEqual(Table.formatFixed(r.solar.roofSurfaceM2, decimals: 2), "5773.50")
        XCTAssertEqual(r.solar.suitableM2, 0)
        XCTAssertEqual(r.solar.kwp, 0)
        XCTAssertEqual(r.solar.mwhPerYear, 0)
    }

    func testFlatFaceAt5DegreesUsesFactor087() throws {
        // 5° ≤ flat_max_slope_deg: flat, f = 0.87 whatever the azimuth, u = 0.6.
        let r = try compute(terreinen: [terrein("T", T())],
                            roofs: [try roof(rect(0, 0, 100, 100), slope: 5, azimuth: 0)])[0]
        let s = 10_000 / cos(5 * Double.pi / 180)
        XCTAssertEqual(r.solar.roofSurfaceM2, s, accuracy: 1e-6)
        XCTAssertEqual(r.solar.kwp, s * 0.6 * 0.2, accuracy: 1e-6)
        XCTAssertEqual(r.solar.mwhPerYear, s * 0.6 * 0.2 * 900 * 0.87 / 1000, accuracy: 1e-6)
    }

    func testInvalidAttributesCountButAreNeverSuitable() throws {
        let faces = [
            try roof(rect(0, 0, 10, 10), slope: nil, index: 0),                  // slope not a number
            try roof(rect(20, 0, 30, 10), slope: 35, azimuth: nil, index: 1),    // pitched, azimuth missing
            try roof(rect(40, 0, 50, 10), slope: 95, azimuth: 180, index: 2),    // slope out of [0, 90)
            try roof(rect(60, 0, 70, 10), slope: 30, azimuth: 400, index: 3),    // azimuth out of [0, 360]
        ]
        let r = try compute(terreinen: [terrein("T", T())], roofs: faces)[0]
        XCTAssertEqual(r.solar.roofFaces, 4)
        XCTAssertEqual(r.solar.roofAreaM2, 400, accuracy: 1e-9)
        XCTAssertEqual(r.solar.roofSurfaceM2, 400, accuracy: 1e-9, "invalid faces take A_r as inclined area")
        XCTAssertEqual(r.solar.suitableM2, 0)
        XCTAssertEqual(r.solar.invalidFaces, [0, 1, 2, 3])
        XCTAssertEqual(r.paved.sealedM2, 400, accuracy: 1e-9, "invalid faces are still sealed")
    }

    func testMissingSlopeIsZeroAndFlat() {
        let a = Solar.assess(slope: 0, azimuth: nil, faceArea: 100, SolarParameters())
        XCTAssertTrue(a.valid && a.flat && a.suitable)
    }

    func testSlopeExactly60IsSuitable61IsNot() throws {
        let p = SolarParameters()
        XCTAssertTrue(Solar.assess(slope: 60, azimuth: 180, faceArea: 100, p).suitable)
        XCTAssertFalse(Solar.assess(slope: 61, azimuth: 180, faceArea: 100, p).suitable)
        XCTAssertTrue(Solar.assess(slope: 61, azimuth: 180, faceArea: 100, p).valid)
    }

    func testFaceJustUnderMinimumAreaIsNotSuitable() throws {
        // The whole face is 9.99 m² (< 10): counts, not suitable.
        let r = try compute(terreinen: [terrein("T", T())], roofs: [try roof(rect(0, 0, 9.99, 1), slope: 0)])[0]
        XCTAssertEqual(r.solar.roofFaces, 1)
        XCTAssertEqual(r.solar.suitableM2, 0)
        let r2 = try compute(terreinen: [terrein("T", T())], roofs: [try roof(rect(0, 0, 10, 1), slope: 0)])[0]
        XCTAssertEqual(r2.solar.suitableM2, 10, accuracy: 1e-9)
    }

    func testFaceSplitBetweenTwoTerreinen() throws {
        // A 100 × 50 m flat face straddling the boundary x = 500: 30 m in A, 70 m in B.
        let a = terrein("A", try rect(0, 0, 500, 500))
        let b = terrein("B", try rect(500, 0, 1000, 500))
        let face = try roof(rect(470, 100, 570, 150), slope: 0)
        let rs = try compute(terreinen: [a, b], roofs: [face])
        XCTAssertEqual(rs.map(\.id), ["A", "B"])
        XCTAssertEqual(rs[0].solar.roofFaces, 1)
        XCTAssertEqual(rs[1].solar.roofFaces, 1)
        XCTAssertEqual(rs[0].solar.roofAreaM2, 1500, accuracy: 1e-6)
        XCTAssertEqual(rs[1].solar.roofAreaM2, 3500, accuracy: 1e-6)
        XCTAssertEqual(rs[0].solar.roofAreaM2 + rs[1].solar.roofAreaM2, 5000, accuracy: 1e-6)
        // Suitability uses the whole face's area: a 30 m² sliver of a big face is suitable.
        XCTAssertEqual(rs[0].solar.suitableM2, 1500, accuracy: 1e-6)
    }

    func testFaceTouchingOnlyTheBoundaryDoesNotCount() throws {
        let r = try compute(terreinen: [terrein("T", try rect(0, 0, 100, 100))],
                            roofs: [try roof(rect(100, 0, 120, 20), slope: 0)])[0]
        XCTAssertEqual(r.solar.roofFaces, 0)
    }

    func testYieldFactorInterpolation() {
        let t = YieldFactorTable.default
        XCTAssertEqual(t.factor(slope: 30, deviation: 0), 1.00, accuracy: 1e-12)
        // Between rows 15 and 30 at dev 0: (0.97 + 1.00) / 2.
        XCTAssertEqual(t.factor(slope: 22.5, deviation: 0), 0.985, accuracy: 1e-12)
        // Between columns 45 and 90 at slope 45: (0.94 + 0.80) / 2.
        XCTAssertEqual(t.factor(slope: 45, deviation: 67.5), 0.87, accuracy: 1e-12)
        // Both: slope 37.5, dev 22.5 → mean of 1.00, 0.96, 0.99, 0.94.
        XCTAssertEqual(t.factor(slope: 37.5, deviation: 22.5), (1.00 + 0.96 + 0.99 + 0.94) / 4, accuracy: 1e-12)
        // Clamped beyond the edges.
        XCTAssertEqual(t.factor(slope: 95, deviation: 200), 0.30, accuracy: 1e-12)
    }

    func testDeviationFromSouth() {
        let p = SolarParameters()
        // East (90) and west (270) are 90° from south: suitable at the limit.
        XCTAssertTrue(Solar.assess(slope: 30, azimuth: 90, faceArea: 100, p).suitable)
        XCTAssertTrue(Solar.assess(slope: 30, azimuth: 270, faceArea: 100, p).suitable)
        XCTAssertFalse(Solar.assess(slope: 30, azimuth: 89, faceArea: 100, p).suitable)
        let east = Solar.assess(slope: 30, azimuth: 90, faceArea: 100, p)
        XCTAssertEqual(east.kwhPerKWp, 900 * 0.84, accuracy: 1e-9)
    }

    func testTerreinWithoutRoofsHasZerosNotNulls() throws {
        let r = try compute(terreinen: [terrein("T", T())])[0]
        XCTAssertEqual(r.solar, SolarResult())
        XCTAssertEqual(r.paved.sealedM2, 0)
        let table = schema(bands: [500]).indicatorTable([r])
        let row = table.rows[0]
        XCTAssertEqual(row[table.columnIndex("roof_faces")!], .integer(0))
        XCTAssertEqual(row[table.columnIndex("solar_mwh_yr")!], .real(0))
        XCTAssertEqual(row[table.columnIndex("roof_coverage")!], .real(0))
    }
}

final class NatureTests: XCTestCase {
    func testTouchingSiteIsDistanceZeroAndSiteAt250m() throws {
        let t1 = terrein("A", try rect(0, 0, 100, 100))
        let t2 = terrein("B", try rect(10_000, 0, 10_100, 100))
        let sites = [Site(index: 0, name: "Duinen", geometry: try rect(100, 0, 300, 100)),
                     Site(index: 1, name: "Veen", geometry: try rect(10_350, 0, 10_500, 100))]
        var p = Parameters()
        p.nature.bandsM = [100, 500]
        let rs = try compute(terreinen: [t1, t2], sites: sites, parameters: p)
        XCTAssertEqual(rs[0].nature?.distanceM, 0)
        XCTAssertEqual(rs[0].nature?.nearest, "Duinen")
        XCTAssertEqual(rs[0].nature?.overlapM2, 0)
        XCTAssertEqual(rs[1].nature!.distanceM, 250.0, accuracy: 1e-9)
        XCTAssertEqual(rs[1].nature?.nearest, "Veen")
        let table = schema(bands: [100, 500]).indicatorTable(rs)
        XCTAssertEqual(table.rows[1][table.columnIndex("n2k_within_100m")!], .boolean(false))
        XCTAssertEqual(table.rows[1][table.columnIndex("n2k_within_500m")!], .boolean(true))
        XCTAssertEqual(Table.format(table.rows[1][table.columnIndex("n2k_distance_m")!], as: .real(decimals: 1)), "250.0")
    }

    func testTieIsWonBySmallestNameAndUnnamedLoses() throws {
        let t = terrein("A", try rect(0, 0, 100, 100))
        let sites = [Site(index: 0, name: nil, geometry: try rect(200, 0, 300, 100)),
                     Site(index: 1, name: "Zeeduinen", geometry: try rect(-200, 0, -100, 100)),
                     Site(index: 2, name: "Meijendel", geometry: try rect(0, 200, 100, 300))]
        let r = try compute(terreinen: [t], sites: sites)[0]
        XCTAssertEqual(r.nature!.distanceM, 100, accuracy: 1e-9)
        XCTAssertEqual(r.nature?.nearest, "Meijendel")
        XCTAssertTrue(Nature.wins("B", over: nil))
        XCTAssertFalse(Nature.wins(nil, over: "B"))
        XCTAssertTrue(Nature.wins("Zaan", over: "Ée"), "UTF-8 byte order: 'Z' (0x5A) < 'É' (0xC3)")
    }

    func testOverlapAreaCountsUnionOnce() throws {
        let t = terrein("A", try rect(0, 0, 100, 100))
        // Two overlapping sites covering x 50–100 and 70–150: union inside T is 50 × 100.
        let sites = [Site(index: 0, name: "a", geometry: try rect(50, 0, 100, 100)),
                     Site(index: 1, name: "b", geometry: try rect(70, 0, 150, 100))]
        let r = try compute(terreinen: [t], sites: sites)[0]
        XCTAssertEqual(r.nature!.overlapM2, 5000, accuracy: 1e-6)
        XCTAssertEqual(r.nature!.distanceM, 0)
    }

    func testTerreinInsideASiteAndSiteInsideATerrein() throws {
        // A terrein wholly inside a big site: distance 0, overlap = the terrein's area.
        let big = Site(index: 0, name: "Wadden", geometry: try rect(-5000, -5000, 5000, 5000))
        let inside = try compute(terreinen: [terrein("A", try rect(0, 0, 100, 100))], sites: [big])[0]
        XCTAssertEqual(inside.nature?.distanceM, 0)
        XCTAssertEqual(inside.nature!.overlapM2, 10_000, accuracy: 1e-6)
        // A small site wholly inside a terrein.
        let small = Site(index: 0, name: "Poel", geometry: try rect(40, 40, 60, 60))
        let around = try compute(terreinen: [terrein("A", try rect(0, 0, 100, 100))], sites: [small])[0]
        XCTAssertEqual(around.nature?.distanceM, 0)
        XCTAssertEqual(around.nature!.overlapM2, 400, accuracy: 1e-6)
        // A site whose envelope covers the terrein but whose shape does not (an L): 50 m away.
        let l = Site(index: 0, name: "L", geometry: try Geometry.polygon(rings: [[0, 0, 1000, 0, 1000, 100, 100, 100, 100, 1000, 0, 1000, 0, 0]]))
        let notch = try compute(terreinen: [terrein("A", try rect(150, 150, 300, 300))], sites: [l])[0]
        XCTAssertEqual(notch.nature!.distanceM, 50, accuracy: 1e-9)
        XCTAssertEqual(notch.nature!.overlapM2, 0)
    }

    func testNoNaturaLayerGivesNulls() throws {
        let rs = try compute(terreinen: [terrein("A", try rect(0, 0, 100, 100))], sites: nil)
        XCTAssertNil(rs[0].nature)
        let empty = try compute(terreinen: [terrein("A", try rect(0, 0, 100, 100))], sites: [])
        XCTAssertNil(empty[0].nature)
        let table = schema(bands: [500]).indicatorTable(rs)
        XCTAssertEqual(table.rows[0][table.columnIndex("n2k_distance_m")!], .null)
        XCTAssertEqual(table.rows[0][table.columnIndex("n2k_within_500m")!], .null)
    }
}

final class PavedTests: XCTestCase {
    func testRoofOnSealedLandCoverIsNotCountedTwice() throws {
        let t = terrein("A", try rect(0, 0, 100, 100))
        let roofs = [try roof(rect(0, 0, 20, 20))]
        let lc = [LandCoverPolygon(index: 0, cls: .sealed, geometry: try rect(0, 0, 40, 20)),
                  LandCoverPolygon(index: 1, cls: .green, geometry: try rect(30, 0, 60, 20)),
                  LandCoverPolygon(index: 2, cls: .water, geometry: try rect(50, 0, 70, 20)),
                  LandCoverPolygon(index: 3, cls: .other, geometry: try rect(0, 50, 100, 100))]
        let r = try compute(terreinen: [t], roofs: roofs, landcover: lc)[0]
        XCTAssertEqual(r.paved.sealedM2, 800, accuracy: 1e-6)         // x 0–40
        XCTAssertEqual(r.paved.greenM2!, 400, accuracy: 1e-6)         // x 40–60 (green minus sealed)
        XCTAssertEqual(r.paved.waterM2!, 200, accuracy: 1e-6)         // x 60–70 (water minus sealed, green)
        let table = schema(bands: [500]).indicatorTable([r])
        XCTAssertEqual(table.rows[0][table.columnIndex("paved_fraction")!], .real(0.08))
    }

    func testLandCoverAsACoverageGivesTheSameAreas() throws {
        // A BGT-like partition (no overlaps) takes the coverage union; the answer is the same.
        let t = terrein("A", try rect(0, 0, 100, 100))
        let lc = [LandCoverPolygon(index: 0, cls: .sealed, geometry: try rect(0, 0, 50, 50)),
                  LandCoverPolygon(index: 1, cls: .sealed, geometry: try rect(50, 0, 100, 50)),
                  LandCoverPolygon(index: 2, cls: .green, geometry: try rect(0, 50, 50, 100)),
                  LandCoverPolygon(index: 3, cls: .water, geometry: try rect(50, 50, 100, 100))]
        XCTAssertTrue(try IndexedLayers.looksLikeCoverage(SpatialIndex(lc.map(\.geometry))))
        let r = try compute(terreinen: [t], roofs: [try roof(rect(10, 10, 20, 20))], landcover: lc)[0]
        XCTAssertEqual(r.paved.sealedM2, 5000, accuracy: 1e-6)
        XCTAssertEqual(r.paved.greenM2!, 2500, accuracy: 1e-6)
        XCTAssertEqual(r.paved.waterM2!, 2500, accuracy: 1e-6)
        let overlapping = [try rect(0, 0, 50, 50), try rect(40, 0, 100, 50)]
        XCTAssertFalse(try IndexedLayers.looksLikeCoverage(SpatialIndex(overlapping)))
    }

    func testWithoutLandCoverOnlyRoofsAreSealedAndGreenIsNull() throws {
        let r = try compute(terreinen: [terrein("A", try rect(0, 0, 100, 100))],
                            roofs: [try roof(rect(0, 0, 20, 20)), try roof(rect(10, 0, 30, 20))])[0]
        XCTAssertEqual(r.paved.sealedM2, 600, accuracy: 1e-6, "overlapping faces are unioned")
        XCTAssertNil(r.paved.greenM2)
        XCTAssertNil(r.paved.waterM2)
    }

    func testRoofFacesSharingEdgesAndCrossingFacesAreUnionedExactly() throws {
        // A gable roof (two faces sharing an edge: a coverage) and a dormer face drawn on
        // top of one of them (overlap with crossing edges): 400 + 400 m², the dormer adds 25.
        let faces = [try roof(rect(0, 0, 20, 20), index: 0), try roof(rect(20, 0, 40, 20), index: 1),
                     try roof(rect(35, 5, 45, 10), index: 2)]
        let r = try compute(terreinen: [terrein("A", try rect(-10, -10, 100, 100))], roofs: faces)[0]
        XCTAssertEqual(r.paved.sealedM2, 825, accuracy: 1e-6)
        XCTAssertEqual(r.solar.roofAreaM2, 850, accuracy: 1e-6, "roof area counts every face")
        let cover = try Geometry.coverageUnion([try rect(0, 0, 20, 20), try rect(20, 0, 40, 20)], totalArea: 800)
        XCTAssertEqual(try cover?.area() ?? 0, 800, accuracy: 1e-9)
        XCTAssertNil(try Geometry.coverageUnion([try rect(0, 0, 20, 20), try rect(10, 0, 30, 20)], totalArea: 800),
                     "overlapping faces are not a coverage")
    }
}

final class WaterTests: XCTestCase {
    func testDepthThresholdsAreInclusive() throws {
        let t = terrein("A", try rect(0, 0, 100, 100))
        let inundation = [InundationPolygon(index: 0, depth: 0.10, geometry: try rect(0, 0, 10, 100)),
                          InundationPolygon(index: 1, depth: 0.30, geometry: try rect(10, 0, 20, 100)),
                          InundationPolygon(index: 2, depth: 0.0999, geometry: try rect(20, 0, 30, 100)),
                          InundationPolygon(index: 3, depth: nil, geometry: try rect(30, 0, 40, 100))]
        let r = try compute(terreinen: [t], inundation: inundation)[0]
        XCTAssertEqual(r.water.inundationM2!, 2000, accuracy: 1e-6)
        XCTAssertEqual(r.water.deepInundationM2!, 1000, accuracy: 1e-6)
        let table = schema(bands: [500]).indicatorTable([r])
        XCTAssertEqual(table.rows[0][table.columnIndex("inundation_fraction")!], .real(0.2))
        XCTAssertEqual(table.rows[0][table.columnIndex("water_exposure")!], .text("high"))
    }

    func testExposureClasses() {
        XCTAssertEqual(WaterExposure(inundationFraction: 0.0499), .low)
        XCTAssertEqual(WaterExposure(inundationFraction: 0.05), .medium)
        XCTAssertEqual(WaterExposure(inundationFraction: 0.1999), .medium)
        XCTAssertEqual(WaterExposure(inundationFraction: 0.20), .high)
    }

    func testNoInundationLayerGivesNullsButRunoff() throws {
        let r = try compute(terreinen: [terrein("A", try rect(0, 0, 100, 100))], roofs: [try roof(rect(0, 0, 50, 100))])[0]
        XCTAssertNil(r.water.inundationM2)
        XCTAssertNil(r.water.buildingsExposed)
        // 70 mm × (5000 × 0.9 + 5000 × 0.2) = 385 m³; storage 5000 × 60 mm = 300 m³.
        XCTAssertEqual(r.water.runoffM3, 385, accuracy: 1e-9)
        XCTAssertEqual(r.water.storageRequiredM3, 300, accuracy: 1e-9)
        let table = schema(bands: [500]).indicatorTable([r])
        XCTAssertEqual(table.rows[0][table.columnIndex("water_exposure")!], .null)
        XCTAssertEqual(table.rows[0][table.columnIndex("buildings_exposed")!], .null)
    }

    func testBuildingsCountedByDistinctBuildingId() throws {
        let t = terrein("A", try rect(0, 0, 100, 100))
        let roofs = [try roof(rect(0, 0, 10, 10), building: "B1", index: 0),
                     try roof(rect(10, 0, 20, 10), building: "B1", index: 1),
                     try roof(rect(20, 0, 30, 10), building: "B2", index: 2),
                     try roof(rect(30, 0, 40, 10), building: nil, index: 3),
                     try roof(rect(40, 0, 50, 10), building: nil, index: 4),
                     try roof(rect(0, 80, 10, 90), building: "B3", index: 5)]   // dry
        let flood = [InundationPolygon(index: 0, depth: 0.5, geometry: try rect(0, 0, 100, 20))]
        let r = try compute(terreinen: [t], roofs: roofs, inundation: flood)[0]
        XCTAssertEqual(r.water.buildingsExposed, 4)  // B1, B2 and two faces without id
    }
}

final class RegionTests: XCTestCase {
    func testRegionSumsAndRecomputedFractions() throws {
        let a = terrein("a", try rect(0, 0, 100, 100), region: "Katwijk")         // 10 000 m²
        let b = terrein("b", try rect(200, 0, 500, 100), region: "Katwijk")       // 30 000 m²
        let c = terrein("c", try rect(1000, 0, 1100, 100), region: nil)
        let roofs = [try roof(rect(0, 0, 50, 100)), try roof(rect(200, 0, 210, 100))]  // 5000 in a, 1000 in b
        let rs = try compute(terreinen: [c, b, a], roofs: roofs)
        XCTAssertEqual(rs.map(\.id), ["a", "b", "c"])
        let regions = schema(bands: [500]).regionTable(rs)
        XCTAssertEqual(regions.rows.map { $0[0] }, [.text(""), .text("Katwijk")])
        let k = regions.rows[1]
        XCTAssertEqual(k[regions.columnIndex("terreinen")!], .integer(2))
        XCTAssertEqual(k[regions.columnIndex("area_m2")!], .real(40_000))
        XCTAssertEqual(k[regions.columnIndex("sealed_m2")!], .real(6000))
        // Area-weighted, not the mean of 0.5 and 0.0333.
        XCTAssertEqual(k[regions.columnIndex("paved_fraction")!], .real(0.15))
        XCTAssertEqual(k[regions.columnIndex("n2k_distance_m")!], .null)
        XCTAssertEqual(k[regions.columnIndex("green_m2")!], .null)
    }

    func testOutputIndependentOfThreadCount() throws {
        var ts: [Terrein] = []
        var roofs: [RoofFace] = []
        for i in 0..<40 {
            let x = Double(i) * 150
            ts.append(terrein(String(format: "T%03d", 39 - i), try rect(x, 0, x + 120, 120), region: i % 2 == 0 ? "even" : "odd", index: i))
            for j in 0..<5 {
                roofs.append(try roof(rect(x + Double(j) * 25 - 5, 10, x + Double(j) * 25 + 15, 30), slope: Double(j * 10), azimuth: 180, building: "b\(i)", index: roofs.count))
            }
        }
        let one = try compute(terreinen: ts, roofs: roofs, threads: 1)
        let four = try compute(terreinen: ts, roofs: roofs, threads: 4)
        let csv1 = CSVFormat.render(schema(bands: [500]).indicatorTable(one))
        let csv4 = CSVFormat.render(schema(bands: [500]).indicatorTable(four))
        XCTAssertEqual(csv1, csv4)
        XCTAssertEqual(CSVFormat.render(schema(bands: [500]).regionTable(one)),
                       CSVFormat.render(schema(bands: [500]).regionTable(four)))
    }
}

final class FormattingTests: XCTestCase {
    func testFixedFormattingNeverPrintsNegativeZero() {
        XCTAssertEqual(Table.formatFixed(-0.0001, decimals: 2), "0.00")
        XCTAssertEqual(Table.formatFixed(-0.0, decimals: 1), "0.0")
        XCTAssertEqual(Table.formatFixed(-0.006, decimals: 2), "-0.01")
        XCTAssertEqual(Table.formatFixed(2.345, decimals: 4), "2.3450")
    }

    func testCSVQuotingAndFormulaGuard() {
        // The schema says which columns are guarded: the name is, the id is not.
        let basics = TerreinBasics().columns(Parameters())
        let t = Table(columns: [basics[0].indicatorColumn, basics[1].indicatorColumn],
                      rows: [[.text("=1+1"), .text("=HYPERLINK(\"x\")")], [.text("a,b"), .text("-5")], [.text("c"), .null]])
        let csv = CSVFormat.render(t)
        XCTAssertEqual(csv, "id,name\n=1+1,\"'=HYPERLINK(\"\"x\"\")\"\n\"a,b\",'-5\nc,\n")
    }
}
