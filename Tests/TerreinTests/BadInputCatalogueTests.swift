import Foundation
import XCTest
import TerreinGDAL
import TerreinGeometry

/// The catalogue of bad inputs: each case runs the real CLI on a tiny pipeline (two
/// terreinen and two roof faces in RD New with the legacy crs member) with one thing
/// wrong, and states its outcome:
///
/// - `.used`: the run succeeds, the bad feature is used; its layer's manifest counts are
///   checked, and where the bad feature changes nothing the indicators are byte-identical
///   to the clean run's (the good features never pay for the bad one);
/// - `.repaired` / `.skipped`: likewise, with the repair or skip counted and its reason
///   named in the manifest;
/// - `.fails`: a documented non-zero exit whose message names the file, the feature
///   (and line:column for JSON syntax errors), what was wrong and what to do (`→` hint).
///
/// Whatever the outcome, the process never crashes, traps or hangs, and `terrein inspect`
/// on the same bad file ends cleanly too. docs/indicators.md ("Preparing the geometry")
/// states the rules the expectations follow.
final class BadInputCatalogueTests: XCTestCase {

    // MARK: The clean scenario

    static let rdCRS = #""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}}"#

    /// Rings as GeoJSON text.
    static func ring(_ pts: [(Double, Double)]) -> String {
        "[" + pts.map { "[\(fmt($0.0)),\(fmt($0.1))]" }.joined(separator: ",") + "]"
    }
    static func fmt(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }
    static func rectPts(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [(Double, Double)] {
        [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    }
    static func feature(_ props: String, _ geometry: String) -> String {
        #"{"type":"Feature","properties":{\#(props)},"geometry":\#(geometry)}"#
    }
    static func polygon(_ rings: [String]) -> String {
        #"{"type":"Polygon","coordinates":[\#(rings.joined(separator: ","))]}"#
    }
    static func rectPolygon(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> String {
        polygon([ring(rectPts(x0, y0, x1, y1))])
    }
    /// A FeatureCollection, one feature per line (line 1 is the header, feature i on line i + 2).
    static func collection(_ features: [String], crs: Bool = true) -> String {
        "{\"type\":\"FeatureCollection\"," + (crs ? rdCRS + "," : "") + "\n\"features\":[\n"
            + features.joined(separator: ",\n") + "\n]}\n"
    }

    static let t1 = feature(#""id":"T1","name":"Een","region":"R1""#, rectPolygon(100000, 450000, 100100, 450100))
    static let t2 = feature(#""id":"T2","name":"Twee","region":"R1""#, rectPolygon(100200, 450000, 100300, 450100))
    static let r0 = feature(#""slope_deg":30,"azimuth_deg":180,"building_id":"B1""#, rectPolygon(100010, 450010, 100050, 450050))
    static let r1 = feature(#""slope_deg":0,"building_id":"B2""#, rectPolygon(100210, 450010, 100250, 450050))
    /// Where bad extra features go: inside the work CRS's area, outside both terreinen,
    /// so that using or skipping them leaves the indicators as they were.
    static let away = (x: 100_500.0, y: 450_500.0)

    static let cleanTerreinen = collection([t1, t2])
    static let cleanRoofs = collection([r0, r1])

    // MARK: Cases

    enum Outcome {
        /// The run succeeds; `layer` ends with these counts. `reason` must appear among the
        /// manifest's repair/skip reasons; `sameIndicators`: indicators.csv equals the clean run's.
        case ok(layer: String, used: Int, repaired: Int = 0, skipped: Int = 0, reason: String? = nil,
                sameIndicators: Bool = true)
        /// A non-zero exit with these words in stderr (each case lists the file, the feature,
        /// what was wrong and what to do).
        case fails(exit: Int32, words: [String])
    }

    struct Case {
        var name: String
        var terreinen: [UInt8] = Array(BadInputCatalogueTests.cleanTerreinen.utf8)
        var roofs: [UInt8] = Array(BadInputCatalogueTests.cleanRoofs.utf8)
        var roofsFile = "roofs.geojson"
        /// Extra lines for the roofs layer in the pipeline (e.g. "crs: EPSG:4326").
        var roofsLayerExtra = ""
        /// Replaces the whole pipeline file (then no layers are written unless it names them).
        var pipeline: [UInt8]?
        var args: [String] = []
        var expect: Outcome
        /// Also run `terrein inspect` on the roofs / terreinen file.
        var inspect = true
    }

    static func roofsCase(_ name: String, _ features: [String], crs: Bool = true, args: [String] = [], _ expect: Outcome) -> Case {
        Case(name: name, roofs: Array(collection(features, crs: crs).utf8), args: args, expect: expect)
    }
    static func terreinenCase(_ name: String, _ features: [String], args: [String] = [], _ expect: Outcome) -> Case {
        Case(name: name, terreinen: Array(collection(features).utf8), args: args, expect: expect)
    }

    /// A roof feature at `away` with this geometry text.
    static func awayRoof(_ geometry: String) -> String { feature(#""slope_deg":0"#, geometry) }
    static func awayRect(dx: Double = 0) -> [(Double, Double)] {
        rectPts(away.x + dx, away.y, away.x + dx + 20, away.y + 20)
    }

    /// Words every input error prints: the file name, the feature and the hint arrow.
    static func inputError(_ file: String, feature: Int?, lineColumn: Bool = false, _ words: [String]) -> Outcome {
        var w = [file] + words + ["→"]
        if let feature { w.append("feature \(feature):") }
        if lineColumn { w.append("\(file):LINE:COL") }
        return .fails(exit: 3, words: w)
    }

    // MARK: Running a case

    struct Result {
        var run: CLIRun
        var manifest: [String: Any]?
        var indicators: String?
        var outDir: String
    }

    func run(_ c: Case, in dir: ScratchDir) throws -> Result {
        let tPath = dir.path + "/terreinen.geojson", rPath = dir.path + "/" + c.roofsFile
        _ = FileManager.default.createFile(atPath: tPath, contents: Data(c.terreinen))
        _ = FileManager.default.createFile(atPath: rPath, contents: Data(c.roofs))
        let yml = dir.path + "/pipeline.yml"
        let text = c.pipeline ?? Array("""
            name: catalogue
            layers:
              terreinen:
                path: terreinen.geojson
              roofs:
                path: \(c.roofsFile)
            \(c.roofsLayerExtra.isEmpty ? "" : "    " + c.roofsLayerExtra)

            """.utf8)
        _ = FileManager.default.createFile(atPath: yml, contents: Data(text))
        let out = dir.path + "/out"
        let r = try terreinCLI(["run", yml, "--output", out, "--threads", "2"] + c.args, environment: Self.environment)
        var manifest: [String: Any]?
        if let d = FileManager.default.contents(atPath: out + "/manifest.json") {
            manifest = try JSONSerialization.jsonObject(with: d) as? [String: Any]
        }
        let ind = FileManager.default.contents(atPath: out + "/indicators.csv").map { String(decoding: $0, as: UTF8.self) }
        return Result(run: r, manifest: manifest, indicators: ind, outDir: out)
    }

    // XCTest runs the tests of a class one at a time, on one thread: the cache is never
    // touched concurrently.
    nonisolated(unsafe) static var cleanIndicators: String?
    /// The environment of every run (`testGeoJSONSeqInPartsGivesTheSameOutcomes` sets it).
    nonisolated(unsafe) static var environment: [String: String] = [:]

    /// The JSON, preparation and `--strict` catalogues again with every GeoJSONSeq file read
    /// in three parts by several threads (`ReadParts`, normally from 32 MB a part): the same
    /// outcomes, messages (file, feature, line and column) and counts.
    func testGeoJSONSeqInPartsGivesTheSameOutcomes() throws {
        Self.environment = ["TERREIN_READ_PARTS": "3"]
        defer { Self.environment = [:] }
        try testSyntaxAndStructure()
        try testGeometryPreparation()
        try testStrictTurnsRepairsAndSkipsIntoErrors()
    }

    /// indicators.csv of the clean scenario (computed once).
    func clean() throws -> String {
        if let s = Self.cleanIndicators { return s }
        let dir = ScratchDir()
        let r = try run(Case(name: "clean", expect: .ok(layer: "roofs", used: 2)), in: dir)
        XCTAssertEqual(r.run.status, 0, r.run.stderr)
        let s = try XCTUnwrap(r.indicators)
        Self.cleanIndicators = s
        return s
    }

    func check(_ cases: [Case], file: StaticString = #filePath, line: UInt = #line) throws {
        let cleanCSV = try clean()
        for c in cases {
            let dir = ScratchDir()
            let r = try run(c, in: dir)
            let ctx = "[\(c.name)]"
            assertCleanExit(r.run, ctx, file: file, line: line)
            switch c.expect {
            case let .ok(layer, used, repaired, skipped, reason, sameIndicators):
                XCTAssertEqual(r.run.status, 0, "\(ctx) expected success\n\(r.run.stderr)", file: file, line: line)
                guard let m = r.manifest, let inputs = m["inputs"] as? [[String: Any]],
                      let entry = inputs.first(where: { $0["layer"] as? String == layer }) else {
                    XCTFail("\(ctx) no manifest entry for \(layer)", file: file, line: line)
                    continue
                }
                XCTAssertEqual(entry["used"] as? Int, used, "\(ctx) used", file: file, line: line)
                XCTAssertEqual(entry["repaired"] as? Int, repaired, "\(ctx) repaired", file: file, line: line)
                XCTAssertEqual(entry["skipped"] as? Int, skipped, "\(ctx) skipped", file: file, line: line)
                if let reason {
                    let reasons = Array(((entry["repair_reasons"] as? [String: Int]) ?? [:]).keys)
                        + Array(((entry["skip_reasons"] as? [String: Int]) ?? [:]).keys)
                    XCTAssertTrue(reasons.contains { $0.contains(reason) }, "\(ctx) reason \"\(reason)\" not in \(reasons)", file: file, line: line)
                    XCTAssertTrue(r.run.stderr.contains(reason), "\(ctx) the warning names the reason\n\(r.run.stderr)", file: file, line: line)
                }
                if sameIndicators {
                    XCTAssertEqual(r.indicators, cleanCSV, "\(ctx) the good features' results changed", file: file, line: line)
                }
            case let .fails(exit, words):
                XCTAssertEqual(r.run.status, exit, "\(ctx) exit code\n\(r.run.stderr)", file: file, line: line)
                for w in words {
                    if w.hasSuffix(":LINE:COL") {
                        let fileName = String(w.dropLast(":LINE:COL".count))
                        let pattern = NSRegularExpression.escapedPattern(for: fileName) + ":[0-9]+:[0-9]+: "
                        XCTAssertNotNil(r.run.stderr.range(of: pattern, options: .regularExpression),
                                        "\(ctx) no \(fileName):line:column in\n\(r.run.stderr)", file: file, line: line)
                    } else {
                        XCTAssertTrue(r.run.stderr.contains(w), "\(ctx) stderr lacks \"\(w)\":\n\(r.run.stderr.prefix(3000))", file: file, line: line)
                    }
                }
                XCTAssertFalse(FileManager.default.fileExists(atPath: r.outDir), "\(ctx) a failed run wrote outputs", file: file, line: line)
            }
            if c.inspect && c.pipeline == nil {
                for f in ["terreinen.geojson", c.roofsFile] {
                    let i = try terreinCLI(["inspect", dir.path + "/" + f])
                    assertCleanExit(i, "\(ctx) inspect \(f)", file: file, line: line)
                }
            }
        }
    }

    // MARK: JSON syntax and structure

    func testSyntaxAndStructure() throws {
        let full = Self.collection([Self.r0, Self.r1])
        let truncated = String(full.utf8.prefix(full.utf8.count - 60))!
        let nanFeature = Self.feature("", Self.polygon(["[[100010,NaN],[100020,450010],[100020,450020],[100010,450010]]"]))
        try check([
            Case(name: "truncated JSON", roofs: Array(truncated.utf8),
                 expect: Self.inputError("roofs.geojson", feature: 1, lineColumn: true, ["unexpected end of file", "truncated"])),
            Case(name: "trailing garbage", roofs: Array((full + "]}\n").utf8),
                 expect: Self.inputError("roofs.geojson", feature: nil, lineColumn: true, ["trailing data"])),
            Case(name: "wrong top-level type: an array", roofs: Array("[\(Self.r0)]".utf8),
                 expect: Self.inputError("roofs.geojson", feature: nil, lineColumn: true, ["expected a GeoJSON object"])),
            Case(name: "wrong top-level type: Topology", roofs: Array(#"{"type":"Topology","objects":{}}"#.utf8),
                 expect: .fails(exit: 3, words: ["roofs.geojson:1:", "\"Topology\"", "expected \"FeatureCollection\" or \"Feature\""])),
            Case(name: "wrong top-level type: a bare geometry", roofs: Array(Self.rectPolygon(100010, 450010, 100050, 450050).utf8),
                 expect: Self.inputError("roofs.geojson", feature: nil, lineColumn: true, ["bare Polygon geometry", "wrap it in a Feature"])),
            Case(name: "empty file (0 bytes)", roofs: [],
                 expect: Self.inputError("roofs.geojson", feature: nil, ["the file is empty", "FeatureCollection"])),
            Case(name: "white space only", roofs: Array(" \n\t\n".utf8),
                 expect: Self.inputError("roofs.geojson", feature: nil, ["the file is empty"])),
            Case(name: "NaN coordinate", roofs: Array(Self.collection([Self.r0, nanFeature]).utf8),
                 expect: .fails(exit: 3, words: ["roofs.geojson:4:\(Self.column(of: "NaN", in: nanFeature)): feature 1:",
                                                 "NaN", "finite decimal numbers", "→"])),
            Self.roofsCase("Infinity coordinate", [Self.r0, Self.feature("", Self.polygon(["[[100010,Infinity],[1,2],[3,4],[100010,Infinity]]"]))],
                           Self.inputError("roofs.geojson", feature: 1, lineColumn: true, ["Infinity/NaN is not a JSON number"])),
            Self.roofsCase("-Infinity coordinate", [Self.r0, Self.feature("", Self.polygon(["[[-Infinity,450010],[1,2],[3,4],[-Infinity,450010]]"]))],
                           Self.inputError("roofs.geojson", feature: 1, lineColumn: true, ["Infinity/NaN is not a JSON number"])),
            Self.roofsCase("1e308 coordinate", [Self.r0, Self.feature("", Self.polygon(["[[1e308,450010],[100020,450010],[100020,450020],[1e308,450010]]"]))],
                           Self.inputError("roofs.geojson", feature: 1, ["absurd coordinate", "must be finite and in the layer's CRS"])),
            Self.roofsCase("1e400 coordinate (overflows to infinity)", [Self.r0, Self.feature("", Self.polygon(["[[100010,1e400],[100020,450010],[100020,450020],[100010,1e400]]"]))],
                           Self.inputError("roofs.geojson", feature: 1, ["absurd coordinate"])),
            Case(name: "non-UTF-8 bytes (Latin-1)", roofs: Self.latin1Roofs(),
                 expect: Self.inputError("roofs.geojson", feature: 1, lineColumn: true, ["not valid UTF-8", "iconv"])),
            Case(name: "UTF-8 byte order mark", roofs: [0xEF, 0xBB, 0xBF] + Array(full.utf8),
                 expect: .ok(layer: "roofs", used: 2)),
            Case(name: "byte order mark in the middle", roofs: Array(full.utf8.prefix(1)) + [0xEF, 0xBB, 0xBF] + Array(full.utf8.dropFirst()),
                 expect: Self.inputError("roofs.geojson", feature: nil, lineColumn: true, ["byte order mark"])),
            Self.roofsCase("control character inside a string", [Self.r0, Self.feature("\"building_id\":\"B\u{01}\"", Self.rectPolygon(100510, 450510, 100520, 450520))],
                           Self.inputError("roofs.geojson", feature: 1, lineColumn: true, ["control character", "escaped"])),
            Case(name: "NUL byte", roofs: Array(full.utf8.prefix(200)) + [0] + Array(full.utf8.dropFirst(200)),
                 expect: .fails(exit: 3, words: ["roofs.geojson:", "→"])),
            Self.roofsCase("unpaired UTF-16 surrogate escape", [Self.r0, Self.feature(#""building_id":"\ud800x""#, Self.rectPolygon(100510, 450510, 100520, 450520))],
                           .fails(exit: 3, words: ["roofs.geojson:", "feature 1:", "surrogate"])),
            Self.roofsCase("a position with one number", [Self.r0, Self.feature("", Self.polygon(["[[100010],[1,2],[3,4],[100010]]"]))],
                           Self.inputError("roofs.geojson", feature: 1, lineColumn: false, ["at least two numbers"])),
            Self.roofsCase("coordinates written as strings", [Self.r0, Self.feature("", Self.polygon(["[[\"100010\",\"450010\"],[1,2],[3,4],[1,2]]"]))],
                           Self.inputError("roofs.geojson", feature: 1, lineColumn: true, ["a number in a position"])),
            Self.roofsCase("unknown geometry type", [Self.r0, Self.feature("", #"{"type":"Circle","coordinates":[100010,450010],"radius":5}"#)],
                           Self.inputError("roofs.geojson", feature: 1, lineColumn: true, ["unknown geometry type \"Circle\"", "Polygon"])),
            Self.roofsCase("properties is a string", [Self.r0, #"{"type":"Feature","properties":"slope 30","geometry":null}"#],
                           .fails(exit: 3, words: ["roofs.geojson:", "feature 1:", "\"properties\" must be an object or null"])),
            Self.roofsCase("feature without \"type\"", [Self.r0, #"{"properties":{},"geometry":null}"#],
                           Self.inputError("roofs.geojson", feature: 1, lineColumn: true, ["no \"type\": \"Feature\""])),
            Self.roofsCase("a bare geometry among the features", [Self.r0, Self.rectPolygon(100510, 450510, 100520, 450520)],
                           Self.inputError("roofs.geojson", feature: 1, lineColumn: true, ["expected a Feature, found a bare Polygon"])),
            Case(name: "GeoJSONSeq: two records on one line", roofs: Array((Self.r0 + " " + Self.r1 + "\n").utf8), roofsFile: "roofs.geojsonl",
                 roofsLayerExtra: "crs: EPSG:28992",
                 expect: .fails(exit: 3, words: ["roofs.geojsonl:1:", "line break after a sequence record"])),
            Case(name: "GeoJSONSeq (clean, for contrast)", roofs: Array((Self.r0 + "\n" + Self.r1 + "\n").utf8), roofsFile: "roofs.geojsonl",
                 roofsLayerExtra: "crs: EPSG:28992", expect: .ok(layer: "roofs", used: 2)),
            Case(name: "GeoJSONSeq with RFC 8142 record separators and a BOM", roofs: [0xEF, 0xBB, 0xBF] + Array(("\u{1E}" + Self.r0 + "\n\u{1E}" + Self.r1 + "\n").utf8),
                 roofsFile: "roofs.geojsonseq", roofsLayerExtra: "crs: EPSG:28992", expect: .ok(layer: "roofs", used: 2)),
            Self.roofsCase("GeometryCollections nested 40 deep", [Self.r0, Self.feature("", String(repeating: #"{"type":"GeometryCollection","geometries":["#, count: 40) + String(repeating: "]}", count: 40))],
                           Self.inputError("roofs.geojson", feature: 1, lineColumn: true, ["nested deeper than 32"])),
            Case(name: "crs member naming an unknown EPSG code", roofs: Array(Self.collection([Self.r0, Self.r1], crs: false)
                    .replacingOccurrences(of: "{\"type\":\"FeatureCollection\",",
                                          with: #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:999999"}},"#).utf8),
                 expect: Self.inputError("roofs.geojson", feature: nil, ["EPSG:999999", "crs:"])),
            Case(name: "crs member of an unsupported kind", roofs: Array(Self.collection([Self.r0, Self.r1], crs: false)
                    .replacingOccurrences(of: "{\"type\":\"FeatureCollection\",",
                                          with: #"{"type":"FeatureCollection","crs":{"type":"link","properties":{"href":"x"}},"#).utf8),
                 expect: Self.inputError("roofs.geojson", feature: nil, lineColumn: true, ["unsupported \"crs\" member", "set crs:"])),
            Case(name: "crs member after the features", roofs: Array("""
                {"type":"FeatureCollection","features":[\(Self.r0),\(Self.r1)],\(Self.rdCRS)}
                """.utf8), expect: .ok(layer: "roofs", used: 2)),
            Case(name: "coordinates before type, members in any order", roofs: Array(Self.collection([
                    #"{"geometry":{"coordinates":[[[100010,450010],[100050,450010],[100050,450050],[100010,450050],[100010,450010]]],"type":"Polygon"},"properties":{"slope_deg":30,"azimuth_deg":180,"building_id":"B1"},"type":"Feature"}"#,
                    Self.r1]).utf8), expect: .ok(layer: "roofs", used: 2)),
            Case(name: "a \"features\" array, then \"type\": \"Feature\"", roofs: Array(#"{"features":[\#(Self.r0)],"type":"Feature","properties":{},"geometry":null}"#.utf8),
                 roofsLayerExtra: "crs: EPSG:28992",
                 expect: Self.inputError("roofs.geojson", feature: nil, lineColumn: true, ["a Feature cannot have a \"features\" member"])),
            Case(name: "a lone Feature instead of a FeatureCollection", roofs: Array(Self.r0.utf8), roofsLayerExtra: "crs: EPSG:28992",
                 expect: .ok(layer: "roofs", used: 1, sameIndicators: false)),
            Case(name: "the pipeline's crs overrides the file's wrong crs member", roofs: Array(Self.collection([Self.r0, Self.r1], crs: false)
                    .replacingOccurrences(of: "{\"type\":\"FeatureCollection\",",
                                          with: #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"#).utf8),
                 roofsLayerExtra: "crs: EPSG:28992", expect: .ok(layer: "roofs", used: 2)),
        ])
    }

    /// 1-based column of `needle` in `line`.
    static func column(of needle: String, in line: String) -> Int {
        line.utf8.count - line.components(separatedBy: needle).dropFirst().joined(separator: needle).utf8.count - needle.utf8.count + 1
    }

    /// A roofs file whose second feature has a Latin-1 'ë' (0xEB) in a property.
    static func latin1Roofs() -> [UInt8] {
        let text = collection([r0, feature("\"building_id\":\"Cafe_PLACEHOLDER\"", rectPolygon(100510, 450510, 100520, 450520))])
        let parts = text.components(separatedBy: "_PLACEHOLDER")
        return Array(parts[0].utf8) + [0xEB] + Array(parts[1].utf8)
    }

    // MARK: Geometry preparation

    func testGeometryPreparation() throws {
        let awayRing = Self.ring(Self.awayRect())
        let (ax, ay) = Self.away
        let bowTie = Self.polygon([Self.ring([(ax, ay), (ax + 20, ay + 20), (ax + 20, ay), (ax, ay + 20), (ax, ay)])])
        let holeOutside = Self.polygon([awayRing, Self.ring(Self.rectPts(ax + 100, ay, ax + 110, ay + 10))])
        let collinear = Self.polygon([Self.ring([(ax, ay), (ax + 10, ay), (ax + 20, ay), (ax, ay)])])
        try check([
            Self.roofsCase("feature without a geometry member", [Self.r0, Self.r1, #"{"type":"Feature","properties":{"slope_deg":0}}"#],
                           .ok(layer: "roofs", used: 2, skipped: 1, reason: "no geometry member")),
            Self.roofsCase("null geometry", [Self.r0, Self.r1, Self.feature("", "null")],
                           .ok(layer: "roofs", used: 2, skipped: 1, reason: "null geometry")),
            Self.roofsCase("a Point in a polygon layer", [Self.r0, Self.r1, Self.awayRoof(#"{"type":"Point","coordinates":[100500,450500]}"#)],
                           .ok(layer: "roofs", used: 2, skipped: 1, reason: "Point in a polygon layer")),
            Self.roofsCase("a LineString in a polygon layer", [Self.r0, Self.r1, Self.awayRoof(#"{"type":"LineString","coordinates":[[100500,450500],[100510,450510]]}"#)],
                           .ok(layer: "roofs", used: 2, skipped: 1, reason: "LineString in a polygon layer")),
            Self.roofsCase("unclosed ring (closed: repair)", [Self.feature(#""slope_deg":30,"azimuth_deg":180,"building_id":"B1""#,
                                                                          Self.polygon([Self.ring(Array(Self.rectPts(100010, 450010, 100050, 450050).dropLast()))])), Self.r1],
                           .ok(layer: "roofs", used: 2, repaired: 1, reason: "unclosed ring closed")),
            Self.roofsCase("shell of fewer than 4 positions", [Self.r0, Self.r1, Self.awayRoof(Self.polygon([Self.ring([(ax, ay), (ax + 10, ay), (ax, ay)])]))],
                           .ok(layer: "roofs", used: 2, skipped: 1, reason: "no ring with at least 4 positions")),
            Self.roofsCase("ring of 2 positions, unclosed", [Self.r0, Self.r1, Self.awayRoof(Self.polygon([Self.ring([(ax, ay), (ax + 10, ay)])]))],
                           .ok(layer: "roofs", used: 2, skipped: 1, reason: "no ring with at least 4 positions")),
            Self.roofsCase("hole of fewer than 4 positions", [Self.r0, Self.r1, Self.awayRoof(Self.polygon([awayRing, Self.ring([(ax + 1, ay + 1), (ax + 2, ay + 1), (ax + 1, ay + 1)])]))],
                           .ok(layer: "roofs", used: 3, repaired: 1, reason: "hole with fewer than 4 positions dropped")),
            Self.roofsCase("Polygon with no rings", [Self.r0, Self.r1, Self.awayRoof(#"{"type":"Polygon","coordinates":[]}"#)],
                           .ok(layer: "roofs", used: 2, skipped: 1, reason: "no ring with at least 4 positions")),
            Self.roofsCase("MultiPolygon of an empty polygon", [Self.r0, Self.r1, Self.awayRoof(#"{"type":"MultiPolygon","coordinates":[[]]}"#)],
                           .ok(layer: "roofs", used: 2, skipped: 1, reason: "no ring with at least 4 positions")),
            Self.roofsCase("MultiPolygon with no polygons", [Self.r0, Self.r1, Self.awayRoof(#"{"type":"MultiPolygon","coordinates":[]}"#)],
                           .ok(layer: "roofs", used: 2, skipped: 1, reason: "MultiPolygon")),
            Self.roofsCase("MultiPolygon: one good polygon, one empty", [Self.r0, Self.r1, Self.awayRoof(#"{"type":"MultiPolygon","coordinates":[[],[\#(awayRing)]]}"#)],
                           .ok(layer: "roofs", used: 3, repaired: 1, reason: "polygon with a degenerate shell dropped")),
            Self.roofsCase("bow-tie roof", [Self.r0, Self.r1, Self.awayRoof(bowTie)],
                           .ok(layer: "roofs", used: 3, repaired: 1, reason: "invalid polygon made valid (Self-intersection)")),
            Self.terreinenCase("bow-tie terrein", [Self.t1, Self.t2, Self.feature(#""id":"T3""#, bowTie)],
                               .ok(layer: "terreinen", used: 3, repaired: 1, reason: "invalid polygon made valid", sameIndicators: false)),
            Self.roofsCase("hole outside its shell", [Self.r0, Self.r1, Self.awayRoof(holeOutside)],
                           .ok(layer: "roofs", used: 3, repaired: 1, reason: "invalid polygon made valid")),
            Self.roofsCase("zero-area (collinear) roof", [Self.r0, Self.r1, Self.awayRoof(collinear)],
                           .ok(layer: "roofs", used: 2, skipped: 1, reason: "no area after repair")),
            Self.terreinenCase("zero-area (collinear) terrein", [Self.t1, Self.t2, Self.feature(#""id":"T-flat""#, collinear)],
                               Self.inputError("terreinen.geojson", feature: 2, ["T-flat", "leaves no area", "fix the terrein's outline"])),
            Self.roofsCase("GeometryCollection: a polygon and a point", [Self.r0, Self.r1, Self.awayRoof(#"{"type":"GeometryCollection","geometries":[\#(Self.polygon([awayRing])),{"type":"Point","coordinates":[1,2]}]}"#)],
                           .ok(layer: "roofs", used: 3, repaired: 1, reason: "non-polygonal members of a GeometryCollection dropped")),
            Self.roofsCase("GeometryCollection without polygons", [Self.r0, Self.r1, Self.awayRoof(#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]}"#)],
                           .ok(layer: "roofs", used: 2, skipped: 1, reason: "GeometryCollection without polygons")),
            Self.roofsCase("3D positions (z ignored)", [Self.r0, Self.r1].map { Self.threeD($0) },
                           .ok(layer: "roofs", used: 2)),
            Self.roofsCase("4D positions (z and m ignored)", [Self.r0, Self.r1].map { Self.threeD($0, extra: ",7.5,1234") },
                           .ok(layer: "roofs", used: 2)),
            Self.roofsCase("3D position with a non-number z", [Self.r0, Self.threeD(Self.r1, extra: ",\"high\"")],
                           Self.inputError("roofs.geojson", feature: 1, lineColumn: true, ["a number (z or m) in a position"])),
            Self.roofsCase("lon/lat swapped (WGS84 file)", [Self.awayRoof(Self.polygon([Self.ring([(52.05, 4.40), (52.05, 4.41), (52.06, 4.41), (52.06, 4.40), (52.05, 4.40)])]))], crs: false,
                           // Between WGS84 and RD New the RDNAPTRANS2018 grid catches it first (docs/rd-new.md).
                           Self.inputError("roofs.geojson", feature: 0, ["vertex outside the RDNAPTRANS2018 grid", "swapped", "crs:"])),
            Self.roofsCase("RD New coordinates in a file that defaults to WGS84", [Self.r0, Self.r1], crs: false,
                           Self.inputError("roofs.geojson", feature: 0, ["not a longitude/latitude", "default (RFC 7946)", "RD New metres", "crs: EPSG:28992"])),
            Case(name: "RD New coordinates in a file that declares WGS84",
                 roofs: Array(Self.collection([Self.r0, Self.r1], crs: false).replacingOccurrences(
                    of: "{\"type\":\"FeatureCollection\",", with: #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"#).utf8),
                 expect: Self.inputError("roofs.geojson", feature: 0, ["not a longitude/latitude", "crs member", "RD New metres"])),
            Case(name: "RD New coordinates, pipeline says EPSG:4326", roofsLayerExtra: "crs: EPSG:4326",
                 expect: Self.inputError("roofs.geojson", feature: 0, ["not a longitude/latitude", "pipeline", "RD New metres"])),
            Self.terreinenCase("every terrein skipped", [Self.feature(#""id":"T1""#, "null")],
                               Self.inputError("terreinen.geojson", feature: nil, ["no usable terrein", "terrein inspect"])),
        ])
    }

    /// Adds `extra` (",z" or ",z,m") to every position of a feature written by `rectPolygon`.
    static func threeD(_ feature: String, extra: String = ",7.5") -> String {
        // Positions are "[x,y]" with x and y integers: insert before each closing bracket of a pair.
        var out = ""
        var depth = 0
        for ch in feature {
            if ch == "[" { depth += 1 }
            if ch == "]" {
                if depth == 3 { out += extra }  // Polygon: coordinates [ ring [ position [
                depth -= 1
            }
            out.append(ch)
        }
        return out
    }

    // MARK: --strict

    func testStrictTurnsRepairsAndSkipsIntoErrors() throws {
        let (ax, ay) = Self.away
        let bowTie = Self.polygon([Self.ring([(ax, ay), (ax + 20, ay + 20), (ax + 20, ay), (ax, ay + 20), (ax, ay)])])
        try check([
            Self.roofsCase("--strict: unclosed ring", [Self.r0, Self.feature("", Self.polygon([Self.ring(Array(Self.awayRect().dropLast()))])), Self.r1],
                           args: ["--strict"],
                           Self.inputError("roofs.geojson", feature: 1, ["needs repair: unclosed ring closed", "--strict", "without --strict"])),
            Self.roofsCase("--strict: null geometry", [Self.r0, Self.r1, Self.feature("", "null")], args: ["--strict"],
                           Self.inputError("roofs.geojson", feature: 2, ["skipped: null geometry", "--strict"])),
            Self.roofsCase("--strict: bow-tie", [Self.awayRoof(bowTie), Self.r0, Self.r1], args: ["--strict"],
                           Self.inputError("roofs.geojson", feature: 0, ["needs repair", "Self-intersection", "--strict"])),
            Self.terreinenCase("--strict: a Point terrein", [Self.t1, Self.feature(#""id":"P""#, #"{"type":"Point","coordinates":[100000,450000]}"#), Self.t2],
                               args: ["--strict"], Self.inputError("terreinen.geojson", feature: 1, ["skipped: Point in a polygon layer", "--strict"])),
            Self.roofsCase("--strict on clean input", [Self.r0, Self.r1], args: ["--strict"], .ok(layer: "roofs", used: 2)),
        ])
        // validate --strict says the same as run --strict.
        let dir = ScratchDir()
        _ = dir.write("terreinen.geojson", Self.cleanTerreinen)
        _ = dir.write("roofs.geojson", Self.collection([Self.r0, Self.r1, Self.feature("", "null")]))
        let yml = dir.write("p.yml", "name: v\nlayers:\n  terreinen: {path: terreinen.geojson}\n  roofs: {path: roofs.geojson}\n")
        let lax = try terreinCLI(["validate", yml])
        assertCleanExit(lax, "validate")
        XCTAssertEqual(lax.status, 0, lax.stderr)
        XCTAssertTrue(lax.stdout.contains("roofs: 3 features, 2 used, 0 repaired, 1 skipped"), lax.stdout)
        let strict = try terreinCLI(["validate", yml, "--strict"])
        assertCleanExit(strict, "validate --strict")
        XCTAssertEqual(strict.status, 3, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("feature 2: skipped: null geometry"), strict.stderr)
    }

    // MARK: Terrein ids and attributes

    func testIdsAndAttributes() throws {
        let g3 = Self.rectPolygon(100400, 450000, 100450, 450050)
        try check([
            Self.roofsCase("empty roofs FeatureCollection", [], .ok(layer: "roofs", used: 0, sameIndicators: false)),
            Self.terreinenCase("empty terreinen FeatureCollection", [],
                               Self.inputError("terreinen.geojson", feature: nil, ["no usable terrein"])),
            Self.terreinenCase("duplicate terrein ids", [Self.t1, Self.t2, Self.feature(#""id":"T1""#, g3)],
                               Self.inputError("terreinen.geojson", feature: 2, ["duplicate terrein id \"T1\"", "also feature 0", "unique"])),
            Self.terreinenCase("duplicate ids, integer and string", [Self.feature(#""id":"7""#, g3), Self.t1, Self.feature(#""id":7"#, Self.rectPolygon(100000, 450200, 100050, 450250))],
                               Self.inputError("terreinen.geojson", feature: 2, ["duplicate terrein id \"7\""])),
            Self.terreinenCase("missing id", [Self.t1, Self.feature(#""name":"Zonder""#, g3)],
                               Self.inputError("terreinen.geojson", feature: 1, ["terrein without an id", "fields.id"])),
            Self.terreinenCase("null id", [Self.t1, Self.feature(#""id":null"#, g3)],
                               Self.inputError("terreinen.geojson", feature: 1, ["terrein without an id"])),
            Self.terreinenCase("an id that is an object", [Self.t1, Self.feature(#""id":{"nr":3}"#, g3)],
                               Self.inputError("terreinen.geojson", feature: 1, ["must be a string or an integer, found object", "{\"nr\":3}"])),
            Self.terreinenCase("an id with a fraction", [Self.t1, Self.feature(#""id":3.5"#, g3)],
                               Self.inputError("terreinen.geojson", feature: 1, ["found number"])),
            Self.terreinenCase("a boolean id", [Self.t1, Self.feature(#""id":true"#, g3)],
                               Self.inputError("terreinen.geojson", feature: 1, ["found boolean"])),
            Self.terreinenCase("an integer id beyond 64 bits", [Self.t1, Self.feature(#""id":123456789012345678901234567890"#, g3)],
                               Self.inputError("terreinen.geojson", feature: 1, ["found number"])),
            Self.terreinenCase("an integer id (used, written in decimal)", [Self.t1, Self.t2, Self.feature(#""id":-42"#, g3)],
                               .ok(layer: "terreinen", used: 3, sameIndicators: false)),
            Self.roofsCase("slope written as text", [Self.feature(#""slope_deg":"30","azimuth_deg":180"#, Self.rectPolygon(100010, 450010, 100050, 450050)), Self.r1],
                           .ok(layer: "roofs", used: 2, sameIndicators: false)),
        ])
    }

    // MARK: Sizes

    func testHugeValues() throws {
        // A 10 MB property string on a roof, properties nested 10,000 deep, a 1,000,000-vertex roof.
        let big = String(repeating: "abcdefghij", count: 1_000_000)
        let deep = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        let deepArray = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let wide = (0..<500_000).map { "\"p\($0)\":\($0)" }.joined(separator: ",")
        try check([
            Self.roofsCase("a 10 MB property string", [Self.r0, Self.feature(#""slope_deg":0,"building_id":"B2","note":"\#(big)""#,
                                                                             Self.rectPolygon(100210, 450010, 100250, 450050))],
                           .ok(layer: "roofs", used: 2)),
            Self.roofsCase("properties nested 10,000 deep", [Self.r0, Self.feature(#""slope_deg":0,"deep":\#(deep)"#, Self.rectPolygon(100210, 450010, 100250, 450050))],
                           Self.inputError("roofs.geojson", feature: 1, lineColumn: true, ["nested deeper than 256 levels", "flatten or drop this property"])),
            Self.roofsCase("arrays nested 10,000 deep in an unknown member (skipped)", [Self.r0, #"{"type":"Feature","extra":\#(deepArray),"properties":{"slope_deg":0,"building_id":"B2"},"geometry":\#(Self.rectPolygon(100210, 450010, 100250, 450050))}"#],
                           .ok(layer: "roofs", used: 2)),
            Self.roofsCase("a roof with 500,000 properties", [Self.r0, Self.feature(#""slope_deg":0,"building_id":"B2",\#(wide)"#,
                                                                                  Self.rectPolygon(100210, 450010, 100250, 450050))],
                           .ok(layer: "roofs", used: 2)),
            Self.roofsCase("a 1,000,000-vertex roof polygon", [Self.r0, Self.r1, Self.awayRoof(Self.circle(vertices: 1_000_000))],
                           .ok(layer: "roofs", used: 3)),
        ])
    }

    /// A circle of radius 8 m at `away`, as a Polygon with `vertices` positions.
    static func circle(vertices n: Int) -> String {
        var s = #"{"type":"Polygon","coordinates":[["#
        s.reserveCapacity(n * 40)
        let (cx, cy) = (away.x + 10, away.y + 10)
        for i in 0..<n {
            let a = Double(i) / Double(n) * 2 * Double.pi
            s += "[\(cx + 8 * cos(a)),\(cy + 8 * sin(a))],"
        }
        s += "[\(cx + 8),\(cy)]]]}"
        return s
    }

    // MARK: Pipeline files

    func testPipelineFiles() throws {
        func pipelineCase(_ name: String, _ yaml: String, _ expect: Outcome) -> Case {
            Case(name: name, pipeline: Array(yaml.utf8), expect: expect)
        }
        let good = "name: p\nlayers:\n  terreinen: {path: terreinen.geojson}\n  roofs: {path: roofs.geojson}\n"
        var laughs = "lol0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { laughs += "lol\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        try check([
            pipelineCase("invalid YAML", "name: p\nlayers:\n  terreinen: {path: terreinen.geojson\n  roofs: [\n",
                         .fails(exit: 2, words: ["pipeline.yml", "invalid YAML", "line", "→"])),
            pipelineCase("a tab in the indentation", "name: p\nlayers:\n\tterreinen: {path: terreinen.geojson}\n",
                         .fails(exit: 2, words: ["pipeline.yml", "invalid YAML"])),
            pipelineCase("unknown pipeline key", good + "outptus: {directory: x}\n",
                         .fails(exit: 2, words: ["pipeline.yml:", "outptus: unknown key", "did you mean `outputs`?"])),
            pipelineCase("unknown layer", good.replacingOccurrences(of: "  roofs:", with: "  rooves: {path: roofs.geojson}\n  roofs:"),
                         .fails(exit: 2, words: ["layers.rooves: unknown key", "did you mean `roofs`?"])),
            pipelineCase("missing input file", good.replacingOccurrences(of: "roofs.geojson", with: "daken.geojson"),
                         .fails(exit: 2, words: ["layers.roofs.path", "file not found", "daken.geojson", "relative to the pipeline file"])),
            pipelineCase("a directory where a file belongs", good.replacingOccurrences(of: "roofs.geojson", with: "."),
                         .fails(exit: 2, words: ["layers.roofs.path", "is a directory, not a file", "→"])),
            pipelineCase("required layer missing", "name: p\nlayers:\n  terreinen: {path: terreinen.geojson}\n",
                         .fails(exit: 2, words: ["layers.roofs", "required"])),
            pipelineCase("empty pipeline file", "", .fails(exit: 2, words: ["pipeline.yml", "must be a YAML mapping"])),
            pipelineCase("a list instead of a mapping", "- name: p\n", .fails(exit: 2, words: ["must be a YAML mapping"])),
            pipelineCase("a number out of range", good + "parameters: {solar: {kwp_per_m2: 5}}\n",
                         .fails(exit: 2, words: ["parameters.solar.kwp_per_m2", "out of range", "0.0...1.0"])),
            pipelineCase("text where a number belongs", good + "parameters: {water: {c_sealed: veel}}\n",
                         .fails(exit: 2, words: ["parameters.water.c_sealed", "expected a number", "veel"])),
            pipelineCase("an unusable name", good.replacingOccurrences(of: "name: p", with: "name: ../../etc"),
                         .fails(exit: 2, words: ["name:", "not a usable name"])),
            pipelineCase("unknown output format", good + "outputs: {formats: [csv, xlsx]}\n",
                         .fails(exit: 2, words: ["outputs.formats[1]", "unknown format \"xlsx\"", "valid formats"])),
            pipelineCase("a yield table with slopes beyond 90°", good + "parameters: {solar: {yield_factors: {slopes_deg: [0, 120], deviations_deg: [0, 180], factors: [[1, 1], [1, 1]]}}}\n",
                         .fails(exit: 2, words: ["parameters.solar.yield_factors.slopes_deg[1]", "out of range"])),
            pipelineCase("a geographic work CRS", good + "work_crs: EPSG:4326\n",
                         .fails(exit: 2, words: ["work_crs", "geographic"])),
            pipelineCase("YAML nested 100,000 deep", good + "parameters: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n",
                         .fails(exit: 2, words: ["pipeline.yml", "invalid YAML", "nesting level"])),
            pipelineCase("billion laughs (aliases)", laughs + good,
                         .fails(exit: 2, words: ["lol0: unknown key"])),
            pipelineCase("billion laughs as a mapping key", good + "parameters:\n  solar: {kwp_per_m2: 0.2}\n" + laughs.replacingOccurrences(of: "lol", with: "  lol") + "  *a9 : 1\n",
                         .fails(exit: 2, words: ["pipeline.yml:", "a YAML alias (*name) is used as a mapping key", "→"])),
            pipelineCase("aliases as values (allowed)", "name: p\nlayers:\n  terreinen: &t {path: terreinen.geojson}\n  roofs: {path: roofs.geojson}\n  natura2000: *t\n",
                         .ok(layer: "natura2000", used: 2, sameIndicators: false)),
            Case(name: "pipeline file not UTF-8", pipeline: Array("name: caf".utf8) + [0xE9] + Array("\nlayers: {}\n".utf8),
                 expect: .fails(exit: 2, words: ["pipeline.yml", "not UTF-8"])),
        ])
        // The pipeline path itself is missing, or is a directory.
        let dir = ScratchDir()
        let missing = try terreinCLI(["run", dir.path + "/nope.yml"])
        assertCleanExit(missing, "missing pipeline")
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("nope.yml") && missing.stderr.contains("does not exist"), missing.stderr)
        let isDir = try terreinCLI(["run", dir.path])
        assertCleanExit(isDir, "pipeline is a directory")
        XCTAssertEqual(isDir.status, 2)
        XCTAssertTrue(isDir.stderr.contains("is a directory"), isDir.stderr)
        // inspect on a missing file and a directory.
        for path in [dir.path + "/nope.geojson", dir.path] {
            let r = try terreinCLI(["inspect", path])
            assertCleanExit(r, "inspect \(path)")
            XCTAssertEqual(r.status, 3, r.stderr)
            XCTAssertTrue(r.stderr.contains(path), r.stderr)
        }
    }

    // MARK: Outputs that cannot be written

    func scenario() -> (ScratchDir, String) {
        let dir = ScratchDir()
        _ = dir.write("terreinen.geojson", Self.cleanTerreinen)
        _ = dir.write("roofs.geojson", Self.cleanRoofs)
        let yml = dir.write("p.yml", "name: w\nlayers:\n  terreinen: {path: terreinen.geojson}\n  roofs: {path: roofs.geojson}\n")
        return (dir, yml)
    }

    func testOutputFolderThatCannotBeCreated() throws {
        let (dir, yml) = scenario()
        let file = dir.write("a-file", "I am a regular file\n")
        // The output's parent is a regular file.
        let r1 = try terreinCLI(["run", yml, "--output", file + "/out"])
        assertCleanExit(r1, "parent is a file")
        XCTAssertEqual(r1.status, 4, r1.stderr)
        XCTAssertTrue(r1.stderr.contains(file) && r1.stderr.contains("is a file, not a folder") && r1.stderr.contains("→"), r1.stderr)
        // A regular file further up the path.
        let r2 = try terreinCLI(["run", yml, "--output", file + "/sub/out"])
        assertCleanExit(r2, "ancestor is a file")
        XCTAssertEqual(r2.status, 4, r2.stderr)
        XCTAssertTrue(r2.stderr.contains("cannot create the output folder") && r2.stderr.contains("→"), r2.stderr)
        // The output path itself is a regular file: refused, and the file is left alone.
        let r3 = try terreinCLI(["run", yml, "--output", file])
        assertCleanExit(r3, "output is a file")
        XCTAssertEqual(r3.status, 4, r3.stderr)
        XCTAssertTrue(r3.stderr.contains("is a file, not a folder"), r3.stderr)
        XCTAssertFalse(r3.stderr.contains("reading"), "refused before reading the layers: " + r3.stderr)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "I am a regular file\n")
        XCTAssertEqual(leftovers(in: dir.path, of: "a-file"), [])
    }

    /// A full disk, simulated with `ulimit -f`: every limit either fits all outputs (exit 0)
    /// or fails with exit 4 naming the file; the previous outputs stay byte-identical, and
    /// nothing is left behind.
    func testFullDiskKeepsThePreviousOutputs() throws {
        let (dir, yml) = scenario()
        let out = dir.path + "/out"
        let first = try terreinCLI(["run", yml, "--output", out])
        XCTAssertEqual(first.status, 0, first.stderr)
        let before = snapshot(out)
        XCTAssertEqual(Set(before.keys), ["indicators.csv", "regions.csv", "datapackage.json", "indicators.geojson", "indicators.gpkg", "report.html", "manifest.json",
                                          ".terrein-cache", ".terrein-valid"])
        // A different input, so that a run that got through would show.
        _ = dir.write("roofs.geojson", Self.collection([Self.r0]))
        var failures = 0
        for kib in [0, 1, 2, 4, 8, 16, 32, 64] {
            let r = try terreinCLIWithFileSizeLimit(kib: kib, ["run", yml, "--output", out])
            assertCleanExit(r, "ulimit -f \(kib)")
            XCTAssertEqual(r.status, 4, "ulimit -f \(kib): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(out + "/") && r.stderr.contains("write failed") && r.stderr.contains("previous results are untouched"),
                          "ulimit -f \(kib): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("File too large") || r.stderr.contains("disk I/O error"), r.stderr)
            XCTAssertEqual(snapshot(out), before, "ulimit -f \(kib): the previous outputs changed")
            XCTAssertEqual(leftovers(in: dir.path, of: "out"), [], "ulimit -f \(kib)")
            failures += 1
        }
        XCTAssertEqual(failures, 8)
        // The log itself on the full disk: stderr redirected to a file under the same limit.
        // Writing the error message fails too; that must not turn exit 4 into a crash.
        let silent = try runProcess("/bin/bash", ["-c", "ulimit -f 0; exec \"$0\" \"$@\"", terreinExecutable, "run", yml, "--output", out])
        XCTAssertFalse(silent.signaled || silent.timedOut, "stderr on a full disk: \(silent)")
        XCTAssertEqual(silent.status, 4, "stderr on a full disk")
        XCTAssertEqual(snapshot(out), before)
        XCTAssertEqual(leftovers(in: dir.path, of: "out"), [])
        // With room enough, the same run goes through.
        let ok = try terreinCLIWithFileSizeLimit(kib: 10_000, ["run", yml, "--output", out])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertNotEqual(snapshot(out)["indicators.csv"], before["indicators.csv"])
    }

    // MARK: GDAL inputs (issue 10)
    //
    // Vector files read through GDAL/OGR and rasters. Covered elsewhere, not repeated here:
    // a GeoPackage with several layers and no `layer:` (the error lists the layers) and a
    // layer name that is not there (lists the ones that are), and a zipped layer:
    // OGRSourceTests.testGeoPackageAndShapefileGiveTheSameTablesAsGeoJSON and
    // testZippedLayersAreReadInPlace; a Shapefile without .prj (an error without `crs:`,
    // fine with it): OGRSourceTests.testShapefileWithoutPrjNeedsCRS; a raster in another
    // CRS, without georeferencing, with rotation terms, with a `band:` it does not have, or
    // not a raster at all: HeatTests (testRasterInAnotherCRSIsAnErrorWithAGdalwarpLine,
    // testRotatedOrUngeoreferencedRasterIsAnError, testRasterWithoutCRSTakesTheWorkCRSAndABandItHasNot);
    // a NaN geotransform: RasterWindowTests.testNaNGeotransformIsAnError; NaN as the nodata
    // value is valid: HeatTests.testNaNNodataAndInfiniteCellsAreInvalid.

    /// The catalogue's scenario with the roofs from `roofsFile` (made by `make` in the
    /// folder), run, and `terrein inspect` on the roofs file.
    func runGDAL(_ name: String, roofsFile: String, roofsExtra: String = "", heat: String? = nil,
                 make: (String) throws -> Void) throws -> (run: CLIRun, inspect: CLIRun, manifest: [String: Any]?) {
        let dir = ScratchDir()
        _ = dir.write("terreinen.geojson", Self.cleanTerreinen)
        _ = dir.write("roofs.geojson", Self.cleanRoofs)
        try make(dir.path)
        let yml = dir.write("p.yml", """
            name: gdal
            layers:
              terreinen: {path: terreinen.geojson}
              roofs: {path: \(roofsFile)\(roofsExtra)}
            \(heat.map { "  heat: {path: \($0)}" } ?? "")

            """)
        let out = dir.path + "/out"
        let r = try terreinCLI(["run", yml, "--output", out])
        assertCleanExit(r, "[\(name)] run")
        let i = try terreinCLI(["inspect", dir.path + "/" + roofsFile])
        assertCleanExit(i, "[\(name)] inspect")
        let manifest = FileManager.default.contents(atPath: out + "/manifest.json")
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        return (r, i, manifest)
    }

    func ogr2ogr(_ args: [String]) throws {
        let tool = try ogr2ogrPath()
        let r = try runProcess(tool, args)
        XCTAssertEqual(r.status, 0, "ogr2ogr \(args.joined(separator: " ")): \(r.stderr)")
    }

    func expectFails(_ r: CLIRun, _ words: [String], _ ctx: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 3, "\(ctx): \(r.stderr)", file: file, line: line)
        for w in words + ["→"] {
            XCTAssertTrue(r.stderr.contains(w), "\(ctx): stderr lacks \"\(w)\":\n\(r.stderr)", file: file, line: line)
        }
    }

    func testBrokenGeoPackages() throws {
        // Truncated: the first 16 KiB of a real GeoPackage.
        let t = try runGDAL("truncated gpkg", roofsFile: "trunc.gpkg") { d in
            try self.ogr2ogr(["-f", "GPKG", d + "/full.gpkg", d + "/roofs.geojson", "-nln", "roofs"])
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: d + "/full.gpkg"))
            _ = FileManager.default.createFile(atPath: d + "/trunc.gpkg", contents: bytes.prefix(16_384))
        }
        expectFails(t.run, ["trunc.gpkg", "layers.roofs", "GDAL cannot open it as a vector file", "damaged, truncated", "ogrinfo"], "truncated gpkg")
        expectFails(t.inspect, ["trunc.gpkg", "GDAL cannot open it"], "inspect truncated gpkg")
        // Not SQLite at all.
        let n = try runGDAL("not SQLite", roofsFile: "text.gpkg") { d in
            _ = FileManager.default.createFile(atPath: d + "/text.gpkg", contents: Data("not a database\n".utf8))
        }
        expectFails(n.run, ["text.gpkg", "layers.roofs", "not recognized", "download or export it again"], "non-SQLite gpkg")
        expectFails(n.inspect, ["text.gpkg", "not recognized"], "inspect non-SQLite gpkg")
    }

    func testShapefilesWithMissingOrUnreadableSidecars() throws {
        func shapefile(_ d: String, _ stem: String) throws {
            try ogr2ogr(["-f", "ESRI Shapefile", d + "/\(stem).shp", d + "/roofs.geojson", "-nln", stem])
        }
        let noSHX = try runGDAL("no .shx", roofsFile: "a.shp") { d in
            try shapefile(d, "a")
            try FileManager.default.removeItem(atPath: d + "/a.shx")
        }
        expectFails(noSHX.run, ["a.shp", "layers.roofs", "a.shx", ".shx and .dbf beside the .shp", "SHAPE_RESTORE_SHX"], "no .shx")
        // GDAL itself opens a .shp without its .dbf, with no attributes: Terrein refuses it.
        let noDBF = try runGDAL("no .dbf", roofsFile: "b.shp") { d in
            try shapefile(d, "b")
            try FileManager.default.removeItem(atPath: d + "/b.dbf")
        }
        expectFails(noDBF.run, ["b.shp", "layers.roofs", "no .dbf beside it", "put b.dbf"], "no .dbf")
        expectFails(noDBF.inspect, ["b.shp", "no .dbf"], "inspect no .dbf")
        // A .prj that GDAL/PROJ cannot read: an error without `crs:`, fine with it.
        let badPRJ = try runGDAL("unreadable .prj", roofsFile: "c.shp") { d in
            try shapefile(d, "c")
            try "PROJCS[\"nonsense\",GEOGCS[\"x\"],PROJECTION[\"No_Such_Projection\"]]".write(toFile: d + "/c.prj", atomically: true, encoding: .utf8)
        }
        expectFails(badPRJ.run, ["c.shp", "layers.roofs", "cannot read its .prj (c.prj)", "crs: EPSG:28992"], "unreadable .prj")
        XCTAssertEqual(badPRJ.inspect.status, 0, badPRJ.inspect.stderr)
        XCTAssertTrue(badPRJ.inspect.stdout.contains("crs: none"), badPRJ.inspect.stdout)
        let withCRS = try runGDAL("unreadable .prj with crs:", roofsFile: "c.shp", roofsExtra: ", crs: EPSG:28992") { d in
            try shapefile(d, "c")
            try "hello".write(toFile: d + "/c.prj", atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(withCRS.run.status, 0, withCRS.run.stderr)
    }

    /// GML: a point in a polygon layer is a counted skip (docs/indicators.md); a geometry
    /// OGR cannot parse stops the run at that feature, never ends the layer there in silence.
    func testGMLWithUnsupportedGeometry() throws {
        func member(_ fid: Int, _ geometry: String) -> String {
            "<gml:featureMember><ogr:roofs gml:id=\"roofs.\(fid)\"><ogr:geometryProperty>\(geometry)</ogr:geometryProperty><ogr:slope_deg>0</ogr:slope_deg></ogr:roofs></gml:featureMember>\n"
        }
        func gml(_ members: [String]) -> String {
            "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<ogr:FeatureCollection xmlns:ogr=\"http://ogr.maptools.org/\" xmlns:gml=\"http://www.opengis.net/gml\">\n"
                + members.joined() + "</ogr:FeatureCollection>\n"
        }
        let square = "<gml:Polygon srsName=\"EPSG:28992\"><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>100010,450010 100050,450010 100050,450050 100010,450050 100010,450010</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon>"
        let point = "<gml:Point srsName=\"EPSG:28992\"><gml:coordinates>100500,450500</gml:coordinates></gml:Point>"
        let solid = "<gml:Solid srsName=\"EPSG:28992\"><gml:exterior><gml:Shell></gml:Shell></gml:exterior></gml:Solid>"
        let p = try runGDAL("GML point", roofsFile: "p.gml") { d in
            try gml([member(0, square), member(1, point), member(2, square)]).write(toFile: d + "/p.gml", atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(p.run.status, 0, p.run.stderr)
        let roofs = (p.manifest?["inputs"] as? [[String: Any]])?.first { $0["layer"] as? String == "roofs" }
        XCTAssertEqual(roofs?["features"] as? Int, 3)
        XCTAssertEqual(roofs?["skipped"] as? Int, 1)
        XCTAssertEqual(roofs?["skip_reasons"] as? [String: Int], ["Point in a polygon layer": 1])
        XCTAssertTrue(p.inspect.stdout.contains("a run would skip: 1 feature(s) with a geometry (first: #1 (FID 1) Point in a polygon layer)"), p.inspect.stdout)
        let s = try runGDAL("GML solid", roofsFile: "s.gml") { d in
            try gml([member(0, square), member(1, square), member(2, solid), member(3, square)]).write(toFile: d + "/s.gml", atomically: true, encoding: .utf8)
        }
        expectFails(s.run, ["s.gml", "feature 2:", "layers.roofs", "GDAL cannot read this feature (the one after FID 1)", "Invalid exterior", "fix or remove the feature"], "GML solid")
        expectFails(s.inspect, ["s.gml", "feature 2:", "GDAL cannot read this feature"], "inspect GML solid")
    }

    /// A raster that does not reach a terrein: no error, its heat columns are null, and the
    /// manifest counts the terreinen it gives no valid cell.
    func testRasterThatDoesNotCoverATerrein() throws {
        let r = try runGDAL("raster beside T2", roofsFile: "roofs.geojson", heat: "heat.tif") { d in
            // 10 m cells over T1 only (x 100000–100100, y 450000–450100).
            let values = [Float](repeating: 36, count: 100)
            try GeoTIFFWriter.write(path: d + "/heat.tif", width: 10, height: 10, geoTransform: [100000, 10, 0, 450100, 0, -10],
                                    crs: .rdNew, values: values, nodata: -9999)
        }
        XCTAssertEqual(r.run.status, 0, r.run.stderr)
        let heat = (r.manifest?["raster_inputs"] as? [[String: Any]])?.first
        XCTAssertEqual(heat?["terreinen_without_valid_cells"] as? Int, 1)
        XCTAssertEqual(heat?["first_terreinen_without_valid_cells"] as? [String], ["T2"])
    }

    // MARK: Raster layers (heat, and inundation as a depth raster)

    /// Each raster layer refuses a raster in another CRS (with the gdalwarp line), one with
    /// rotation terms, a band it has not, and a file GDAL cannot read as a raster; an
    /// inundation raster refuses the polygon keys, polygons refuse `band:`.
    func testRasterLayers() throws {
        struct RasterCase {
            var name: String
            var geoTransform: [Double]? = [100_000, 10, 0, 450_100, 0, -10]
            var crs: CRSIdentifier? = .rdNew
            var notARaster = false
            var extra = ""
            var exit: Int32
            var words: [String]
        }
        for kind in ["heat", "inundation"] {
            var cases = [
                RasterCase(name: "another CRS", crs: CRSIdentifier(authority: "EPSG", code: "3035"), exit: 3,
                           words: ["r.tif", "EPSG:3035", "EPSG:28992", "→", "gdalwarp -t_srs EPSG:28992", "layers.\(kind).path"]),
                RasterCase(name: "rotation terms", geoTransform: [100_000, 10, 0.5, 450_100, 0, -10], exit: 3,
                           words: ["r.tif", "rotation terms", "→", "gdalwarp"]),
                RasterCase(name: "a band it has not", extra: ", band: 2", exit: 3, words: ["r.tif", "no band 2", "→", "band:"]),
                RasterCase(name: "not a raster", notARaster: true, exit: 3, words: ["r.tif", "GDAL cannot open it as a raster", "→"]),
                RasterCase(name: "no CRS and another crs:", crs: nil, extra: ", crs: EPSG:4326", exit: 3,
                           words: ["r.tif", "has no CRS", "EPSG:4326", "→", "gdalwarp -s_srs EPSG:4326 -t_srs EPSG:28992"]),
            ]
            if kind == "inundation" {
                cases.append(RasterCase(name: "fields: on a raster", extra: ", fields: {depth_m: diepte}", exit: 2,
                                        words: ["layers.inundation.fields", "raster", "cell value", "→"]))
            }
            for c in cases {
                let dir = ScratchDir()
                _ = dir.write("terreinen.geojson", Self.cleanTerreinen)
                _ = dir.write("roofs.geojson", Self.cleanRoofs)
                if c.notARaster {
                    _ = dir.write("r.tif", "not a tiff")
                } else {
                    try GeoTIFFWriter.write(path: dir.path + "/r.tif", width: 40, height: 20, geoTransform: c.geoTransform, crs: c.crs,
                                            values: [Float](repeating: 0.5, count: 800), nodata: -9999)
                }
                let yml = dir.write("p.yml", "name: r\nlayers:\n  terreinen: {path: terreinen.geojson}\n  roofs: {path: roofs.geojson}\n"
                                             + "  \(kind): {path: r.tif\(c.extra)}\n")
                let out = dir.path + "/out"
                let r = try terreinCLI(["run", yml, "--output", out])
                let ctx = "[\(kind): \(c.name)]"
                assertCleanExit(r, ctx)
                XCTAssertEqual(r.status, c.exit, "\(ctx)\n\(r.stderr)")
                for w in c.words { XCTAssertTrue(r.stderr.contains(w), "\(ctx) stderr lacks \"\(w)\":\n\(r.stderr)") }
                XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(ctx) a failed run wrote outputs")
                assertCleanExit(try terreinCLI(["inspect", dir.path + "/r.tif"]), "\(ctx) inspect")
            }
        }
        // band: on an inundation layer that is read as polygons.
        let dir = ScratchDir()
        _ = dir.write("terreinen.geojson", Self.cleanTerreinen)
        _ = dir.write("roofs.geojson", Self.cleanRoofs)
        let yml = dir.write("p.yml", "name: r\nlayers:\n  terreinen: {path: terreinen.geojson}\n  roofs: {path: roofs.geojson}\n"
                                     + "  inundation: {path: roofs.geojson, band: 1}\n")
        let r = try terreinCLI(["run", yml, "--output", dir.path + "/out"])
        assertCleanExit(r, "band on polygons")
        XCTAssertEqual(r.status, 2, r.stderr)
        for w in ["layers.inundation.band", "read as polygons", ".tif", "→"] { XCTAssertTrue(r.stderr.contains(w), "\(w) in \(r.stderr)") }
    }
}
