import Foundation
import XCTest

/// A GeoJSONSeq source read in parts by several threads (`ReadParts`, from 32 MB per part;
/// `TERREIN_READ_PARTS=N` forces N parts here): the same bytes in every output file and the
/// same manifest as one reader, with repairs, skips, invalid attributes and non-numeric depths
/// in later parts (their feature indices shifted right), records that span lines (a cut inside
/// one: the source is read again in one piece), and the same error for a syntax error.
final class ReadPartsTests: XCTestCase {
    typealias C = BadInputCatalogueTests

    /// Two terreinen; 40 roof faces, 24 land cover and 20 inundation polygons as GeoJSONSeq,
    /// with a bowtie (repaired), a null geometry (skipped) and a slope that is not a number
    /// among the faces, an unmapped class among the land cover and a depth that is not a
    /// number among the inundation polygons, all past the middle of their files.
    static func scenario(_ dir: ScratchDir, roofLines: [String]? = nil) -> String {
        _ = dir.write("terreinen.geojson", C.collection([C.t1, C.t2]))
        var roofs: [String] = []
        for i in 0..<40 {
            let x = 100_002.0 + Double(i % 20) * 14, y = i < 20 ? 450_010.0 : 450_060.0
            roofs.append(C.feature(#""slope_deg":\#(i % 7 * 5),"azimuth_deg":\#(i * 9 % 360),"building_id":"B\#(i / 3)""#,
                                   C.rectPolygon(x, y, x + 10, y + 20)))
        }
        roofs[25] = C.feature(#""slope_deg":10,"building_id":"B99""#,
                              #"{"type":"Polygon","coordinates":[[[100020,450060],[100030,450070],[100030,450060],[100020,450070],[100020,450060]]]}"#)
        roofs[31] = #"{"type":"Feature","properties":{"slope_deg":5},"geometry":null}"#
        roofs[33] = C.feature(#""slope_deg":"steil","building_id":"B98""#, C.rectPolygon(100220, 450080, 100230, 450090))
        var landcover: [String] = []
        for i in 0..<24 {
            let x = 100_000.0 + Double(i % 12) * 25, y = i < 12 ? 450_000.0 : 450_050.0
            let cls = i == 17 ? "onbekend" : ["verhard", "groen", "water"][i % 3]
            landcover.append(C.feature(#""klasse":"\#(cls)""#, C.rectPolygon(x, y, x + 25, y + 50)))
        }
        var inundation: [String] = []
        for i in 0..<20 {
            let x = 100_000.0 + Double(i % 10) * 30, y = i < 10 ? 450_000.0 : 450_050.0
            let depth = i == 15 ? #""x""# : "\(0.05 * Double(i % 8))"
            inundation.append(C.feature(#""depth_m":\#(depth)"#, C.rectPolygon(x, y, x + 20, y + 40)))
        }
        _ = dir.write("roofs.geojsonl", (roofLines ?? roofs).joined(separator: "\n") + "\n")
        _ = dir.write("landcover.geojsonl", landcover.joined(separator: "\n") + "\n")
        _ = dir.write("inundation.geojsonl", inundation.joined(separator: "\n") + "\n")
        return dir.write("p.yml", """
            name: parts
            layers:
              terreinen: {path: terreinen.geojson}
              roofs: {path: roofs.geojsonl, crs: EPSG:28992}
              landcover:
                path: landcover.geojsonl
                crs: EPSG:28992
                fields: {class: klasse}
                classes: {sealed: [verhard], green: [groen], water: [water]}
              inundation: {path: inundation.geojsonl, crs: EPSG:28992}
            outputs:
              directory: out
              formats: [csv, geojson, gpkg, report]
            """)
    }

    func run(_ yml: String, parts: Int, output: String) throws -> CLIRun {
        try terreinCLI(["run", yml, "--output", output, "--threads", "2", "--full"],
                       environment: ["SOURCE_DATE_EPOCH": "1700000000", "TERREIN_READ_PARTS": "\(parts)"])
    }

    static func assertSameOutputs(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) {
        let ta = snapshotTree(a), tb = snapshotTree(b)
        XCTAssertEqual(Set(ta.keys), Set(tb.keys), file: file, line: line)
        XCTAssertGreaterThan(ta.count, 8, file: file, line: line)
        for (name, data) in ta where name != "manifest.json" {
            XCTAssertEqual(data, tb[name], "\(name) differs", file: file, line: line)
        }
        XCTAssertEqual(IncrementalTests.comparable(IncrementalTests.manifest(a)),
                       IncrementalTests.comparable(IncrementalTests.manifest(b)), "the manifests differ", file: file, line: line)
    }

    func testPartsGiveTheBytesAndNotesOfOneReader() throws {
        let dir = ScratchDir()
        let yml = Self.scenario(dir)
        let one = try run(yml, parts: 1, output: dir.path + "/one")
        XCTAssertEqual(one.status, 0, one.stderr)
        let m = IncrementalTests.manifest(dir.path + "/one")
        let roofs = (m["inputs"] as? [[String: Any]] ?? []).first { $0["layer"] as? String == "roofs" } ?? [:]
        XCTAssertEqual(roofs["repaired"] as? Int, 1)
        XCTAssertEqual(roofs["skipped"] as? Int, 1)
        XCTAssertEqual((roofs["first_repaired"] as? [[String: Any]])?.first?["feature"] as? Int, 25)
        XCTAssertEqual((roofs["first_skipped"] as? [[String: Any]])?.first?["feature"] as? Int, 31)
        for parts in [2, 3, 7] {
            let out = dir.path + "/parts-\(parts)"
            let r = try run(yml, parts: parts, output: out)
            XCTAssertEqual(r.status, 0, r.stderr)
            Self.assertSameOutputs(dir.path + "/one", out)
            XCTAssertEqual(r.stderr.components(separatedBy: "warning").count, one.stderr.components(separatedBy: "warning").count,
                           "the same warnings")
        }
    }

    func testRecordsSpanningLinesAreReadInOnePiece() throws {
        let dir = ScratchDir()
        // RFC 8142 records (RS before each), pretty-printed over several lines: a cut at a line
        // end falls inside a record, the part fails, and the source is read again in one piece.
        var lines: [String] = []
        for i in 0..<30 {
            let x = 100_002.0 + Double(i % 15) * 18, y = i < 15 ? 450_010.0 : 450_060.0
            lines.append("\u{1E}{\"type\":\"Feature\",\n  \"properties\":{\"slope_deg\":\(i % 4 * 10)},\n  \"geometry\":"
                         + C.rectPolygon(x, y, x + 12, y + 20) + "\n}")
        }
        let yml = Self.scenario(dir, roofLines: lines)
        let one = try run(yml, parts: 1, output: dir.path + "/one")
        XCTAssertEqual(one.status, 0, one.stderr)
        let r = try run(yml, parts: 5, output: dir.path + "/five")
        XCTAssertEqual(r.status, 0, r.stderr)
        Self.assertSameOutputs(dir.path + "/one", dir.path + "/five")
    }

    func testASyntaxErrorInALaterPartIsTheErrorOfOneReader() throws {
        let dir = ScratchDir()
        var roofs: [String] = []
        for i in 0..<30 {
            let x = 100_002.0 + Double(i % 15) * 18
            roofs.append(C.feature(#""slope_deg":0"#, C.rectPolygon(x, 450_010, x + 12, 450_030)))
        }
        roofs[24] = #"{"type":"Feature","properties":{"slope_deg":0},"geometry":{"type":"Polygon","coordinates":[[[1,2],[3,4]}}"#
        let yml = Self.scenario(dir, roofLines: roofs)
        let one = try run(yml, parts: 1, output: dir.path + "/one")
        let three = try run(yml, parts: 3, output: dir.path + "/three")
        XCTAssertEqual(one.status, 3, one.stderr)
        XCTAssertTrue(one.stderr.contains("roofs.geojsonl:25:"), one.stderr)
        XCTAssertEqual(three.status, one.status)
        // The error and its hint; the "reading ..." lines depend on which layers started.
        let errorLines = { (r: CLIRun) in r.stderr.split(separator: "\n").filter { !$0.hasPrefix("reading ") } }
        XCTAssertEqual(errorLines(three), errorLines(one))
        XCTAssertFalse(errorLines(one).isEmpty)
    }
}
