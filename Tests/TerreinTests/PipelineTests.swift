import XCTest
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO

/// Pipeline file validation: every error names the key path and what would be valid.
final class PipelineValidationTests: XCTestCase {
    var scratch: ScratchDir!

    override func setUp() {
        scratch = ScratchDir()
        _ = scratch.write("t.geojson", rdCollection([polygonFeature("\"id\":\"A\",\"naam\":\"x\"", 0, 0, 100, 100)]))
        _ = scratch.write("r.geojsonl", polygonFeature("\"helling\":0", 10, 10, 20, 20) + "\n")
    }

    func load(_ yaml: String) throws -> Pipeline {
        try Pipeline.parse(text: yaml, file: scratch.path + "/p.yml")
    }

    let minimal = """
    name: t
    layers:
      terreinen: {path: t.geojson}
      roofs: {path: r.geojsonl, crs: EPSG:28992}
    """

    func expectConfigError(_ yaml: String, keyPath: String, contains words: [String],
                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(yaml), file: file, line: line) { error in
            guard let e = error as? ConfigError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.keyPath, keyPath, e.description, file: file, line: line)
            for w in words { XCTAssertTrue(e.description.contains(w), "\(w) not in: \(e.description)", file: file, line: line) }
        }
    }

    func testMinimalPipelineHasSpecDefaults() throws {
        let p = try load(minimal)
        XCTAssertEqual(p.workCRS, .rdNew)
        XCTAssertEqual(p.parameters, Parameters())
        XCTAssertEqual(p.parameters.nature.bandsM, [500])
        XCTAssertEqual(p.parameters.water.minDepthM, 0.10)
        XCTAssertEqual(p.formats, OutputFormat.allCases)
        XCTAssertTrue(p.outputDirectory.hasSuffix("/Output/t"))
        XCTAssertEqual(p.layers[.roofs]?.crs, .rdNew)
        XCTAssertTrue(p.layers[.terreinen]!.path.hasPrefix("/"), "paths resolve against the pipeline's folder")
    }

    func testUnknownKeySuggestsTheRightOne() {
        expectConfigError(minimal + "\nparameters:\n  solar:\n    min_face_m: 5\n",
                          keyPath: "parameters.solar.min_face_m", contains: ["unknown key", "did you mean `min_face_m2`"])
        expectConfigError(minimal + "\noutput: {directory: x}\n", keyPath: "output", contains: ["`outputs`"])
    }

    func testWrongTypesAndRanges() {
        expectConfigError(minimal + "\nparameters:\n  water:\n    c_sealed: high\n",
                          keyPath: "parameters.water.c_sealed", contains: ["expected a number", "high"])
        expectConfigError(minimal + "\nparameters:\n  solar:\n    usable_fraction_flat: 1.5\n",
                          keyPath: "parameters.solar.usable_fraction_flat", contains: ["out of range", "0.0...1.0"])
        expectConfigError(minimal + "\nparameters:\n  nature:\n    bands_m: [1000, 500]\n",
                          keyPath: "parameters.nature.bands_m[1]", contains: ["strictly increasing"])
        expectConfigError(minimal + "\nparameters:\n  nature:\n    bands_m: [250.5]\n",
                          keyPath: "parameters.nature.bands_m[0]", contains: ["whole number"])
        expectConfigError(minimal + "\noutputs: {formats: [csv, shp]}\n",
                          keyPath: "outputs.formats[1]", contains: ["unknown format", "gpkg"])
        expectConfigError("name: t\nlayers: [a, b]\n", keyPath: "layers", contains: ["expected a mapping", "terreinen"])
    }

    func testMissingLayersAndFiles() {
        expectConfigError("name: t\nlayers:\n  terreinen: {path: t.geojson}\n",
                          keyPath: "layers.roofs", contains: ["required"])
        expectConfigError("name: t\nlayers:\n  terreinen: {path: nope.geojson}\n  roofs: {path: r.geojsonl}\n",
                          keyPath: "layers.terreinen.path", contains: ["file not found", "relative to the pipeline file"])
        expectConfigError("name: t\nlayers:\n  terreinen: {path: .}\n  roofs: {path: r.geojsonl}\n",
                          keyPath: "layers.terreinen.path", contains: ["directory"])
        expectConfigError("layers: {}\n", keyPath: "name", contains: ["missing"])
    }

    func testGeographicWorkCRSIsRefused() {
        expectConfigError("work_crs: EPSG:4326\n" + minimal, keyPath: "work_crs", contains: ["geographic", "EPSG:28992"])
        expectConfigError("work_crs: EPSG:999999\n" + minimal, keyPath: "work_crs", contains: ["PROJ"])
    }

    func testInvalidYAMLNamesTheLine() {
        expectConfigError("name: t\nlayers:\n  terreinen: {path: t.geojson\n  roofs: x\n", keyPath: "", contains: ["invalid YAML", "line"])
    }

    func testLandCoverClassesAreRequiredAndUnambiguous() {
        _ = scratch.write("lc.geojson", rdCollection([]))
        expectConfigError(minimal + "\n  landcover: {path: lc.geojson}\n", keyPath: "layers.landcover.classes", contains: ["missing"])
        expectConfigError(minimal + "\n  landcover: {path: lc.geojson, classes: {sealed: [a], green: [a]}}\n",
                          keyPath: "layers.landcover.classes.green", contains: ["both sealed and green"])
    }

    func testYieldFactorTableOverride() throws {
        let p = try load(minimal + """

        parameters:
          solar:
            yield_factors:
              slopes_deg: [0, 90]
              deviations_deg: [0, 180]
              factors: [[0.8, 0.8], [0.6, 0.2]]
        """)
        XCTAssertEqual(p.parameters.solar.yieldFactors.factor(slope: 45, deviation: 90), 0.6, accuracy: 1e-12)
        XCTAssertEqual(p.parameters.solar.yieldFactors.flatFactor, 0.8)
        expectConfigError(minimal + "\nparameters:\n  solar:\n    yield_factors: {slopes_deg: [0, 90], deviations_deg: [0, 180], factors: [[1, 1]]}\n",
                          keyPath: "parameters.solar.yield_factors.factors", contains: ["2 rows"])
    }

    func testMappedFieldAbsentFromTheDataIsAnError() throws {
        let p = try load("""
        name: t
        layers:
          terreinen: {path: t.geojson, fields: {id: id, name: naam, region: gemeente}}
          roofs: {path: r.geojsonl, crs: EPSG:28992}
        """)
        XCTAssertThrowsError(try LoadedLayers.load(p, options: LoadOptions())) { e in
            let e = e as! InputError
            XCTAssertTrue(e.problem.contains("layers.terreinen.fields.region"), e.description)
            XCTAssertTrue(e.problem.contains("gemeente"), e.description)
            XCTAssertTrue(e.hint.contains("terrein inspect"), e.description)
        }
    }

    func testTheShippedSampleAndSchemaAgree() throws {
        // Every key the loader accepts is in the JSON Schema, and the sample loads.
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: repoRoot + "/schema/pipeline.schema.json"))) as! [String: Any]
        let props = schema["properties"] as! [String: Any]
        XCTAssertEqual(Set(props.keys), ["name", "work_crs", "layers", "parameters", "outputs"])
        let layers = (props["layers"] as! [String: Any])["properties"] as! [String: Any]
        XCTAssertEqual(Set(layers.keys), Set(LayerKind.allCases.map(\.rawValue) + RasterLayerKind.allCases.map(\.rawValue)))
        // A layer that is either form (inundation) says each in an if/then/else on its path.
        func properties(_ name: String, raster: Bool) -> [String: Any] {
            let node = layers[name] as! [String: Any]
            guard node["if"] != nil else { return node["properties"] as! [String: Any] }
            return (node[raster ? "then" : "else"] as! [String: Any])["properties"] as! [String: Any]
        }
        for kind in RasterLayerKind.allCases {
            XCTAssertEqual(Set(properties(kind.rawValue, raster: true).keys), ["path", "band", "crs"], kind.rawValue)
        }
        // Land cover is one source or `sources:`, a list of them: the source is defined once.
        let source = (schema["$defs"] as! [String: Any])["landcoverSource"] as! [String: Any]
        XCTAssertEqual((layers["landcover"] as! [String: Any])["oneOf"].map { ($0 as! [Any]).count }, 2)
        XCTAssertEqual(Set((source["properties"] as! [String: Any]).keys), ["path", "crs", "fields", "layer", "classes", "class"])
        for kind in LayerKind.allCases {
            let fields = ((kind == .landcover ? source["properties"] as! [String: Any] : properties(kind.rawValue, raster: false))["fields"] as! [String: Any])["properties"] as! [String: Any]
            XCTAssertEqual(Set(fields.keys), Set(kind.attributes), kind.rawValue)
        }
        let pattern = (((layers["inundation"] as! [String: Any])["if"] as! [String: Any])["properties"] as! [String: [String: Any]])["path"]!["pattern"] as! String
        for ext in RasterLayerKind.rasterExtensions {
            XCTAssertNotNil(("x." + ext.uppercased()).range(of: pattern, options: .regularExpression), "the schema's raster pattern takes .\(ext)")
        }
        XCTAssertNoThrow(try Pipeline.load(path: repoRoot + "/Pipelines/sample.yml"))
    }
}

/// Where a layer's CRS comes from, and what happens when it is wrong.
final class LayerCRSTests: XCTestCase {
    func loadTerreinen(_ file: String, _ text: String, crs: String? = nil) throws -> LoadedLayers {
        let scratch = ScratchDir()
        _ = scratch.write(file, text)
        _ = scratch.write("r.geojsonl", "")
        let crsLine = crs.map { ", crs: \($0)" } ?? ""
        let p = try Pipeline.parse(text: "name: t\nlayers:\n  terreinen: {path: \(file)\(crsLine)}\n  roofs: {path: r.geojsonl}\n",
                                   file: scratch.path + "/p.yml")
        return try LoadedLayers.load(p, options: LoadOptions())
    }

    func testLegacyCRSMemberDefaultWGS84AndPipelineOverride() throws {
        // RD New with the legacy crs member: taken as is.
        let rd = try loadTerreinen("a.geojson", rdCollection([polygonFeature("\"id\":\"A\"", 155_000, 463_000, 155_100, 463_100)]))
        XCTAssertEqual(try rd.terreinen[0].geometry.area(), 10_000, accuracy: 1e-6)
        XCTAssertEqual(rd.stats[.terreinen]?.crsSource, "crs member")
        // No crs member: RFC 7946 WGS84 lon/lat, reprojected (about 100 × 100 m near Amersfoort).
        let wgs = try loadTerreinen("b.geojson", "{\"type\":\"FeatureCollection\",\"features\":[\(polygonFeature("\"id\":\"A\"", 5.38721, 52.15517, 5.38867, 52.15607))]}")
        XCTAssertEqual(wgs.stats[.terreinen]?.sourceCRS, "OGC:CRS84")
        let b = wgs.terreinen[0].geometry.bounds!
        XCTAssertEqual(b.minX, 155_000, accuracy: 2)
        XCTAssertEqual(b.minY, 463_000, accuracy: 2)
        XCTAssertEqual(b.maxX - b.minX, 100, accuracy: 2)
        // A sequence in RD New needs the pipeline's crs:.
        let seq = try loadTerreinen("c.geojsonl", polygonFeature("\"id\":\"A\"", 155_000, 463_000, 155_100, 463_100) + "\n", crs: "EPSG:28992")
        XCTAssertEqual(seq.stats[.terreinen]?.crsSource, "pipeline")
        XCTAssertEqual(try seq.terreinen[0].geometry.area(), 10_000, accuracy: 1e-6)
    }

    func testRDCoordinatesInAWGS84FileAreNamed() {
        XCTAssertThrowsError(try loadTerreinen("d.geojsonl", polygonFeature("\"id\":\"A\"", 155_000, 463_000, 155_100, 463_100) + "\n")) { e in
            let e = e as! InputError
            XCTAssertEqual(e.featureIndex, 0)
            XCTAssertTrue(e.hint.contains("crs: EPSG:28992"), e.description)
        }
    }

    func testSwappedAxesAreDetectedFromTheLayerExtent() {
        // lat, lon instead of lon, lat: valid numbers, but far outside the Netherlands. Between
        // WGS84 and RD New the RDNAPTRANS2018 grid says so first (docs/rd-new.md).
        XCTAssertThrowsError(try loadTerreinen("e.geojson", "{\"type\":\"FeatureCollection\",\"features\":[\(polygonFeature("\"id\":\"A\"", 52.15517, 5.38721, 52.156, 5.388))]}")) { e in
            let e = e as! InputError
            XCTAssertEqual(e.featureIndex, 0)
            XCTAssertTrue(e.problem.contains("vertex outside the RDNAPTRANS2018 grid"), e.description)
            XCTAssertTrue(e.hint.contains("swapped"), e.description)
        }
    }

    func testCRSMemberAfterTheFeaturesIsHonoured() throws {
        let text = "{\"type\":\"FeatureCollection\",\"features\":[\(polygonFeature("\"id\":\"A\"", 155_000, 463_000, 155_100, 463_100))],\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:28992\"}}}"
        let layers = try loadTerreinen("f.geojson", text)
        XCTAssertEqual(layers.terreinen.count, 1)
        XCTAssertEqual(try layers.terreinen[0].geometry.area(), 10_000, accuracy: 1e-6)
    }
}
