import Foundation
import XCTest

/// `terrein inspect` on files read through GDAL/OGR: every layer listed (count, geometry
/// type, CRS, extent, fields), and one layer read feature by feature through the run's
/// preparation steps, on hand-built features whose outcome is known exactly.
final class InspectOGRTests: XCTestCase {
    /// Four features in RD New: a 10 m square (used as is), a bow-tie (made valid), a point
    /// (skipped in a polygon layer) and one without geometry.
    static let mixed = """
        {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"features":[
        {"type":"Feature","properties":{"naam":"vierkant","hoogte":3},"geometry":{"type":"Polygon","coordinates":[[[100000,450000],[100010,450000],[100010,450010],[100000,450010],[100000,450000]]]}},
        {"type":"Feature","properties":{"naam":"strik","hoogte":4.5},"geometry":{"type":"Polygon","coordinates":[[[100020,450000],[100030,450010],[100030,450000],[100020,450010],[100020,450000]]]}},
        {"type":"Feature","properties":{"naam":"punt","hoogte":null},"geometry":{"type":"Point","coordinates":[100050,450050]}},
        {"type":"Feature","properties":{"naam":"leeg","hoogte":1},"geometry":null}
        ]}

        """

    var ogr2ogr: String!

    override func setUpWithError() throws {
        ogr2ogr = try ogr2ogrPath()
    }

    func convert(_ args: [String]) throws {
        let r = try runProcess(ogr2ogr, args)
        XCTAssertEqual(r.status, 0, "ogr2ogr \(args.joined(separator: " ")): \(r.stderr)")
    }

    func testGeoPackageWithTwoLayers() throws {
        let dir = ScratchDir()
        let src = dir.write("mixed.geojson", Self.mixed)
        let gpkg = dir.path + "/two.gpkg"
        try convert(["-f", "GPKG", gpkg, src, "-nln", "daken", "-nlt", "GEOMETRY"])
        try convert(["-f", "GPKG", "-update", gpkg, src, "-nln", "kopie", "-nlt", "GEOMETRY"])

        // No --layer: both layers described, and how to read one.
        let all = try terreinCLI(["inspect", gpkg])
        XCTAssertEqual(all.status, 0, all.stderr)
        for line in ["driver: GPKG", "layers: 2", "layer \"daken\": 4 feature(s), Unknown (any)", "layer \"kopie\": 4 feature(s), Unknown (any)",
                     "  crs: EPSG:28992", "  extent: 100000.000000, 450000.000000, 100050.000000, 450050.000000",
                     "  fields: naam (String), hoogte (Real)",
                     "give --layer NAME (one of \"daken\", \"kopie\")"] {
            XCTAssertTrue(all.stdout.contains(line), "\(line) in:\n\(all.stdout)")
        }
        XCTAssertFalse(all.stdout.contains("a run would repair:"), all.stdout)

        // One layer, feature by feature: GeoPackage FIDs count from 1, indices from 0.
        let one = try terreinCLI(["inspect", gpkg, "--layer", "daken"])
        XCTAssertEqual(one.status, 0, one.stderr)
        for line in ["layer \"daken\", read feature by feature as a run reads it:", "features: 4",
                     "geometry types: Point 1, Polygon 2, null 1",
                     // The polygons' (a point's coordinates are not read); the extent above is OGR's, of all.
                     "bbox: 100000.000000, 450000.000000, 100030.000000, 450010.000000",
                     "  naam: string 4", "  hoogte: null 1, number 3",
                     "a run would repair: 1 feature(s) (first: #1 (FID 2) invalid polygon made valid (Self-intersection))",
                     "a run would skip: 1 feature(s) with a geometry (first: #2 (FID 3) Point in a polygon layer)"] {
            XCTAssertTrue(one.stdout.contains(line), "\(line) in:\n\(one.stdout)")
        }

        // A layer that is not there: the error lists the ones that are.
        let wrong = try terreinCLI(["inspect", gpkg, "--layer", "dak"])
        XCTAssertEqual(wrong.status, 3, wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("no layer \"dak\"") && wrong.stderr.contains("\"daken\", \"kopie\""), wrong.stderr)
        // --layer means nothing for GeoJSON and rasters.
        let geojson = try terreinCLI(["inspect", src, "--layer", "daken"])
        XCTAssertEqual(geojson.status, 3, geojson.stderr)
        XCTAssertTrue(geojson.stderr.contains("a GeoJSON file has one layer"), geojson.stderr)
        let raster = try terreinCLI(["inspect", repoRoot + "/SampleGIS/heat.tif", "--layer", "x"])
        XCTAssertEqual(raster.status, 64, raster.stderr)
    }

    /// A one-layer FlatGeobuf and a zipped Shapefile need no --layer; the same outcomes as the
    /// GeoJSON they come from (which Terrein's own reader reads). FlatGeobuf holds no feature
    /// without geometry (ogr2ogr drops it), and is written without its spatial index, which
    /// would reorder the features along a Hilbert curve.
    func testOneLayerFilesAreReadWithoutLayer() throws {
        let dir = ScratchDir()
        let src = dir.write("mixed.geojson", Self.mixed)
        let fgb = dir.path + "/mixed.fgb"
        try convert(["-f", "FlatGeobuf", fgb, src, "-nln", "mixed", "-nlt", "GEOMETRY", "-lco", "SPATIAL_INDEX=NO"])
        let r = try terreinCLI(["inspect", fgb])
        XCTAssertEqual(r.status, 0, r.stderr)
        for line in ["driver: FlatGeobuf", "layers: 1", "layer \"mixed\": 3 feature(s)", "features: 3",
                     "a run would repair: 1 feature(s) (first: #1 (FID 1) invalid polygon made valid (Self-intersection))",
                     "a run would skip: 1 feature(s) with a geometry (first: #2 (FID 2) Point in a polygon layer)"] {
            XCTAssertTrue(r.stdout.contains(line), "\(line) in:\n\(r.stdout)")
        }
        let g = try terreinCLI(["inspect", src])
        XCTAssertEqual(g.status, 0, g.stderr)
        XCTAssertTrue(g.stdout.contains("a run would repair: 1 feature(s) (first: #1 invalid polygon made valid (Self-intersection))"), g.stdout)
        XCTAssertTrue(g.stdout.contains("a run would skip: 1 feature(s) with a geometry (first: #2 Point in a polygon layer)"), g.stdout)

        // Polygons only (a Shapefile holds one geometry type), zipped as PDOK ships them.
        let shp = dir.path + "/vlakken.shp"
        try convert(["-f", "ESRI Shapefile", shp, src, "-where", "naam IN ('vierkant','strik')"])
        let zip = try runProcess("/usr/bin/env", ["python3", "-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1] + "/vlakken.zip", "w") as z:
                for ext in ("shp", "shx", "dbf", "prj"):
                    z.write(sys.argv[1] + "/vlakken." + ext, "vlakken." + ext)
            """, dir.path])
        XCTAssertEqual(zip.status, 0, zip.stderr)
        let z = try terreinCLI(["inspect", dir.path + "/vlakken.zip"])
        XCTAssertEqual(z.status, 0, z.stderr)
        for line in ["driver: ESRI Shapefile", "layer \"vlakken\": 2 feature(s), Polygon", "  crs: EPSG:28992",
                     "features: 2", "a run would repair: 1 feature(s) (first: #1 (FID 1) invalid polygon made valid (Self-intersection))"] {
            XCTAssertTrue(z.stdout.contains(line), "\(line) in:\n\(z.stdout)")
        }
    }
}
