import Foundation
import XCTest
import TerreinGDAL
@testable import TerreinCore
@testable import TerreinIO

/// Land cover from several sources (the BGT's layers) in several formats, constant-class
/// sources, per-source counts, and GML curves linearised by OGR with the stated step.
final class LandcoverSourcesTests: XCTestCase {
    // A 100 × 100 m terrein at (155000, 463000), RD New.
    let x0 = 155_000.0, y0 = 463_000.0

    func poly(_ props: String, _ a: Double, _ b: Double, _ c: Double, _ d: Double) -> String {
        polygonFeature(props, x0 + a, y0 + b, x0 + c, y0 + d)
    }

    /// terreinen and roofs files, and a pipeline whose land cover is `landcover` (YAML, indented 2).
    func pipeline(_ s: ScratchDir, landcover: String) -> String {
        _ = s.write("t.geojson", rdCollection([poly("\"id\":\"T1\"", 0, 0, 100, 100)]))
        _ = s.write("r.geojson", rdCollection([poly("\"helling\":0", 200, 0, 210, 10)]))
        return s.write("p.yml", """
            name: lc
            layers:
              terreinen: {path: t.geojson}
              roofs: {path: r.geojson}
              landcover:
            \(landcover)
            outputs: {directory: out, formats: [csv]}
            """)
    }

    /// Source 0: GeoJSON with a class field (sealed 40 × 50, green 60 × 50, one unmapped
    /// 10 × 10); source 1: a GeoPackage written through GDAL, all water: the northern half,
    /// and a strip that overlaps sealed and green land (which keep it).
    func twoSources(_ s: ScratchDir) throws -> String {
        _ = s.write("a.geojson", rdCollection([
            poly("\"k\":\"verhard\"", 0, 0, 40, 50),
            poly("\"k\":\"gras\"", 40, 0, 100, 50),
            poly("\"k\":\"onbekend\"", 0, 50, 10, 60),
        ]))
        let b = s.write("b.geojson", rdCollection([
            poly("\"bgt_type\":\"watervlakte\"", 0, 50, 100, 100),
            poly("\"bgt_type\":\"waterloop\"", 0, 45, 100, 50),
            poly("\"bgt_type\":\"waterloop\"", 300, 0, 310, 10),  // outside the terrein
        ]))
        try VectorTranslate.copy(from: b, to: s.path + "/b.gpkg", driver: "GPKG", layerName: "waterdeel")
        return pipeline(s, landcover: """
                sources:
                  - {path: a.geojson, fields: {class: k}, classes: {sealed: [verhard], green: [gras]}}
                  - {path: b.gpkg, layer: waterdeel, class: water}
            """)
    }

    func testTwoSourcesInTwoFormatsGiveExactAreas() throws {
        let s = ScratchDir()
        let p = try Pipeline.load(path: try twoSources(s))
        XCTAssertEqual(p.landcoverSources.count, 2)
        XCTAssertEqual(p.landcoverSources[1].constantClass, .water)
        for threads in [1, 2] {
            let layers = try LoadedLayers.load(p, options: LoadOptions(threads: threads))
            // Source order, then feature order.
            XCTAssertEqual(layers.landcover?.map(\.source), [0, 0, 0, 1, 1, 1])
            XCTAssertEqual(layers.landcover?.map(\.cls), [.sealed, .green, .other, .water, .water, .water])
            let r = try Runner.compute(try IndexedLayers(layers), parameters: p.parameters, threads: threads)[0].paved
            XCTAssertEqual(r.sealedM2, 2000, accuracy: 1e-6)
            XCTAssertEqual(r.greenM2!, 3000, accuracy: 1e-6)
            XCTAssertEqual(r.waterM2!, 5000, accuracy: 1e-6)  // the strip over sealed and green land is theirs
        }
    }

    func testCountsAreKeptPerSourceAndInTheManifest() throws {
        let s = ScratchDir()
        let path = try twoSources(s)
        let layers = try LoadedLayers.load(try Pipeline.load(path: path), options: LoadOptions())
        let per = try XCTUnwrap(layers.sourceStats[.landcover])
        XCTAssertEqual(per.map(\.features), [3, 3])
        XCTAssertEqual(per.map(\.sourceIndex), [0, 1])
        XCTAssertEqual(per[0].unmappedClasses, ["onbekend": 1])
        XCTAssertEqual(per[0].usedPerClass, ["sealed": 1, "green": 1, "other": 1])
        XCTAssertEqual(per[1].unmappedClasses, [:])
        XCTAssertEqual(per[1].usedPerClass, ["water": 3])
        XCTAssertTrue(per[1].encoding.hasPrefix("GPKG"), per[1].encoding)
        XCTAssertEqual(layers.stats[.landcover]?.used, 6)
        XCTAssertTrue(Runner.layerWarnings(layers).contains("landcover.sources[0]: unmapped class values counted as other: \"onbekend\" (1)"))

        let (status, _, err) = try runCLI(["run", path, "--quiet"])
        XCTAssertEqual(status, 0, err)
        let data = try Data(contentsOf: URL(fileURLWithPath: s.path + "/out/manifest.json"))
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let inputs = try XCTUnwrap(manifest["inputs"] as? [[String: Any]]).filter { $0["layer"] as? String == "landcover" }
        XCTAssertEqual(inputs.count, 2)
        XCTAssertEqual(inputs.map { $0["source"] as? Int }, [0, 1])
        XCTAssertEqual(inputs.map { $0["path"] as? String }, ["a.geojson", "b.gpkg"])
        XCTAssertEqual(inputs[1]["class"] as? String, "water")
        XCTAssertEqual(inputs[1]["ogr_layer"] as? String, "waterdeel")
        XCTAssertEqual(inputs[0]["unmapped_classes"] as? [String: Int], ["onbekend": 1])
        XCTAssertEqual(inputs[1]["used_per_class"] as? [String: Int], ["water": 3])
        XCTAssertEqual((inputs[1]["sha256"] as? String)?.count, 64)
        let csv = try String(contentsOfFile: s.path + "/out/indicators.csv", encoding: .utf8)
        XCTAssertTrue(csv.contains(",2000.00,3000.00,5000.00,"), csv)
    }

    func testSourcesThatOverlapEachOtherAreNotCountedTwice() throws {
        // Each source is a coverage on its own; together they overlap by 20 × 100 m.
        let s = ScratchDir()
        _ = s.write("a.geojson", rdCollection([poly("", 0, 0, 30, 100), poly("", 30, 0, 60, 100)]))
        _ = s.write("b.geojson", rdCollection([poly("", 40, 0, 70, 100), poly("", 70, 0, 100, 100)]))
        let p = try Pipeline.load(path: pipeline(s, landcover: """
                sources:
                  - {path: a.geojson, class: green}
                  - {path: b.geojson, class: green}
            """))
        let layers = try LoadedLayers.load(p, options: LoadOptions())
        let r = try Runner.compute(try IndexedLayers(layers), parameters: p.parameters, threads: 1)[0].paved
        XCTAssertEqual(r.greenM2!, 10_000, accuracy: 1e-6)
        XCTAssertEqual(r.waterM2!, 0)
        XCTAssertEqual(r.sealedM2, 0)
    }

    func testTheSingleSourceFormTakesAConstantClassToo() throws {
        let s = ScratchDir()
        _ = s.write("a.geojson", rdCollection([poly("", 0, 0, 25, 100)]))
        let p = try Pipeline.load(path: pipeline(s, landcover: "    {path: a.geojson, class: sealed}"))
        XCTAssertEqual(p.landcoverSources.count, 1)
        XCTAssertNil(p.landcoverSources[0].sourceIndex)
        let layers = try LoadedLayers.load(p, options: LoadOptions())
        XCTAssertEqual(try Runner.compute(try IndexedLayers(layers), parameters: p.parameters, threads: 1)[0].paved.sealedM2,
                       2500, accuracy: 1e-6)
    }

    func testBadSourceConfigurationsNameTheKey() throws {
        let s = ScratchDir()
        _ = s.write("a.geojson", rdCollection([poly("\"k\":\"x\"", 0, 0, 25, 100)]))
        let cases: [(String, String)] = [
            ("    sources:\n      - {path: a.geojson, class: sealed}\n      - {path: a.geojson, class: road}", "layers.landcover.sources[1].class"),
            ("    sources:\n      - {path: a.geojson, fields: {class: k}, classes: {green: [x]}, class: green}", "layers.landcover.sources[0].class"),
            ("    sources:\n      - {path: a.geojson}", "layers.landcover.sources[0].classes"),
            ("    sources:\n      - {path: a.geojson, fields: {class: k}, class: green}", "layers.landcover.sources[0].fields.class"),
            ("    sources:\n      - {path: nothere.gml, class: green}", "layers.landcover.sources[0].path"),
            ("    {sources: {path: a.geojson, class: green}}", "layers.landcover.sources"),
            ("    {path: a.geojson, class: greenery}", "layers.landcover.class"),
        ]
        for (yaml, key) in cases {
            XCTAssertThrowsError(try Pipeline.load(path: pipeline(s, landcover: yaml)), key) { error in
                XCTAssertEqual((error as? ConfigError)?.keyPath, key, "\(error)")
            }
        }
    }

    func testAFeatureErrorNamesTheSourceFileAndKey() throws {
        let s = ScratchDir()
        _ = s.write("a.geojson", rdCollection([poly("\"k\":\"x\"", 0, 0, 25, 100)]))
        _ = s.write("b.geojson", rdCollection([poly("\"k\":\"x\"", 0, 0, 25, 100)]))
        let p = try Pipeline.load(path: pipeline(s, landcover: """
                sources:
                  - {path: a.geojson, fields: {class: k}, classes: {green: [x]}}
                  - {path: b.geojson, fields: {class: typ}, classes: {green: [x]}}
            """))
        XCTAssertThrowsError(try LoadedLayers.load(p, options: LoadOptions())) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.file, s.path + "/b.geojson")
            XCTAssertTrue("\(error)".contains("layers.landcover.sources[1].fields.class"), "\(error)")
        }
    }

    // MARK: GML (BGT-like), read through GDAL

    /// A BGT-like waterdeel GML file whose features have the given geometry elements.
    func bgtGML(_ geometries: [String]) -> String {
        let members = geometries.enumerated().map { i, g in
            """
              <gml:featureMember>
                <imgeo:Waterdeel gml:id="W\(i)">
                  <imgeo:identificatie>W\(i)</imgeo:identificatie>
                  <imgeo:bgt-type>watervlakte</imgeo:bgt-type>
                  <imgeo:geometrie2dWaterdeel>\(g)</imgeo:geometrie2dWaterdeel>
                </imgeo:Waterdeel>
              </gml:featureMember>
            """
        }.joined(separator: "\n")
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <imgeo:FeatureCollectionCityGML xmlns:imgeo="http://www.geostandaarden.nl/imgeo/2.1" xmlns:gml="http://www.opengis.net/gml">
            \(members)
            </imgeo:FeatureCollectionCityGML>
            """
    }

    /// A half disc of radius 100 m on the terrein's southern edge at x = 50: its boundary an
    /// arc (gml:Arc through the top) and the diameter.
    var halfDisc: String {
        """
        <gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992"><gml:exterior><gml:Ring><gml:curveMember><gml:Curve><gml:segments>\
        <gml:Arc><gml:posList srsDimension="2">\(x0 + 150) \(y0) \(x0 + 50) \(y0 + 100) \(x0 - 50) \(y0)</gml:posList></gml:Arc>\
        <gml:LineStringSegment><gml:posList srsDimension="2">\(x0 - 50) \(y0) \(x0 + 150) \(y0)</gml:posList></gml:LineStringSegment>\
        </gml:segments></gml:Curve></gml:curveMember></gml:Ring></gml:exterior></gml:Polygon>
        """
    }

    func gmlPipeline(_ s: ScratchDir, _ geometries: [String]) -> String {
        _ = s.write("bgt_waterdeel.gml", bgtGML(geometries))
        let p = pipeline(s, landcover: "    sources:\n      - {path: bgt_waterdeel.gml, class: water}")
        // The terrein holds the whole half disc.
        _ = s.write("t.geojson", rdCollection([poly("\"id\":\"T1\"", -100, -10, 200, 150)]))
        return p
    }

    func testAGMLArcIsLinearisedWithTheStatedStep() throws {
        let s = ScratchDir()
        let p = try Pipeline.load(path: gmlPipeline(s, [halfDisc]))
        let layers = try LoadedLayers.load(p, options: LoadOptions())
        let stats = try XCTUnwrap(layers.sourceStats[.landcover]?.first)
        XCTAssertEqual(stats.used, 1)
        XCTAssertTrue(stats.encoding.hasPrefix("GML"), stats.encoding)
        let area = try XCTUnwrap(layers.landcover?.first?.geometry.area())
        // Chords of at most ArcLinearisation.stepDegrees (1°) each: n ≥ 180 of them over the
        // half circle, and the inscribed polygon's area (n/2)·R²·sin(π/n) grows with n, so
        // 90·R²·sin(1°) ≤ area < π·R²/2. OGR's default 4° would give 15,695.2 m², below it.
        let r = 100.0
        XCTAssertEqual(ArcLinearisation.stepDegrees, 1)
        XCTAssertGreaterThanOrEqual(area, 90 * r * r * sin(Double.pi / 180))
        XCTAssertLessThan(area, Double.pi * r * r / 2)
        let water = try Runner.compute(try IndexedLayers(layers), parameters: p.parameters, threads: 1)[0].paved.waterM2
        XCTAssertEqual(water!, area, accuracy: 1e-6)
        // Reading leaves the input folder as it was: no .gfs beside the GML.
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.path + "/bgt_waterdeel.gfs"))
    }

    func testAPointInAGMLPolygonLayerIsACountedSkip() throws {
        let s = ScratchDir()
        let point = "<gml:Point srsName=\"urn:ogc:def:crs:EPSG::28992\"><gml:pos>\(x0 + 5) \(y0 + 5)</gml:pos></gml:Point>"
        let layers = try LoadedLayers.load(try Pipeline.load(path: gmlPipeline(s, [halfDisc, point])), options: LoadOptions())
        let stats = try XCTUnwrap(layers.sourceStats[.landcover]?.first)
        XCTAssertEqual(stats.features, 2)
        XCTAssertEqual(stats.used, 1)
        XCTAssertEqual(stats.skipped, 1)
        XCTAssertEqual(stats.firstSkipped.first?.index, 1)
        XCTAssertEqual(stats.firstSkipped.first?.reason, "Point in a polygon layer")
    }

    func testAGMLGeometryOGRCannotReadIsAnErrorNamingFileLayerAndFeature() throws {
        let s = ScratchDir()
        // A ring whose posList has an odd number of values.
        let broken = """
            <gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992"><gml:exterior><gml:LinearRing>\
            <gml:posList srsDimension="2">\(x0) \(y0) \(x0 + 10) \(y0) \(x0 + 10)</gml:posList>\
            </gml:LinearRing></gml:exterior></gml:Polygon>
            """
        let p = try Pipeline.load(path: gmlPipeline(s, [halfDisc, broken, halfDisc]))
        XCTAssertThrowsError(try LoadedLayers.load(p, options: LoadOptions())) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.file, s.path + "/bgt_waterdeel.gml")
            XCTAssertEqual(e?.featureIndex, 1)
            let text = "\(error)"
            XCTAssertTrue(text.contains("layer \"Waterdeel\""), text)
            XCTAssertTrue(text.contains("layers.landcover.sources[0]"), text)
        }
    }

    func testAGMLSolidIsSkippedAsAnotherGeometryType() throws {
        // OGR reads a gml:Solid as a PolyhedralSurface: not a polygon, so skipped per the spec
        // ("other geometry types in a polygon layer are skipped") and counted.
        let s = ScratchDir()
        let solid = """
            <gml:Solid srsName="urn:ogc:def:crs:EPSG::28992"><gml:exterior><gml:CompositeSurface><gml:surfaceMember>\
            <gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">\(x0) \(y0) 0 \(x0 + 10) \(y0) 0 \(x0 + 10) \(y0 + 10) 0 \(x0) \(y0) 0</gml:posList>\
            </gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:CompositeSurface></gml:exterior></gml:Solid>
            """
        let layers = try LoadedLayers.load(try Pipeline.load(path: gmlPipeline(s, [halfDisc, solid])), options: LoadOptions())
        let stats = try XCTUnwrap(layers.sourceStats[.landcover]?.first)
        XCTAssertEqual(stats.used, 1)
        XCTAssertEqual(stats.skipped, 1)
        XCTAssertTrue(stats.firstSkipped.first?.reason.contains("Polyhedral") ?? false, "\(stats.firstSkipped)")
    }
}
