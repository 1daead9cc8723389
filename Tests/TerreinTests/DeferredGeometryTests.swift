import Foundation
import XCTest
@testable import TerreinCore
import TerreinIO

/// Deferred geometry (docs/incremental.md): an incremental run reads the features the validity
/// cache vouches for without building them, and builds those of the terreinen it computes from
/// their own bytes, read again. The result is the full run's, byte for byte (also in parts and
/// from a FeatureCollection: `IncrementalTests` covers those sources); a file that changed
/// between the two readings is an error that names it, never a silently different answer.
final class DeferredGeometryTests: XCTestCase {
    typealias C = BadInputCatalogueTests

    /// The `ReadPartsTests` layers (GeoJSONSeq, with a repair, a skip and bad attributes past
    /// the middle of the files), read in `parts` parts.
    func env(parts: Int) -> [String: String] { ["SOURCE_DATE_EPOCH": "1700000000", "TERREIN_READ_PARTS": "\(parts)"] }

    /// The scenario in `dir`, run once into `out` (which then holds the caches): its pipeline.
    func firstRun(_ dir: ScratchDir, parts: Int) throws -> String {
        let yml = ReadPartsTests.scenario(dir)
        let first = try terreinCLI(["run", yml, "--threads", "2"], environment: env(parts: parts))
        XCTAssertEqual(first.status, 0, first.stderr)
        return yml
    }

    func testAnIncrementalRunInPartsGivesTheFullRunsBytes() throws {
        let dir = ScratchDir()
        let yml = try firstRun(dir, parts: 3)
        // Move a roof face of T1 (the first line's), and read again in 3 parts.
        let path = dir.path + "/roofs.geojsonl"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[0] = C.feature(#""slope_deg":0,"azimuth_deg":0,"building_id":"B0""#, C.rectPolygon(100_004, 450_012, 100_014, 450_032))
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        for parts in [1, 3] {
            let out = dir.path + "/out-\(parts)"
            try? FileManager.default.removeItem(atPath: out)
            try FileManager.default.copyItem(atPath: dir.path + "/out", toPath: out)
            let r = try terreinCLI(["run", yml, "--threads", "2", "--output", out], environment: env(parts: parts))
            XCTAssertEqual(r.status, 0, r.stderr)
            let full = try terreinCLI(["run", yml, "--threads", "2", "--full", "--output", dir.path + "/full"], environment: env(parts: 1))
            XCTAssertEqual(full.status, 0, full.stderr)
            ReadPartsTests.assertSameOutputs(out, dir.path + "/full")
            let summary = IncrementalTests.incremental(out)
            XCTAssertEqual(summary["recomputed"] as? Int, 1, "T1 only")
            // 38 valid roof faces but the moved one, 24 land cover, 20 inundation polygons.
            XCTAssertEqual(summary["geometries_deferred"] as? Int, 37 + 24 + 20)
            let built = summary["geometries_built_later"] as? Int ?? 0
            XCTAssertGreaterThan(built, 24, "T1's roof faces and inundation polygons, and the land cover's coverage sample (all 24)")
            XCTAssertLessThan(built, 37 + 24 + 20, "T2's features are not built")
        }
    }

    /// Loads the scenario as an incremental run would (the previous run's validity cache,
    /// deferral on) and indexes it.
    func loadDeferred(_ dir: ScratchDir, yml: String) throws -> IndexedLayers {
        let pipeline = try Pipeline.load(path: yml)
        var options = LoadOptions(strict: false, threads: 2)
        options.knownValid = try ValidityCache.read(folder: dir.path + "/out")
        options.deferKnownValid = true
        XCTAssertNotNil(options.knownValid)
        return try IndexedLayers(try LoadedLayers.load(pipeline, options: options), threads: 2)
    }

    func testAFileThatChangesBetweenTheReadingsIsAnError() throws {
        let dir = ScratchDir()
        let yml = try firstRun(dir, parts: 1)
        let path = dir.path + "/roofs.geojsonl"
        let original = try String(contentsOfFile: path, encoding: .utf8)

        // Same length, other coordinates: the digest differs.
        var indexed = try loadDeferred(dir, yml: yml)
        XCTAssertTrue(indexed.layers.roofs[0].geometry.isDeferred)
        XCTAssertTrue(indexed.layers.roofs[0].area.isNaN)
        try original.replacingOccurrences(of: "100002", with: "100003").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try indexed.materialize(.roofs, [0, 1], threads: 2)) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.file, path)
            XCTAssertEqual(e?.featureIndex, 0)
            XCTAssertTrue(e?.problem.contains("the file changed while this run read it") == true, "\(error)")
        }

        // Cut short: the bytes are no longer there.
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        indexed = try loadDeferred(dir, yml: yml)
        try String(original.prefix(200)).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try indexed.materialize(.roofs, [5], threads: 1)) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.featureIndex, 5)
            XCTAssertTrue(e?.problem.contains("the file changed while this run read it") == true, "\(error)")
        }

        // Unchanged: built, with the area of the face.
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        indexed = try loadDeferred(dir, yml: yml)
        try indexed.materialize(.roofs, [0, 1, 2], threads: 2)
        XCTAssertFalse(indexed.layers.roofs[1].geometry.isDeferred)
        XCTAssertEqual(indexed.layers.roofs[1].area, 200, accuracy: 1e-9)
        XCTAssertTrue(indexed.roofs.geometries[1] === indexed.layers.roofs[1].geometry)
        XCTAssertTrue(indexed.layers.roofs[3].geometry.isDeferred, "only what was asked for")
    }
}
