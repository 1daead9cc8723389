import XCTest
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO

/// `GeometryPreparation.build` on hand-built raw coordinates (the flat buffers the readers
/// fill), with exact answers: which rings and polygons are kept, the repair notes and their
/// order, the area, and the polygon / ring / vertex a failed transformation names.
final class GeometryPreparationTests: XCTestCase {
    let wording = GeometryPreparation.Wording(sourceCRS: "EPSG:28992", crsOrigin: "pipeline",
                                              workCRS: "EPSG:28992", layerKey: "layers.roofs")

    /// Rings of (x, y) pairs per polygon → a RawGeometry as the GeoJSON reader makes it.
    func raw(_ type: GeoJSONType, _ polygons: [[[(Double, Double)]]]) -> RawGeometry {
        var g = RawGeometry(type: type)
        for polygon in polygons {
            for ring in polygon {
                for (x, y) in ring { g.xy += [x, y] }
                g.lineEnds.append(g.xy.count / 2)
            }
            g.partEnds.append(g.lineEnds.count)
        }
        return g
    }

    func square(_ x0: Double, _ y0: Double, _ side: Double, closed: Bool = true) -> [(Double, Double)] {
        let r = [(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side)]
        return closed ? r + [(x0, y0)] : r
    }

    /// Polygon 0: an unclosed 10 × 10 shell with a 3-position hole (dropped); polygon 1: a
    /// shell of 3 positions (degenerate, dropped); polygon 2: a closed 20 × 20 shell with a
    /// 5 × 5 hole.
    var mixed: RawGeometry {
        raw(.multiPolygon, [
            [square(0, 0, 10, closed: false), [(1, 1), (2, 1), (1, 1)]],
            [[(20, 0), (30, 0), (20, 0)]],
            [square(40, 0, 20), square(45, 5, 5)],
        ])
    }

    func testRingsClosedShortRingsDroppedInOrder() throws {
        let outcome = try GeometryPreparation.build(mixed, geographic: false, wording: wording, transform: { _ in true })
        guard case .used(let g, let repairs) = outcome else { return XCTFail("skipped: \(outcome)") }
        XCTAssertEqual(repairs, ["unclosed ring closed", "hole with fewer than 4 positions dropped",
                                 "polygon with a degenerate shell dropped"])
        XCTAssertEqual(g.type, .multiPolygon)
        XCTAssertEqual(try g.area(), 100 + 400 - 25)
        let rings = try g.polygonRings()
        XCTAssertEqual(rings.count, 2)
        XCTAssertEqual(rings[0].count, 1, "the short hole is gone")
        XCTAssertEqual(rings[0][0].count, 10, "closed: 5 positions")
        XCTAssertEqual(rings[1].count, 2)
    }

    func testTransformAppliedToEveryKeptRing() throws {
        var calls: [Int] = []
        let outcome = try GeometryPreparation.build(mixed, geographic: false, wording: wording, transform: { ring in
            calls.append(ring.count)
            for i in stride(from: 0, to: ring.count, by: 2) { ring[i] += 1000 }
            return true
        })
        guard case .used(let g, _) = outcome else { return XCTFail("skipped: \(outcome)") }
        XCTAssertEqual(calls, [10, 10, 10], "shell of polygon 0 (closed), shell and hole of polygon 2")
        XCTAssertEqual(try g.area(), 475)
        XCTAssertEqual(g.bounds?.minX, 1000)
        XCTAssertEqual(g.bounds?.maxX, 1060)
    }

    func testFailedTransformNamesPolygonRingAndVertexAsKept() throws {
        // The hole of polygon 2 (ring 1 of that polygon), its vertex 2 cannot be transformed.
        XCTAssertThrowsError(try GeometryPreparation.build(mixed, geographic: false, wording: wording, transform: { ring in
            if ring[0] == 45 { ring[4] = .infinity; return false }
            return true
        })) { error in
            guard let p = error as? GeometryPreparation.CoordinateProblem else { return XCTFail("\(error)") }
            XCTAssertEqual(p.problem, "coordinates cannot be transformed from EPSG:28992 to EPSG:28992: polygon 2 ring 1 vertex 2")
        }
    }

    func testCollectionKeepsItsPolygons() throws {
        var collection = RawGeometry(type: .geometryCollection)
        var point = RawGeometry(type: .point)
        point.xy = [5, 5]
        collection.members = [point, raw(.polygon, [[square(0, 0, 4)]])]
        let outcome = try GeometryPreparation.build(collection, geographic: false, wording: wording, transform: { _ in true })
        guard case .used(let g, let repairs) = outcome else { return XCTFail("skipped: \(outcome)") }
        XCTAssertEqual(repairs, ["non-polygonal members of a GeometryCollection dropped"])
        XCTAssertEqual(g.type, .polygon)
        XCTAssertEqual(try g.area(), 16)
    }

    func testSkipsAndErrors() throws {
        func reason(_ g: RawGeometry) throws -> String? {
            if case .skipped(let r) = try GeometryPreparation.build(g, geographic: false, wording: wording, transform: { _ in true }) { return r }
            return nil
        }
        XCTAssertEqual(try reason(raw(.multiPolygon, [])), "MultiPolygon in a polygon layer")
        XCTAssertEqual(try reason(RawGeometry(type: .geometryCollection)), "GeometryCollection without polygons")
        XCTAssertEqual(try reason(raw(.polygon, [[]])), "no ring with at least 4 positions")
        XCTAssertEqual(try reason(raw(.polygon, [[[(0, 0), (1, 0), (0, 0)]]])), "no ring with at least 4 positions")
        XCTAssertThrowsError(try reason(raw(.polygon, [[square(0, 0, 1), [(0, 0), (2e9, 0), (0, 1), (0, 0)]]]))) { error in
            XCTAssertEqual((error as? GeometryPreparation.CoordinateProblem)?.problem, "absurd coordinate (2000000000.0, 0.0)")
        }
        XCTAssertThrowsError(try GeometryPreparation.build(raw(.polygon, [[square(155_000, 463_000, 10)]]), geographic: true,
                                                           wording: wording, transform: { _ in true })) { error in
            XCTAssertEqual((error as? GeometryPreparation.CoordinateProblem)?.hint,
                           "these look like RD New metres: set `crs: EPSG:28992` for layers.roofs in the pipeline file")
        }
    }
}
