import XCTest
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO

/// Rules of the amended spec (docs/indicators.md) that the first version got wrong.
final class AmendedSpecTests: XCTestCase {
    /// Nearest-site ties are judged against the final minimum, not the best so far: in
    /// A (100.0000015), Z1 (100.0000007), Z2 (99.9999999) each is within 1e-6 m of the one
    /// before, but A is 1.6e-6 m from the minimum, so it is no tie and Z1 wins, whatever
    /// the order in which the sites are visited. (The old running-best rule gave A for
    /// this order.)
    func testNearestTieAgainstFinalMinimum() {
        let sites: [(distance: Double, name: String?)] = [(100.0000015, "A"), (100.0000007, "Z1"), (99.9999999, "Z2")]
        for order in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            let (d, name) = Nature.nearest(order.map { sites[$0] })
            XCTAssertEqual(d, 99.9999999, "order \(order)")
            XCTAssertEqual(name, "Z1", "order \(order)")
        }
        XCTAssertEqual(Nature.nearest([(5, nil), (5, "B")]).1, "B", "an unnamed site loses the tie")
        XCTAssertNil(Nature.nearest([]).1)
    }

    /// Building ids compare as UTF-8 bytes: "Café" composed and decomposed are two buildings.
    func testBuildingIdsCompareAsBytes() throws {
        let t = terrein("A", try rect(0, 0, 100, 100))
        let roofs = [try roof(rect(10, 10, 20, 20), building: "Caf\u{E9}", index: 0),
                     try roof(rect(30, 10, 40, 20), building: "Cafe\u{301}", index: 1),
                     try roof(rect(50, 10, 60, 20), building: "Caf\u{E9}", index: 2)]
        let flood = [InundationPolygon(index: 0, depth: 0.5, geometry: try rect(0, 0, 100, 50))]
        let r = try compute(terreinen: [t], roofs: roofs, inundation: flood)[0]
        XCTAssertEqual(r.water.buildingsExposed, 2)
    }
}
