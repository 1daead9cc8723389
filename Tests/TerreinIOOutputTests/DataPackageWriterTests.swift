import Foundation
import XCTest
@testable import TerreinIO

/// `datapackage.json` from the fixture run's tables and schema: types, units, enums,
/// keys, the CSV's size and hash, and fixed bytes.
final class DataPackageWriterTests: XCTestCase {
    let date = Date(timeIntervalSince1970: 1_704_164_645) // 2024-01-02T03:04:05Z

    func render(language: String = "nl") throws -> (text: String, json: [String: Any], indicatorsCSV: String) {
        let a = try Fixtures.artifacts()
        let ind = CSVFormat.render(a.indicators), reg = CSVFormat.render(a.regions)
        let text = DataPackageWriter.render(
            pipelineName: a.pipelineName,
            indicators: .init(resourceName: "indicators", path: "indicators.csv", table: a.indicators, bytes: Data(ind.utf8)),
            regions: .init(resourceName: "regions", path: "regions.csv", table: a.regions, bytes: Data(reg.utf8)),
            sources: [.init(title: "terreinen", path: "../SampleGIS/terreinen.gpkg", sha256: "ab12")],
            created: date, language: language)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return (text, json, ind)
    }

    func fields(_ resource: [String: Any]) throws -> [String: [String: Any]] {
        let schema = try XCTUnwrap(resource["schema"] as? [String: Any])
        let list = try XCTUnwrap(schema["fields"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as! String, $0) })
    }

    func testPackageAndResources() throws {
        let (text, json, csv) = try render()
        XCTAssertTrue(text.hasSuffix("}\n"))
        XCTAssertEqual(json["profile"] as? String, "tabular-data-package")
        XCTAssertEqual(json["name"] as? String, "terrein-test--run----co") // "Test <Run> & co", lower case, others → "-"
        XCTAssertEqual(json["created"] as? String, "2024-01-02T03:04:05Z")
        let sources = try XCTUnwrap(json["sources"] as? [[String: String]])
        XCTAssertEqual(sources, [["title": "terreinen", "path": "../SampleGIS/terreinen.gpkg", "sha256": "ab12"]])
        let resources = try XCTUnwrap(json["resources"] as? [[String: Any]])
        XCTAssertEqual(resources.map { $0["name"] as? String }, ["indicators", "regions"])
        XCTAssertEqual(resources.map { $0["path"] as? String }, ["indicators.csv", "regions.csv"])
        for r in resources {
            XCTAssertEqual(r["profile"] as? String, "tabular-data-resource")
            XCTAssertEqual(r["format"] as? String, "csv")
            XCTAssertEqual(r["mediatype"] as? String, "text/csv")
            XCTAssertEqual(r["encoding"] as? String, "utf-8")
            let dialect = try XCTUnwrap(r["dialect"] as? [String: Any])
            XCTAssertEqual(dialect["lineTerminator"] as? String, "\n")
            XCTAssertEqual(dialect["delimiter"] as? String, ",")
            XCTAssertEqual(dialect["header"] as? Bool, true)
            let schema = try XCTUnwrap(r["schema"] as? [String: Any])
            XCTAssertEqual(schema["missingValues"] as? [String], [""])
        }
        XCTAssertEqual(resources[0]["bytes"] as? Int, csv.utf8.count)
        XCTAssertEqual(resources[0]["hash"] as? String, "sha256:" + Hashing.sha256Hex(Data(csv.utf8)))
        XCTAssertEqual((resources[0]["schema"] as? [String: Any])?["primaryKey"] as? [String], ["id"])
        XCTAssertEqual((resources[1]["schema"] as? [String: Any])?["primaryKey"] as? [String], ["region"])
    }

    func testFieldsFollowTheSchema() throws {
        let (_, json, _) = try render()
        let resources = try XCTUnwrap(json["resources"] as? [[String: Any]])
        let f = try fields(resources[0])
        let names = ((resources[0]["schema"] as? [String: Any])?["fields"] as? [[String: Any]])?.map { $0["name"] as? String }
        XCTAssertEqual(names, Fixtures.columns.map(\.name))
        XCTAssertEqual(f["id"]?["type"] as? String, "string")
        XCTAssertEqual(f["id"]?["constraints"] as? [String: Bool], ["required": true, "unique": true])
        XCTAssertEqual(f["area_m2"]?["type"] as? String, "number")
        XCTAssertEqual(f["area_m2"]?["unit"] as? String, "m²")
        XCTAssertEqual(f["area_m2"]?["title"] as? String, "Oppervlakte (m²)")
        XCTAssertEqual(f["area_m2"]?["description"] as? String, "Oppervlakte van het terrein. Eenheid: m².")
        XCTAssertEqual(f["roof_faces"]?["type"] as? String, "integer")
        XCTAssertNil(f["roof_faces"]?["unit"])
        XCTAssertEqual(f["n2k_within_500m"]?["type"] as? String, "boolean")
        XCTAssertEqual(f["n2k_within_500m"]?["trueValues"] as? [String], ["true"])
        XCTAssertEqual(f["n2k_within_500m"]?["falseValues"] as? [String], ["false"])
        XCTAssertEqual(f["solar_mwh_yr"]?["unit"] as? String, "MWh/jaar")
        let water = try XCTUnwrap(f["water_exposure"])
        XCTAssertEqual(water["type"] as? String, "string")
        guard case .classLabel(let labels)? = Fixtures.catalog.schema("water_exposure")?.kind else { return XCTFail("no class column") }
        XCTAssertEqual((water["constraints"] as? [String: Any])?["enum"] as? [String], labels)
        // The formula guard is said where it applies.
        XCTAssertTrue((f["name"]?["description"] as? String ?? "").contains("krijgt in de CSV een ' ervoor"))
        XCTAssertFalse((f["area_m2"]?["description"] as? String ?? "").contains("'"))
        // Both languages, and what the column is to Terrein.
        let translations = try XCTUnwrap(f["solar_mwh_yr"]?["translations"] as? [String: [String: String]])
        XCTAssertEqual(translations["en"]?["title"], "Solar yield (MWh/yr)")
        XCTAssertEqual(translations["nl"]?["title"], "Zonne-opbrengst (MWh/jaar)")
        XCTAssertEqual(f["solar_mwh_yr"]?["terrein"] as? [String: String], ["family": "solar", "region_rule": "sum"])

        // regions.csv: the region key keeps "" as a value; a count of true is an integer.
        let r = try fields(resources[1])
        XCTAssertEqual(r["region"]?["missingValues"] as? [String], [])
        XCTAssertEqual(r["region"]?["constraints"] as? [String: Bool], ["unique": true])
        XCTAssertEqual(r["terreinen"]?["type"] as? String, "integer")
        XCTAssertEqual(r["n2k_within_500m"]?["type"] as? String, "integer")
        XCTAssertTrue((r["n2k_within_500m"]?["description"] as? String ?? "").contains("het aantal terreinen waarvoor het waar is"))
    }

    func testEnglishAndFixedBytes() throws {
        let (en, json, _) = try render(language: "en")
        let f = try fields(try XCTUnwrap((json["resources"] as? [[String: Any]])?.first))
        XCTAssertEqual(f["area_m2"]?["title"] as? String, "Area (m²)")
        XCTAssertEqual(f["area_m2"]?["description"] as? String, "Area of the terrein. Unit: m².")
        XCTAssertEqual(try render(language: "en").text, en)
        // Keys in a fixed order, two-space indentation.
        XCTAssertTrue(en.hasPrefix("{\n  \"profile\": \"tabular-data-package\",\n  \"name\": "), String(en.prefix(80)))
    }

    func testPackageName() {
        XCTAssertEqual(DataPackageWriter.packageName("sample"), "terrein-sample")
        XCTAssertEqual(DataPackageWriter.packageName("Noord_2024.v2"), "terrein-noord_2024.v2")
    }
}
