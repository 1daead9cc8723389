import XCTest
import TerreinGeometry
@testable import TerreinCore

/// The roof union in clusters (`Paved.roofUnion`, `Paved.envelopeClusters`) against the areas
/// known by construction and against GEOS's cascaded union of every face at once.
final class RoofUnionTests: XCTestCase {
    func b(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Bounds {
        Bounds(minX: x0, minY: y0, maxX: x1, maxY: y1)
    }

    func testEnvelopeClustersJoinWhatMeetsIncludingEdgesAndCorners() {
        let bounds: [Bounds?] = [
            b(0, 0, 10, 10),    // 0
            b(50, 50, 60, 60),  // 1: alone
            b(10, 10, 20, 20),  // 2: meets 0 at the corner (10, 10)
            nil,                // 3: an empty geometry, a group of its own
            b(20, 0, 30, 5),    // 4: reaches x = 20 as 2 does, but not its y range 10–20
            b(30, 5, 40, 8),    // 5: meets 4 at x = 30
            b(-5, 9, 0.5, 30),  // 6: overlaps 0
            b(60.0000001, 0, 70, 100), // 7: just right of 1: apart
        ]
        XCTAssertEqual(Paved.envelopeClusters(bounds), [[0, 2, 6], [1], [3], [4, 5], [7]])
        XCTAssertEqual(Paved.envelopeClusters([]), [])
        // A chain that only closes through its last member: 0–2 and 1–2 meet, 0 and 1 do not.
        XCTAssertEqual(Paved.envelopeClusters([b(0, 0, 1, 1), b(5, 0, 6, 1), b(0.5, 0.5, 5.5, 0.6)]), [[0, 1, 2]])
    }

    func pieces(_ faces: [RoofFace]) throws -> [ClippedPiece] {
        try faces.enumerated().map { ClippedPiece(position: $0.offset, geometry: $0.element.geometry, area: try $0.element.geometry.area()) }
    }

    /// Checks the clustered union against the cascaded union of all faces: valid, same area,
    /// and no area in either that the other lacks.
    func assertSameUnion(_ faces: [RoofFace], area expected: Double? = nil, message: String = "",
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let p = try pieces(faces)
        guard let clustered = try Paved.roofUnion(p, buildingId: { faces[$0].buildingId }),
              let cascaded = try Geometry.unionAll(p.map(\.geometry)) else {
            return XCTFail("no union \(message)", file: file, line: line)
        }
        XCTAssertTrue(try clustered.isValid, "\(message) \(clustered.wkt())", file: file, line: line)
        let area = try clustered.area()
        XCTAssertEqual(area, try cascaded.area(), accuracy: 1e-9 * max(area, 1), message, file: file, line: line)
        XCTAssertEqual(try clustered.difference(cascaded).area(), 0, accuracy: 1e-9 * max(area, 1), message, file: file, line: line)
        XCTAssertEqual(try cascaded.difference(clustered).area(), 0, accuracy: 1e-9 * max(area, 1), message, file: file, line: line)
        if let expected { XCTAssertEqual(area, expected, accuracy: 1e-9, message, file: file, line: line) }
    }

    /// Building a: two overlapping faces and a dormer drawn on top (300 m²); building b shares
    /// a's edge x = 30 (same cluster, another building: 100 m²); building c far away, with a
    /// face without a building id over half of it (100 + 50); a lone triangle (12.5).
    func testClustersOfBuildingsGiveTheUnionOfAllFaces() throws {
        let faces = [
            try roof(rect(0, 0, 20, 10), building: "a", index: 0),
            try roof(rect(100, 100, 110, 110), building: "c", index: 1),
            try roof(rect(10, 0, 30, 10), building: "a", index: 2),
            try roof(rect(30, 0, 40, 10), building: "b", index: 3),
            try roof(rect(5, 2, 8, 5), building: "a", index: 4),
            try roof(rect(105, 100, 115, 110), index: 5),
            try roof(try Geometry.fromWKT("POLYGON ((200 0, 205 0, 200 5, 200 0))"), building: "t", index: 6),
        ]
        try assertSameUnion(faces, area: 300 + 100 + 150 + 12.5)
        // Without building ids the same union, through the clusters alone.
        try assertSameUnion(faces.map { try roof($0.geometry, index: $0.index) }, area: 562.5)
        // One face, and none.
        XCTAssertEqual(try Paved.roofUnion(try pieces([faces[0]]))?.area(), 200)
        XCTAssertNil(try Paved.roofUnion([]))
    }

    /// Seeded random rectangles (overlapping, touching on a 1 m grid, far apart), building ids
    /// drawn from a few values or missing: the clustered union is the cascaded one.
    func testRandomFacesGiveTheCascadedUnion() throws {
        var rng = SpatialIndexTests.SplitMix(state: 12)
        func int(_ n: Int) -> Int { Int(rng.next() * Double(n)) }
        for round in 0..<40 {
            var faces: [RoofFace] = []
            let n = 2 + int(40)
            for k in 0..<n {
                let x = Double(int(200)), y = Double(int(200))
                let w = Double(1 + int(15)), h = Double(1 + int(15))
                let id = int(5)
                faces.append(try roof(rect(x, y, x + w, y + h), building: id == 0 ? nil : "b\(id)", index: k))
            }
            try assertSameUnion(faces, message: "round \(round)")
        }
    }
}
