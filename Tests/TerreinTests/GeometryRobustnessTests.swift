import CGEOS
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import TerreinGeometry

/// The GEOS wrapper's ownership, error and threading rules (issue 9, defects 1, 2, 7, 8).
final class GeometryRobustnessTests: XCTestCase {

    // MARK: Defect 1: a MultiPolygon holds polygons only

    func testMultiPolygonMembersAreFlattenedToPolygons() throws {
        let a = try rect(0, 0, 10, 10)
        let bc = try Geometry.fromWKT("MULTIPOLYGON (((5 0, 15 0, 15 10, 5 10, 5 0)), ((20 0, 30 0, 30 10, 20 10, 20 0)))")
        let multi = try Geometry.collection([a, bc], type: .multiPolygon)
        // GEOS 3.11 would keep the MultiPolygon as a member (and crash writing its WKT).
        guard try multi.numGeometries == 3 else {
            return XCTFail("the MultiPolygon member was not flattened: \(try multi.numGeometries) members")
        }
        for i in 0..<3 { XCTAssertEqual(try multi.geometry(at: i).type, .polygon) }
        XCTAssertTrue(multi.wkt().hasPrefix("MULTIPOLYGON"))

        // A clipped piece can be a collection of polygons too; the union is the same.
        let pieces = try Geometry.collection([try rect(0, 20, 5, 25), try rect(3, 20, 8, 25)])
        let union = try XCTUnwrap(try Geometry.polygonUnionByBuffer([a, bc, pieces]))
        XCTAssertEqual(try union.area(), 250 + 40, accuracy: 1e-9)
        XCTAssertTrue(try union.isValid)
    }

    func testMultiPolygonRefusesMembersWithoutArea() throws {
        XCTAssertThrowsError(try Geometry.collection([try rect(0, 0, 1, 1), try Geometry.point(x: 5, y: 5)], type: .multiPolygon)) {
            XCTAssertTrue("\($0)".contains("not a polygon"), "\($0)")
        }
    }

    // MARK: Defect 2: GEOS owns the members of a collection it failed to make

    func testFailedCollectionDoesNotDestroyTheMembersAgain() throws {
        let square = try rect(0, 0, 10, 10)
        // Not a collection type: GEOS refuses after taking the (cloned) members. The old
        // code destroyed them once more: a double free, usually a crash right here.
        XCTAssertThrowsError(try Geometry.collection([square, square], type: .polygon)) {
            XCTAssertTrue($0 is GeometryError, "\($0)")
        }
        // The caller's geometry is untouched and this thread's context still works.
        XCTAssertEqual(try square.area(), 100)
        XCTAssertEqual(try Geometry.collection([square, square]).numGeometries, 2)
    }

    // MARK: Defect 7: envelopes are computed when a geometry is made

    /// GEOS 3.11 caches an envelope the first time an operation asks for it. The probe
    /// moves a ring's coordinates in place behind GEOS's back (white box, tests only):
    /// a cache filled at creation keeps the creation-time extent; a lazy one shows the move.
    func testEnvelopesAreComputedWhenAGeometryIsMade() throws {
        let g = try Geometry.fromWKT("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 4, 2 2))")
        let ctx = GEOSContext.current.handle
        func shift(_ ring: OpaquePointer) throws {
            let seq = try XCTUnwrap(GEOSGeom_getCoordSeq_r(ctx, ring))
            var size: UInt32 = 0
            XCTAssertEqual(GEOSCoordSeq_getSize_r(ctx, seq, &size), 1)
            for i in 0..<size {
                var x = 0.0
                GEOSCoordSeq_getX_r(ctx, seq, i, &x)
                GEOSCoordSeq_setX_r(ctx, seq, i, x + 100)
            }
        }
        let shell = try XCTUnwrap(GEOSGetExteriorRing_r(ctx, g.handle))
        let hole = try XCTUnwrap(GEOSGetInteriorRingN_r(ctx, g.handle, 0))
        try shift(shell)
        try shift(hole)
        XCTAssertEqual(g.bounds?.minX, 0, "the polygon's envelope was computed lazily, by its first reader")
        var holeMinX = -1.0
        XCTAssertEqual(GEOSGeom_getXMin_r(ctx, hole, &holeMinX), 1)
        XCTAssertEqual(holeMinX, 2, "the hole's envelope was computed lazily, by its first reader")
    }

    func testEnvelopesOfEmptyGeometriesAndMembersToo() throws {
        // Must not raise (the extent functions throw on empty input) nor leave an error behind.
        let empty = try Geometry.fromWKT("GEOMETRYCOLLECTION (POLYGON EMPTY, POINT (1 2))")
        XCTAssertEqual(try empty.numGeometries, 2)
        XCTAssertEqual(GEOSContext.current.lastError, "")
        XCTAssertNil(try Geometry.polygon(rings: []).bounds)
    }

    // MARK: Defect 8: GEOS exceptions are errors, not "false" or a trapping range

    func testPredicateExceptionThrows() {
        XCTAssertTrue(try Geometry.predicate(1, "p"))
        XCTAssertFalse(try Geometry.predicate(0, "p"))
        XCTAssertThrowsError(try Geometry.predicate(2, "is valid")) {
            XCTAssertTrue("\($0)".hasPrefix("is valid:"), "\($0)")
        }
    }

    func testNegativeCountThrows() {
        XCTAssertEqual(try Geometry.count(3, "n"), 3)
        XCTAssertThrowsError(try Geometry.count(-1, "number of geometries")) {
            XCTAssertTrue("\($0)".hasPrefix("number of geometries:"), "\($0)")
        }
    }

    /// A thread that starts after another has exited often gets the same `pthread_self()`;
    /// it must still get prepared geometries of its own, never the dead thread's.
    func testPreparedGeometriesAreNeverHandedToAnotherThread() throws {
        let cache = PreparedPerThread([try rect(0, 0, 10, 10)])
        final class Seen: @unchecked Sendable {
            var objects: [ObjectIdentifier] = []
            var threadIDs: [UInt] = []
            var errors: [Error] = []
            var keep: [PreparedGeometry] = []  // keeps the identifiers unique
        }
        let seen = Seen()
        for _ in 0..<8 {
            // One thread at a time, each joined before the next starts (so ids get reused).
            var thread = pthread_t()
            let box = Unmanaged.passRetained(Box {
                do {
                    let p = try cache.prepared(0)
                    XCTAssertTrue(p === (try cache.prepared(0)), "the same thread gets its own cache back")
                    seen.objects.append(ObjectIdentifier(p))
                    seen.keep.append(p)
                    seen.threadIDs.append(UInt(bitPattern: Int(bitPattern: pthread_self())))
                } catch {
                    seen.errors.append(error)
                }
            })
            XCTAssertEqual(pthread_create(&thread, nil, { raw in
                let body = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                body.run()
                return nil
            }, box.toOpaque()), 0)
            XCTAssertEqual(pthread_join(thread, nil), 0)
        }
        XCTAssertTrue(seen.errors.isEmpty, "\(seen.errors)")
        XCTAssertEqual(Set(seen.objects).count, 8, "a thread was handed another (dead) thread's prepared geometry; thread ids: \(seen.threadIDs)")
    }

    final class Box: @unchecked Sendable {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }
}
