import XCTest
import TerreinGeometry

/// `SpatialIndex` answers with exactly the positions whose envelope meets the query's (closed
/// intervals), ascending: checked against a scan of every envelope.
final class SpatialIndexTests: XCTestCase {
    /// A small deterministic generator (the tests must not depend on the platform's random).
    struct SplitMix {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }

    static func box(_ b: Bounds) throws -> Geometry {
        try Geometry.polygon(rings: [[b.minX, b.minY, b.maxX, b.minY, b.maxX, b.maxY, b.minX, b.maxY, b.minX, b.minY]])
    }

    func scan(_ bounds: [Bounds?], _ q: Bounds) -> [Int] {
        bounds.indices.filter { bounds[$0].map { $0.intersects(q) } ?? false }
    }

    func testQueriesMatchAScanOfEveryEnvelope() throws {
        var r = SplitMix(state: 7)
        for n in [0, 1, 2, 15, 16, 17, 255, 256, 257, 3000] {
            var bounds: [Bounds?] = []
            for i in 0..<n {
                if i % 97 == 5 { bounds.append(nil); continue }  // an empty geometry: never found
                // Integer corners on a coarse grid, so that many boxes share edges and corners.
                let x = (r.next() * 100).rounded(), y = (r.next() * 100).rounded()
                bounds.append(Bounds(minX: x, minY: y, maxX: x + (r.next() * 6).rounded(), maxY: y + (r.next() * 6).rounded()))
            }
            let placeholder = try Self.box(Bounds(minX: 0, minY: 0, maxX: 1, maxY: 1))
            let index = SpatialIndex(Array(repeating: placeholder, count: n), bounds: bounds)
            for _ in 0..<200 {
                let x = (r.next() * 110).rounded() - 5, y = (r.next() * 110).rounded() - 5
                let q = Bounds(minX: x, minY: y, maxX: x + (r.next() * 20).rounded(), maxY: y + (r.next() * 20).rounded())
                XCTAssertEqual(index.query(q), scan(bounds, q), "n=\(n) query \(q)")
            }
            // Touching at an edge or a corner counts, as in GEOS.
            if let b = bounds.compactMap({ $0 }).first {
                let corner = Bounds(minX: b.maxX, minY: b.maxY, maxX: b.maxX + 1, maxY: b.maxY + 1)
                XCTAssertEqual(index.query(corner), scan(bounds, corner))
                XCTAssertTrue(index.query(corner).contains(bounds.firstIndex { $0 == b }!))
            }
        }
    }

    func testGeometriesAreIndexedByTheirEnvelopes() throws {
        let geometries = try [
            Self.box(Bounds(minX: 0, minY: 0, maxX: 10, maxY: 10)),
            Self.box(Bounds(minX: 10, minY: 0, maxX: 20, maxY: 10)),
            Self.box(Bounds(minX: 30, minY: 30, maxX: 40, maxY: 40)),
        ]
        let index = try SpatialIndex(geometries)
        XCTAssertEqual(index.query(try Self.box(Bounds(minX: 5, minY: 5, maxX: 10, maxY: 6))), [0, 1])
        XCTAssertEqual(index.query(try Self.box(Bounds(minX: 21, minY: 21, maxX: 29, maxY: 29))), [])
        XCTAssertEqual(try index.query(try Self.box(Bounds(minX: 21, minY: 21, maxX: 29, maxY: 29)), within: 1), [2])
        XCTAssertEqual(index.query(try Geometry.polygon(rings: [])), [], "an empty query finds nothing")
        // A geometry built later takes its placeholder's place.
        index.replace(2, with: geometries[0])
        XCTAssertTrue(index.geometries[2] === geometries[0])
    }
}
