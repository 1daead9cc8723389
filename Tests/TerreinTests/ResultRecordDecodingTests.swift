import Foundation
import XCTest
@testable import TerreinCore

/// `ResultRecord(storedJSON:)` reads what `JSONEncoder` writes into the values `JSONDecoder`
/// gives: on every record of a real cache (all families, with display features), and on
/// hand-made records with every kind of cell, bit patterns above Int64.max (negative doubles)
/// and absent optionals; broken records are errors.
final class ResultRecordDecodingTests: XCTestCase {
    func encode(_ r: ResultRecord) throws -> Substring {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]  // as `ResultCache.render`
        return Substring(String(decoding: try encoder.encode(r), as: UTF8.self))
    }

    func testEveryRecordOfARunsCacheDecodesAsJSONDecoderDecodesIt() throws {
        let s = try IncrementalTests.Scenario()  // every layer, csv, geojson, gpkg and report
        try s.run()
        let text = try String(contentsOfFile: s.outA + "/.terrein-cache", encoding: .utf8)
        let records = text.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", maxSplits: 2)[2] }
        XCTAssertEqual(records.count, 3)
        var displays = 0
        for json in records {
            let ours = try ResultRecord(storedJSON: json)
            let foundation = try JSONDecoder().decode(ResultRecord.self, from: Data(json.utf8))
            XCTAssertEqual(ours, foundation)
            displays += ours.families.reduce(0) { $0 + $1.display.count }
        }
        XCTAssertGreaterThan(displays, 0, "the report's display features are in the records")
    }

    func testEveryKindOfValue() throws {
        typealias F = ResultRecord.FamilyRecord
        let record = ResultRecord(id: "T \"één\"\\/\t", region: nil, families: [
            F(name: "a", cells: [.null, .text("x\ny"), .integer(-42), .integer(Int.max), .real((-1.5).bitPattern),
                                 .real(Double.nan.bitPattern), .real(0), .boolean(true), .boolean(false)],
              accumulators: [nil, (-0.0).bitPattern, UInt64.max, 7], detail: nil, display: []),
            F(name: "b", cells: [], accumulators: [], detail: "{\"m2\":1.5}",
              display: [ResultRecord.DisplayRecord(layer: "roofs", kind: "flat", name: nil, value: (-2.25).bitPattern, count: nil, wkb: "AQM+/w=="),
                        ResultRecord.DisplayRecord(layer: "water", kind: "deep", name: "Zuid", value: 5, count: 3, wkb: "")]),
        ])
        let json = try encode(record)
        XCTAssertEqual(try ResultRecord(storedJSON: json), record)
        XCTAssertEqual(try JSONDecoder().decode(ResultRecord.self, from: Data(json.utf8)), record)
        var withRegion = record
        withRegion.region = "R1"
        XCTAssertEqual(try ResultRecord(storedJSON: try encode(withRegion)), withRegion)
        // Members in another order and an unknown one, as JSONDecoder takes them.
        let reordered: Substring = #"{"x":[1,{"y":null}],"id":"T","families":[],"region":null}"#
        XCTAssertEqual(try ResultRecord(storedJSON: reordered), ResultRecord(id: "T", region: nil, families: []))
    }

    func testBrokenRecordsAreErrors() throws {
        for bad in [#"{"families":[]}"#,                                   // no id
                    #"{"id":"T","families":[]} x"#,                        // trailing bytes
                    #"{"id":"T","families":[{"name":"a","cells":[{"real":{"_0":-1}}],"accumulators":[],"display":[]}]}"#,
                    #"{"id":"T","families":[{"name":"a","cells":[{"real":{"_0":1.5}}],"accumulators":[],"display":[]}]}"#,
                    #"{"id":"T","families":[{"name":"a","cells":[{"real":{"_0":18446744073709551616}}],"accumulators":[],"display":[]}]}"#,
                    #"{"id":"T","families":[{"name":"a","cells":[{"odd":{"_0":1}}],"accumulators":[],"display":[]}]}"#,
                    #"{"id":"T","families":[{"name":"a","cells":[],"accumulators":[]}]}"#,  // no display
                    #"{"id":"T","families":[{"name":"a","cells":[{"text":{"_0":1}}],"accumulators":[],"display":[]}]}"#] {
            XCTAssertThrowsError(try ResultRecord(storedJSON: Substring(bad)), bad)
        }
    }
}
