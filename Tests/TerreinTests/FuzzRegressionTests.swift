import Foundation
import XCTest
@testable import TerreinCore
@testable import TerreinIO
@testable import TerreinJSON

/// Replays what the fuzzers (fuzz/) and the bad-input work found, in a normal test run:
/// every file under Fixtures/fuzz-regressions/geojson/ goes through the GeoJSON reader
/// (as .geojson and as .geojsonl) and through the layer loader as a roofs layer; every
/// file under Fixtures/fuzz-regressions/pipeline/ through `Pipeline.parse`. Each must end
/// in a result or a Terrein error (InputError, ConfigError), never a trap.
final class FuzzRegressionTests: XCTestCase {
    static let folder = repoRoot + "/Tests/TerreinTests/Fixtures/fuzz-regressions"

    func files(_ sub: String) throws -> [String] {
        let dir = Self.folder + "/" + sub
        return try FileManager.default.contentsOfDirectory(atPath: dir)
            .filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { dir + "/" + $0 }
    }

    func testGeoJSONRegressions() throws {
        let paths = try files("geojson")
        XCTAssertFalse(paths.isEmpty)
        for path in paths {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            for name in ["regression.geojson", "regression.geojsonl"] {
                let reader = GeoJSONReader(bytes: bytes, name: name)
                do {
                    try reader.read { f in
                        _ = f.geometry?.polygons
                        _ = f.properties.keys.map { f.properties[$0]?.jsonText }
                    }
                } catch let e as InputError {
                    XCTAssertEqual(e.file, name)
                    XCTAssertFalse(e.hint.isEmpty, "\(path): \(e)")
                }
            }
            try loadAsRoofs(bytes, name: (path as NSString).lastPathComponent)
        }
    }

    /// Runs the bytes through the real layer loader (reading, CRS, geometry preparation).
    func loadAsRoofs(_ bytes: [UInt8], name: String) throws {
        let dir = ScratchDir()
        _ = dir.write("terreinen.geojson", BadInputCatalogueTests.cleanTerreinen)
        _ = FileManager.default.createFile(atPath: dir.path + "/roofs.geojson", contents: Data(bytes))
        let yml = dir.write("p.yml", "name: r\nlayers:\n  terreinen: {path: terreinen.geojson}\n  roofs: {path: roofs.geojson, crs: EPSG:28992}\n")
        let p = try Pipeline.load(path: yml)
        for strict in [false, true] {
            do {
                _ = try LoadedLayers.load(p, options: LoadOptions(strict: strict))
            } catch let e as InputError {
                XCTAssertFalse(e.problem.isEmpty, name)
            }
        }
    }

    func testPipelineRegressions() throws {
        let paths = try files("pipeline")
        XCTAssertFalse(paths.isEmpty)
        for path in paths {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let text = String(data: data, encoding: .utf8) else { continue }
            do {
                _ = try Pipeline.parse(text: text, file: "/nonexistent/regression.yml")
            } catch let e as ConfigError {
                XCTAssertEqual(e.file, "/nonexistent/regression.yml")
            }
        }
    }

    /// A feature with very many properties is read in linear time (the reader's objects
    /// index their keys once they are large); duplicate keys keep the last value.
    func testWideObjectsAreLinear() throws {
        let n = 200_000
        var text = #"{"type":"Feature","geometry":null,"properties":{"#
        text += (0..<n).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        text += #","k7":"last"}}"#
        let started = Date()
        var props = JSONObject()
        try GeoJSONReader(bytes: Array(text.utf8), name: "wide.geojson").read { props = $0.properties }
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "quadratic member handling")
        XCTAssertEqual(props.count, n)
        XCTAssertEqual(props["k7"], .string("last"))
        XCTAssertEqual(props["k199999"], .integer(199_999))
        XCTAssertEqual(props.keys[7], "k7", "file order is kept")
        // Removal keeps the index right; equality ignores it.
        props["k0"] = nil
        XCTAssertNil(props["k0"])
        XCTAssertEqual(props["k1"], .integer(1))
        XCTAssertEqual(props.keys.first, "k1")
        var small = JSONObject([("a", .integer(1)), ("b", .integer(2))])
        for i in 0..<100 { small["x\(i)"] = .null }
        for i in 0..<100 { small["x\(i)"] = nil }
        XCTAssertEqual(small, JSONObject([("a", .integer(1)), ("b", .integer(2))]))
        XCTAssertEqual(small["b"], .integer(2))
    }
}
