import Foundation
import XCTest
@testable import TerreinIO

final class RunDiffTests: XCTestCase {
    let csvA = """
    id,name,region,area_m2,roof_faces,n2k_distance_m,n2k_within_500m,paved_fraction,old_col
    a1,Alpha,Ede,100.00,3,250.0,true,0.5000,x
    a2,Beta,Ede,200.00,4,,false,0.2500,y
    a3,Gamma,,0.00,0,800.0,false,,z
    a5,Same,Ede,1.00,1,1.0,true,1.0000,w

    """
    let csvB = """
    id,name,region,area_m2,roof_faces,n2k_distance_m,n2k_within_500m,paved_fraction,new_col
    a2,Beta,Ede,210.50,4,300.0,true,0.2500,1
    a3,"Gamma, renamed",,5.25,0,,false,0.1000,2
    a4,Delta,Ede,50.00,1,10.0,true,0.9000,3
    a5,Same,Ede,1.0,1,1.00,true,1.0000,4

    """

    func testRows() throws {
        let diff = try RunDiff.compare(csvA: csvA, csvB: csvB, catalog: Fixtures.catalog)
        let rows = diff.rows.map { [$0.id, $0.column, $0.a, $0.b, $0.change, $0.relativeChange, $0.kind.rawValue] }
        XCTAssertEqual(rows, [
            ["a1", "", "", "", "", "", "removed"],
            ["a2", "area_m2", "200.00", "210.50", "10.50", "0.052500", "changed"],
            ["a2", "n2k_distance_m", "", "300.0", "", "", "null_to_value"],
            ["a2", "n2k_within_500m", "false", "true", "", "", "changed"],
            ["a3", "name", "Gamma", "Gamma, renamed", "", "", "changed"],
            ["a3", "area_m2", "0.00", "5.25", "5.25", "", "changed"],
            ["a3", "n2k_distance_m", "800.0", "", "", "", "value_to_null"],
            ["a3", "paved_fraction", "", "0.1000", "", "", "null_to_value"],
            ["a4", "", "", "", "", "", "added"],
        ])
        XCTAssertEqual(diff.added, ["a4"])
        XCTAssertEqual(diff.removed, ["a1"])
        XCTAssertEqual(diff.onlyInA, ["old_col"])
        XCTAssertEqual(diff.onlyInB, ["new_col"])
        let area = try XCTUnwrap(diff.columns.first { $0.column == "area_m2" })
        XCTAssertEqual(area.kind, .numeric)
        XCTAssertEqual(area.changed, 2)
        XCTAssertEqual(try XCTUnwrap(area.sumOfChange), 15.75, accuracy: 1e-9)
        XCTAssertNil(diff.columns.first { $0.column == "paved_fraction" }?.sumOfChange)
        XCTAssertEqual(diff.columns.first { $0.column == "n2k_within_500m" }?.kind, .boolean)
    }

    func testCSVAndSummary() throws {
        let diff = try RunDiff.compare(csvA: csvA, csvB: csvB, catalog: Fixtures.catalog)
        let csv = diff.csv()
        XCTAssertTrue(csv.hasPrefix("id,column,a,b,change,relative_change,kind\na1,,,,,,removed\n"))
        XCTAssertTrue(csv.contains("a3,name,Gamma,\"Gamma, renamed\",,,changed\n"))
        XCTAssertTrue(csv.hasSuffix("a4,,,,,,added\n"))
        let parsed = CSVFormat.parse(csv)
        XCTAssertEqual(parsed.rows.count, diff.rows.count)
        let s = diff.summary()
        XCTAssertTrue(s.contains("matched 3, added 1, removed 1"), s)
        XCTAssertTrue(s.contains("area_m2"), s)
        XCTAssertTrue(s.contains("15.75"), s)
        XCTAssertTrue(s.contains("not compared, only in A: old_col"), s)
        XCTAssertTrue(s.contains("not compared, only in B: new_col"), s)
        XCTAssertFalse(s.contains("roof_faces"), s) // unchanged columns are only counted
    }

    func testFromOutputDirectories() throws {
        let base = try temporaryDirectory()
        for (name, text) in [("a", csvA), ("b", csvB)] {
            try FileManager.default.createDirectory(atPath: base + "/" + name, withIntermediateDirectories: true)
            try text.write(toFile: base + "/\(name)/indicators.csv", atomically: true, encoding: .utf8)
        }
        let diff = try RunDiff.compare(a: base + "/a", b: base + "/b", catalog: Fixtures.catalog)
        XCTAssertEqual(diff.rows.count, 9)
        XCTAssertEqual(diff.pathA, base + "/a")
        XCTAssertThrowsError(try RunDiff.compare(a: base + "/a", b: base, catalog: Fixtures.catalog)) { error in
            XCTAssertTrue("\(error)".contains("no indicators.csv"), "\(error)")
        }
        XCTAssertThrowsError(try RunDiff.compare(csvA: "id,x\n1,2\n1,3\n", csvB: "id,x\n", catalog: Fixtures.catalog)) { error in
            XCTAssertTrue("\(error)".contains("appears twice"))
        }
    }
}

final class RunDiffByteTests: XCTestCase {
    /// Ids and values compare as UTF-8 bytes: "Café" composed and decomposed are two
    /// terreinen, and a name that changes only its normalisation is a change.
    func testIdsAndValuesCompareAsBytes() throws {
        let nfc = "Caf\u{E9}", nfd = "Cafe\u{301}"
        let a = "id,name\n\(nfc),\(nfc)\n\(nfd),x\n"
        let b = "id,name\n\(nfc),\(nfd)\n\(nfd),x\n"
        let diff = try RunDiff.compare(csvA: a, csvB: b, catalog: Fixtures.catalog)
        XCTAssertEqual(diff.countA, 2, "two distinct ids")
        XCTAssertEqual(diff.rows.count, 1)
        XCTAssertEqual(diff.rows.first?.column, "name")
        XCTAssertEqual(diff.rows.first.map { Array($0.id.utf8) }, Array(nfc.utf8))
        XCTAssertEqual(diff.rows.first?.kind, .changed)
    }

    /// A CSV without the terrein id column is refused with a message that says so.
    func testNoIdColumn() {
        XCTAssertThrowsError(try RunDiff.compare(csvA: "name\nx\n", csvB: "name\nx\n", catalog: Fixtures.catalog)) { error in
            XCTAssertTrue("\(error)".contains("no terrein id column"), "\(error)")
        }
    }
}
