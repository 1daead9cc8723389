import Foundation
import TerreinGeometry
import XCTest
@testable import TerreinIO

final class ReportWriterTests: XCTestCase {
    func html(_ language: ReportLanguage = .nl) throws -> String {
        ReportWriter.render(try ReportData(try Fixtures.artifacts()), language: language)
    }

    func testSelfContained() throws {
        let h = try html()
        XCTAssertFalse(h.contains("http://"))
        XCTAssertFalse(h.contains("https://"))
        XCTAssertFalse(h.lowercased().contains("src="))
        XCTAssertFalse(h.contains("<link"))
        XCTAssertFalse(h.contains("@import"))
        XCTAssertFalse(h.contains("url(http"))
        // Only in-page links.
        let hrefs = h.components(separatedBy: "href=\"").dropFirst().map { $0.prefix(1) }
        XCTAssertTrue(hrefs.allSatisfy { $0 == "#" }, "\(hrefs)")
        XCTAssertTrue(h.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(h.contains("<svg id=\"map-svg\""))
    }

    func testEscapesDataText() throws {
        let h = try html()
        XCTAssertFalse(h.contains("alert(1)</script>"))
        XCTAssertFalse(h.contains("<script>alert"))
        XCTAssertTrue(h.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;single&#39;"))
        XCTAssertTrue(h.contains("<title>Terreinindicatoren: Test &lt;Run&gt; &amp; co</title>"))
        XCTAssertTrue(h.contains("Veluwe &lt;N2K&gt;"))
        XCTAssertTrue(h.contains("Park, &quot;Oost&quot;"))
        // Exactly our own two script elements.
        XCTAssertEqual(h.components(separatedBy: "<script").count - 1, 2)
        XCTAssertEqual(h.components(separatedBy: "</script>").count - 1, 2)
    }

    func testIndicatorSelectAndLegend() throws {
        let h = try html()
        XCTAssertTrue(h.contains("<select id=\"indicator\">"))
        for key in ["solar_mwh_yr", "paved_fraction", "inundation_fraction", "n2k_distance_m"] {
            XCTAssertTrue(h.contains("<option value=\"\(key)\""), key)
            XCTAssertTrue(h.contains("class=\"legend\" data-key=\"\(key)\""), key)
        }
        let select = h.components(separatedBy: "<select id=\"indicator\">")[1].components(separatedBy: "</select>")[0]
        XCTAssertEqual(select.components(separatedBy: "<option").count - 1, 4)
        XCTAssertTrue(h.contains("geen gegevens"))
        XCTAssertTrue(h.contains("Zonne-opbrengst"))
        XCTAssertTrue(h.contains("Samenvatting per regio"))
        XCTAssertTrue(h.contains("<html lang=\"nl\">"))
        XCTAssertTrue(h.contains("id=\"n2k-hatch\""))
        XCTAssertTrue(h.contains("id=\"scalebar\""))
        XCTAssertTrue(h.contains("(geen regio)"))
        // Three terrein paths, one site.
        XCTAssertEqual(h.components(separatedBy: "<path data-i=").count - 1, 3)
        // The map data for the script.
        let json = h.components(separatedBy: "<script type=\"application/json\" id=\"report-data\">")[1].components(separatedBy: "</script>")[0]
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let maps = try XCTUnwrap(object?["maps"] as? [String: Any])
        XCTAssertEqual(Set(maps.keys), ["solar_mwh_yr", "paved_fraction", "inundation_fraction", "n2k_distance_m"])
        let inundation = try XCTUnwrap(maps["inundation_fraction"] as? [String: Any])
        XCTAssertEqual(inundation["classes"] as? [Int], [2, -1, 0]) // 0.0612 in [0.05, 0.10), null, 0
    }

    func testEnglish() throws {
        let h = try html(.en)
        XCTAssertTrue(h.contains("<html lang=\"en\">"))
        XCTAssertTrue(h.contains("Summary per region"))
        XCTAssertTrue(h.contains("All indicators"))
        XCTAssertTrue(h.contains("no data"))
        XCTAssertTrue(h.contains("Solar yield (MWh/yr)"))
        XCTAssertFalse(h.contains("Samenvatting"))
        XCTAssertFalse(h.contains("geen gegevens"))
    }

    func testChartsAndTable() throws {
        let h = try html()
        XCTAssertTrue(h.contains("id=\"indicators-table\""))
        XCTAssertTrue(h.contains("id=\"regions-table\""))
        XCTAssertTrue(h.contains("<th scope=\"col\" data-type=\"num\" tabindex=\"0\">area_m2</th>"))
        XCTAssertTrue(h.contains("<td class=\"num\">831.38</td>"))
        XCTAssertTrue(h.contains("class=\"bars\""))
        XCTAssertTrue(h.contains("<td>=SUM(A1)</td>")) // no CSV guard in HTML
        XCTAssertEqual(try html(), h) // deterministic
    }

    /// The full table is paged: only the first `pageSize` rows are HTML, every row is in the
    /// page's JSON (as the table prints it), and the pager shows when there is a second page.
    func testPagedTable() throws {
        var data = try ReportData(try Fixtures.artifacts())
        let n = data.indicators.rows.count
        XCTAssertGreaterThan(n, 0)
        // One page: every row as HTML, the pager hidden.
        let small = ReportWriter.render(data, language: .en)
        XCTAssertTrue(small.contains("<div class=\"pager\" id=\"pager\" hidden>"))
        XCTAssertEqual(tableRows(small), n)
        // 250 rows (the fixture's rows repeated): 100 as HTML, 250 in the JSON, 3 pages.
        let original = data.indicators.rows
        data.indicators.rows = (0..<250).map { original[$0 % n] }
        let big = ReportWriter.render(data, language: .en)
        XCTAssertEqual(ReportWriter.pageSize, 100)
        XCTAssertEqual(tableRows(big), 100)
        XCTAssertTrue(big.contains("<div class=\"pager\" id=\"pager\"><button"))
        XCTAssertTrue(big.contains("<span id=\"page-info\" class=\"hint\">page 1 / 3</span>"))
        XCTAssertTrue(big.contains("<span id=\"row-count\" class=\"hint\">250 / 250</span>"))
        let json = try XCTUnwrap(big.components(separatedBy: "<script type=\"application/json\" id=\"report-data\">").last?
            .components(separatedBy: "</script>").first)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(object["rows"] as? [[String]])
        XCTAssertEqual(rows.count, 250)
        XCTAssertEqual(object["pageSize"] as? Int, 100)
        XCTAssertTrue(rows.allSatisfy { $0.count == data.indicators.columns.count })
        // The JSON holds the printed values the HTML cells hold.
        let area = try XCTUnwrap(data.indicators.columnIndex("area_m2"))
        XCTAssertFalse(rows[0][area].isEmpty)
        XCTAssertTrue(big.contains("<td class=\"num\">\(rows[0][area])</td>"))
        XCTAssertEqual(rows[n], rows[0]) // repeated rows, same texts
        XCTAssertEqual(ReportWriter.render(data, language: .en), big) // deterministic
    }

    /// The number of body rows of the full indicators table in the HTML.
    private func tableRows(_ h: String) -> Int {
        guard let table = h.components(separatedBy: "id=\"indicators-table\"").last?.components(separatedBy: "</tbody>").first
        else { return -1 }
        return table.components(separatedBy: "<tbody>").last!.components(separatedBy: "<tr>").count - 1
    }

    func testPathData() {
        let d = ReportWriter.pathData([[[0, 0, 10.4, 0, 10, 10, 0, 10, 0, 0]]], ox: -5, oy: 20)
        XCTAssertEqual(d, "M5 20l10 0l0-10l-10 0z")
        XCTAssertEqual(ReportWriter.pathData([[[0, 0, 0.1, 0, 0.1, 0.1, 0, 0]]], ox: 0, oy: 0), "M0 0h0z")
        // Negative start, large numbers, two polygons, a ring without its closing position,
        // a non-finite vertex skipped, scale in decimetres.
        XCTAssertEqual(ReportWriter.pathData([[[-3, 7, 123_456.7, 7, 123_456.7, -98_765.4]],
                                              [[1, 1, .nan, 2, 1, 1.05, 1, 1]]], ox: 0, oy: 0, scale: 10),
                       "M-30-70l1234597 0l0 987724z" + "M10-10l0-1z")
        XCTAssertEqual(ReportWriter.pathData([], ox: 0, oy: 0), "")
    }

    func testLoadFromGeoJSONAndCSV() throws {
        let a = try Fixtures.artifacts()
        let dir = try temporaryDirectory()
        try GeoJSONOutputWriter.write(a, to: dir + "/indicators.geojson")
        try CSVFormat.render(a.regions).write(toFile: dir + "/regions.csv", atomically: true, encoding: .utf8)
        let data = try ReportData.load(outputDirectory: dir, catalog: Fixtures.catalog)
        XCTAssertEqual(data.mapCRS, .rdNew)
        XCTAssertEqual(data.indicators.rows.count, 3)
        XCTAssertEqual(data.indicators.columns, Fixtures.columns)
        XCTAssertEqual(data.indicators.rows[1][1], .text("=SUM(A1)"))
        XCTAssertEqual(data.regions.rows.count, 2)
        XCTAssertEqual(data.regions.columns.map(\.kind), [.text, .integer, .real(decimals: 2), .real(decimals: 2), .real(decimals: 4), .integer])
        XCTAssertTrue(data.natura2000.isEmpty)
        // Back in RD New within a few centimetres.
        let ring = data.terreinRings[0][0][0]
        let xs = stride(from: 0, to: ring.count, by: 2).map { ring[$0] }
        let ys = stride(from: 1, to: ring.count, by: 2).map { ring[$0] }
        XCTAssertEqual(xs.min()!, 155000, accuracy: 0.05)
        XCTAssertEqual(ys.max()!, 463100, accuracy: 0.05)
        let h = ReportWriter.render(data, language: .en)
        XCTAssertTrue(h.contains("<select id=\"indicator\">"))
    }

    func testLoadErrorNamesWhatIsMissing() throws {
        let dir = try temporaryDirectory()
        XCTAssertThrowsError(try ReportData.load(outputDirectory: dir, catalog: Fixtures.catalog)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("indicators.gpkg"), text)
            XCTAssertTrue(text.contains("indicators.geojson and regions.csv missing"), text)
        }
        XCTAssertThrowsError(try ReportData.load(outputDirectory: dir + "/nope", catalog: Fixtures.catalog)) { error in
            XCTAssertTrue("\(error)".contains("no such output directory"))
        }
    }

    /// A national run (3,800 terreinen, 160 simplified sites) stays well under 20 MB.
    func testNationalSizeReport() throws {
        var rows: [[Cell]] = []
        var rings: [[[[Double]]]] = []
        for i in 0..<3800 {
            let cx = 20_000 + Double(i % 60) * 4_000 + Double(i % 7) * 123.456
            let cy = 310_000 + Double(i / 60) * 4_500 + Double(i % 11) * 77.7
            let r = 150 + Double(i % 13) * 40
            var ring: [Double] = []
            for k in 0...40 {
                let a = Double(k % 40) / 40 * 2 * Double.pi
                ring += [cx + r * cos(a) * (1 + 0.1 * sin(5 * a)), cy + r * sin(a)]
            }
            rings.append([[ring]])
            let id = String(format: "T%05d", i)
            rows.append([.text(id), .text("Bedrijventerrein \(i) <&>"), .text("Gemeente \(i % 342)"),
                         .real(Double(i) * 1000.123), .integer(i % 50), .real(Double(i % 997) * 3.21),
                         .real(Double(i % 400) * 37.5), .boolean(i % 3 == 0), .real(Double(i) * 400.5),
                         .real(Double(i % 100) / 100), i % 5 == 0 ? .null : .real(Double(i % 89) * 10),
                         i % 5 == 0 ? .null : .real(Double(i % 30) / 100), i % 5 == 0 ? .null : .text("low")])
        }
        var sites: [(name: String, rings: [[[Double]]])] = []
        for s in 0..<160 {
            let cx = 20_000 + Double(s % 16) * 15_000, cy = 310_000 + Double(s / 16) * 28_000
            var ring: [Double] = []
            for k in 0...600 {
                let a = Double(k % 600) / 600 * 2 * Double.pi
                ring += [cx + 5_000 * cos(a) * (1 + 0.2 * sin(9 * a)), cy + 4_000 * sin(a)]
            }
            sites.append(("Site \(s)", [[ring]]))
        }
        let regions = Table(columns: [Column("region", .text), Column("terreinen", .integer)],
                            rows: (0..<342).map { [.text("Gemeente \($0)"), .integer(11)] })
        let data = ReportData(pipelineName: "Nationaal", indicators: Table(columns: Fixtures.columns, rows: rows),
                              regions: regions, terreinRings: rings, natura2000: sites, mapCRS: .rdNew)
        let start = Date()
        let h = ReportWriter.render(data, language: .nl)
        let seconds = Date().timeIntervalSince(start)
        XCTAssertLessThan(h.utf8.count, 20_000_000)
        XCTAssertEqual(h.components(separatedBy: "<path data-i=").count - 1, 3800)
        print("national report: \(h.utf8.count) bytes in \(String(format: "%.2f", seconds)) s")
    }
}
