import Foundation
import XCTest
@testable import TerreinCityJSON

final class RoofExtractionTests: XCTestCase {
    let eps = 1e-9

    func testFlatRoofHasSlopeZeroAndNoAzimuth() throws {
        let v: [[Double]] = [[0, 0, 10], [10, 0, 10], [10, 8, 10], [0, 8, 10]]
        let data = Fixture.document(vertices: v, objects: [
            "flat": Fixture.object(geometry: [Fixture.multiSurface([[[0, 1, 2, 3]]], labels: ["RoofSurface"])]),
        ])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "flat.city.json")
        XCTAssertEqual(r.faces.count, 1)
        let f = try XCTUnwrap(r.faces.first)
        XCTAssertEqual(f.slopeDeg, 0, accuracy: eps)
        XCTAssertNil(f.azimuthDeg)
        XCTAssertEqual(f.area2D, 80, accuracy: eps)
        XCTAssertEqual(f.buildingId, "flat")
        XCTAssertEqual(f.objectId, "flat")
        XCTAssertEqual(f.normal, SIMD3(0, 0, 1))
        XCTAssertEqual(r.droppedFaces, 0)
        XCTAssertNil(r.epsg)
        XCTAssertEqual(r.buildingCount, 1)
    }

    func testGableRoofFacesSouthAndNorthAtThirtyDegrees() throws {
        let data = Fixture.document(vertices: Fixture.gableVertices, objects: [
            "gable": Fixture.object(geometry: [Fixture.multiSurface(Fixture.gableSurfaces, labels: Fixture.gableLabels)]),
        ])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "gable.city.json")
        XCTAssertEqual(r.faces.count, 2, "walls and ground are not roofs")
        let south = r.faces[0], north = r.faces[1]
        XCTAssertEqual(south.slopeDeg, 30, accuracy: eps)
        XCTAssertEqual(north.slopeDeg, 30, accuracy: eps)
        XCTAssertEqual(try XCTUnwrap(south.azimuthDeg), 180, accuracy: eps)
        XCTAssertEqual(try XCTUnwrap(north.azimuthDeg), 0, accuracy: eps)
        XCTAssertEqual(south.area2D, 30, accuracy: eps)
        XCTAssertEqual(south.surfaceArea, 30 / cos(Double.pi / 6), accuracy: 1e-9)
        XCTAssertEqual(r.droppedFaces, 0)
    }

    func testFacesFacingEastAndWest() throws {
        // Ridge along y at x = 3, z = 8; eaves at x = 0 and x = 6, z = 5: both faces 45 degrees.
        let v: [[Double]] = [[0, 0, 5], [3, 0, 8], [3, 10, 8], [0, 10, 5], [6, 0, 5], [6, 10, 5]]
        let data = Fixture.document(vertices: v, objects: [
            "ew": Fixture.object(geometry: [Fixture.multiSurface([[[0, 1, 2, 3]], [[1, 4, 5, 2]]],
                                                                  labels: ["RoofSurface", "RoofSurface"])]),
        ])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "ew.city.json")
        XCTAssertEqual(r.faces.count, 2)
        XCTAssertEqual(r.faces[0].slopeDeg, 45, accuracy: eps)
        XCTAssertEqual(try XCTUnwrap(r.faces[0].azimuthDeg), 270, accuracy: eps, "rises to the east: faces west")
        XCTAssertEqual(r.faces[1].slopeDeg, 45, accuracy: eps)
        XCTAssertEqual(try XCTUnwrap(r.faces[1].azimuthDeg), 90, accuracy: eps)
    }

    func testNormalIsOrientedUpwardWhateverTheRingOrder() throws {
        // The same south face, once counter-clockwise and once clockwise seen from above.
        let data = Fixture.document(vertices: Fixture.gableVertices, objects: [
            "a": Fixture.object(geometry: [Fixture.multiSurface([[[0, 1, 2, 3]], [[3, 2, 1, 0]]],
                                                                 labels: ["RoofSurface", "RoofSurface"])]),
        ])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "t")
        XCTAssertEqual(r.faces.count, 2)
        for f in r.faces {
            XCTAssertGreaterThan(f.normal.z, 0)
            XCTAssertEqual(f.slopeDeg, 30, accuracy: eps)
            XCTAssertEqual(try XCTUnwrap(f.azimuthDeg), 180, accuracy: eps)
            XCTAssertGreaterThan(PlaneGeometry.signedArea(f.rings[0]), 0, "outer ring counter-clockwise")
            assertClosedRing(f.rings[0])
        }
        XCTAssertEqual(r.faces[0].rings, r.faces[1].rings)
    }

    func testAzimuthOfDiagonalFaces() throws {
        // A plane rising towards the south-west faces north-east (45); one rising north-east faces south-west (225).
        let v: [[Double]] = [[0, 0, 1], [4, 0, 0], [4, 4, -1], [0, 4, 0]]
        let data = Fixture.document(vertices: v, objects: [
            "ne": Fixture.object(geometry: [Fixture.multiSurface([[[0, 1, 2, 3]]], labels: ["RoofSurface"])]),
        ])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "t")
        XCTAssertEqual(try XCTUnwrap(r.faces.first?.azimuthDeg), 45, accuracy: eps)
        let expectedSlope = atan(hypot(0.25, 0.25)) * 180 / .pi
        XCTAssertEqual(r.faces[0].slopeDeg, expectedSlope, accuracy: eps)
    }

    func testNearFlatFaceAzimuthIsNullAtOneDegree() throws {
        // 0.5 degree and 2 degree slopes towards the south.
        let t05 = tan(0.5 * Double.pi / 180) * 10, t2 = tan(2 * Double.pi / 180) * 10
        let v: [[Double]] = [[0, 0, 0], [10, 0, 0], [10, 10, t05], [0, 10, t05],
                             [20, 0, 0], [30, 0, 0], [30, 10, t2], [20, 10, t2]]
        let data = Fixture.document(vertices: v, objects: [
            "b": Fixture.object(geometry: [Fixture.multiSurface([[[0, 1, 2, 3]], [[4, 5, 6, 7]]],
                                                                labels: ["RoofSurface", "RoofSurface"])]),
        ])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "t")
        XCTAssertEqual(r.faces[0].slopeDeg, 0.5, accuracy: 1e-9)
        XCTAssertNil(r.faces[0].azimuthDeg)
        XCTAssertEqual(r.faces[1].slopeDeg, 2, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(r.faces[1].azimuthDeg), 180, accuracy: 1e-9)
    }

    func testTransformWithMillimetreScale() throws {
        let v: [[Double]] = [[1234, 5678, 10000], [11234, 5678, 10000], [11234, 13678, 10000], [1234, 13678, 10000]]
        let data = Fixture.document(version: "1.1", vertices: v, objects: [
            "t": Fixture.object(geometry: [Fixture.multiSurface([[[0, 1, 2, 3]]], labels: ["RoofSurface"], lod: "2.2")]),
        ], transform: ([0.001, 0.001, 0.001], [85000, 447000, 0]),
           referenceSystem: "https://www.opengis.net/def/crs/EPSG/0/7415")
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "t.city.json")
        let ring = try XCTUnwrap(r.faces.first?.rings.first)
        XCTAssertEqual(ring[0].x, 85001.234, accuracy: 1e-6)
        XCTAssertEqual(ring[0].y, 447005.678, accuracy: 1e-6)
        XCTAssertEqual(r.faces[0].area2D, 80, accuracy: 1e-6)
        XCTAssertEqual(r.faces[0].slopeDeg, 0, accuracy: eps)
        XCTAssertEqual(r.epsg, 28992)
        XCTAssertEqual(r.version, "1.1")
        let geojson = try CityJSONRoofExtractor.geoJSON([r])
        XCTAssertTrue(geojson.contains("[85001.234,447005.678]"), geojson)
        XCTAssertTrue(geojson.contains("[85011.234,447013.678]"), geojson)
    }

    func testBuildingPartFacesGetTheParentBuildingId() throws {
        var v = Fixture.gableVertices
        v += Fixture.boxVertices(x0: 20, y0: 0, x1: 24, y1: 5, z0: 0, z1: 3).map { $0 }
        let part1 = Fixture.object("BuildingPart", geometry: [Fixture.multiSurface(Fixture.gableSurfaces, labels: Fixture.gableLabels)],
                                   parents: ["house"])
        let solid: [String: Any] = ["type": "Solid", "lod": "2.2", "boundaries": [Fixture.boxShell(base: 6)],
                                    "semantics": ["surfaces": Fixture.boxSemanticSurfaces, "values": [Fixture.boxLabels]]]
        // CityJSON 1.0 style: only the parent lists its children.
        let part2 = Fixture.object("BuildingPart", geometry: [solid])
        let subpart = Fixture.object("BuildingPart", geometry: [Fixture.multiSurface([[[0, 1, 2, 3]]], labels: ["RoofSurface"])],
                                     parents: ["house-2"])
        let orphan = Fixture.object("BuildingPart", geometry: [Fixture.multiSurface([[[0, 1, 2, 3]]], labels: ["RoofSurface"])],
                                    parents: ["elsewhere"])
        let installation = Fixture.object("BuildingInstallation",
                                          geometry: [Fixture.multiSurface([[[0, 1, 2, 3]]], labels: ["RoofSurface"])],
                                          parents: ["house"])
        let data = Fixture.document(vertices: v, objects: [
            "house": Fixture.object(geometry: [], children: ["house-1", "house-2", "house-inst"]),
            "house-1": part1, "house-2": part2, "house-2-a": subpart, "house-inst": installation,
            "lonely-part": orphan,
        ])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "parts.city.json")
        XCTAssertEqual(r.faces.map(\.objectId), ["house-1", "house-1", "house-2", "house-2-a", "lonely-part"])
        XCTAssertEqual(r.faces.map(\.buildingId), ["house", "house", "house", "house", "elsewhere"])
        XCTAssertEqual(r.buildingCount, 1)
        XCTAssertEqual(r.buildingPartCount, 4)
    }

    func testSolidGeometry() throws {
        let v = Fixture.boxVertices(x0: 0, y0: 0, x1: 4, y1: 5, z0: 0, z1: 3)
        let solid: [String: Any] = ["type": "Solid", "lod": "2.2", "boundaries": [Fixture.boxShell(base: 0)],
                                    "semantics": ["surfaces": Fixture.boxSemanticSurfaces, "values": [Fixture.boxLabels]]]
        let data = Fixture.document(vertices: v, objects: ["box": Fixture.object(geometry: [solid])])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "t")
        XCTAssertEqual(r.faces.count, 1)
        XCTAssertEqual(r.faces[0].area2D, 20, accuracy: eps)
        XCTAssertEqual(r.faces[0].slopeDeg, 0, accuracy: eps)
        XCTAssertEqual(r.faces[0].rings[0].count, 5)
    }

    func testMultiSolidAndCompositeSolidNesting() throws {
        let v = Fixture.boxVertices(x0: 0, y0: 0, x1: 4, y1: 5, z0: 0, z1: 3)
            + Fixture.boxVertices(x0: 4, y0: 0, x1: 6, y1: 5, z0: 0, z1: 6)
        for type in ["MultiSolid", "CompositeSolid"] {
            let g: [String: Any] = ["type": type, "lod": "2.2",
                                    "boundaries": [[Fixture.boxShell(base: 0)], [Fixture.boxShell(base: 8)]],
                                    "semantics": ["surfaces": Fixture.boxSemanticSurfaces,
                                                  "values": [[Fixture.boxLabels], [Fixture.boxLabels]]]]
            let data = Fixture.document(vertices: v, objects: ["ms": Fixture.object(geometry: [g])])
            let r = try CityJSONRoofExtractor.extract(from: data, sourceName: type)
            XCTAssertEqual(r.faces.map(\.area2D), [20, 10], type)
        }
    }

    func testCompositeSurfaceAndNullSemanticValues() throws {
        var g = Fixture.multiSurface(Fixture.gableSurfaces, labels: ["RoofSurface", nil, nil, nil], type: "CompositeSurface")
        let data = Fixture.document(vertices: Fixture.gableVertices, objects: ["c": Fixture.object(geometry: [g])])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "t")
        XCTAssertEqual(r.faces.count, 1)
        XCTAssertEqual(try XCTUnwrap(r.faces[0].azimuthDeg), 180, accuracy: eps)
        // `values: null` means nothing is labelled.
        var sem = g["semantics"] as! [String: Any]
        sem["values"] = NSNull()
        g["semantics"] = sem
        let none = try CityJSONRoofExtractor.extract(
            from: Fixture.document(vertices: Fixture.gableVertices, objects: ["c": Fixture.object(geometry: [g])]), sourceName: "t")
        XCTAssertEqual(none.faces.count, 0)
    }

    func testRoofWithHoleIsReorientedAndKeepsTheHole() throws {
        // Outer ring given clockwise, hole counter-clockwise: the output must be the other way round.
        let v: [[Double]] = [[0, 0, 5], [0, 10, 5], [10, 10, 5], [10, 0, 5],
                             [4, 4, 5], [6, 4, 5], [6, 6, 5], [4, 6, 5]]
        let data = Fixture.document(vertices: v, objects: [
            "h": Fixture.object(geometry: [Fixture.multiSurface([[[0, 1, 2, 3], [4, 5, 6, 7]]], labels: ["RoofSurface"])]),
        ])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "t")
        let f = try XCTUnwrap(r.faces.first)
        XCTAssertEqual(f.rings.count, 2)
        XCTAssertEqual(PlaneGeometry.signedArea(f.rings[0]), 100, accuracy: eps)
        XCTAssertEqual(PlaneGeometry.signedArea(f.rings[1]), -4, accuracy: eps)
        assertClosedRing(f.rings[0])
        assertClosedRing(f.rings[1])
        XCTAssertEqual(f.area2D, 96, accuracy: eps)
        XCTAssertEqual(f.slopeDeg, 0, accuracy: eps)
    }

    func testVersion10WithNumericLoDAndUrnReferenceSystem() throws {
        let data = Fixture.document(version: "1.0", vertices: Fixture.gableVertices, objects: [
            "old": Fixture.object(geometry: [Fixture.multiSurface(Fixture.gableSurfaces, labels: Fixture.gableLabels, lod: 2)]),
        ], referenceSystem: "urn:ogc:def:crs:EPSG::7415")
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "old.city.json")
        XCTAssertEqual(r.version, "1.0")
        XCTAssertEqual(r.epsg, 28992)
        XCTAssertEqual(r.referenceSystem, "urn:ogc:def:crs:EPSG::7415")
        XCTAssertEqual(r.faces.count, 2)
        XCTAssertEqual(r.faces[0].lod, "2")
    }

    func testVersion20WithStringLoDAndUrlReferenceSystem() throws {
        let data = Fixture.document(version: "2.0", vertices: Fixture.gableVertices, objects: [
            "new": Fixture.object(geometry: [Fixture.multiSurface(Fixture.gableSurfaces, labels: Fixture.gableLabels, lod: "2.2")]),
        ], referenceSystem: "https://www.opengis.net/def/crs/EPSG/0/7415")
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "new.city.json")
        XCTAssertEqual(r.version, "2.0")
        XCTAssertEqual(r.epsg, 28992)
        XCTAssertEqual(r.faces.count, 2)
        XCTAssertEqual(r.faces[0].lod, "2.2")
    }

    func testHighestLoDWithSemanticsIsUsed() throws {
        var v = Fixture.gableVertices
        v += [[0, 0, 4], [10, 0, 4], [10, 6, 4], [0, 6, 4]]  // 6...9: an LoD1.2 flat top
        let lod12 = Fixture.multiSurface([[[6, 7, 8, 9]]], labels: ["RoofSurface"], lod: "1.2")
        let lod22 = Fixture.multiSurface(Fixture.gableSurfaces, labels: Fixture.gableLabels, lod: "2.2")
        let lod2 = Fixture.multiSurface([[[6, 7, 8, 9]]], labels: ["RoofSurface"], lod: "2")
        let lod3NoSemantics: [String: Any] = ["type": "MultiSurface", "lod": "3", "boundaries": [[[6, 7, 8, 9]]]]
        let data = Fixture.document(vertices: v, objects: [
            "b": Fixture.object(geometry: [lod12, lod2, lod3NoSemantics, lod22]),
        ])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "t")
        XCTAssertEqual(r.faces.count, 2)
        XCTAssertEqual(r.faces.map(\.lod), ["2.2", "2.2"])
        XCTAssertEqual(r.faces[0].slopeDeg, 30, accuracy: eps)
    }

    func testDegenerateFacesAreDroppedAndCounted() throws {
        let v: [[Double]] = [[0, 0, 0], [10, 0, 0], [10, 0, 5], [0, 0, 5],  // 0-3 vertical wall in the xz plane
                             [0, 0, 9], [5, 5, 9], [10, 10, 9],               // 4-6 collinear
                             [20, 0, 7], [30, 0, 7], [30, 10, 7]]             // 7-9 a good triangle
        let data = Fixture.document(vertices: v, objects: [
            "d": Fixture.object(geometry: [Fixture.multiSurface(
                [[[0, 1, 2, 3]], [[4, 5, 6]], [[7, 7, 8]], [[7, 8, 9]], [[7, 8, 9, 7]]],
                labels: ["RoofSurface", "RoofSurface", "RoofSurface", "RoofSurface", "RoofSurface"])]),
        ])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "t")
        XCTAssertEqual(r.faces.count, 2, "the triangle, once with an explicit closing vertex")
        XCTAssertEqual(r.faces[0].rings, r.faces[1].rings)
        XCTAssertEqual(r.faces[0].rings[0].count, 4)
        XCTAssertEqual(r.dropped.nearVertical, 1)
        XCTAssertEqual(r.dropped.zeroNormal, 1)
        XCTAssertEqual(r.dropped.tooFewVertices, 1)
        XCTAssertEqual(r.droppedFaces, 3)
    }

    func testSteepButNotVerticalFaceIsKept() throws {
        // 89 degrees: kept; 89.95 degrees: dropped as a mislabelled wall.
        let d89 = 1 / tan(89 * Double.pi / 180), d8995 = 1 / tan(89.95 * Double.pi / 180)
        let v: [[Double]] = [[0, 0, 0], [10, 0, 0], [10, d89, 1], [0, d89, 1],
                             [0, 0, 0], [10, 0, 0], [10, d8995, 1], [0, d8995, 1]]
        let data = Fixture.document(vertices: v, objects: [
            "s": Fixture.object(geometry: [Fixture.multiSurface([[[0, 1, 2, 3]], [[4, 5, 6, 7]]],
                                                                labels: ["RoofSurface", "RoofSurface"])]),
        ])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "t")
        XCTAssertEqual(r.faces.count, 1)
        XCTAssertEqual(r.faces[0].slopeDeg, 89, accuracy: 1e-9)
        XCTAssertEqual(r.dropped.nearVertical, 1)
    }

    func testCityObjectsAreSortedById() throws {
        let g = Fixture.multiSurface(Fixture.gableSurfaces, labels: Fixture.gableLabels)
        let data = Fixture.document(vertices: Fixture.gableVertices, objects: [
            "c": Fixture.object(geometry: [g]), "a": Fixture.object(geometry: [g]), "b": Fixture.object(geometry: [g]),
        ])
        let r = try CityJSONRoofExtractor.extract(from: data, sourceName: "t")
        XCTAssertEqual(r.faces.map(\.buildingId), ["a", "a", "b", "b", "c", "c"])
    }

    // MARK: Errors

    func testErrorsNameTheFileAndSayWhatIsWrong() {
        func error(_ data: Data) -> CityJSONError? {
            do {
                _ = try CityJSONRoofExtractor.extract(from: data, sourceName: "bad.city.json")
                return nil
            } catch let e as CityJSONError {
                return e
            } catch {
                XCTFail("unexpected error type \(error)")
                return nil
            }
        }
        let notJSON = error(Data("this is not json".utf8))
        XCTAssertEqual(notJSON?.kind, .notJSON)
        XCTAssertEqual(notJSON?.sourceName, "bad.city.json")
        XCTAssertTrue(notJSON?.description.hasPrefix("bad.city.json: ") ?? false)

        XCTAssertEqual(error(Data(#"{"type":"FeatureCollection","features":[]}"#.utf8))?.kind, .notCityJSON)
        XCTAssertEqual(error(Data(#"[1,2,3]"#.utf8))?.kind, .notCityJSON)
        XCTAssertEqual(error(Data(#"{"type":"CityJSONFeature","id":"x"}"#.utf8))?.kind, .notCityJSON)

        let v3 = error(Data(#"{"type":"CityJSON","version":"3.0","CityObjects":{},"vertices":[]}"#.utf8))
        XCTAssertEqual(v3?.kind, .unsupportedVersion)
        XCTAssertTrue(v3?.message.contains("3.0") ?? false)
        XCTAssertEqual(error(Data(#"{"type":"CityJSON","version":"0.9","CityObjects":{},"vertices":[]}"#.utf8))?.kind, .unsupportedVersion)

        let outOfRange = error(Fixture.document(vertices: [[0, 0, 0], [1, 0, 0], [1, 1, 0]], objects: [
            "x": Fixture.object(geometry: [Fixture.multiSurface([[[0, 1, 7]]], labels: ["RoofSurface"])]),
        ]))
        XCTAssertEqual(outOfRange?.kind, .vertexIndexOutOfRange)
        XCTAssertTrue(outOfRange?.message.contains("7") ?? false)
        XCTAssertTrue(outOfRange?.message.contains("\"x\"") ?? false)

        var g = Fixture.multiSurface([[[0, 1, 2]]], labels: ["RoofSurface"])
        g["semantics"] = ["surfaces": [["type": "RoofSurface"]], "values": [3]]
        XCTAssertEqual(error(Fixture.document(vertices: [[0, 0, 0], [1, 0, 0], [1, 1, 0]],
                                              objects: ["x": Fixture.object(geometry: [g])]))?.kind, .semanticIndexOutOfRange)

        // A Solid whose boundaries are written as a MultiSurface: wrong nesting.
        let wrong: [String: Any] = ["type": "Solid", "lod": "2", "boundaries": [[[0, 1, 2]]],
                                    "semantics": ["surfaces": [["type": "RoofSurface"]], "values": [[0]]]]
        XCTAssertEqual(error(Fixture.document(vertices: [[0, 0, 0], [1, 0, 0], [1, 1, 0]],
                                              objects: ["x": Fixture.object(geometry: [wrong])]))?.kind, .malformed)
        XCTAssertEqual(error(Data(#"{"type":"CityJSON","version":"2.0","CityObjects":{},"vertices":[[1,2]]}"#.utf8))?.kind, .malformed)
    }

    func testUnreadableFile() {
        XCTAssertThrowsError(try CityJSONRoofExtractor.extract(contentsOf: URL(fileURLWithPath: "/nonexistent/x.city.json"))) { e in
            XCTAssertEqual((e as? CityJSONError)?.kind, .unreadable)
            XCTAssertEqual((e as? CityJSONError)?.sourceName, "x.city.json")
        }
    }

    // MARK: Reference systems

    func testReferenceSystemStrings() {
        let cases: [(String, Int?)] = [
            ("urn:ogc:def:crs:EPSG::7415", 28992),
            ("urn:ogc:def:crs:EPSG::28992", 28992),
            ("urn:ogc:def:crs:EPSG:6.6:7415", 28992),
            ("https://www.opengis.net/def/crs/EPSG/0/7415", 28992),
            ("http://www.opengis.net/def/crs/EPSG/0/7415/", 28992),
            ("EPSG:25832", 25832),
            ("https://www.opengis.net/def/crs/EPSG/0/5555", 25832),
            ("http://www.opengis.net/def/crs-compound?1=http://www.opengis.net/def/crs/EPSG/0/28992&2=http://www.opengis.net/def/crs/EPSG/0/5709", 28992),
            ("https://www.opengis.net/def/crs/OGC/1.3/CRS84", nil),
            ("local", nil),
            ("", nil),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(CityJSONReferenceSystem.horizontalEPSG(for: text), expected, text)
        }
        XCTAssertEqual(CityJSONReferenceSystem.epsgCode(in: "urn:ogc:def:crs:EPSG::7415"), 7415)
    }
}
