import Foundation
import XCTest
@testable import TerreinCore
@testable import TerreinIO

/// Vector layers read through GDAL/OGR: GeoPackage and Shapefile give the same tables as
/// the GeoJSON they were converted from; a file with several layers needs `layer:`.
/// The files are made with `ogr2ogr` (Debian's gdal-bin, installed by scripts/test.sh).
final class OGRSourceTests: XCTestCase {
    var ogr2ogr: String!

    override func setUpWithError() throws {
        ogr2ogr = try ogr2ogrPath()
    }

    func convert(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ogr2ogr)
        p.arguments = args
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "ogr2ogr \(args.joined(separator: " "))")
    }

    /// The sample pipeline with terreinen from a GeoPackage layer and roofs from a Shapefile.
    func pipeline(_ dir: String, terreinen: String, layer: String?, roofs: String, roofsCRS: Bool = false) throws -> String {
        var text = try String(contentsOfFile: repoRoot + "/Pipelines/sample.yml", encoding: .utf8)
        // The sample reads its terreinen from a GeoPackage layer: swap in the test's file and layer.
        let lines = text.components(separatedBy: "\n").filter { !$0.hasPrefix("    layer: terreinen") }
        text = lines.joined(separator: "\n")
        text = text.replacingOccurrences(of: "../SampleGIS/terreinen.gpkg", with: terreinen + (layer.map { "\n    layer: \($0)" } ?? ""))
        text = text.replacingOccurrences(of: "../SampleGIS/roofs.geojsonl", with: roofs)
        if !roofsCRS { text = text.replacingOccurrences(of: "    crs: EPSG:28992\n    fields: {slope_deg", with: "    fields: {slope_deg") }
        text = text.replacingOccurrences(of: "../SampleGIS/", with: repoRoot + "/SampleGIS/")
        let path = dir + "/p.yml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The sample pipeline with every vector layer from its GeoJSON file.
    func geoJSONSample(_ dir: String) throws -> String {
        let p = try pipeline(dir, terreinen: repoRoot + "/SampleGIS/terreinen.geojson", layer: nil,
                             roofs: repoRoot + "/SampleGIS/roofs.geojsonl", roofsCRS: true)
        let text = try String(contentsOfFile: p, encoding: .utf8)
            .replacingOccurrences(of: repoRoot + "/SampleGIS/natura2000.shp", with: repoRoot + "/SampleGIS/natura2000.geojson")
        let path = dir + "/geojson.yml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testGeoPackageAndShapefileGiveTheSameTablesAsGeoJSON() throws {
        let scratch = ScratchDir()
        let d = scratch.path
        try convert(["-f", "GPKG", d + "/parks.gpkg", repoRoot + "/SampleGIS/terreinen.geojson", "-nln", "terreinen"])
        try convert(["-f", "GPKG", "-update", d + "/parks.gpkg", repoRoot + "/SampleGIS/natura2000.geojson", "-nln", "sites"])
        try convert(["-f", "ESRI Shapefile", d + "/roofs.shp", repoRoot + "/SampleGIS/roofs.geojsonl", "-a_srs", "EPSG:28992"])
        let p = try pipeline(d, terreinen: d + "/parks.gpkg", layer: "terreinen", roofs: d + "/roofs.shp")
        let (s1, _, e1) = try runCLI(["run", p, "--output", d + "/ogr", "--quiet"])
        XCTAssertEqual(s1, 0, e1)
        let (s2, _, e2) = try runCLI(["run", try geoJSONSample(d), "--output", d + "/geojson", "--quiet"])
        XCTAssertEqual(s2, 0, e2)
        for f in ["indicators.csv", "regions.csv"] {
            XCTAssertEqual(try String(contentsOfFile: d + "/ogr/" + f, encoding: .utf8),
                           try String(contentsOfFile: d + "/geojson/" + f, encoding: .utf8), f)
        }
        let m = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: d + "/ogr/manifest.json"))) as! [String: Any]
        // One entry per source: the sample's land cover has two (the first one kept here).
        let inputs = Dictionary((m["inputs"] as! [[String: Any]]).map { ($0["layer"] as! String, $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(inputs["terreinen"]?["encoding"] as? String, "GPKG layer terreinen")
        XCTAssertEqual(inputs["terreinen"]?["source_crs"] as? String, "EPSG:28992")
        XCTAssertEqual(inputs["roofs"]?["encoding"] as? String, "ESRI Shapefile layer roofs")
        XCTAssertEqual(inputs["roofs"]?["crs_from"] as? String, "the source's SRS")
        XCTAssertEqual(inputs["roofs"]?["features"] as? Int, 522)

        // Several layers and no `layer:`, or a layer that is not there: the error lists them.
        let none = try pipeline(d, terreinen: d + "/parks.gpkg", layer: nil, roofs: d + "/roofs.shp")
        let (s3, _, e3) = try runCLI(["run", none, "--output", d + "/x", "--quiet"])
        XCTAssertEqual(s3, 3, e3)
        XCTAssertTrue(e3.contains("2 layers") && e3.contains("\"terreinen\"") && e3.contains("\"sites\""), e3)
        let wrong = try pipeline(d, terreinen: d + "/parks.gpkg", layer: "parken", roofs: d + "/roofs.shp")
        let (s4, _, e4) = try runCLI(["run", wrong, "--output", d + "/x", "--quiet"])
        XCTAssertEqual(s4, 3, e4)
        XCTAssertTrue(e4.contains("no layer \"parken\"") && e4.contains("\"terreinen\", \"sites\""), e4)
    }

    /// A zipped Shapefile and a zipped GeoPackage, as PDOK's downloads come, are read in
    /// place through /vsizip/: the same tables as the unzipped sample.
    func testZippedLayersAreReadInPlace() throws {
        let scratch = ScratchDir()
        let d = scratch.path
        try convert(["-f", "GPKG", d + "/parks.gpkg", repoRoot + "/SampleGIS/terreinen.geojson", "-nln", "terreinen"])
        let zip = Process()
        zip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        zip.arguments = ["python3", "-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1] + "/n2k.zip", "w") as z:
                for ext in ("shp", "shx", "dbf", "prj", "cpg"):
                    z.write(sys.argv[2] + "/natura2000." + ext, "natura2000." + ext)
            with zipfile.ZipFile(sys.argv[1] + "/parks.zip", "w") as z:
                z.write(sys.argv[1] + "/parks.gpkg", "parks.gpkg")
            """, d, repoRoot + "/SampleGIS"]
        try zip.run()
        zip.waitUntilExit()
        XCTAssertEqual(zip.terminationStatus, 0)
        var text = try String(contentsOfFile: repoRoot + "/Pipelines/sample.yml", encoding: .utf8)
        text = text.replacingOccurrences(of: "../SampleGIS/natura2000.shp", with: d + "/n2k.zip")
            .replacingOccurrences(of: "../SampleGIS/terreinen.gpkg", with: d + "/parks.zip")
            .replacingOccurrences(of: "../SampleGIS/", with: repoRoot + "/SampleGIS/")
        try text.write(toFile: d + "/zip.yml", atomically: true, encoding: .utf8)
        let (s1, _, e1) = try runCLI(["run", d + "/zip.yml", "--output", d + "/zipped", "--quiet"])
        XCTAssertEqual(s1, 0, e1)
        let (s2, _, e2) = try runCLI(["run", repoRoot + "/Pipelines/sample.yml", "--output", d + "/plain", "--quiet"])
        XCTAssertEqual(s2, 0, e2)
        XCTAssertEqual(try String(contentsOfFile: d + "/zipped/indicators.csv", encoding: .utf8),
                       try String(contentsOfFile: d + "/plain/indicators.csv", encoding: .utf8))
    }

    func testShapefileWithoutPrjNeedsCRS() throws {
        let scratch = ScratchDir()
        let d = scratch.path
        try convert(["-f", "GPKG", d + "/parks.gpkg", repoRoot + "/SampleGIS/terreinen.geojson"])
        try convert(["-f", "ESRI Shapefile", d + "/roofs.shp", repoRoot + "/SampleGIS/roofs.geojsonl"])
        try FileManager.default.removeItem(atPath: d + "/roofs.prj")
        let p = try pipeline(d, terreinen: d + "/parks.gpkg", layer: nil, roofs: d + "/roofs.shp")
        let (s1, _, e1) = try runCLI(["run", p, "--output", d + "/x", "--quiet"])
        XCTAssertEqual(s1, 3, e1)
        XCTAssertTrue(e1.contains("no CRS") && e1.contains("crs: EPSG:28992"), e1)
        let withCRS = try pipeline(d, terreinen: d + "/parks.gpkg", layer: nil, roofs: d + "/roofs.shp", roofsCRS: true)
        let (s2, _, e2) = try runCLI(["run", withCRS, "--output", d + "/y", "--quiet"])
        XCTAssertEqual(s2, 0, e2)
    }

    func testLayerKeyOnAGeoJSONIsAConfigError() throws {
        let scratch = ScratchDir()
        let p = try pipeline(scratch.path, terreinen: repoRoot + "/SampleGIS/terreinen.geojson", layer: "terreinen",
                             roofs: repoRoot + "/SampleGIS/roofs.geojsonl", roofsCRS: true)
        let (s, _, e) = try runCLI(["validate", p])
        XCTAssertEqual(s, 2, e)
        XCTAssertTrue(e.contains("layers.terreinen.layer"), e)
    }
}
