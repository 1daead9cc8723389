import XCTest
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO

/// Rules of the amended spec (issue 9, defect 10) that the pipeline file and the layer
/// loading enforce. Each test failed on the code before the rule was implemented.
final class SpecConfigRuleTests: XCTestCase {
    var scratch: ScratchDir!

    override func setUp() {
        scratch = ScratchDir()
        _ = scratch.write("t.geojson", rdCollection([polygonFeature("\"id\":\"A\"", 0, 0, 100, 100)]))
        _ = scratch.write("r.geojsonl", "")
    }

    let minimal = """
    name: t
    layers:
      terreinen: {path: t.geojson}
      roofs: {path: r.geojsonl, crs: EPSG:28992}
    """

    func load(_ yaml: String) throws -> Pipeline {
        try Pipeline.parse(text: yaml, file: scratch.path + "/p.yml")
    }

    func expectConfigError(_ yaml: String, keyPath: String, contains words: [String],
                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(yaml), file: file, line: line) { error in
            guard let e = error as? ConfigError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.keyPath, keyPath, e.description, file: file, line: line)
            for w in words { XCTAssertTrue(e.description.contains(w), "\(w) not in: \(e.description)", file: file, line: line) }
        }
    }

    // Rule a: deep_depth_m < min_depth_m is a configuration error.
    func testDeepDepthBelowMinDepthIsAConfigError() throws {
        expectConfigError(minimal + "\nparameters:\n  water: {min_depth_m: 0.5, deep_depth_m: 0.3}\n",
                          keyPath: "parameters.water.deep_depth_m", contains: ["deep_depth_m", "min_depth_m", "0.3", "0.5"])
        // Only the default of the other key: still judged against it.
        expectConfigError(minimal + "\nparameters:\n  water: {deep_depth_m: 0.05}\n",
                          keyPath: "parameters.water.deep_depth_m", contains: ["min_depth_m"])
        // Equal thresholds are allowed (D = F).
        let p = try load(minimal + "\nparameters:\n  water: {min_depth_m: 0.2, deep_depth_m: 0.2}\n")
        XCTAssertEqual(p.parameters.water.deepDepthM, 0.2)
    }

    // Rule b: a compound work CRS stands for its projected horizontal part.
    func testCompoundWorkCRSIsComputedInItsHorizontalPart() throws {
        let p = try load("work_crs: EPSG:7415\n" + minimal)
        XCTAssertEqual(p.workCRS, .rdNew)
        XCTAssertEqual(p.declaredWorkCRS, CRSIdentifier(authority: "EPSG", code: "7415"), "the manifest shows what was written")
        XCTAssertEqual(try load(minimal).declaredWorkCRS, .rdNew)
        // A compound CRS whose horizontal part is geographic (ETRS89 + NAP height) is refused.
        expectConfigError("work_crs: EPSG:9286\n" + minimal, keyPath: "work_crs", contains: ["geographic", "EPSG:28992"])
    }

    // Rule b: geographic, geocentric and non-metre work CRSs are refused, saying what to use.
    func testWorkCRSMustBeProjectedInMetres() {
        expectConfigError("work_crs: EPSG:4326\n" + minimal, keyPath: "work_crs", contains: ["geographic", "EPSG:28992"])
        expectConfigError("work_crs: EPSG:4937\n" + minimal, keyPath: "work_crs", contains: ["geographic", "EPSG:28992"])
        expectConfigError("work_crs: EPSG:4978\n" + minimal, keyPath: "work_crs", contains: ["geocentric", "EPSG:28992"])
        expectConfigError("work_crs: EPSG:2229\n" + minimal, keyPath: "work_crs", contains: ["foot", "metres", "EPSG:28992"])
        expectConfigError("work_crs: EPSG:5709\n" + minimal, keyPath: "work_crs", contains: ["vertical", "EPSG:28992"])
        // ETRS89-LAEA is projected in metres: fine.
        XCTAssertNoThrow(try load("work_crs: EPSG:3035\n" + minimal))
    }

    // Rule c: bands are plain decimal; YAML 1.1 reads 0500 as octal 320.
    func testBandsWithALeadingZeroOrAnotherBaseAreRefused() {
        expectConfigError(minimal + "\nparameters:\n  nature:\n    bands_m: [0500]\n",
                          keyPath: "parameters.nature.bands_m[0]", contains: ["0500", "plain decimal"])
        expectConfigError(minimal + "\nparameters:\n  nature:\n    bands_m: [250, 0o1000]\n",
                          keyPath: "parameters.nature.bands_m[1]", contains: ["0o1000", "plain decimal"])
        expectConfigError(minimal + "\nparameters:\n  nature:\n    bands_m: [0x1F4]\n",
                          keyPath: "parameters.nature.bands_m[0]", contains: ["0x1F4"])
    }
}

/// Rule b on CRSs no `AUTH:CODE` names: PROJ definitions judged by `resolveWorkCRS`.
final class WorkCRSKindTests: XCTestCase {
    func judge(_ definition: String) throws -> CRSIdentifier {
        let info = try lookUpCRS(definition: definition, identifier: CRSIdentifier(authority: "TEST", code: "1"))
        return try Pipeline.resolveWorkCRS(info, file: "p.yml", line: 1)
    }

    func expectRefused(_ definition: String, _ words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try judge(definition), file: file, line: line) { error in
            guard let e = error as? ConfigError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.keyPath, "work_crs", file: file, line: line)
            for w in words + ["EPSG:28992"] {
                XCTAssertTrue(e.description.contains(w), "\(w) not in: \(e.description)", file: file, line: line)
            }
        }
    }

    func testBoundToGeographicIsRefused() {
        expectRefused("+proj=longlat +ellps=GRS80 +towgs84=0,0,0 +no_defs +type=crs", ["bound to a geographic CRS"])
    }

    func testBoundProjectedIsJudgedByItsBase() throws {
        XCTAssertNoThrow(try judge("+proj=utm +zone=31 +ellps=GRS80 +towgs84=0,0,0 +units=m +no_defs +type=crs"))
        expectRefused("+proj=utm +zone=31 +ellps=GRS80 +towgs84=0,0,0 +units=us-ft +no_defs +type=crs", ["bound to", "not metres"])
    }

    func testTheKindsPROJReports() throws {
        XCTAssertEqual(try lookUpCRS(CRSIdentifier(authority: "EPSG", code: "7415")).kind, .compound)
        let compound = try lookUpCRS(CRSIdentifier(authority: "EPSG", code: "7415"))
        XCTAssertEqual(compound.horizontalPart.ownIdentifier, .rdNew)
        XCTAssertTrue(compound.horizontalPart.isInMetres)
        XCTAssertEqual(compound.components.map(\.kind), [.projected, .vertical])
        XCTAssertEqual(try lookUpCRS(CRSIdentifier(authority: "EPSG", code: "4978")).kind, .geocentric)
        let feet = try lookUpCRS(CRSIdentifier(authority: "EPSG", code: "2229"))
        XCTAssertEqual(feet.kind, .projected)
        XCTAssertFalse(feet.isInMetres)
        XCTAssertEqual(feet.axes.first?.unitName, "US survey foot")
        XCTAssertTrue(try lookUpCRS(.rdNew).isInMetres)
    }
}

/// Rule b end to end: a run with the compound EPSG:7415 writes the bytes of a run in EPSG:28992.
final class CompoundWorkCRSRunTests: XCTestCase {
    func testCompoundWorkCRSRunEqualsItsHorizontalPart() throws {
        let scratch = ScratchDir()
        let sample = try String(contentsOfFile: repoRoot + "/Pipelines/sample.yml", encoding: .utf8)
            .replacingOccurrences(of: "../SampleGIS/", with: repoRoot + "/SampleGIS/")
        XCTAssertTrue(sample.contains("work_crs: EPSG:28992"))
        let rd = scratch.write("rd.yml", sample)
        let compound = scratch.write("compound.yml", sample.replacingOccurrences(of: "work_crs: EPSG:28992", with: "work_crs: EPSG:7415"))
        for (file, out) in [(rd, "/rd"), (compound, "/compound")] {
            let (status, _, err) = try runCLI(["run", file, "--output", scratch.path + out, "--quiet"], environment: ["SOURCE_DATE_EPOCH": "0"])
            XCTAssertEqual(status, 0, err)
        }
        for f in ["indicators.csv", "regions.csv", "datapackage.json", "indicators.geojson", "indicators.gpkg", "report.html"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/rd/" + f))
            let b = try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/compound/" + f))
            XCTAssertTrue(a == b, "\(f) differs between EPSG:28992 and EPSG:7415")
        }
        let m = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path + "/compound/manifest.json"))) as! [String: Any]
        let pipeline = m["pipeline"] as! [String: Any]
        XCTAssertEqual(pipeline["work_crs"] as? String, "EPSG:7415")
        XCTAssertEqual(pipeline["work_crs_used"] as? String, "EPSG:28992")
    }
}
