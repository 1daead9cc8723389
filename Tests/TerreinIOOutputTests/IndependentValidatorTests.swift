import Foundation
import GRDB
import XCTest
@testable import TerreinIO

/// The outputs judged by other people's validators, where they are installed
/// (`scripts/setup.sh --test-tools`): GDAL's GeoPackage validator (gdal-utils'
/// validate_gpkg.py on Debian's python3-gdal) and frictionless. Each test also shows that
/// the validator bites, on a copy broken on purpose.
final class IndependentValidatorTests: XCTestCase {
    let date = Date(timeIntervalSince1970: 1_704_164_645)

    struct Result { var status: Int32; var output: String }

    func run(_ executable: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: output)
    }

    /// The first of the paths that is an executable file.
    func executable(_ candidates: [String]) -> String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    var pythons: [String] {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        return ["/usr/bin/python3", "/usr/local/bin/python3", home + "/.pyenv/shims/python3"]
    }

    /// validate_gpkg.py (from any python that has gdal-utils) and a python with GDAL's bindings.
    func gpkgValidator() throws -> (python: String, script: String) {
        var script: String?
        for p in pythons where FileManager.default.isExecutableFile(atPath: p) {
            let r = try run(p, ["-c", "import importlib.util as u; print(u.find_spec('osgeo_utils.samples.validate_gpkg').origin)"])
            let path = r.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if r.status == 0, FileManager.default.fileExists(atPath: path) { script = path; break }
        }
        guard let script else { throw XCTSkip("gdal-utils (validate_gpkg.py) is not installed: scripts/setup.sh --test-tools") }
        for p in pythons where FileManager.default.isExecutableFile(atPath: p) {
            if try run(p, ["-c", "import osgeo.ogr"]).status == 0 { return (p, script) }
        }
        throw XCTSkip("no python3 with GDAL's bindings (python3-gdal): scripts/setup.sh --test-tools")
    }

    func testGDALGeoPackageValidatorReportsNoError() throws {
        let (python, script) = try gpkgValidator()
        let dir = try temporaryDirectory()
        try GeoPackageWriter.write(try Fixtures.artifacts(), to: dir + "/indicators.gpkg", lastChange: date)
        var a = try Fixtures.artifacts()
        a.natura2000Display = []
        try GeoPackageWriter.write(a, to: dir + "/empty.gpkg", lastChange: date)
        for file in ["indicators.gpkg", "empty.gpkg"] {
            let r = try run(python, [script, "-k", "--warning-as-error", dir + "/" + file])
            XCTAssertEqual(r.status, 0, "\(file): \(r.output)")
            XCTAssertEqual(r.output, "", file)
        }
        // The validator bites: a style table that is not an attributes table.
        let queue = try DatabaseQueue(path: dir + "/indicators.gpkg")
        try queue.write { db in try db.execute(sql: "UPDATE gpkg_contents SET data_type = 'styles' WHERE table_name = 'layer_styles'") }
        try queue.close()
        let broken = try run(python, [script, "-k", dir + "/indicators.gpkg"])
        XCTAssertEqual(broken.status, 1)
        XCTAssertTrue(broken.output.contains("layer_styles"), broken.output)
    }

    func testFrictionlessFindsThePackageValid() throws {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        guard let frictionless = executable(["/usr/local/bin/frictionless", "/usr/bin/frictionless", home + "/.pyenv/shims/frictionless"]) else {
            throw XCTSkip("frictionless is not installed: scripts/setup.sh --python")
        }
        let dir = try temporaryDirectory()
        let a = try Fixtures.artifacts()
        let ind = CSVFormat.render(a.indicators), reg = CSVFormat.render(a.regions)
        try ind.write(toFile: dir + "/indicators.csv", atomically: true, encoding: .utf8)
        try reg.write(toFile: dir + "/regions.csv", atomically: true, encoding: .utf8)
        let package = DataPackageWriter.render(
            pipelineName: a.pipelineName,
            indicators: .init(resourceName: "indicators", path: "indicators.csv", table: a.indicators, bytes: Data(ind.utf8)),
            regions: .init(resourceName: "regions", path: "regions.csv", table: a.regions, bytes: Data(reg.utf8)),
            sources: [.init(title: "terreinen", path: "terreinen.geojson", sha256: "00")], created: date, language: "nl")
        try package.write(toFile: dir + "/datapackage.json", atomically: true, encoding: .utf8)
        let ok = try run(frictionless, ["validate", "--json", dir + "/datapackage.json"])
        XCTAssertEqual(ok.status, 0, ok.output)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ok.output.utf8)) as? [String: Any])
        XCTAssertEqual(report["valid"] as? Bool, true, ok.output)
        XCTAssertEqual((report["tasks"] as? [Any])?.count, 2)

        // The validator bites: a class label the schema does not know (the hash check is
        // dropped so that the enum is what fails).
        let bad = ind.replacingOccurrences(of: ",medium\n", with: ",bogus\n")
        XCTAssertNotEqual(bad, ind)
        try bad.write(toFile: dir + "/indicators.csv", atomically: true, encoding: .utf8)
        let noHash = package.replacingOccurrences(of: "\"hash\": \"sha256:" + Hashing.sha256Hex(Data(ind.utf8)) + "\",", with: "")
            .replacingOccurrences(of: "\"bytes\": \(ind.utf8.count),", with: "")
        try noHash.write(toFile: dir + "/datapackage.json", atomically: true, encoding: .utf8)
        let broken = try run(frictionless, ["validate", "--json", dir + "/datapackage.json"])
        XCTAssertEqual(broken.status, 1)
        XCTAssertTrue(broken.output.contains("constraint-error"), broken.output)
        XCTAssertTrue(broken.output.contains("water_exposure"), broken.output)
    }
}
