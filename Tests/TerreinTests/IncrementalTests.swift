import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest
import TerreinGDAL
import TerreinIO

/// Incremental runs (docs/incremental.md): after each kind of edit, a run that reuses the
/// previous results in the folder gives the bytes of a full run, every file but the manifest
/// identical and the manifest different only in timestamps, timings and the reuse counts; a
/// cache that cannot be trusted is ignored with a warning; a killed run leaves the old results
/// and the old cache; the same inputs give a quick exit that writes nothing.
final class IncrementalTests: XCTestCase {
    typealias C = BadInputCatalogueTests

    /// Three terreinen with every layer: roofs (one with a slope that is not a number), land
    /// cover, inundation (polygons, or a depth raster), Natura 2000 sites and a heat raster.
    final class Scenario {
        let dir = ScratchDir()
        var yml: String { dir.path + "/p.yml" }
        var outA: String { dir.path + "/outA" }
        var outB: String { dir.path + "/outB" }
        var terreinen = [
            C.feature(#""id":"T1","name":"Een","region":"R1""#, C.rectPolygon(100000, 450000, 100100, 450100)),
            C.feature(#""id":"T2","name":"Twee","region":"R1""#, C.rectPolygon(100200, 450000, 100300, 450100)),
            C.feature(#""id":"T3","name":"Drie","region":"R2""#, C.rectPolygon(100400, 450000, 100500, 450100)),
        ]
        var roofs = [
            C.feature(#""slope_deg":30,"azimuth_deg":180,"building_id":"B1""#, C.rectPolygon(100010, 450010, 100050, 450050)),
            C.feature(#""slope_deg":0,"azimuth_deg":0,"building_id":"B1""#, C.rectPolygon(100060, 450060, 100090, 450090)),
            C.feature(#""slope_deg":5,"azimuth_deg":90,"building_id":"B2""#, C.rectPolygon(100210, 450010, 100250, 450050)),
            C.feature(#""slope_deg":"steil","building_id":"B3""#, C.rectPolygon(100410, 450010, 100450, 450050)),
            C.feature(#""slope_deg":35,"azimuth_deg":200,"building_id":"B4""#, C.rectPolygon(100460, 450060, 100495, 450095)),
        ]
        var landcover: [String] = {
            var out: [String] = []
            for x in [100000.0, 100200, 100400] {
                out.append(C.feature(#""klasse":"verhard""#, C.rectPolygon(x, 450000, x + 100, 450030)))
                out.append(C.feature(#""klasse":"groen""#, C.rectPolygon(x, 450030, x + 100, 450070)))
                out.append(C.feature(#""klasse":"water""#, C.rectPolygon(x, 450070, x + 100, 450100)))
            }
            return out
        }()
        var inundation = [
            C.feature(#""depth_m":0.2"#, C.rectPolygon(100000, 450000, 100050, 450050)),
            C.feature(#""depth_m":0.5"#, C.rectPolygon(100220, 450020, 100280, 450080)),
            C.feature(#""depth_m":0.05"#, C.rectPolygon(100400, 450000, 100500, 450100)),
        ]
        var sites = [
            C.feature(#""name":"Veluwe""#, C.rectPolygon(100600, 450000, 100700, 450100)),
            C.feature(#""name":"Duinen""#, C.rectPolygon(99700, 450000, 99800, 450100)),
        ]
        /// Depths (m) of the 5 m depth raster over x 100000–100500, y 450000–450100 (100 × 20), when used.
        var depthRaster: [Float]?
        var parameters = ""
        var name = "incr"

        init(depthRaster: Bool = false) throws {
            if depthRaster {
                self.depthRaster = (0..<2000).map { i in Float((i % 100) % 7) * 0.1 }
            }
            // 10 m heat cells over the three terreinen (50 × 10).
            let heat = (0..<500).map { i in Float(28 + (i % 50) % 13) }
            try GeoTIFFWriter.write(path: dir.path + "/heat.tif", width: 50, height: 10,
                                    geoTransform: [100000, 10, 0, 450100, 0, -10], crs: .rdNew, values: heat, nodata: -9999)
            try write()
        }

        func write() throws {
            _ = dir.write("terreinen.geojson", C.collection(terreinen))
            _ = dir.write("roofs.geojson", C.collection(roofs))
            _ = dir.write("landcover.geojson", C.collection(landcover))
            _ = dir.write("natura2000.geojson", C.collection(sites))
            var inundationLayer = "  inundation: {path: inundation.geojson}\n"
            if let depthRaster {
                try GeoTIFFWriter.write(path: dir.path + "/depth.tif", width: 100, height: 20,
                                        geoTransform: [100000, 5, 0, 450100, 0, -5], crs: .rdNew, values: depthRaster,
                                        nodata: -9999)
                inundationLayer = "  inundation: {path: depth.tif}\n"
            } else {
                _ = dir.write("inundation.geojson", C.collection(inundation))
            }
            _ = dir.write("p.yml", """
                name: \(name)
                layers:
                  terreinen: {path: terreinen.geojson}
                  roofs: {path: roofs.geojson}
                  natura2000: {path: natura2000.geojson}
                  landcover:
                    path: landcover.geojson
                    fields: {class: klasse}
                    classes: {sealed: [verhard], green: [groen], water: [water]}
                \(inundationLayer)  heat: {path: heat.tif}
                outputs:
                  directory: outA
                  formats: [csv, geojson, gpkg, report]
                \(parameters)
                """)
        }

        @discardableResult
        func run(_ extra: [String] = [], threads: Int = 2, file: StaticString = #filePath, line: UInt = #line) throws -> CLIRun {
            let r = try terreinCLI(["run", yml, "--threads", "\(threads)"] + extra, environment: IncrementalTests.env)
            XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
            return r
        }

        /// Runs incrementally into A (which holds the previous results) and fully into B.
        @discardableResult
        func incrementalAndFull(file: StaticString = #filePath, line: UInt = #line) throws -> CLIRun {
            let r = try run(file: file, line: line)
            try run(["--full", "--output", outB], file: file, line: line)
            return r
        }
    }

    static let env = ["SOURCE_DATE_EPOCH": "1700000000"]

    static func manifest(_ dir: String) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: dir + "/manifest.json"),
              let m = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return m
    }

    static func incremental(_ dir: String) -> [String: Any] { manifest(dir)["incremental"] as? [String: Any] ?? [:] }

    /// The manifest without what may differ between two runs of the same inputs into two
    /// folders: timestamps, timings, the reuse section, the thread count and the folder's path.
    static func comparable(_ m: [String: Any]) -> NSDictionary {
        var m = m
        for k in ["started", "finished", "timings_s", "indicator_cpu_s", "incremental"] { m[k] = nil }
        if var p = m["pipeline"] as? [String: Any] { p["output_directory"] = nil; m["pipeline"] = p }
        if var o = m["options"] as? [String: Any] { o["threads"] = nil; m["options"] = o }
        if let inputs = m["inputs"] as? [[String: Any]] {
            m["inputs"] = inputs.map { i -> [String: Any] in var i = i; i["cpu_s"] = nil; return i }
        }
        return m as NSDictionary
    }

    /// Every file of A byte-identical to B's (the cache and profiles/ too), the manifests equal but for timings and reuse.
    func assertSameAsFull(_ s: Scenario, file: StaticString = #filePath, line: UInt = #line) {
        let a = snapshotTree(s.outA), b = snapshotTree(s.outB)
        XCTAssertEqual(Set(a.keys), Set(b.keys), file: file, line: line)
        XCTAssertTrue(a.keys.contains(".terrein-cache"), file: file, line: line)
        // The report's profile pages, drawn from stored display features for reused terreinen.
        XCTAssertTrue(a.keys.contains { $0.hasPrefix("profiles/") }, file: file, line: line)
        for (name, data) in a where name != "manifest.json" {
            XCTAssertEqual(data, b[name], "\(name) differs from the full run's", file: file, line: line)
        }
        XCTAssertEqual(Self.comparable(Self.manifest(s.outA)), Self.comparable(Self.manifest(s.outB)),
                       "the manifests differ in more than timings and reuse", file: file, line: line)
    }

    func reused(_ dir: String) -> (recomputed: Int, reused: Int, reasons: [String: Int]) {
        let i = Self.incremental(dir)
        return (i["recomputed"] as? Int ?? -1, i["reused"] as? Int ?? -1, i["reasons"] as? [String: Int] ?? [:])
    }

    // MARK: The edits of the issue: each incremental result equals a full run's

    func testMoveARoofFace() throws {
        let s = try Scenario()
        try s.run()
        XCTAssertEqual(reused(s.outA).recomputed, 3)
        s.roofs[0] = C.feature(#""slope_deg":30,"azimuth_deg":180,"building_id":"B1""#, C.rectPolygon(100015, 450012, 100055, 450052))
        try s.write()
        try s.incrementalAndFull()
        assertSameAsFull(s)
        let r = reused(s.outA)
        XCTAssertEqual(r.recomputed, 1)
        XCTAssertEqual(r.reused, 2)
        XCTAssertEqual(r.reasons, ["roofs": 1])
        XCTAssertEqual(Self.incremental(s.outA)["mode"] as? String, "incremental")
        // The Natura 2000 layer did not change: the reused terreinen keep their stored nature figures.
        XCTAssertEqual(Self.incremental(s.outA)["nature_recomputed"] as? Int, 0)
    }

    func testDeleteALandCoverPolygon() throws {
        let s = try Scenario()
        try s.run()
        s.landcover.remove(at: 4)  // T2's green
        try s.write()
        try s.incrementalAndFull()
        assertSameAsFull(s)
        XCTAssertEqual(reused(s.outA).reasons, ["landcover": 1])
        XCTAssertEqual(reused(s.outA).reused, 2)
    }

    func testChangeADepthPolygon() throws {
        let s = try Scenario()
        try s.run()
        s.inundation[2] = C.feature(#""depth_m":0.4"#, C.rectPolygon(100400, 450000, 100500, 450100))
        try s.write()
        try s.incrementalAndFull()
        assertSameAsFull(s)
        XCTAssertEqual(reused(s.outA).reasons, ["inundation": 1])
    }

    func testChangeADepthRasterCell() throws {
        let s = try Scenario(depthRaster: true)
        try s.run()
        // Row 5, column 30: x 100150–100155, between T1 and T2: no terrein changes.
        s.depthRaster![5 * 100 + 30] = 0.9
        // Row 10, column 45: x 100225–100230 in T2.
        s.depthRaster![10 * 100 + 45] = 2.5
        try s.write()
        try s.incrementalAndFull()
        assertSameAsFull(s)
        XCTAssertEqual(reused(s.outA).reasons, ["inundation": 1])
        XCTAssertEqual(reused(s.outA).reused, 2)
    }

    func testRenameASiteAndATerrein() throws {
        let s = try Scenario()
        try s.run()
        s.sites[0] = C.feature(#""name":"Hoge Veluwe""#, C.rectPolygon(100600, 450000, 100700, 450100))
        s.terreinen[1] = C.feature(#""id":"T2","name":"Twee bis","region":"R1""#, C.rectPolygon(100200, 450000, 100300, 450100))
        try s.write()
        try s.incrementalAndFull()
        assertSameAsFull(s)
        // The site's name reaches T3 through nature: the Natura 2000 layer changed, so the
        // reused T1 and T3 have their nature figures computed again (T2 is recomputed whole).
        XCTAssertEqual(reused(s.outA).reasons, ["terreinen": 1])
        XCTAssertEqual(Self.incremental(s.outA)["nature_recomputed"] as? Int, 2)
        XCTAssertTrue(String(decoding: FileManager.default.contents(atPath: s.outA + "/indicators.csv")!, as: UTF8.self)
                        .contains("Hoge Veluwe"))
    }

    func testChangeAParameter() throws {
        let s = try Scenario()
        try s.run()
        s.parameters = "parameters:\n  solar:\n    kwp_per_m2: 0.25\n"
        try s.write()
        try s.incrementalAndFull()
        assertSameAsFull(s)
        XCTAssertEqual(reused(s.outA).reasons, ["parameters": 3])
        XCTAssertEqual(reused(s.outA).reused, 0)
        // Every terrein is computed: no geometry is deferred (each would be read twice), though
        // the validity checks are still skipped.
        XCTAssertEqual(Self.incremental(s.outA)["geometries_deferred"] as? Int, 0)
        XCTAssertEqual(Self.incremental(s.outA)["validity_checks_skipped"] as? Int, 22)
    }

    func testAddATerrein() throws {
        let s = try Scenario()
        try s.run()
        s.terreinen.append(C.feature(#""id":"T0","name":"Nul","region":"R2""#, C.rectPolygon(100000, 450200, 100100, 450300)))
        try s.write()
        try s.incrementalAndFull()
        assertSameAsFull(s)
        XCTAssertEqual(reused(s.outA).reasons, ["new": 1])
        XCTAssertEqual(reused(s.outA).reused, 3)
    }

    func testDeleteARoofFaceKeepsTheOthersAndTheInvalidFaceIndex() throws {
        let s = try Scenario()
        try s.run()
        // Deleting face 2 (T2) shifts the index of the invalid face 3 (T3): T3's stored list of
        // invalid faces would be wrong, so T3 is recomputed too.
        s.roofs.remove(at: 2)
        try s.write()
        try s.incrementalAndFull()
        assertSameAsFull(s)
        XCTAssertEqual(reused(s.outA).reasons, ["roofs": 2])
        XCTAssertEqual(reused(s.outA).reused, 1)
    }

    func testThreadsOneAndTwoGiveTheSameBytes() throws {
        let s = try Scenario()
        try s.run()
        s.roofs[4] = C.feature(#""slope_deg":40,"azimuth_deg":200,"building_id":"B4""#, C.rectPolygon(100460, 450060, 100495, 450095))
        try s.write()
        try s.run(threads: 1)
        try s.run(["--full", "--output", s.outB], threads: 2)
        assertSameAsFull(s)
        XCTAssertEqual(reused(s.outA).reused, 2)
    }

    // MARK: Caches that are not trusted

    /// A roof face moved, then `damage` done to the cache file `name` (`.terrein-cache`, or the
    /// validity cache `.terrein-valid`): the run says it ignored that cache, does without it, and
    /// gives a full run's bytes.
    func checkIgnoredCache(_ damage: (String) throws -> Void, words: String, name: String = ".terrein-cache",
                           file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try Scenario()
        try s.run()
        s.roofs[0] = C.feature(#""slope_deg":30,"azimuth_deg":180,"building_id":"B1""#, C.rectPolygon(100015, 450012, 100055, 450052))
        try s.write()
        try damage(s.outA + "/" + name)
        let r = try s.incrementalAndFull(file: file, line: line)
        let which = name == ".terrein-cache" ? "incremental cache" : "validity cache"
        XCTAssertTrue(r.stderr.contains("\(which) was ignored") && r.stderr.contains(words), r.stderr, file: file, line: line)
        assertSameAsFull(s, file: file, line: line)
        let summary = Self.incremental(s.outA)
        if name == ".terrein-cache" {
            XCTAssertEqual(reused(s.outA).reused, 0, file: file, line: line)
            XCTAssertEqual(summary["mode"] as? String, "full", file: file, line: line)
        } else {
            XCTAssertEqual(summary["validity_checks_skipped"] as? Int, 0, file: file, line: line)
            XCTAssertEqual((summary["validity_cache"] as? String)?.hasPrefix("ignored: "), true, file: file, line: line)
        }
    }

    func testCorruptCacheIsIgnored() throws {
        try checkIgnoredCache({ path in
            var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
            bytes[bytes.count - 40] ^= 0x01
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        }, words: "checksum")
    }

    func testTruncatedCacheIsIgnored() throws {
        try checkIgnoredCache({ path in
            let bytes = FileManager.default.contents(atPath: path)!
            _ = FileManager.default.createFile(atPath: path, contents: bytes.prefix(bytes.count / 2))
        }, words: "truncated")
    }

    func testGarbageHeaderIsIgnored() throws {
        try checkIgnoredCache({ path in
            _ = FileManager.default.createFile(atPath: path, contents: Data("not a cache\n".utf8))
        }, words: "header")
    }

    func testCacheOfAnotherPipelineIsIgnored() throws {
        let other = try Scenario()
        other.name = "andere"
        try other.write()
        try other.run()
        try checkIgnoredCache({ path in
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: other.outA + "/.terrein-cache", toPath: path)
        }, words: "\"andere\"")
    }

    func testCacheOfAnotherVersionIsIgnored() throws {
        try checkIgnoredCache({ path in
            let text = String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self)
            let edited = text.replacingOccurrences(of: #""terrein_version":""#, with: #""terrein_version":"0.0.1-"#)
            _ = FileManager.default.createFile(atPath: path, contents: Data(edited.utf8))
        }, words: "written by Terrein 0.0.1-")
    }

    func testFullIgnoresTheCache() throws {
        let s = try Scenario()
        try s.run()
        try s.run(["--full"])
        XCTAssertEqual(reused(s.outA).reused, 0)
        XCTAssertEqual(Self.incremental(s.outA)["cache"] as? String, "--full: not read")
    }

    // MARK: The validity cache

    func validityCacheKeys(_ dir: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: dir + "/.terrein-valid"),
              let nl = data.firstIndex(of: UInt8(ascii: "\n")),
              let header = try? JSONSerialization.jsonObject(with: data[..<nl]) as? [String: Any] else { return nil }
        XCTAssertEqual(data.count - nl - 1, 16 * (header["count"] as? Int ?? -1), "the body is count keys of 16 bytes")
        return header["count"] as? Int
    }

    func testTheValidityCacheSkipsTheChecksOfUnchangedGeometriesOnly() throws {
        let s = try Scenario()
        // A self-intersecting roof face (a bowtie) in T3: repaired by every run, never cached.
        s.roofs.append(C.feature(#""slope_deg":10,"azimuth_deg":180,"building_id":"B5""#,
                                 #"{"type":"Polygon","coordinates":[[[100420,450060],[100440,450080],[100440,450060],[100420,450080],[100420,450060]]]}"#))
        try s.write()
        try s.run()
        let first = Self.incremental(s.outA)
        XCTAssertEqual(first["validity_cache"] as? String, "none in the output folder: every geometry checked")
        XCTAssertEqual(first["validity_checks_skipped"] as? Int, 0)
        // 3 terreinen, 5 valid roof faces, 9 land cover, 3 inundation polygons and 2 sites: 22
        // valid features, 21 geometries (the third inundation polygon is T3's rectangle).
        XCTAssertEqual(validityCacheKeys(s.outA), 21)
        s.roofs[0] = C.feature(#""slope_deg":30,"azimuth_deg":180,"building_id":"B1""#, C.rectPolygon(100015, 450012, 100055, 450052))
        try s.write()
        try s.incrementalAndFull()
        // Everything but the moved face was checked by the first run; the bowtie is repaired again.
        let second = Self.incremental(s.outA)
        XCTAssertEqual(second["validity_cache"] as? String, "read")
        XCTAssertEqual(second["validity_checks_skipped"] as? Int, 21)
        // Deferred geometry: of those, the 4 roof faces, 9 land cover and 3 inundation polygons
        // were read without being built; built after all were T1's (the face beside the moved
        // one, its inundation polygon) and the whole land cover (9 polygons: all of them are in
        // the coverage sample).
        XCTAssertEqual(second["geometries_deferred"] as? Int, 16)
        XCTAssertEqual(second["geometries_built_later"] as? Int, 11)
        XCTAssertEqual(Self.incremental(s.outB)["geometries_deferred"] as? Int, 0)
        XCTAssertEqual(Self.incremental(s.outB)["validity_checks_skipped"] as? Int, 0, "--full checks every geometry")
        XCTAssertEqual(Self.incremental(s.outB)["validity_cache"] as? String, "--full: not read")
        // The same repairs in both manifests (compared by assertSameAsFull) and the same cache bytes.
        let inputs = Self.manifest(s.outA)["inputs"] as? [[String: Any]] ?? []
        XCTAssertEqual(inputs.first { $0["layer"] as? String == "roofs" }?["repaired"] as? Int, 1)
        assertSameAsFull(s)
        XCTAssertEqual(validityCacheKeys(s.outA), 21)
    }

    func testCorruptValidityCacheIsIgnored() throws {
        try checkIgnoredCache({ path in
            var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
            bytes[bytes.count - 3] ^= 0x01
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        }, words: "checksum", name: ".terrein-valid")
    }

    func testTruncatedValidityCacheIsIgnored() throws {
        try checkIgnoredCache({ path in
            let bytes = FileManager.default.contents(atPath: path)!
            _ = FileManager.default.createFile(atPath: path, contents: bytes.prefix(bytes.count - 16))
        }, words: "truncated", name: ".terrein-valid")
    }

    func testValidityCacheOfAnotherGEOSVersionIsIgnored() throws {
        try checkIgnoredCache({ path in
            let data = FileManager.default.contents(atPath: path)!
            let nl = data.firstIndex(of: UInt8(ascii: "\n"))!
            let header = String(decoding: data[..<nl], as: UTF8.self)
                .replacingOccurrences(of: #""geos_version":""#, with: #""geos_version":"0.1-"#)
            _ = FileManager.default.createFile(atPath: path, contents: Data(header.utf8) + data[nl...])
        }, words: "written with GEOS 0.1-", name: ".terrein-valid")
    }

    func testValidityCacheWithKeysOutOfOrderIsIgnored() throws {
        // Two keys swapped and the checksum made to match: the lookup relies on the order.
        try checkIgnoredCache({ path in
            let data = FileManager.default.contents(atPath: path)!
            let nl = data.firstIndex(of: UInt8(ascii: "\n"))!
            var body = [UInt8](data[(nl + 1)...])
            let first = Array(body[0..<16])
            body.replaceSubrange(0..<16, with: body[16..<32])
            body.replaceSubrange(16..<32, with: first)
            var header = try XCTUnwrap(JSONSerialization.jsonObject(with: data[..<nl]) as? [String: Any])
            header["body_sha256"] = Hashing.sha256Hex(Data(body))
            let text = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
            _ = FileManager.default.createFile(atPath: path, contents: text + Data([UInt8(ascii: "\n")]) + Data(body))
        }, words: "not in ascending order", name: ".terrein-valid")
    }

    // MARK: Killed runs and the same-inputs exit

    func testKilledIncrementalRunLeavesTheOldResultsAndCache() throws {
        let s = try Scenario()
        try s.run()
        let before = snapshot(s.outA)
        s.roofs[0] = C.feature(#""slope_deg":30,"azimuth_deg":180,"building_id":"B1""#, C.rectPolygon(100015, 450012, 100055, 450052))
        try s.write()
        for stage in ["computed", "before-swap"] {
            let paused = try KillTests.PausedRun(["run", s.yml, "--threads", "2"], stage: stage)
            paused.kill()
            XCTAssertEqual(snapshot(s.outA), before, "killed at \(stage): the old results and cache changed")
        }
        // The next run reuses the old cache: only T1 is recomputed.
        try s.incrementalAndFull()
        assertSameAsFull(s)
        XCTAssertEqual(reused(s.outA).reasons, ["roofs": 1])
    }

    func testSameInputsExitQuicklyWithoutWriting() throws {
        let s = try Scenario()
        try s.run()
        let before = snapshot(s.outA)
        let manifestDate = try FileManager.default.attributesOfItem(atPath: s.outA + "/manifest.json")[.modificationDate] as? Date
        let r = try s.run()
        XCTAssertTrue(r.stderr.contains("nothing to do"), r.stderr)
        XCTAssertEqual(snapshot(s.outA), before)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: s.outA + "/manifest.json")[.modificationDate] as? Date,
                       manifestDate, "the folder was rewritten")
        // Another language, a deleted output or --full: a real run.
        try s.run(["--lang", "en"])
        XCTAssertTrue(try s.run(["--lang", "en"]).stderr.contains("nothing to do"))
        try FileManager.default.removeItem(atPath: s.outA + "/report.html")
        XCTAssertFalse(try s.run(["--lang", "en"]).stderr.contains("nothing to do"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.outA + "/report.html"))
        XCTAssertFalse(try s.run(["--lang", "en", "--full"]).stderr.contains("nothing to do"))
        // A changed input byte (same features: only whitespace) is not the same input.
        _ = s.dir.write("roofs.geojson", C.collection(s.roofs) + "\n")
        let changed = try s.run(["--lang", "en"])
        XCTAssertFalse(changed.stderr.contains("nothing to do"))
        XCTAssertEqual(reused(s.outA).reused, 3, "only the file's bytes changed, no feature")
    }
}
