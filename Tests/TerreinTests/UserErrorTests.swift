import Foundation
import TerreinGeometry
import XCTest
@testable import TerreinCore
@testable import TerreinIO

/// What a user can get wrong on the command line ends with the exit code of its class
/// (2 config, 3 input, 4 write, 64 usage; 1 only for bugs) and a message that names the
/// file, says what was wrong and what to do (the `→` hint) (issue 9, defects 3 to 5, 12).
final class UserErrorTests: XCTestCase {
    typealias C = BadInputCatalogueTests

    /// Runs the CLI; it must end cleanly with `exit`, and stderr must hold every word.
    @discardableResult
    func expect(_ args: [String], exit: Int32, words: [String], environment: [String: String] = [:],
                file: StaticString = #filePath, line: UInt = #line) throws -> CLIRun {
        let r = try terreinCLI(args, environment: environment, timeout: 60)
        let context = args.joined(separator: " ")
        XCTAssertFalse(r.timedOut, "\(context): timed out (hang)", file: file, line: line)
        XCTAssertFalse(r.signaled, "\(context): died of signal \(r.status)\n\(r.stderr)", file: file, line: line)
        XCTAssertEqual(r.status, exit, "\(context)\n\(r.stderr)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("internal error"), "\(context): \(r.stderr)", file: file, line: line)
        for w in words {
            XCTAssertTrue(r.stderr.contains(w), "\(context): no \"\(w)\" in\n\(r.stderr)", file: file, line: line)
        }
        return r
    }

    // MARK: terrein --version (defect 12)

    func testVersionNamesTerreinGEOSAndPROJ() throws {
        let r = try terreinCLI(["--version"], timeout: 60)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("terrein 0."), r.stdout)
        XCTAssertTrue(r.stdout.contains("GEOS 3.") && r.stdout.contains("PROJ "), r.stdout)
    }
}

extension UserErrorTests {
    // MARK: Defect 3: user mistakes get the exit code of their class

    func testDiffOfMissingOrEmptyFolders() throws {
        let dir = ScratchDir()
        try expect(["diff", dir.path + "/nope", dir.path, "--out", dir.path], exit: 3,
                   words: [dir.path + "/nope", "no such output directory", "→", "two finished runs"])
        try FileManager.default.createDirectory(atPath: dir.path + "/empty", withIntermediateDirectories: false)
        try expect(["diff", dir.path + "/empty", dir.path + "/empty", "--out", dir.path], exit: 3,
                   words: [dir.path + "/empty", "no indicators.csv", "→"])
    }

    func testReportOnAFolderWithoutOutputs() throws {
        let dir = ScratchDir()
        try expect(["report", dir.path + "/nope"], exit: 3, words: [dir.path + "/nope", "no such output directory", "→ give the output folder"])
        try expect(["report", dir.path], exit: 3, words: [dir.path, "no indicators.gpkg", "→ give the output folder"])
        // Not a database at all, and an empty file.
        _ = dir.write("bad/indicators.gpkg", String(repeating: "not a GeoPackage ", count: 300))
        try expect(["report", dir.path + "/bad"], exit: 3, words: [dir.path + "/bad/indicators.gpkg", "→"])
        _ = dir.write("empty/indicators.gpkg", "")
        try expect(["report", dir.path + "/empty"], exit: 3, words: [dir.path + "/empty/indicators.gpkg", "no 'terreinen' table", "→"])
    }

    func testSynthIntoAnUnwritableFolder() throws {
        let dir = ScratchDir()
        let file = dir.write("a-file", "x")
        try expect(["synth", "--scale", "sample", "--out", file + "/sub"], exit: 4,
                   words: [file + "/sub", "Not a directory", "→ choose an --out folder"])
    }

    // MARK: Defect 4: odd values are errors, not traps

    func testCityJSONWithAnAbsurdLoD() throws {
        let dir = ScratchDir()
        let path = dir.write("odd.city.json", """
            {"type":"CityJSON","version":"1.1","transform":{"scale":[1,1,1],"translate":[0,0,0]},
             "vertices":[[0,0,0],[10,0,0],[10,10,0],[0,10,0]],
             "CityObjects":{"B1":{"type":"Building","geometry":[{"type":"MultiSurface","lod":1e300,
               "boundaries":[[[0,1,2,3]]],"semantics":{"surfaces":[{"type":"RoofSurface"}],"values":[0]}}]}}}
            """)
        try expect(["roofs-from-cityjson", path, "-o", dir.path + "/roofs.geojson"], exit: 3,
                   words: ["odd.city.json", "B1", "\"lod\"", "not a level of detail"])
    }

    /// A run's GeoPackage changed afterwards to hold coordinates no map can draw.
    func testReportOfAGeoPackageWithOddCoordinates() throws {
        for (label, value) in [("NaN", Double.nan), ("infinity", Double.infinity), ("1e300", 1e300)] {
            let dir = ScratchDir()
            try writeGeoPackage(dir.path + "/indicators.gpkg", oddCoordinate: value)
            try expect(["report", dir.path], exit: 3,
                       words: [dir.path + "/indicators.gpkg", "'terreinen' row 1", "not a place on the map"])
            _ = label
        }
    }

    // MARK: Defect 5: inputs must be regular files (a FIFO would block for ever)

    func testFIFOsAreRefusedNotWaitedFor() throws {
        let dir = ScratchDir()
        let fifo = dir.path + "/fifo.geojson"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        _ = dir.write("terreinen.geojson", C.cleanTerreinen)
        // As a layer (the pipeline check lets it through: it exists and is no directory).
        let yml = dir.write("p.yml", "name: fifo\nlayers:\n  terreinen: {path: terreinen.geojson}\n  roofs: {path: fifo.geojson}\n")
        try expect(["run", yml, "--output", dir.path + "/out"], exit: 3, words: [fifo, "FIFO", "not a regular file", "→"])
        try expect(["validate", yml], exit: 3, words: [fifo, "FIFO"])
        try expect(["inspect", fifo], exit: 3, words: [fifo, "FIFO"])
        // As the pipeline file, and as a CityJSON input.
        let fifoYml = dir.path + "/fifo.yml"
        XCTAssertEqual(mkfifo(fifoYml, 0o644), 0)
        try expect(["run", fifoYml], exit: 2, words: [fifoYml, "FIFO", "→"])
        try expect(["roofs-from-cityjson", fifo, "-o", dir.path + "/roofs.geojson"], exit: 3, words: [fifo, "FIFO"])
        // A character device never ends.
        try expect(["inspect", "/dev/zero"], exit: 3, words: ["/dev/zero", "character device"])
    }
}

extension UserErrorTests {
    /// GEOS failing on user data outside one feature's preparation (indexing, overlaps,
    /// simplification) is an input error naming the layer files, not an internal error.
    func testGEOSFailureOnTheLayersNamesTheirFiles() throws {
        let dir = ScratchDir()
        _ = dir.write("terreinen.geojson", C.cleanTerreinen)
        _ = dir.write("roofs.geojson", C.cleanRoofs)
        let yml = dir.write("p.yml", "name: geos\nlayers:\n  terreinen: {path: terreinen.geojson}\n  roofs: {path: roofs.geojson}\n")
        let p = try Pipeline.load(path: yml)
        XCTAssertThrowsError(try Runner.onLayers([.terreinen], of: p, "looking for overlapping terreinen") { () throws -> Int in
            throw GeometryError(operation: "intersection", message: "TopologyException: side location conflict")
        }) { error in
            guard let e = error as? InputError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.file, p.layers[.terreinen]?.path)
            XCTAssertTrue(e.problem.contains("looking for overlapping terreinen") && e.problem.contains("TopologyException"), e.problem)
            XCTAssertTrue(e.hint.contains("terrein inspect"), e.hint)
        }
    }
}
