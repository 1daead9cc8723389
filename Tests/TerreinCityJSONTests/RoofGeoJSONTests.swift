import Foundation
import XCTest
@testable import TerreinCityJSON

final class RoofGeoJSONTests: XCTestCase {
    func parse(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testFeatureCollectionWithCrsPropertiesAndRounding() throws {
        var v = Fixture.gableVertices
        v += [[100.12345, 200.0004, 7], [110.9996, 200.0004, 7], [110.9996, 205.5, 7], [100.12345, 205.5, 7]]
        let data = Fixture.document(version: "1.0", vertices: v, objects: [
            "z-gable": Fixture.object(geometry: [Fixture.multiSurface(Fixture.gableSurfaces, labels: Fixture.gableLabels, lod: 2)]),
            "a-flat\"q": Fixture.object(geometry: [Fixture.multiSurface([[[6, 7, 8, 9]]], labels: ["RoofSurface"], lod: 2)]),
        ], referenceSystem: "urn:ogc:def:crs:EPSG::7415")
        let roofs = try CityJSONRoofExtractor.extract(from: data, sourceName: "t.city.json")
        let text = try CityJSONRoofExtractor.geoJSON([roofs])
        XCTAssertTrue(text.hasSuffix("\n"))
        let root = try parse(text)
        XCTAssertEqual(root["type"] as? String, "FeatureCollection")
        let crs = try XCTUnwrap(root["crs"] as? [String: Any])
        XCTAssertEqual(crs["type"] as? String, "name")
        XCTAssertEqual((crs["properties"] as? [String: Any])?["name"] as? String, "urn:ogc:def:crs:EPSG::28992")
        let features = try XCTUnwrap(root["features"] as? [[String: Any]])
        XCTAssertEqual(features.count, 3)

        // Objects sorted by id: the flat roof ("a-...") first, then the gable's south and north faces.
        let props = features.map { $0["properties"] as! [String: Any] }
        XCTAssertEqual(Set(props[0].keys), ["slope_deg", "azimuth_deg", "building_id"])
        XCTAssertEqual(props[0]["building_id"] as? String, "a-flat\"q")
        XCTAssertTrue(props[0]["azimuth_deg"] is NSNull)
        XCTAssertEqual((props[0]["slope_deg"] as? NSNumber)?.doubleValue, 0)
        XCTAssertEqual((props[1]["slope_deg"] as? NSNumber)?.doubleValue, 30)
        XCTAssertEqual((props[1]["azimuth_deg"] as? NSNumber)?.doubleValue, 180)
        XCTAssertEqual((props[2]["azimuth_deg"] as? NSNumber)?.doubleValue, 0)
        XCTAssertEqual(props[2]["building_id"] as? String, "z-gable")

        let geometry = try XCTUnwrap(features[0]["geometry"] as? [String: Any])
        XCTAssertEqual(geometry["type"] as? String, "Polygon")
        XCTAssertTrue(text.contains(#""coordinates":[[[100.123,200],[111,200],[111,205.5],[100.123,205.5],[100.123,200]]]"#), text)
    }

    func testCoordinatesAreRoundedToMillimetres() throws {
        let v: [[Double]] = [[100.12345, 200.0004, 7], [110.9996, 200.0004, 7], [110.9996, 205.5, 7], [-0.0001, 205.5, 7]]
        let data = Fixture.document(vertices: v, objects: [
            "r": Fixture.object(geometry: [Fixture.multiSurface([[[0, 1, 2, 3]]], labels: ["RoofSurface"])]),
        ])
        let roofs = try CityJSONRoofExtractor.extract(from: data, sourceName: "t")
        let text = try CityJSONRoofExtractor.geoJSON([roofs])
        XCTAssertTrue(text.contains(#""coordinates":[[[100.123,200],[111,200],[111,205.5],[0,205.5],[100.123,200]]]"#), text)
        XCTAssertFalse(text.contains("\"crs\""), "no crs member when the EPSG code is unknown")
    }

    func testFeaturesFollowFileOrder() throws {
        let g = Fixture.multiSurface(Fixture.gableSurfaces, labels: Fixture.gableLabels)
        let a = try CityJSONRoofExtractor.extract(
            from: Fixture.document(vertices: Fixture.gableVertices, objects: ["zz": Fixture.object(geometry: [g])]), sourceName: "1")
        let b = try CityJSONRoofExtractor.extract(
            from: Fixture.document(vertices: Fixture.gableVertices, objects: ["aa": Fixture.object(geometry: [g])]), sourceName: "2")
        let root = try parse(try CityJSONRoofExtractor.geoJSON([a, b]))
        let ids = (root["features"] as! [[String: Any]]).map { ($0["properties"] as! [String: Any])["building_id"] as! String }
        XCTAssertEqual(ids, ["zz", "zz", "aa", "aa"])
        XCTAssertEqual(try CityJSONRoofExtractor.geoJSON([a, b]), try CityJSONRoofExtractor.geoJSON([a, b]))
    }

    func testEmptyInputIsAnEmptyCollection() throws {
        let root = try parse(try CityJSONRoofExtractor.geoJSON([]))
        XCTAssertEqual((root["features"] as? [Any])?.count, 0)
    }

    func testDifferentReferenceSystemsAreRefused() throws {
        let g = Fixture.multiSurface(Fixture.gableSurfaces, labels: Fixture.gableLabels)
        let rd = try CityJSONRoofExtractor.extract(from: Fixture.document(
            vertices: Fixture.gableVertices, objects: ["a": Fixture.object(geometry: [g])],
            referenceSystem: "urn:ogc:def:crs:EPSG::7415"), sourceName: "rd.city.json")
        let rd2 = try CityJSONRoofExtractor.extract(from: Fixture.document(
            vertices: Fixture.gableVertices, objects: ["a": Fixture.object(geometry: [g])],
            referenceSystem: "urn:ogc:def:crs:EPSG::28992"), sourceName: "rd2.city.json")
        let utm = try CityJSONRoofExtractor.extract(from: Fixture.document(
            vertices: Fixture.gableVertices, objects: ["a": Fixture.object(geometry: [g])],
            referenceSystem: "https://www.opengis.net/def/crs/EPSG/0/25832"), sourceName: "utm.city.json")
        XCTAssertEqual(try CityJSONRoofExtractor.commonEPSG([rd, rd2]), 28992)
        XCTAssertThrowsError(try CityJSONRoofExtractor.geoJSON([rd, utm])) { e in
            XCTAssertEqual((e as? CityJSONError)?.kind, .crsMismatch)
            XCTAssertEqual((e as? CityJSONError)?.sourceName, "utm.city.json")
        }
    }

    func testNumberText() {
        XCTAssertEqual(NumberText.fixed(0, decimals: 3), "0")
        XCTAssertEqual(NumberText.fixed(-0.0001, decimals: 3), "0")
        XCTAssertEqual(NumberText.fixed(-1.5, decimals: 3), "-1.5")
        XCTAssertEqual(NumberText.fixed(85001.2345, decimals: 3), "85001.235")
        XCTAssertEqual(NumberText.fixed(0.05, decimals: 3), "0.05")
        XCTAssertEqual(NumberText.fixed(447005.0001, decimals: 3), "447005")
        XCTAssertEqual(NumberText.fixed(29.999999, decimals: 2), "30")
        XCTAssertEqual(NumberText.angle360(359.999, decimals: 2), "0")
        XCTAssertEqual(NumberText.angle360(180.004, decimals: 2), "180")
        XCTAssertEqual(NumberText.angle360(12.345678, decimals: 2), "12.35")
        var s = ""
        NumberText.appendJSONString("a\"b\\c\n\u{1}é", to: &s)
        XCTAssertEqual(s, #""a\"b\\c\n\u0001é""#)
    }
}
