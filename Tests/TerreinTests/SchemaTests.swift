import Foundation
import GRDB
import XCTest
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO

/// A family that exists only in this test: added to the list of families at run time, it
/// must reach every output through the schema alone (docs/architecture.md, "Adding a family").
struct ProbeFamily: IndicatorFamily {
    var name: String { "probe" }

    static let scale = ClassScale(thresholds: [2.5], labels: ["few", "many"])

    func columns(_ p: Parameters) -> [ColumnSchema] {
        [
            ColumnSchema("probe_faces_x2", family: name, kind: .count,
                         label: .init(nl: "Proef: twee keer dakvlakken", en: "Probe: twice the roof faces"),
                         description: .init(nl: "Twee keer roof_faces.", en: "Twice roof_faces."),
                         chart: ChartRole(color: "#123456"), region: .sum),
            ColumnSchema("probe_mean_faces", family: name, kind: .number(decimals: 3), unit: "vlakken",
                         label: .init(nl: "Proef: gemiddelde", en: "Probe: mean"),
                         description: .init(nl: "Dakvlakken per terrein, per regio gewogen.", en: "Roof faces per terrein, weighted per region."),
                         mapRole: MapRole(palette: Palette.heat, breaks: .fixed([1, 2, 5, 10]), unitInLegend: true, menuOrder: 9),
                         region: .cellWeightedMean(sum: "probe_weighted", cells: "probe_weight")),
            ColumnSchema("probe_class", family: name, kind: .classLabel(Self.scale.labels),
                         label: .init(nl: "Proef: klasse", en: "Probe: class"),
                         description: .init(nl: "few onder 2,5 vlakken.", en: "few below 2.5 faces."),
                         region: .classOf("probe_mean_faces"), classScale: Self.scale),
        ]
    }

    func accumulators(_ p: Parameters) -> [AccumulatorSchema] {
        [AccumulatorSchema("probe_weighted", family: name, description: "faces × weight"),
         AccumulatorSchema("probe_weight", family: name, description: "weight: the terrein's area in ha")]
    }

    func compute(_ t: TerreinContext) throws -> FamilyOutput {
        let faces = Double(try t.roofPieces().count)
        let weight = t.area / 10_000
        return FamilyOutput(cells: [.integer(2 * Int(faces)), .real(faces), .text(Self.scale.label(for: faces))],
                            accumulators: [faces * weight, weight])
    }
}

final class SchemaTests: XCTestCase {
    /// The sample run with the probe family: its columns come last in both tables, with
    /// their region rules, GeoPackage titles, report map and chart, manifest schema and
    /// CPU profile; `terrein diff` sums the summable one. No writer was told about it.
    func testAFamilyAddedAtRunTimeReachesEveryOutput() throws {
        let scratch = ScratchDir()
        let out = scratch.path + "/out"
        let pipeline = try Pipeline.load(path: repoRoot + "/Pipelines/sample.yml", outputOverride: out)
        let families = IndicatorFamilies.standard + [ProbeFamily()]
        _ = try Runner.run(pipeline, options: RunOptions(threads: 2, language: "en"), families: families) { _ in }

        let ind = CSVFormat.parse(try String(contentsOfFile: out + "/indicators.csv", encoding: .utf8))
        XCTAssertEqual(Array(ind.header.suffix(4)), ["heat_exposure", "probe_faces_x2", "probe_mean_faces", "probe_class"])
        let col = Dictionary(uniqueKeysWithValues: ind.header.enumerated().map { ($1, $0) })
        for row in ind.rows {
            let faces = Int(row[col["roof_faces"]!])!
            XCTAssertEqual(Int(row[col["probe_faces_x2"]!])!, 2 * faces)
            XCTAssertEqual(row[col["probe_mean_faces"]!], String(format: "%.3f", Double(faces)))
            XCTAssertEqual(row[col["probe_class"]!], Double(faces) < 2.5 ? "few" : "many")
        }

        // Region rules: the sum, and the mean weighted by area (from unrounded accumulators).
        let reg = CSVFormat.parse(try String(contentsOfFile: out + "/regions.csv", encoding: .utf8))
        XCTAssertEqual(Array(reg.header.suffix(3)), ["probe_faces_x2", "probe_mean_faces", "probe_class"])
        let rcol = Dictionary(uniqueKeysWithValues: reg.header.enumerated().map { ($1, $0) })
        for region in reg.rows {
            let members = ind.rows.filter { $0[col["region"]!] == region[0] }
            let faces = members.map { Double($0[col["roof_faces"]!])! }
            let areas = members.map { Double($0[col["area_m2"]!])! }
            XCTAssertEqual(Int(region[rcol["probe_faces_x2"]!])!, 2 * Int(faces.reduce(0, +)))
            let weighted = zip(faces, areas).map { $0 * $1 }.reduce(0, +) / areas.reduce(0, +)
            XCTAssertEqual(Double(region[rcol["probe_mean_faces"]!])!, weighted, accuracy: 0.0015,
                           "region \(region[0]): the area-weighted mean of the faces")
            XCTAssertEqual(region[rcol["probe_class"]!], ProbeFamily.scale.label(for: Double(region[rcol["probe_mean_faces"]!])!))
        }

        // GeoPackage: titles and descriptions in gpkg_data_columns, an enum constraint for the class.
        let db = try DatabaseQueue(path: out + "/indicators.gpkg")
        try db.read { db in
            let title = try String.fetchOne(db, sql: "SELECT title FROM gpkg_data_columns WHERE table_name = 'terreinen' AND column_name = 'probe_mean_faces'")
            XCTAssertEqual(title, "Probe: mean")
            let description = try String.fetchOne(db, sql: "SELECT description FROM gpkg_data_columns WHERE table_name = 'regions' AND column_name = 'probe_mean_faces'")
            XCTAssertEqual(description, "Roof faces per terrein, weighted per region. Unit: vlakken.")
            let labels = try String.fetchAll(db, sql: "SELECT value FROM gpkg_data_column_constraints WHERE constraint_name = 'probe_class_classes' ORDER BY value")
            XCTAssertEqual(labels, ["few", "many"])
        }

        // Report: the map can be coloured by it (last in the menu), and its chart is drawn.
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        // The indicator menu's options (the table's region filter has options too).
        let menu = html.components(separatedBy: "<select id=\"indicator\">")[1].components(separatedBy: "</select>")[0]
        let options = menu.components(separatedBy: "<option value=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        XCTAssertEqual(options, ["solar_mwh_yr", "paved_fraction", "inundation_fraction", "n2k_distance_m", "heat_pet_mean_c", "probe_mean_faces"])
        XCTAssertTrue(html.contains("<figcaption>Probe: twice the roof faces</figcaption>"))
        XCTAssertTrue(html.contains("≥ 10 vlakken"), "legend with the unit")

        // Manifest: the schema and the CPU profile know the family.
        let m = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as! [String: Any]
        let schema = m["schema"] as! [String: Any]
        let names = (schema["indicators"] as! [[String: Any]]).map { $0["name"] as! String }
        XCTAssertEqual(Array(names.suffix(3)), ["probe_faces_x2", "probe_mean_faces", "probe_class"])
        XCTAssertEqual((schema["accumulators"] as! [[String: Any]]).map { $0["name"] as! String }.suffix(2), ["probe_weighted", "probe_weight"])
        XCTAssertNotNil((m["indicator_cpu_s"] as! [String: Any])["probe"])

        // Diff: the count is summed, the weighted mean is not.
        let catalog = IndicatorFamilies.catalog(families)
        let shifted = try String(contentsOfFile: out + "/indicators.csv", encoding: .utf8)
            .replacingOccurrences(of: ",many\n", with: ",few\n")
        let diff = try RunDiff.compare(csvA: try String(contentsOfFile: out + "/indicators.csv", encoding: .utf8),
                                       csvB: shifted, catalog: catalog)
        XCTAssertEqual(diff.columns.first { $0.column == "probe_faces_x2" }?.sumOfChange, 0)
        XCTAssertNil(diff.columns.first { $0.column == "probe_mean_faces" }?.sumOfChange)
        XCTAssertEqual(diff.columns.first { $0.column == "probe_class" }?.kind, .text)
    }

    /// The standard header is the spec's, from the schema (docs/indicators.md, "Formatting").
    func testStandardHeaderFollowsTheSpec() {
        let s = schema(bands: [500])
        let header = s.indicatorTable([]).columns.map(\.name).joined(separator: ",")
        XCTAssertEqual(header, "id,name,region,area_m2,roof_faces,roof_area_m2,roof_surface_m2,solar_suitable_m2,solar_kwp,solar_mwh_yr,roof_coverage,n2k_distance_m,n2k_nearest,n2k_within_500m,n2k_overlap_m2,sealed_m2,green_m2,water_m2,paved_fraction,green_fraction,water_fraction,inundation_m2,deep_inundation_m2,inundation_fraction,deep_inundation_fraction,buildings_exposed,water_exposure,runoff_m3,storage_required_m3,heat_pet_mean_c,heat_strong_fraction,heat_extreme_fraction,heat_exposure")
        let regions = s.regionTable([]).columns.map(\.name).joined(separator: ",")
        XCTAssertEqual(regions, "region,terreinen,area_m2,roof_faces,roof_area_m2,roof_surface_m2,solar_suitable_m2,solar_kwp,solar_mwh_yr,roof_coverage,n2k_distance_m,n2k_within_500m,n2k_overlap_m2,sealed_m2,green_m2,water_m2,paved_fraction,green_fraction,water_fraction,inundation_m2,deep_inundation_m2,inundation_fraction,deep_inundation_fraction,buildings_exposed,water_exposure,runoff_m3,storage_required_m3,heat_pet_mean_c,heat_strong_fraction,heat_extreme_fraction,heat_exposure")
        // Every column has both labels and a description; only free text is guarded.
        for c in s.allColumns {
            XCTAssertFalse(c.label.nl.isEmpty || c.label.en.isEmpty || c.description.nl.isEmpty || c.description.en.isEmpty, c.name)
            XCTAssertEqual(c.formulaGuard, ["name", "region", "n2k_nearest"].contains(c.name), c.name)
        }
    }

    /// Readers of an output folder learn band columns of any run from the catalog.
    func testCatalogKnowsBandColumnsOfOtherRuns() {
        let catalog = IndicatorFamilies.catalog()
        XCTAssertEqual(catalog.schema("n2k_within_2500m")?.kind, .boolean)
        XCTAssertEqual(catalog.schema("n2k_within_2500m")?.regionRule, .countTrue)
        XCTAssertNil(catalog.schema("n2k_within_0500m"), "not plain decimal")
        XCTAssertNil(catalog.schema("no_such_column"))
        XCTAssertEqual(catalog.schema("roof_coverage")?.kind, .number(decimals: 4))
    }
}

/// The region rules on hand-built results whose answers are known exactly.
final class RegionRuleTests: XCTestCase {
    struct Weighted: IndicatorFamily {
        var name: String { "weighted" }
        func columns(_ p: Parameters) -> [ColumnSchema] {
            [ColumnSchema("w_mean", family: name, kind: .number(decimals: 1),
                          label: .init(nl: "m", en: "m"), description: .init(nl: "m", en: "m"),
                          region: .cellWeightedMean(sum: "w_sum", cells: "w_cells")),
             ColumnSchema("w_min", family: name, kind: .number(decimals: 1),
                          label: .init(nl: "m", en: "m"), description: .init(nl: "m", en: "m"), region: .min),
             ColumnSchema("w_flag", family: name, kind: .boolean,
                          label: .init(nl: "f", en: "f"), description: .init(nl: "f", en: "f"), region: .countTrue)]
        }
        func accumulators(_ p: Parameters) -> [AccumulatorSchema] {
            [AccumulatorSchema("w_sum", family: name, description: "Σ values"),
             AccumulatorSchema("w_cells", family: name, description: "cells")]
        }
        func compute(_ t: TerreinContext) throws -> FamilyOutput { FamilyOutput(cells: [.null, .null, .null], accumulators: [nil, nil]) }
    }

    func result(_ id: String, region: String?, mean: Double?, cells: Int, min: Double?, flag: Bool?) -> TerreinResult {
        let sum = mean.map { $0 * Double(cells) }
        return TerreinResult(id: id, region: region,
                             outputs: [FamilyOutput(cells: [mean.map(Cell.real) ?? .null, min.map(Cell.real) ?? .null,
                                                            flag.map(Cell.boolean) ?? .null],
                                                    accumulators: [sum, cells > 0 ? Double(cells) : nil])],
                             cpuSeconds: [0])
    }

    func testCellWeightedMeanMinCountAndNulls() {
        let s = IndicatorSchema(families: [Weighted()], parameters: Parameters())
        let results = [
            // Two terreinen in one region with 100 and 300 cells: the mean is weighted 1:3.
            result("a", region: "R", mean: 30, cells: 100, min: 5, flag: true),
            result("b", region: "R", mean: 42, cells: 300, min: 2, flag: false),
            // A region whose only terrein has no values at all: every rule gives null.
            result("c", region: "S", mean: nil, cells: 0, min: nil, flag: nil),
        ]
        let table = s.regionTable(results)
        XCTAssertEqual(table.columns.map(\.name), ["w_mean", "w_min", "w_flag"])
        XCTAssertEqual(table.rows[0], [.real(39.0), .real(2), .integer(1)])
        XCTAssertEqual(table.rows[1], [.null, .null, .null])
    }

    /// Region names are grouped and sorted as UTF-8 bytes: a composed and a decomposed "é"
    /// are two regions (Swift's String equality would merge them).
    func testRegionsGroupByBytes() throws {
        let composed = "Caf\u{E9}", decomposed = "Cafe\u{301}"
        XCTAssertEqual(composed, decomposed, "Swift compares them as equal")
        let rs = try compute(terreinen: [terrein("A", try rect(0, 0, 10, 10), region: composed),
                                         terrein("B", try rect(20, 0, 30, 10), region: decomposed)])
        let table = schema(bands: [500]).regionTable(rs)
        XCTAssertEqual(table.rows.count, 2)
        // "Cafe" + U+0301 (0x65 ...) sorts before "Caf" + U+00E9 (0xC3 ...).
        XCTAssertEqual(table.rows.map { Array(Table.format($0[0], as: .text).utf8) }, [Array(decomposed.utf8), Array(composed.utf8)])
        XCTAssertEqual(table.rows.map { $0[1] }, [.integer(1), .integer(1)])
    }
}
