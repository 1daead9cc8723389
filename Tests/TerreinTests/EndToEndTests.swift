import XCTest
@testable import TerreinIO

/// The CLI on SampleGIS/: tables, manifest, every output, validate, inspect, diff, report.
final class EndToEndTests: XCTestCase {
    var sample: String { repoRoot + "/Pipelines/sample.yml" }

    func table(_ path: String) throws -> (header: [String], rows: [[String]]) {
        CSVFormat.parse(try String(contentsOfFile: path, encoding: .utf8))
    }

    func runSample(_ scratch: ScratchDir, _ extra: [String] = []) throws -> String {
        let out = scratch.path + "/out"
        let (status, _, err) = try runCLI(["run", sample, "--output", out, "--quiet"] + extra)
        XCTAssertEqual(status, 0, err)
        return out
    }

    func testRunWritesEveryOutputWithTheSpecHeaders() throws {
        let scratch = ScratchDir()
        let out = try runSample(scratch)
        for f in ["indicators.csv", "regions.csv", "datapackage.json", "indicators.geojson", "indicators.gpkg", "report.html", "manifest.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + f), f)
        }
        let ind = try table(out + "/indicators.csv")
        XCTAssertEqual(ind.header.joined(separator: ","), "id,name,region,area_m2,roof_faces,roof_area_m2,roof_surface_m2,solar_suitable_m2,solar_kwp,solar_mwh_yr,roof_coverage,n2k_distance_m,n2k_nearest,n2k_within_500m,n2k_within_1000m,n2k_overlap_m2,sealed_m2,green_m2,water_m2,paved_fraction,green_fraction,water_fraction,inundation_m2,deep_inundation_m2,inundation_fraction,deep_inundation_fraction,buildings_exposed,water_exposure,runoff_m3,storage_required_m3,heat_pet_mean_c,heat_strong_fraction,heat_extreme_fraction,heat_exposure")
        XCTAssertEqual(ind.rows.count, 11)
        let ids = ind.rows.map { $0[0] }
        XCTAssertEqual(ids, ids.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        // Plausible values on the sample: every terrein has roofs and a finite distance.
        for row in ind.rows {
            let d = Dictionary(uniqueKeysWithValues: zip(ind.header, row))
            XCTAssertGreaterThan(Int(d["roof_faces"]!)!, 0)
            XCTAssertGreaterThan(Double(d["area_m2"]!)!, 10_000)
            XCTAssertLessThanOrEqual(Double(d["paved_fraction"]!)!, 1)
            XCTAssertTrue(["low", "medium", "high"].contains(d["water_exposure"]!))
            XCTAssertFalse(d["n2k_nearest"]!.isEmpty)
        }
        let reg = try table(out + "/regions.csv")
        XCTAssertEqual(reg.header.prefix(3), ["region", "terreinen", "area_m2"])
        XCTAssertEqual(reg.rows.map { $0[0] }, ["", "Katwijk", "Noordwijk", "Oegstgeest"])
        XCTAssertEqual(reg.rows.map { Int($0[1])! }.reduce(0, +), 11)
        // Region area = sum of its terreinen's (unrounded) areas.
        let katwijk = ind.rows.filter { $0[2] == "Katwijk" }.map { Double($0[3])! }.reduce(0, +)
        XCTAssertEqual(Double(reg.rows[1][2])!, katwijk, accuracy: 0.05)
    }

    func testManifestRecordsInputsRepairsAndParameters() throws {
        let scratch = ScratchDir()
        let out = try runSample(scratch)
        let m = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as! [String: Any]
        XCTAssertNotNil(m["geos_version"] as? String)
        XCTAssertNotNil(m["proj_version"] as? String)
        XCTAssertEqual((m["pipeline"] as! [String: Any])["sha256"] as? String != nil, true)
        let inputs = m["inputs"] as! [[String: Any]]
        // One entry per source: land cover comes from two (GeoJSON with a class mapping, BGT GML of one class);
        // the inundation layer is a raster (raster_inputs).
        XCTAssertEqual(inputs.map { $0["layer"] as! String }, ["terreinen", "roofs", "natura2000", "landcover", "landcover"])
        let byLayer = Dictionary(inputs.map { ($0["layer"] as! String, $0) }, uniquingKeysWith: { a, _ in a })
        let water = inputs[4]
        XCTAssertEqual(water["source"] as? Int, 1)
        XCTAssertEqual(water["class"] as? String, "water")
        XCTAssertEqual(water["ogr_layer"] as? String, "waterdeel")
        XCTAssertEqual(water["encoding"] as? String, "GML layer waterdeel")
        XCTAssertEqual(water["source_crs"] as? String, "EPSG:28992")
        XCTAssertEqual(water["used"] as? Int, water["features"] as? Int)
        XCTAssertEqual((water["used_per_class"] as? [String: Int])?.keys.sorted(), ["water"])
        XCTAssertEqual((water["unmapped_classes"] as? [String: Int]) ?? [:], [:])
        XCTAssertEqual(byLayer["roofs"]!["encoding"] as? String, "GeoJSONSeq")
        // The sample reads a Shapefile (WGS84 .prj), a GeoPackage layer and GeoJSON.
        XCTAssertEqual(byLayer["natura2000"]!["source_crs"] as? String, "EPSG:4326")
        XCTAssertEqual(byLayer["natura2000"]!["encoding"] as? String, "ESRI Shapefile layer natura2000")
        XCTAssertEqual(byLayer["terreinen"]!["crs_from"] as? String, "the source's SRS")
        XCTAssertEqual(byLayer["terreinen"]!["encoding"] as? String, "GPKG layer terreinen")
        XCTAssertEqual(byLayer["landcover"]!["crs_from"] as? String, "crs member")
        // The sample's inundation is a depth raster; both rasters cover every terrein wholly.
        let rasters = try XCTUnwrap(m["raster_inputs"] as? [[String: Any]])
        XCTAssertEqual(rasters.map { $0["layer"] as? String }, ["inundation", "heat"])
        XCTAssertEqual(rasters.map { $0["cell_width"] as? Double }, [5, 10])
        XCTAssertEqual(rasters.map { $0["terreinen_without_valid_cells"] as? Int }, [0, 0])
        XCTAssertEqual(rasters.map { $0["terreinen_covered_in_part"] as? Int }, [0, 0])
        XCTAssertEqual((byLayer["landcover"]!["repaired"] as? Int) ?? 0, 1, "the sample's bow-tie is repaired")
        XCTAssertEqual((byLayer["landcover"]!["unmapped_classes"] as? [String: Int])?["onbekend"], 5)
        let invalid = m["roof_faces_invalid_attributes"] as! [String: Any]
        XCTAssertGreaterThanOrEqual(invalid["count"] as! Int, 1, "the pitched face without azimuth")
        let params = m["parameters"] as! [String: Any]
        XCTAssertEqual((params["nature"] as! [String: Any])["bands_m"] as? [Int], [500, 1000])
        XCTAssertNotNil(m["timings_s"] as? [String: Double])
    }

    /// The polygon form of the inundation layer, end to end: Pipelines/sample-polygons.yml
    /// reads the same flood patches as polygons (WGS84 GeoJSON). Every column outside the
    /// water family's flood columns is the raster run's; the flood figures of the two forms
    /// are close (the raster counts 5 m cells whose centre lies in a patch).
    func testPolygonSamplePipeline() throws {
        let scratch = ScratchDir()
        let raster = try runSample(scratch)
        let polygons = scratch.path + "/polygons"
        let (status, _, err) = try runCLI(["run", repoRoot + "/Pipelines/sample-polygons.yml", "--output", polygons, "--quiet"])
        XCTAssertEqual(status, 0, err)
        let m = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: polygons + "/manifest.json"))) as! [String: Any]
        XCTAssertEqual((m["inputs"] as! [[String: Any]]).map { $0["layer"] as! String }, ["terreinen", "roofs", "natura2000", "landcover", "landcover", "inundation"])
        XCTAssertEqual((m["raster_inputs"] as? [[String: Any]])?.map { $0["layer"] as? String }, ["heat"])
        let a = try table(raster + "/indicators.csv"), b = try table(polygons + "/indicators.csv")
        XCTAssertEqual(a.header, b.header)
        XCTAssertEqual(a.rows.map { $0[0] }, b.rows.map { $0[0] })
        let flood: Set<String> = ["inundation_m2", "deep_inundation_m2", "inundation_fraction", "deep_inundation_fraction",
                                  "buildings_exposed", "water_exposure"]
        var total = (raster: 0.0, polygons: 0.0)
        for (ra, rb) in zip(a.rows, b.rows) {
            for (i, name) in a.header.enumerated() where !flood.contains(name) {
                XCTAssertEqual(ra[i], rb[i], "\(ra[0]) \(name)")
            }
            let i = a.header.firstIndex(of: "inundation_m2")!
            total.raster += Double(ra[i])!
            total.polygons += Double(rb[i])!
        }
        XCTAssertGreaterThan(total.polygons, 0)
        XCTAssertEqual(total.raster / total.polygons, 1, accuracy: 0.15, "\(total)")
    }

    func testSameBytesWhateverTheThreadCount() throws {
        let scratch = ScratchDir()
        let a = scratch.path + "/a", b = scratch.path + "/b"
        var (s, _, e) = try runCLI(["run", sample, "--output", a, "--threads", "1", "--quiet"], environment: ["SOURCE_DATE_EPOCH": "1700000000"])
        XCTAssertEqual(s, 0, e)
        (s, _, e) = try runCLI(["run", sample, "--output", b, "--threads", "4", "--quiet"], environment: ["SOURCE_DATE_EPOCH": "1700000000"])
        XCTAssertEqual(s, 0, e)
        for f in ["indicators.csv", "regions.csv", "datapackage.json", "indicators.geojson", "indicators.gpkg", "report.html"] {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a + "/" + f)),
                           try Data(contentsOf: URL(fileURLWithPath: b + "/" + f)), f)
        }
    }

    func testValidateAndInspectEverySampleFile() throws {
        let (s, out, e) = try runCLI(["validate", sample])
        XCTAssertEqual(s, 0, e)
        XCTAssertTrue(out.contains("roofs: 522 features"), out)
        for f in ["terreinen.geojson", "roofs.geojsonl", "natura2000.geojson", "landcover.geojson", "bgt_waterdeel.geojson", "inundation.geojson"] {
            let (s, out, e) = try runCLI(["inspect", repoRoot + "/SampleGIS/" + f])
            XCTAssertEqual(s, 0, e)
            XCTAssertTrue(out.contains("features: "), out)
            XCTAssertTrue(out.contains("properties:"), out)
        }
        let (_, lc, _) = try runCLI(["inspect", repoRoot + "/SampleGIS/landcover.geojson"])
        XCTAssertTrue(lc.contains("a run would repair: 1 feature(s) (first: #162 invalid polygon made valid (Self-intersection))"), lc)
        XCTAssertTrue(lc.contains("urn:ogc:def:crs:EPSG::28992"), lc)
    }

    func testDiffBetweenRunsWithChangedParameters() throws {
        let scratch = ScratchDir()
        let a = try runSample(scratch)
        // Same data, a lower usable fraction for flat roofs and a wider band.
        let yml = try String(contentsOfFile: sample, encoding: .utf8)
            .replacingOccurrences(of: "usable_fraction_flat: 0.6", with: "usable_fraction_flat: 0.3")
            .replacingOccurrences(of: "../SampleGIS/", with: repoRoot + "/SampleGIS/")
        let changed = scratch.write("changed.yml", yml)
        let b = scratch.path + "/b"
        var (s, _, e) = try runCLI(["run", changed, "--output", b, "--quiet"])
        XCTAssertEqual(s, 0, e)
        let diffDir = scratch.path + "/diff"
        var out = ""
        (s, out, e) = try runCLI(["diff", a, b, "--out", diffDir])
        XCTAssertEqual(s, 0, e)
        XCTAssertFalse(out.isEmpty)
        let d = try table(diffDir + "/diff.csv")
        let col = d.header.firstIndex(of: "column")!
        let changedColumns = Set(d.rows.map { $0[col] })
        XCTAssertTrue(changedColumns.contains("solar_kwp"))
        XCTAssertTrue(changedColumns.contains("solar_mwh_yr"))
        XCTAssertFalse(changedColumns.contains("sealed_m2"), "paved figures do not depend on the solar parameters")
        // Every flat-dominated terrein loses solar kWp.
        let change = d.header.firstIndex(of: "change")!
        for row in d.rows where row[col] == "solar_kwp" { XCTAssertLessThan(Double(row[change])!, 0) }
    }

    func testReportRendersAgainFromAFinishedRun() throws {
        let scratch = ScratchDir()
        let out = try runSample(scratch)
        try FileManager.default.removeItem(atPath: out + "/report.html")
        let (s, _, e) = try runCLI(["report", out, "--lang", "en"])
        XCTAssertEqual(s, 0, e)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<svg"))
        XCTAssertTrue(html.contains("'t Heen") || html.contains("&#39;t Heen") || html.contains("&#x27;t Heen"))
        XCTAssertFalse(html.contains("https://"))
    }

    /// How long the Chromium screenshot may take (it takes a few seconds).
    static let chromiumTimeout: TimeInterval = 60

    func testReportRendersInHeadlessChromium() throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else {
            // scripts/test.sh installs Debian's chromium; a bare `swift test` may not have it.
            throw XCTSkip("chromium is not installed (scripts/setup.sh --test-tools installs it)")
        }
        let scratch = ScratchDir()
        let out = try runSample(scratch)
        let png = scratch.path + "/report.png"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,1600",
                       "--screenshot=\(png)", "file://\(out)/report.html"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // A headless browser can hang (no display, a dialog, a stuck GPU process): give it
        // a minute, then kill it and fail rather than block the whole test run.
        let deadline = Date().addingTimeInterval(Self.chromiumTimeout)
        while p.isRunning && Date() < deadline { usleep(50_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            return XCTFail("chromium did not finish the screenshot within \(Int(Self.chromiumTimeout)) s and was killed")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        XCTAssertEqual(Array(data.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
        // A blank page compresses to a few kB; the map, charts and table do not.
        XCTAssertGreaterThan(data.count, 30_000, "the screenshot looks blank")
    }
}
