import Foundation
import XCTest
@testable import TerreinCore
import TerreinIO

/// A stored result reads back as exactly the computed one: the tables built from records are the
/// tables built from the computation, and every family's detail is equal.
final class ResultRecordTests: XCTestCase {
    func roundTrip(_ pipelineFile: String) throws {
        let p = try Pipeline.load(path: repoRoot + "/Pipelines/" + pipelineFile)
        let layers = try LoadedLayers.load(p, options: LoadOptions(threads: 2))
        let schema = IndicatorSchema(parameters: p.parameters)
        let computed = try Runner.compute(try IndexedLayers(layers), schema: schema, parameters: p.parameters, threads: 2)
        XCTAssertGreaterThan(computed.count, 0)
        let records = try computed.map { try ResultRecord($0, schema: schema) }
        let bytes = try JSONEncoder().encode(records)
        let back = try JSONDecoder().decode([ResultRecord].self, from: bytes).map { try $0.result(schema: schema) }
        XCTAssertEqual(try back.map { try ResultRecord($0, schema: schema) }, records)

        let t0 = schema.indicatorTable(computed), t1 = schema.indicatorTable(back)
        XCTAssertEqual(t1.rows, t0.rows)
        XCTAssertEqual(CSVFormat.render(t1), CSVFormat.render(t0))
        XCTAssertEqual(CSVFormat.render(schema.regionTable(back)), CSVFormat.render(schema.regionTable(computed)))
        for (a, b) in zip(computed, back) {
            XCTAssertEqual(a.areaM2, b.areaM2)
            XCTAssertEqual(a.solar, b.solar)
            XCTAssertEqual(a.nature, b.nature)
            XCTAssertEqual(a.paved, b.paved)
            XCTAssertEqual(a.water, b.water)
            XCTAssertEqual(a.heatCoverage, b.heatCoverage)
        }
    }

    func testSampleResultsRoundTrip() throws { try roundTrip("sample.yml") }
    func testPolygonSampleResultsRoundTrip() throws { try roundTrip("sample-polygons.yml") }

    /// Exact bits: a value that prints the same at 17 digits is still told apart, and a
    /// non-finite accumulator survives.
    func testExactBitsAndNonFinite() throws {
        let schema = IndicatorSchema(families: [ProbeFamily()], parameters: Parameters())
        let x = 0.1 + 0.2
        let r = TerreinResult(id: "a", region: nil,
                              outputs: [FamilyOutput(cells: [.real(x), .integer(-3), .text("é"), .boolean(true), .null].prefix(schema.columns[0].count).map { $0 },
                                                     accumulators: schema.accumulators[0].map { _ in Double.infinity })],
                              cpuSeconds: [0])
        let back = try ResultRecord(r, schema: schema).result(schema: schema)
        XCTAssertEqual(back.outputs[0].cells, r.outputs[0].cells)
        XCTAssertEqual(back.outputs[0].accumulators, r.outputs[0].accumulators)
    }

    /// A record of another schema is refused, never read as if it fitted.
    func testRecordOfAnotherSchemaIsRefused() throws {
        let p = Parameters()
        let full = IndicatorSchema(parameters: p)
        let probe = IndicatorSchema(families: [ProbeFamily()], parameters: p)
        let r = TerreinResult(id: "a", region: nil,
                              outputs: [FamilyOutput(cells: probe.columns[0].map { _ in .null },
                                                     accumulators: probe.accumulators[0].map { _ in nil })],
                              cpuSeconds: [0])
        let record = try ResultRecord(r, schema: probe)
        XCTAssertThrowsError(try record.result(schema: full)) { e in
            XCTAssertTrue("\(e)".contains("families"), "\(e)")
        }
        var renamed = record
        renamed.families[0].name = "other"
        XCTAssertThrowsError(try renamed.result(schema: probe)) { e in
            XCTAssertTrue("\(e)".contains("other"), "\(e)")
        }
        var short = record
        short.families[0].cells.removeLast()
        XCTAssertThrowsError(try short.result(schema: probe))
    }
}
