import Foundation
import XCTest
@testable import TerreinCityJSON

/// Checks on the two real LoD2 models of `../shared/data/real-lod2` beside the checkout
/// (CityJSON 1.0, RD New + NAP). The data is not part of the repository; the tests skip,
/// saying where they looked, when it is absent. `TERREIN_REAL_LOD2_DIR` points elsewhere.
final class RealLoD2Tests: XCTestCase {
    /// The package root: this file is Tests/TerreinCityJSONTests/RealLoD2Tests.swift in it.
    /// Found from #filePath, so that it works from any checkout or worktree.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let directory = ProcessInfo.processInfo.environment["TERREIN_REAL_LOD2_DIR"]
        ?? packageRoot.appendingPathComponent("../shared/data/real-lod2").standardizedFileURL.path

    func url(_ name: String) throws -> URL {
        let path = (Self.directory as NSString).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("real LoD2 data not present at \(path) (../shared/data/real-lod2 beside the checkout, "
                          + "or TERREIN_REAL_LOD2_DIR): it lives outside the repo")
        }
        return URL(fileURLWithPath: path)
    }

    /// Sanity checks that hold for every roof face, and a printed summary.
    func checkFaces(_ r: CityJSONRoofs, file: StaticString = #filePath, line: UInt = #line) {
        for f in r.faces {
            XCTAssertTrue(f.slopeDeg >= 0 && f.slopeDeg <= 90, "slope \(f.slopeDeg) of \(f.objectId)", file: file, line: line)
            if let az = f.azimuthDeg {
                XCTAssertTrue(az >= 0 && az < 360, "azimuth \(az)", file: file, line: line)
                XCTAssertGreaterThan(f.slopeDeg, 1, file: file, line: line)
            } else {
                XCTAssertLessThanOrEqual(f.slopeDeg, 1, file: file, line: line)
            }
            XCTAssertGreaterThan(f.area2D, 0, "area of \(f.objectId)", file: file, line: line)
            XCTAssertFalse(f.buildingId.isEmpty, file: file, line: line)
            XCTAssertGreaterThan(PlaneGeometry.signedArea(f.rings[0]), 0, "outer ring counter-clockwise", file: file, line: line)
            for hole in f.rings.dropFirst() {
                XCTAssertLessThan(PlaneGeometry.signedArea(hole), 0, "hole clockwise", file: file, line: line)
            }
            for ring in f.rings { assertClosedRing(ring, file: file, line: line) }
        }
        var bins = [Int](repeating: 0, count: 9)
        for f in r.faces { bins[min(8, Int(f.slopeDeg / 10))] += 1 }
        let flat = r.faces.filter { $0.azimuthDeg == nil }.count
        let below85 = r.faces.filter { $0.slopeDeg < 85 }.count
        let area = r.faces.reduce(0) { $0 + $1.area2D }
        print("""
            \(r.sourceName): CityJSON \(r.version), EPSG:\(r.epsg.map(String.init) ?? "?"), \
            \(r.buildingCount) buildings + \(r.buildingPartCount) parts, \(r.faces.count) roof faces \
            (\(below85) with slope < 85), \(flat) flat (slope <= 1), dropped \(r.droppedFaces) \(r.dropped), \
            2D roof area \(Int(area)) m2, faces per 10-degree slope bin \(bins), warnings \(r.warnings)
            """)
    }

    func testDenHaag() throws {
        let url = try url("DenHaag_01.city.json")
        let r = try CityJSONRoofExtractor.extract(contentsOf: url)
        XCTAssertEqual(r.version, "1.0")
        XCTAssertEqual(r.epsg, 28992, "EPSG:7415 (RD New + NAP) -> RD New")
        XCTAssertEqual(r.buildingCount, 844)
        XCTAssertEqual(r.buildingPartCount, 1653)
        XCTAssertTrue((2800...3200).contains(r.faces.count), "\(r.faces.count) faces")
        XCTAssertTrue((2800...3200).contains(r.faces.filter { $0.slopeDeg < 85 }.count))
        XCTAssertLessThan(r.droppedFaces, r.faces.count / 50)
        checkFaces(r)

        // Roofs sit on BuildingParts here: every building_id must be a Building of the file.
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let objects = root["CityObjects"] as! [String: [String: Any]]
        for f in r.faces {
            XCTAssertEqual(objects[f.buildingId]?["type"] as? String, "Building", f.buildingId)
        }
        XCTAssertTrue(r.faces.contains { $0.objectId != $0.buildingId })

        // The producer stored Direction (clockwise from north) and Slope (90 - ours; negative when the
        // face was stored upside down) on each RoofSurface: an independent check of our plane maths.
        var attributes: [String: [(direction: Double, slope: Double)]] = [:]
        for (id, o) in objects {
            for case let g as [String: Any] in o["geometry"] as? [Any] ?? [] {
                for case let s as [String: Any] in ((g["semantics"] as? [String: Any])?["surfaces"] as? [Any]) ?? [] {
                    if s["type"] as? String == "RoofSurface", let d = (s["Direction"] as? NSNumber)?.doubleValue,
                       let sl = (s["Slope"] as? NSNumber)?.doubleValue {
                        attributes[id, default: []].append((d, sl))
                    }
                }
            }
        }
        func angleDiff(_ a: Double, _ b: Double) -> Double { abs((a - b + 540).truncatingRemainder(dividingBy: 360) - 180) }
        var checked = 0, agreeing = 0
        for f in r.faces {
            guard let candidates = attributes[f.objectId] else { continue }
            checked += 1
            let match = candidates.contains { c in
                let slopeOK = abs((90 - abs(c.slope)) - f.slopeDeg) < 0.05
                guard let az = f.azimuthDeg else { return slopeOK }
                return slopeOK && angleDiff(c.slope >= 0 ? c.direction : c.direction + 180, az) < 0.05
            }
            if match { agreeing += 1 }
        }
        print("DenHaag_01: \(agreeing) of \(checked) faces agree with the file's own Direction/Slope attributes")
        XCTAssertGreaterThan(checked, 2500)
        XCTAssertGreaterThan(Double(agreeing), 0.97 * Double(checked))
    }

    func testDelfshaven() throws {
        let r = try CityJSONRoofExtractor.extract(contentsOf: try url("Delfshaven.city.json"))
        XCTAssertEqual(r.version, "1.0")
        XCTAssertEqual(r.epsg, 28992)
        XCTAssertEqual(r.buildingCount, 853)
        XCTAssertTrue((2700...3100).contains(r.faces.count), "\(r.faces.count) faces")
        XCTAssertTrue((2700...3100).contains(r.faces.filter { $0.slopeDeg < 85 }.count))
        XCTAssertLessThan(r.droppedFaces, r.faces.count / 10)
        XCTAssertTrue(r.faces.allSatisfy { $0.objectId == $0.buildingId })
        checkFaces(r)
    }

    func testBothFilesIntoOneLayer() throws {
        let files = try ["DenHaag_01.city.json", "Delfshaven.city.json"].map { try url($0) }
        let roofs = try files.map { try CityJSONRoofExtractor.extract(contentsOf: $0) }
        let text = try CityJSONRoofExtractor.geoJSON(roofs)
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let crsName = ((root["crs"] as? [String: Any])?["properties"] as? [String: Any])?["name"] as? String
        XCTAssertEqual(crsName, "urn:ogc:def:crs:EPSG::28992")
        let features = try XCTUnwrap(root["features"] as? [[String: Any]])
        XCTAssertEqual(features.count, roofs.reduce(0) { $0 + $1.faces.count })
        for feature in features {
            let rings = try XCTUnwrap((feature["geometry"] as? [String: Any])?["coordinates"] as? [[[Double]]])
            XCTAssertGreaterThanOrEqual(rings[0].count, 4)
            XCTAssertEqual(rings[0].first, rings[0].last)
        }
        XCTAssertEqual(text, try CityJSONRoofExtractor.geoJSON(roofs), "deterministic")
    }
}
