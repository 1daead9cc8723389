import XCTest
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO

/// The paved fast path (sums of areas where nothing overlaps) against the general path (overlay
/// unions), on hand-built geometry whose answers are known exactly, and on the sample.
final class PavedFastPathTests: XCTestCase {
    struct Both {
        var fast: PavedResult
        var taken: Paved.Path
        var general: PavedResult
    }

    /// Both paths for one terrein, as a run computes them (roof pieces clipped with minArea 1e-6).
    func both(_ t: Geometry, roofs: [RoofFace], landcover: [LandCoverPolygon]?) throws -> Both {
        let frame = try TerreinFrame(terrein("T", t))
        let pieces = try frame.clip(try SpatialIndex(roofs.map(\.geometry)), minArea: 1e-6)
        let index = try landcover.map { try SpatialIndex($0.map(\.geometry)) }
        func run(_ path: Paved.Path) throws -> (result: PavedResult, taken: Paved.Path) {
            try Paved.computeWithPath(frame, roofPieces: pieces, buildingId: { roofs[$0].buildingId },
                                      landcover: landcover, index: index, landcoverIsCoverage: false, path: path)
        }
        let fast = try run(.fast)
        let general = try run(.general)
        XCTAssertEqual(general.taken, .general)
        return Both(fast: fast.result, taken: fast.taken, general: general.result)
    }

    func assertAreas(_ r: PavedResult, sealed: Double, green: Double?, water: Double?,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.sealedM2, sealed, accuracy: 1e-6, "sealed", file: file, line: line)
        if let green { XCTAssertEqual(r.greenM2 ?? -1, green, accuracy: 1e-6, "green", file: file, line: line) } else {
            XCTAssertNil(r.greenM2, file: file, line: line)
        }
        if let water { XCTAssertEqual(r.waterM2 ?? -1, water, accuracy: 1e-6, "water", file: file, line: line) } else {
            XCTAssertNil(r.waterM2, file: file, line: line)
        }
    }

    func lc(_ i: Int, _ cls: LandCoverClass, _ g: Geometry) -> LandCoverPolygon {
        LandCoverPolygon(index: i, cls: cls, geometry: g)
    }

    /// A BGT-like partition with building footprints (`pand`) in it, roofs that do not overlap,
    /// one face without a building id on green and one straddling green and water.
    func testNonOverlappingRoofsOnAPartitionTakeTheFastPath() throws {
        let roofs = [try roof(rect(0, 0, 10, 10), building: "a", index: 0), try roof(rect(10, 0, 20, 10), building: "a", index: 1),
                     try roof(rect(20, 0, 30, 10), building: "b", index: 2), try roof(rect(40, 40, 50, 50), index: 3),
                     try roof(rect(90, 55, 100, 65), building: "d", index: 4)]
        let cover = [lc(0, .sealed, try rect(0, 0, 20, 10)), lc(1, .sealed, try rect(20, 0, 30, 10)),
                     lc(2, .sealed, try rect(30, 0, 100, 10)), lc(3, .green, try rect(0, 10, 100, 60)),
                     lc(4, .water, try rect(0, 60, 100, 100))]
        let r = try both(try rect(0, 0, 100, 100), roofs: roofs, landcover: cover)
        XCTAssertEqual(r.taken, .fast)
        // Sealed: the strip y 0–10 (1000) plus the faces on green (100) and on green/water (100).
        assertAreas(r.fast, sealed: 1200, green: 5000 - 100 - 50, water: 4000 - 50)
        assertAreas(r.general, sealed: 1200, green: 4850, water: 3950)
    }

    /// A building whose faces overlap (a face over another, a dormer drawn on top): one small
    /// union per building, then sums.
    func testFacesOverlappingWithinABuildingAreMergedPerBuilding() throws {
        let roofs = [try roof(rect(0, 0, 20, 10), building: "a", index: 0), try roof(rect(10, 0, 30, 10), building: "a", index: 1),
                     try roof(rect(5, 2, 8, 5), building: "a", index: 2)]
        let r = try both(try rect(0, 0, 100, 100), roofs: roofs, landcover: [lc(0, .green, try rect(0, 0, 100, 100))])
        XCTAssertEqual(r.taken, .fast)
        assertAreas(r.fast, sealed: 300, green: 9700, water: 0)
        assertAreas(r.general, sealed: 300, green: 9700, water: 0)
        let members = try Paved.roofMembers(try TerreinFrame(terrein("T", try rect(0, 0, 100, 100)))
            .clip(try SpatialIndex(roofs.map(\.geometry))), buildingId: { roofs[$0].buildingId })
        XCTAssertEqual(members.count, 1)
    }

    /// Faces of different buildings, and a face without a building id, that overlap: merged
    /// into one cluster found by the exact pairwise tests, not counted twice.
    func testFacesOverlappingAcrossBuildingsAndWithoutIdAreMergedExactly() throws {
        let roofs = [try roof(rect(0, 0, 20, 10), building: "a", index: 0), try roof(rect(15, 0, 35, 10), building: "b", index: 1),
                     try roof(rect(30, 5, 40, 15), index: 2), try roof(rect(60, 0, 70, 10), building: "c", index: 3)]
        // a ∪ b = 0–35 × 0–10 (350); the face without id adds 100 − 25; c stands alone (100).
        let cover = [lc(0, .sealed, try rect(0, 0, 50, 20)), lc(1, .water, try rect(50, 0, 100, 20))]
        let r = try both(try rect(0, 0, 100, 100), roofs: roofs, landcover: cover)
        XCTAssertEqual(r.taken, .fast)
        assertAreas(r.fast, sealed: 1000 + 100, green: 0, water: 1000 - 100)
        assertAreas(r.general, sealed: 1100, green: 0, water: 900)
        let alone = try both(try rect(0, 0, 100, 100), roofs: roofs, landcover: nil)
        XCTAssertEqual(alone.taken, .fast)
        assertAreas(alone.fast, sealed: 425 + 100, green: nil, water: nil)
        assertAreas(alone.general, sealed: 525, green: nil, water: nil)
    }

    /// Faces without a building id that overlap each other, and ones that only touch.
    func testFacesWithoutBuildingIdThatOverlapOrTouch() throws {
        let overlapping = [try roof(rect(0, 0, 10, 10), index: 0), try roof(rect(5, 0, 15, 10), index: 1)]
        let r = try both(try rect(0, 0, 100, 100), roofs: overlapping, landcover: nil)
        assertAreas(r.fast, sealed: 150, green: nil, water: nil)
        assertAreas(r.general, sealed: 150, green: nil, water: nil)
        let touching = [try roof(rect(0, 0, 10, 10), index: 0), try roof(rect(10, 0, 20, 10), index: 1),
                        try roof(rect(20, 10, 30, 20), index: 2)]
        let set = try PieceSet(touching.map(\.geometry), areas: touching.map(\.area))
        XCTAssertTrue(try set.overlappingPairs().isEmpty, "shared edges and corners are not overlaps")
        let t = try both(try rect(0, 0, 100, 100), roofs: touching, landcover: nil)
        assertAreas(t.fast, sealed: 300, green: nil, water: nil)
    }

    /// Roofs and land cover that meet in each way the DE-9IM settles (equal, roof inside,
    /// land cover inside the roof, touching only), and one partial overlap that needs the
    /// intersection; a roof partly outside the terrein is clipped first.
    func testEveryWayARoofMeetsLandCover() throws {
        let roofs = [try roof(rect(0, 0, 20, 20), building: "a", index: 0),      // contains the 5–10 pand, on green
                     try roof(rect(30, 0, 40, 10), building: "b", index: 1),     // half on green 35–60
                     try roof(rect(60, 0, 70, 10), building: "c", index: 2),     // equal to its pand
                     try roof(rect(95, 50, 110, 60), building: "d", index: 3)]   // 5 m outside T, on sealed
        let cover = [lc(0, .sealed, try rect(5, 5, 10, 10)), lc(1, .green, try rect(35, 0, 60, 10)),
                     lc(2, .sealed, try rect(60, 0, 70, 10)), lc(3, .sealed, try rect(70, 0, 80, 10)),
                     lc(4, .sealed, try rect(80, 40, 100, 60)), lc(5, .other, try rect(0, 80, 100, 100))]
        let r = try both(try rect(0, 0, 100, 100), roofs: roofs, landcover: cover)
        XCTAssertEqual(r.taken, .fast)
        // Roofs 400 + 100 + 100 + 50 = 650; sealed land cover 25 + 100 + 100 + 400 = 625, of
        // which 25 (under a), 100 (c) and 50 (d) lie under roofs: 650 + 625 − 175 = 1100.
        assertAreas(r.fast, sealed: 1100, green: 250 - 50, water: 0)
        assertAreas(r.general, sealed: 1100, green: 200, water: 0)
    }

    /// Land cover pieces that overlap: the general path runs, with the same answer.
    func testOverlappingLandCoverTakesTheGeneralPath() throws {
        let cover = [lc(0, .sealed, try rect(0, 0, 50, 50)), lc(1, .green, try rect(40, 0, 100, 50))]
        let r = try both(try rect(0, 0, 100, 100), roofs: [try roof(rect(60, 10, 70, 20), building: "a")], landcover: cover)
        XCTAssertEqual(r.taken, .general)
        // Sealed 2500 + the roof 100; green 3000 minus the strip 40–50 (500) and the roof.
        assertAreas(r.fast, sealed: 2600, green: 2400, water: 0)
        assertAreas(r.general, sealed: 2600, green: 2400, water: 0)
        // Overlap of the "other" class does not matter: it enters no figure.
        let withOther = [lc(0, .sealed, try rect(0, 0, 50, 50)), lc(1, .other, try rect(40, 0, 100, 50))]
        XCTAssertEqual(try both(try rect(0, 0, 100, 100), roofs: [], landcover: withOther).taken, .fast)
    }

    /// Every terrein of the sample by both paths: equal within the cross-check tolerance (one
    /// unit in the last printed decimal, or 1e-6 relative). The sample's sealed, green and water
    /// pieces overlap in every terrein (as Shapely finds too), so with land cover each terrein
    /// falls back to the general path; without it (roofs only) every terrein takes the
    /// fast path, on the sample's roofs with their overlapping faces.
    func testBothPathsAgreeOnTheSample() throws {
        let p = try Pipeline.load(path: repoRoot + "/Pipelines/sample.yml")
        let layers = try LoadedLayers.load(p, options: LoadOptions())
        let indexed = try IndexedLayers(layers)
        for withLandcover in [true, false] {
            var fast = 0
            for t in layers.terreinen {
                let frame = try TerreinFrame(t)
                let pieces = try frame.clip(indexed.roofs, minArea: 1e-6)
                func run(_ path: Paved.Path) throws -> (result: PavedResult, taken: Paved.Path) {
                    try Paved.computeWithPath(frame, roofPieces: pieces, buildingId: { layers.roofs[$0].buildingId },
                                              landcover: withLandcover ? layers.landcover : nil,
                                              index: withLandcover ? indexed.landcover : nil,
                                              landcoverIsCoverage: indexed.landcoverIsCoverage, path: path)
                }
                let a = try run(.fast), g = try run(.general)
                if a.taken == .fast { fast += 1 }
                func close(_ x: Double?, _ y: Double?, _ what: String) {
                    guard let x, let y else { return XCTAssertEqual(x == nil, y == nil, "\(t.id) \(what)") }
                    XCTAssertLessThanOrEqual(abs(x - y), max(0.01, 1e-6 * abs(y)), "\(t.id) \(what)")
                }
                close(a.result.sealedM2, g.result.sealedM2, "sealed")
                close(a.result.greenM2, g.result.greenM2, "green")
                close(a.result.waterM2, g.result.waterM2, "water")
            }
            XCTAssertEqual(fast, withLandcover ? 0 : layers.terreinen.count, "terreinen on the fast path")
        }
    }
}
