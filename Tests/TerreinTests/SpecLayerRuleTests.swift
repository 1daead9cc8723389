import XCTest
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO

/// Id rules and warnings of the layer loading (docs/indicators.md, "Ids", "Geometry preparation").
final class SpecLayerRuleTests: XCTestCase {
    /// A square feature in RD New near Leiden (inside the work CRS's area of use).
    func rd(_ props: String, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> String {
        polygonFeature(props, 90_000 + x0, 460_000 + y0, 90_000 + x1, 460_000 + y1)
    }

    func loadLayers(terreinen: [String], extra: String = "", files: [String: String] = [:]) throws -> LoadedLayers {
        let scratch = ScratchDir()
        _ = scratch.write("t.geojson", rdCollection(terreinen))
        _ = scratch.write("r.geojsonl", "")
        for (name, text) in files { _ = scratch.write(name, text) }
        let p = try Pipeline.parse(text: "name: t\nlayers:\n  terreinen: {path: t.geojson}\n  roofs: {path: r.geojsonl, crs: EPSG:28992}\n" + extra,
                                   file: scratch.path + "/p.yml")
        return try LoadedLayers.load(p, options: LoadOptions())
    }

    func expectInputError(_ body: @autoclosure () throws -> LoadedLayers, feature: Int, contains words: [String],
                          file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let e = error as? InputError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.featureIndex, feature, e.description, file: file, line: line)
            for w in words { XCTAssertTrue(e.description.contains(w), "\(w) not in: \(e.description)", file: file, line: line) }
        }
    }

    // Rule d: ids compare as UTF-8 bytes, so NFC and NFD "café" are two ids.
    func testIdsDifferingOnlyInNormalisationAreDistinctAndSortedByBytes() throws {
        let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        XCTAssertEqual(nfc, nfd, "Swift String == treats them as equal: the reason for the rule")
        let layers = try loadLayers(terreinen: [rd("\"id\":\"\(nfc)\"", 0, 0, 100, 100),
                                                rd("\"id\":\"\(nfd)\"", 200, 0, 300, 100)])
        XCTAssertEqual(layers.terreinen.map { Array($0.id.utf8) }, [Array(nfc.utf8), Array(nfd.utf8)])
        let results = try Runner.compute(try IndexedLayers(layers), parameters: Parameters(), threads: 1)
        // "cafe" + U+0301 (0x65 ...) sorts before "caf" + U+00E9 (0xC3 0xA9 ...).
        XCTAssertEqual(results.map { Array($0.id.utf8) }, [Array(nfd.utf8), Array(nfc.utf8)])
        // Byte-identical ids are still duplicates.
        expectInputError(try loadLayers(terreinen: [rd("\"id\":\"\(nfc)\"", 0, 0, 100, 100),
                                                    rd("\"id\":\"\(nfc)\"", 200, 0, 300, 100)]),
                         feature: 1, contains: ["duplicate terrein id", "also feature 0"])
        // An integer id is its decimal text: 7 and "7" are the same id.
        expectInputError(try loadLayers(terreinen: [rd("\"id\":7", 0, 0, 100, 100),
                                                    rd("\"id\":\"7\"", 200, 0, 300, 100)]),
                         feature: 1, contains: ["duplicate terrein id \"7\""])
    }

    // Rule e: a skipped terrein's id is still checked.
    func testIdsOfSkippedTerreinenAreStillChecked() {
        let nullGeometry = "{\"type\":\"Feature\",\"properties\":{%@},\"geometry\":null}"
        let point = "{\"type\":\"Feature\",\"properties\":{%@},\"geometry\":{\"type\":\"Point\",\"coordinates\":[5,5]}}"
        let a = rd("\"id\":\"A\"", 0, 0, 100, 100)
        // Missing id on a feature without geometry.
        expectInputError(try loadLayers(terreinen: [a, String(format: nullGeometry, "\"name\":\"x\"")]),
                         feature: 1, contains: ["without an id"])
        // A Point duplicating a used terrein's id, after it and before it.
        expectInputError(try loadLayers(terreinen: [a, String(format: point, "\"id\":\"A\"")]),
                         feature: 1, contains: ["duplicate terrein id \"A\"", "also feature 0"])
        expectInputError(try loadLayers(terreinen: [String(format: point, "\"id\":\"A\""), a]),
                         feature: 1, contains: ["duplicate terrein id \"A\"", "also feature 0"])
        // Two skipped features with one id.
        expectInputError(try loadLayers(terreinen: [a, String(format: point, "\"id\":\"B\""), String(format: nullGeometry, "\"id\":\"B\"")]),
                         feature: 2, contains: ["duplicate terrein id \"B\"", "also feature 1"])
        // An id that is not a string or an integer, on a skipped feature.
        expectInputError(try loadLayers(terreinen: [a, String(format: point, "\"id\":true")]),
                         feature: 1, contains: ["string or an integer"])
    }

    func testSkippedTerreinWithAGoodIdIsStillOnlySkipped() throws {
        let layers = try loadLayers(terreinen: [rd("\"id\":\"A\"", 0, 0, 100, 100),
                                                "{\"type\":\"Feature\",\"properties\":{\"id\":\"B\"},\"geometry\":null}"])
        XCTAssertEqual(layers.terreinen.map(\.id), ["A"])
        XCTAssertEqual(layers.stats[.terreinen]?.skipped, 1)
    }

    // Rule f: an empty optional layer is a warning.
    func testEmptyOptionalLayersAreWarnings() throws {
        let empty = rdCollection([])
        let layers = try loadLayers(terreinen: [rd("\"id\":\"A\"", 0, 0, 100, 100)], extra: """
              natura2000: {path: n.geojson}
              landcover: {path: lc.geojson, classes: {sealed: [x]}}
              inundation: {path: i.geojson}

            """, files: ["n.geojson": empty, "lc.geojson": empty, "i.geojson": empty])
        let warnings = Runner.layerWarnings(layers)
        for layer in ["natura2000", "landcover", "inundation"] {
            XCTAssertTrue(warnings.contains { $0.hasPrefix("\(layer): ") && $0.contains("no features") }, "\(layer): \(warnings)")
        }
        XCTAssertFalse(warnings.contains { $0.hasPrefix("roofs: ") }, "roofs is required; an empty one is not this warning")
    }

    // Rule f: depths that are not numbers are a warning, with the first feature indices.
    func testInundationDepthsThatAreNotNumbersAreWarnings() throws {
        let features = [rd("\"depth_m\":0.5", 0, 0, 10, 10),
                        rd("\"depth_m\":\"0.4\"", 0, 0, 10, 10),
                        rd("\"depth_m\":null", 0, 0, 10, 10),
                        rd("\"other\":1", 0, 0, 10, 10),
                        rd("\"depth_m\":true", 0, 0, 10, 10)]
        let layers = try loadLayers(terreinen: [rd("\"id\":\"A\"", 0, 0, 100, 100)],
                                    extra: "  inundation: {path: i.geojson}\n", files: ["i.geojson": rdCollection(features)])
        let warnings = Runner.layerWarnings(layers).filter { $0.hasPrefix("inundation: ") }
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        let w = warnings.first ?? ""
        XCTAssertTrue(w.contains("4 feature(s)"), w)
        XCTAssertTrue(w.contains("#1") && w.contains("#2") && w.contains("#3") && w.contains("#4") && !w.contains("#0"), w)
        XCTAssertTrue(w.contains("never flood"), w)
    }

    // Rule f end to end: the warning is on the terminal (stderr) and in the manifest.
    func testEmptyOptionalLayerWarnsOnTheTerminalAndInTheManifest() throws {
        let scratch = ScratchDir()
        _ = scratch.write("n.geojson", "{\"type\":\"FeatureCollection\",\"features\":[]}")
        let pipeline = scratch.write("p.yml", """
            name: t
            layers:
              terreinen: {path: \(repoRoot)/SampleGIS/terreinen.geojson, fields: {name: naam, region: gemeente}}
              roofs: {path: \(repoRoot)/SampleGIS/roofs.geojsonl, crs: EPSG:28992}
              natura2000: {path: n.geojson}
            outputs: {formats: [csv]}
            """)
        let (status, _, err) = try runCLI(["run", pipeline, "--output", scratch.path + "/out"])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(err.contains("natura2000: the layer has no features"), err)
        let m = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path + "/out/manifest.json"))) as! [String: Any]
        let warnings = m["warnings"] as? [String] ?? []
        XCTAssertTrue(warnings.contains { $0.hasPrefix("natura2000: the layer has no features") }, "\(warnings)")
    }
}
