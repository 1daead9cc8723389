import XCTest
@testable import TerreinCore
import TerreinGDAL
import TerreinGeometry
import TerreinIO

/// Sharded runs (docs/large-runs.md): the plan's partition, `run --shard K/N` + `merge` giving
/// a single run's bytes, and the merge's refusals.
final class ShardTests: XCTestCase {
    let env = ["SOURCE_DATE_EPOCH": "1700000000"]

    // MARK: The plan

    func testHilbertIndexAndCutsOnKnownCases() {
        // The order-1 curve: (0,0) (0,1) (1,1) (1,0).
        XCTAssertEqual([(0, 0), (0, 1), (1, 1), (1, 0)].map { ShardPlanner.hilbertIndex($0.0, $0.1, side: 2) }, [0, 1, 2, 3])
        // Order 2: the first quadrant is the order-1 curve transposed.
        XCTAssertEqual([(0, 0), (1, 0), (1, 1), (0, 1), (0, 2)].map { ShardPlanner.hilbertIndex($0.0, $0.1, side: 4) }, [0, 1, 2, 3, 4])
        XCTAssertEqual(ShardPlanner.cut([10, 3, 3, 3], into: 2), [0, 1, 4])
        XCTAssertEqual(ShardPlanner.cut([1, 1, 1, 1, 1, 1], into: 3), [0, 2, 4, 6])
        XCTAssertEqual(ShardPlanner.cut([5, 1, 1, 1], into: 4), [0, 1, 2, 3, 4])  // every shard keeps one
        XCTAssertEqual(ShardPlanner.cut([1, 1, 1, 1, 100], into: 2), [0, 4, 5])
        XCTAssertEqual(ShardPlanner.cut([7], into: 1), [0, 1])
    }

    func testRoofCountsPerEnvelopeIncludeEdgesOnly() {
        let envelopes = [Bounds(minX: 0, minY: 0, maxX: 10, maxY: 10), Bounds(minX: 5, minY: 5, maxX: 20, maxY: 20)]
        let points = [(1.0, 1.0), (10.0, 10.0), (7.0, 7.0), (15.0, 15.0), (30.0, 30.0), (-1.0, 5.0)]
        // (10,10) and (7,7) lie in both; (1,1) in the first; (15,15) in the second.
        XCTAssertEqual(ShardPlanner.roofsPerEnvelope(envelopes, points), [3, 3])
    }

    /// Two clusters of three terreinen, 5 km apart, with 1, 4 and 7 roofs in the first and
    /// 7, 4 and 1 in the second: two shards are the two clusters (weights 15 and 15), the
    /// plan is the same bytes whatever the threads, and each shard's rectangle is its cluster.
    func testPlanIsSpatiallyCompactBalancedAndDeterministic() throws {
        let scratch = ScratchDir()
        var terreinen: [String] = [], roofs: [String] = []
        let layout: [(String, Double, Int)] = [("a1", 100_000, 1), ("a2", 100_300, 4), ("a3", 100_600, 7),
                                               ("b1", 105_000, 7), ("b2", 105_300, 4), ("b3", 105_600, 1)]
        for (id, x, n) in layout {
            terreinen.append(polygonFeature("\"id\":\"\(id)\"", x, 450_000, x + 200, 450_200))
            for r in 0..<n {
                let rx = x + 10 + Double(r) * 20
                roofs.append(polygonFeature("\"building_id\":\"\(id)-\(r)\"", rx, 450_050, rx + 15, 450_070))
            }
        }
        _ = scratch.write("terreinen.geojson", rdCollection(terreinen))
        _ = scratch.write("roofs.geojson", rdCollection(roofs))
        let pipeline = scratch.write("p.yml", """
            name: plan
            layers:
              terreinen: {path: terreinen.geojson}
              roofs: {path: roofs.geojson}
            """)
        let p = try Pipeline.load(path: pipeline)
        let plan = try ShardPlanner.plan(p, shards: 2, threads: 1)
        XCTAssertEqual(plan.shards.map(\.weight), [15, 15])
        XCTAssertEqual(Set(plan.shards.map { Set($0.terreinen) }), [["a1", "a2", "a3"], ["b1", "b2", "b3"]])
        let a = plan.shards.first { $0.terreinen.contains("a1") }!
        XCTAssertEqual(a.bbox, [100_000, 450_000, 100_800, 450_200])
        XCTAssertEqual(try plan.rendered(), try ShardPlanner.plan(p, shards: 2, threads: 2).rendered())
        // Three shards: every terrein once, none empty, the heaviest at most total/3 + the heaviest terrein.
        let three = try ShardPlanner.plan(p, shards: 3, threads: 2)
        XCTAssertEqual(three.shards.flatMap(\.terreinen).sorted(), layout.map(\.0))
        XCTAssertTrue(three.shards.allSatisfy { !$0.terreinen.isEmpty })
        XCTAssertLessThanOrEqual(three.shards.map(\.weight).max()!, 30 / 3 + 8)
        // The id is the hash of the rest; an edited plan is refused.
        let path = scratch.path + "/plan.json"
        try plan.rendered().write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ShardPlan.read(path: path).shards.count, 2)
        let edited = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"a1\"", with: "\"b1\"")
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ShardPlan.read(path: path)) { XCTAssertTrue("\($0)".contains("does not match its plan_id"), "\($0)") }
        // More shards than terreinen.
        XCTAssertThrowsError(try ShardPlanner.plan(p, shards: 7, threads: 1)) { XCTAssertTrue("\($0)".contains("more than the 6 terreinen"), "\($0)") }
    }

    /// OGR's spatial filter on a GeoPackage: the features whose envelope meets the rectangle,
    /// with their indices in the whole layer, in that order.
    func testFilteredGeoPackageReadKeepsIndicesAndOrder() throws {
        let ogr2ogr = try ogr2ogrPath()
        let scratch = ScratchDir()
        // 50 squares along a line, written in an order that is not the spatial one.
        let order = (0..<50).map { ($0 * 17) % 50 }
        let features = order.map { i in polygonFeature("\"n\":\(i)", 100_000 + Double(i) * 100, 450_000, 100_000 + Double(i) * 100 + 50, 450_050) }
        let src = scratch.write("sq.geojson", rdCollection(features))
        let gpkg = scratch.path + "/sq.gpkg"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ogr2ogr)
        p.arguments = ["-f", "GPKG", gpkg, src, "-nln", "sq"]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let layer = try VectorLayer(path: gpkg, layer: nil)
        var all: [(Int, Int64)] = []
        try layer.forEach { all.append(($0.index, $0.fid)) }
        XCTAssertEqual(all.map(\.0), Array(0..<50))
        var picked: [(index: Int, n: Int)] = []
        let left = try layer.forEach(filter: [101_000, 449_000, 102_020, 451_000]) { f in
            guard case .integer(let n)? = f.fields.first(where: { $0.name == "n" })?.value else { return XCTFail("no n") }
            picked.append((f.index, Int(n)))
        }
        // Squares 10 ... 20 meet the rectangle (20 starts at 102,000).
        XCTAssertEqual(picked.map(\.n).sorted(), Array(10...20))
        XCTAssertEqual(picked.map(\.index), picked.map(\.index).sorted())
        XCTAssertEqual(picked.map(\.index), picked.map { order.firstIndex(of: $0.n)! })
        XCTAssertEqual(left, 50 - 11)
        // The filter is gone afterwards.
        var again = 0
        try layer.forEach { _ in again += 1 }
        XCTAssertEqual(again, 50)
    }

    // MARK: Shards and merge against a single run

    /// Runs the pipeline once, and as N shards merged; returns both folders.
    func singleAndSharded(_ pipeline: String, shards n: Int, in scratch: ScratchDir, tag: String) throws -> (String, String) {
        let single = scratch.path + "/single-\(tag)"
        var (status, _, err) = try runCLI(["run", pipeline, "--output", single, "--quiet", "--threads", "2"], environment: env)
        XCTAssertEqual(status, 0, err)
        let plan = scratch.path + "/plan-\(tag)-\(n).json"
        (status, _, err) = try runCLI(["plan", pipeline, "--shards", "\(n)", "--out", plan, "--quiet"], environment: env)
        XCTAssertEqual(status, 0, err)
        var dirs: [String] = []
        for k in 1...n {
            let dir = scratch.path + "/\(tag)-shard-\(k)-of-\(n)"
            (status, _, err) = try runCLI(["run", pipeline, "--plan", plan, "--shard", "\(k)/\(n)", "--output", dir, "--quiet",
                                           "--threads", "\(1 + k % 2)"], environment: env)
            XCTAssertEqual(status, 0, err)
            dirs.append(dir)
        }
        let merged = scratch.path + "/merged-\(tag)-\(n)"
        (status, _, err) = try runCLI(["merge"] + dirs.reversed() + ["--output", merged, "--quiet"], environment: env)
        XCTAssertEqual(status, 0, err)
        return (single, merged)
    }

    /// Every file of the two folders, subfolders (profiles/) included, has the same bytes, but
    /// the manifest and the single run's incremental and validity caches (a merge writes
    /// neither: docs/large-runs.md).
    func assertSameBytesButManifest(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fm = FileManager.default
        let noCache = { (p: String) in p != ".terrein-cache" && p != ".terrein-valid" }
        let fa = try fm.subpathsOfDirectory(atPath: a).filter(noCache).sorted()
        let fb = try fm.subpathsOfDirectory(atPath: b).filter(noCache).sorted()
        XCTAssertEqual(fa, fb, file: file, line: line)
        XCTAssertTrue(fa.contains("indicators.csv") && fa.contains("manifest.json"), file: file, line: line)
        for f in fa where f != "manifest.json" {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: a + "/" + f, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let da = try Data(contentsOf: URL(fileURLWithPath: a + "/" + f)), db = try Data(contentsOf: URL(fileURLWithPath: b + "/" + f))
            XCTAssertTrue(da == db, "\(f) differs between \(a) and \(b)", file: file, line: line)
        }
    }

    func manifest(_ dir: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json"))) as! [String: Any]
    }

    func testShardedSampleMergesToTheSingleRunsBytes() throws {
        let scratch = ScratchDir()
        let sample = repoRoot + "/Pipelines/sample.yml"
        for n in 1...4 {
            let (single, merged) = try singleAndSharded(sample, shards: n, in: scratch, tag: "sample")
            try assertSameBytesButManifest(single, merged)
            let m = try manifest(merged), s = try manifest(single)
            let sharded = m["sharded"] as! [String: Any]
            XCTAssertEqual((sharded["shards"] as! [[String: Any]]).map { $0["shard"] as! Int }, Array(1...n))
            XCTAssertEqual((sharded["shards"] as! [[String: Any]]).map { $0["terreinen"] as! Int }.reduce(0, +), 11)
            XCTAssertNil(s["sharded"])
            for key in ["overlapping_terrein_pairs", "roof_faces_invalid_attributes", "raster_inputs", "schema", "parameters"] {
                XCTAssertEqual(try JSONSerialization.data(withJSONObject: [m[key]!], options: .sortedKeys),
                               try JSONSerialization.data(withJSONObject: [s[key]!], options: .sortedKeys), "manifest \(key), \(n) shards")
            }
            // The outputs: the single run's, but for its caches (a merge writes none).
            XCTAssertEqual(m["outputs"] as? [String], (s["outputs"] as? [String])?.filter { $0 != ".terrein-cache" && $0 != ".terrein-valid" })
            // Whole-layer counts: a layer's features as a single run counts them.
            let feats = { (x: [String: Any]) in (x["inputs"] as! [[String: Any]]).map { $0["features"] as! Int } }
            XCTAssertEqual(feats(m), feats(s))
        }
    }

    /// Terreinen that overlap, each pair in two shards, roofs in a GeoPackage read through
    /// the R-tree, faces across terreinen and a land cover polygon under all of them.
    func testOverlappingTerreinenAcrossShards() throws {
        let ogr2ogr = try ogr2ogrPath()
        let scratch = ScratchDir()
        let t = [polygonFeature("\"id\":\"A\",\"region\":\"R1\"", 100_000, 450_000, 100_200, 450_200),
                 polygonFeature("\"id\":\"B\",\"region\":\"R1\"", 100_100, 450_100, 100_300, 450_300),
                 polygonFeature("\"id\":\"C\",\"region\":\"R2\"", 105_000, 450_000, 105_200, 450_200),
                 polygonFeature("\"id\":\"D\",\"region\":\"R2\"", 105_150, 450_000, 105_400, 450_200)]
        _ = scratch.write("terreinen.geojson", rdCollection(t))
        let r = [polygonFeature("\"building_id\":\"b1\",\"slope_deg\":0", 100_120, 450_120, 100_180, 450_180),
                 polygonFeature("\"building_id\":\"b2\",\"slope_deg\":30,\"azimuth_deg\":180", 100_150, 450_020, 100_250, 450_060),
                 polygonFeature("\"building_id\":\"b3\",\"slope_deg\":20,\"azimuth_deg\":135", 105_010, 450_010, 105_090, 450_090),
                 polygonFeature("\"building_id\":\"b4\",\"slope_deg\":0", 105_120, 450_050, 105_350, 450_100),
                 polygonFeature("\"building_id\":\"b5\",\"slope_deg\":0", 102_000, 450_000, 102_100, 450_100)]
        let src = scratch.write("roofs.geojson", rdCollection(r))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ogr2ogr)
        p.arguments = ["-f", "GPKG", scratch.path + "/roofs.gpkg", src, "-nln", "roofs"]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        _ = scratch.write("landcover.geojson", rdCollection([
            polygonFeature("\"class\":\"verhard\"", 99_900, 449_900, 105_600, 450_050),
            polygonFeature("\"class\":\"groen\"", 100_050, 450_150, 105_100, 450_250)]))
        let pipeline = scratch.write("overlap.yml", """
            name: overlap
            layers:
              terreinen: {path: terreinen.geojson}
              roofs: {path: roofs.gpkg}
              landcover:
                path: landcover.geojson
                classes: {sealed: [verhard], green: [groen]}
            outputs:
              directory: out
              formats: [csv, geojson, gpkg, report]
            """)
        for n in [2, 4] {
            let (single, merged) = try singleAndSharded(pipeline, shards: n, in: scratch, tag: "overlap")
            try assertSameBytesButManifest(single, merged)
            XCTAssertEqual(try manifest(single)["overlapping_terrein_pairs"] as? Int, 2)
            XCTAssertEqual(try manifest(merged)["overlapping_terrein_pairs"] as? Int, 2)
            XCTAssertEqual(try manifest(merged)["warnings"] as? [String], try manifest(single)["warnings"] as? [String])
        }
        // With 4 shards every terrein is alone: shard 1's read of the GeoPackage left out the
        // faces outside its rectangle.
        let shard = try ShardOutput.read(directory: scratch.path + "/overlap-shard-1-of-4")
        let roofs = shard.layerStats.first { $0.layer == "roofs" }!
        XCTAssertEqual(roofs.features, 5)
        XCTAssertLessThan(roofs.used, 5)
        XCTAssertEqual(roofs.used + roofs.filteredOut, 5)
    }

    // MARK: Refusals

    func testMergeRefusesMissingDuplicateAndForeignShards() throws {
        let scratch = ScratchDir()
        _ = scratch.write("terreinen.geojson", rdCollection((0..<3).map { polygonFeature("\"id\":\"t\($0)\"", 100_000 + Double($0) * 500, 450_000, 100_200 + Double($0) * 500, 450_200) }))
        let roofsPath = scratch.write("roofs.geojson", rdCollection([polygonFeature("\"building_id\":\"x\"", 100_010, 450_010, 100_050, 450_050)]))
        let yml = "name: refuse\nlayers:\n  terreinen: {path: terreinen.geojson}\n  roofs: {path: roofs.geojson}\n"
        let pipeline = scratch.write("p.yml", yml)
        let other = scratch.write("q.yml", yml + "# another file\n")
        func plan(_ pipeline: String, _ n: Int, _ name: String) throws -> String {
            let path = scratch.path + "/" + name
            let (status, _, err) = try runCLI(["plan", pipeline, "--shards", "\(n)", "--out", path, "--quiet"], environment: env)
            XCTAssertEqual(status, 0, err)
            return path
        }
        func shard(_ pipeline: String, _ plan: String, _ k: Int, _ n: Int, _ name: String) throws -> String {
            let dir = scratch.path + "/" + name
            let (status, _, err) = try runCLI(["run", pipeline, "--plan", plan, "--shard", "\(k)/\(n)", "--output", dir, "--quiet"], environment: env)
            XCTAssertEqual(status, 0, err)
            return dir
        }
        func refused(_ dirs: [String], _ words: String, line: UInt = #line) throws {
            let (status, _, err) = try runCLI(["merge"] + dirs + ["--output", scratch.path + "/merged", "--quiet"], environment: env)
            XCTAssertEqual(status, 3, err, line: line)
            XCTAssertTrue(err.contains(words), err, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/merged"), line: line)
        }
        let p2 = try plan(pipeline, 2, "p2.json"), p3 = try plan(pipeline, 3, "p3.json"), q2 = try plan(other, 2, "q2.json")
        let a1 = try shard(pipeline, p2, 1, 2, "a1"), a2 = try shard(pipeline, p2, 2, 2, "a2")
        let b1 = try shard(pipeline, p3, 1, 3, "b1")
        let q1 = try shard(other, q2, 1, 2, "q1")
        try refused([a1], "missing shard(s) 2/2")
        try refused([a1, a2, a1], "shard 1/2 is given twice: \(a1) and \(a1)")
        try refused([a1, b1], "different plans: \(b1)")
        try refused([a1, q1], "different pipeline files: \(q1)")
        try refused([a1, scratch.path], "no shard.json")
        // Another Terrein version, by editing a shard's file.
        let v = scratch.path + "/v2"
        try FileManager.default.copyItem(atPath: a2, toPath: v)
        let text = try String(contentsOfFile: v + "/shard.json", encoding: .utf8)
            .replacingOccurrences(of: "\"terrein_version\":\"\(terreinVersion)\"", with: "\"terrein_version\":\"0.0.1\"")
        try text.write(toFile: v + "/shard.json", atomically: true, encoding: .utf8)
        try refused([a1, v], "different Terrein versions: \(v)")
        // An input changed after the plan: the shard refuses to run; a shard of a new plan
        // made on the changed input does not merge with one of the old.
        try rdCollection([polygonFeature("\"building_id\":\"y\"", 100_010, 450_010, 100_060, 450_060)])
            .write(toFile: roofsPath, atomically: true, encoding: .utf8)
        let (status, _, err) = try runCLI(["run", pipeline, "--plan", p2, "--shard", "2/2", "--output", scratch.path + "/stale", "--quiet"], environment: env)
        XCTAssertEqual(status, 3, err)
        XCTAssertTrue(err.contains("roofs (roofs.geojson) changed since the plan was made"), err)
        let fresh = try plan(pipeline, 2, "p2b.json")
        let c2 = try shard(pipeline, fresh, 2, 2, "c2")
        try refused([a1, c2], "different inputs: \(c2)")
        // --shard that is not K/N with 1 ≤ K ≤ N: a usage error.
        for bad in ["0/2", "3/2", "2", "a/b"] {
            let (s, _, e) = try runCLI(["run", pipeline, "--plan", fresh, "--shard", bad, "--quiet"], environment: env)
            XCTAssertEqual(s, 64, "\(bad): \(e)")
            XCTAssertTrue(e.contains("--shard must be K/N"), e)
        }
        // The wrong shard count for the plan.
        let (s2, _, e2) = try runCLI(["run", pipeline, "--plan", fresh, "--shard", "1/3", "--output", scratch.path + "/x", "--quiet"], environment: env)
        XCTAssertEqual(s2, 3, e2)
        XCTAssertTrue(e2.contains("has 2 shards"), e2)
    }
}
