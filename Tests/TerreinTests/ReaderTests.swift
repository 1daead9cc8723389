import XCTest
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO
@testable import TerreinJSON

final class GeoJSONReaderTests: XCTestCase {
    func read(_ text: String, name: String = "t.geojson") throws -> (GeoJSONReader, [GeoJSONFeature]) {
        let r = GeoJSONReader(bytes: Array(text.utf8), name: name)
        var fs: [GeoJSONFeature] = []
        try r.read { fs.append($0) }
        return (r, fs)
    }

    func testFeatureCollectionWithLegacyCRS() throws {
        let (r, fs) = try read(rdCollection([polygonFeature("\"id\":\"A\",\"n\":12", 0, 0, 10, 10)]))
        XCTAssertEqual(r.declaredCRS, "urn:ogc:def:crs:EPSG::28992")
        XCTAssertEqual(r.encoding, .featureCollection)
        XCTAssertEqual(fs.count, 1)
        XCTAssertEqual(fs[0].properties["id"], .string("A"))
        XCTAssertEqual(fs[0].properties["n"], .integer(12))
        XCTAssertEqual(fs[0].geometry?.type, .polygon)
        XCTAssertEqual(fs[0].geometry?.polygons.first?.first?.count, 10)
    }

    func testSequenceWithAndWithoutRecordSeparator() throws {
        let f1 = polygonFeature("\"id\":1", 0, 0, 1, 1)
        let f2 = polygonFeature("\"id\":2", 0, 0, 2, 2)
        for text in ["\(f1)\n\(f2)\n", "\u{1E}\(f1)\n\u{1E}\(f2)\n"] {
            let (r, fs) = try read(text, name: "x.geojsonl")
            XCTAssertEqual(r.encoding, .sequence)
            XCTAssertEqual(fs.map(\.index), [0, 1])
            XCTAssertEqual(fs[1].properties["id"], .integer(2))
            XCTAssertEqual(fs[1].line, 2)
        }
        // Auto-detected by the record separator whatever the extension.
        let (r, _) = try read("\u{1E}\(f1)\n", name: "x.json")
        XCTAssertEqual(r.encoding, .sequence)
    }

    func testAllGeometryTypesAndPropertyTypes() throws {
        let text = """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"s":"é\\u00e9\\ud83d\\ude00","b":true,"n":null,"f":1.5e2,"a":[1,{"x":[]}],"o":{"k":-0.25}},
         "geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2,3]},
          {"type":"MultiPoint","coordinates":[[1,2],[3,4]]},{"type":"LineString","coordinates":[[1,2],[3,4]]},
          {"type":"MultiLineString","coordinates":[[[1,2],[3,4]]]},{"coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]],"type":"MultiPolygon"}]}}]}
        """
        let (_, fs) = try read(text)
        let p = fs[0].properties
        XCTAssertEqual(p["s"], .string("éé😀"))
        XCTAssertEqual(p["b"], .bool(true))
        XCTAssertEqual(p["n"], .null)
        XCTAssertEqual(p["f"], .number(150))
        XCTAssertEqual(p["o"], .object(JSONObject([("k", .number(-0.25))])))
        let members = fs[0].geometry!.members
        XCTAssertEqual(members.map(\.type), [.point, .multiPoint, .lineString, .multiLineString, .multiPolygon])
        XCTAssertEqual(members[0].dimension, 3)
        XCTAssertEqual(members[4].polygons.count, 1, "coordinates before type are converted afterwards")
    }

    func testNumbersParseExactly() throws {
        let (_, fs) = try read(#"{"type":"Feature","properties":{"a":0.1,"b":123456.789,"c":-9007199254740993,"d":1E-7,"e":12345678901234567890123},"geometry":null}"#)
        let p = fs[0].properties
        XCTAssertEqual(p["a"]?.doubleValue, 0.1)
        XCTAssertEqual(p["b"]?.doubleValue, 123456.789)
        XCTAssertEqual(p["c"], .integer(-9007199254740993))
        XCTAssertEqual(p["d"]?.doubleValue, 1e-7)
        XCTAssertEqual(p["e"]?.doubleValue, 12345678901234567890123.0)
    }

    func testSyntaxErrorsNameLineAndColumn() {
        XCTAssertThrowsError(try read("{\"type\":\"FeatureCollection\",\n\"features\":[\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}")) { e in
            let e = e as! InputError
            XCTAssertEqual(e.line, 3)
            XCTAssertTrue(e.problem.contains("unexpected end of file"), e.description)
        }
        XCTAssertThrowsError(try read("{\"type\":\"FeatureCollection\",\"features\":[]} x")) { e in
            XCTAssertTrue((e as! InputError).problem.contains("trailing"), "\(e)")
        }
        XCTAssertThrowsError(try read("{\"type\":\"Feature\",\"properties\":{\"v\":NaN},\"geometry\":null}")) { e in
            let e = e as! InputError
            XCTAssertEqual(e.column, 37)
            XCTAssertTrue(e.description.contains("NaN"), e.description)
        }
        XCTAssertThrowsError(try read("[1,2]")) { e in
            XCTAssertTrue((e as! InputError).problem.contains("expected a GeoJSON object"))
        }
    }

    func testInvalidUTF8AndBOM() throws {
        var bytes = Array("{\"type\":\"Feature\",\"properties\":{\"n\":\"".utf8)
        bytes += [0xE9]  // latin-1 é
        bytes += Array("\"},\"geometry\":null}".utf8)
        XCTAssertThrowsError(try { let r = GeoJSONReader(bytes: bytes, name: "x"); try r.read { _ in } }()) { e in
            XCTAssertTrue((e as! InputError).problem.contains("UTF-8"))
        }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(rdCollection([]).utf8)
        let r = GeoJSONReader(bytes: bom, name: "bom")
        var n = 0
        try r.read { _ in n += 1 }
        XCTAssertEqual(n, 0)
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertThrowsError(try read("{\"type\":\"Feature\",\"properties\":{\"d\":\(deep)},\"geometry\":null}")) { e in
            XCTAssertTrue((e as! InputError).problem.contains("nested deeper"))
        }
        // Unknown members are skipped iteratively, whatever their depth.
        XCTAssertNoThrow(try read("{\"type\":\"Feature\",\"extra\":\(deep),\"properties\":{},\"geometry\":null}"))
    }

    func testStreamingAcrossChunkBoundaries() throws {
        // A 1-byte chunk size exercises every refill path.
        let text = rdCollection((0..<20).map { polygonFeature("\"id\":\"T\($0)\",\"s\":\"a\\\"b\"", 0, 0, Double($0) + 1.25, 1e3) })
        let fd = ScratchDir()
        let path = fd.write("x.geojson", text)
        let h = open(path, O_RDONLY)
        let scanner = JSONScanner(fd: h, closeOnDeinit: true, chunkSize: 1)
        XCTAssertEqual(try scanner.parseValue().typeName, "object")
        let r = try GeoJSONReader(path: path)
        var ids: [String] = []
        try r.read { ids.append($0.properties["id"]!.stringValue!) }
        XCTAssertEqual(ids.count, 20)
    }
}

final class ReaderHashTests: XCTestCase {
    func testFileIsHashedWhileItIsRead() throws {
        let text = rdCollection((0..<500).map { polygonFeature("\"id\":\($0)", 0, 0, Double($0) + 1, 10) }) + "\n\n"
        let scratch = ScratchDir()
        let path = scratch.write("h.geojson", text)
        let reader = try GeoJSONReader(path: path)
        try reader.read { _ in }
        XCTAssertEqual(reader.sha256, try Hashing.sha256Hex(fileAt: path))
    }
}

final class CRSTests: XCTestCase {
    func testAmersfoortOriginWithin1m() throws {
        let t = try CRSTransformer(from: .rdNew, to: .wgs84)
        let p = t.transform(x: 155_000, y: 463_000)!
        // Published: 52.15517 N, 5.38721 E. 1e-5° ≈ 0.7–1.1 m; allow 1 m in metres.
        let dy = (p.y - 52.15517) * 111_250
        let dx = (p.x - 5.38721) * 111_250 * cos(52.15517 * .pi / 180)
        XCTAssertLessThan((dx * dx + dy * dy).squareRoot(), 1.0, "got \(p)")
        let back = try CRSTransformer(from: .wgs84, to: .rdNew).transform(x: 5.38721, y: 52.15517)!
        XCTAssertEqual(back.x, 155_000, accuracy: 1.5)
        XCTAssertEqual(back.y, 463_000, accuracy: 1.5)
    }

    func testEPSG4326IsTakenInLonLatOrder() throws {
        // EPSG:4326 is lat/lon by definition; Terrein always uses x = lon, y = lat.
        let t = try CRSTransformer(from: CRSIdentifier(parsing: "EPSG:4326")!, to: .rdNew)
        let p = t.transform(x: 5.38721, y: 52.15517)!
        XCTAssertEqual(p.x, 155_000, accuracy: 1.5)
    }

    func testParsingCRSNames() {
        XCTAssertEqual(CRSIdentifier(parsing: "urn:ogc:def:crs:EPSG::28992"), .rdNew)
        XCTAssertEqual(CRSIdentifier(parsing: "EPSG:28992"), .rdNew)
        XCTAssertEqual(CRSIdentifier(parsing: "http://www.opengis.net/def/crs/EPSG/0/28992"), .rdNew)
        XCTAssertEqual(CRSIdentifier(parsing: "urn:ogc:def:crs:OGC:1.3:CRS84"), .wgs84)
        XCTAssertNil(CRSIdentifier(parsing: "not a crs"))
    }
}

final class RepairTests: XCTestCase {
    func testBowTieIsRepairedKeepingItsArea() throws {
        let bowtie = try Geometry.polygon(rings: [[0, 0, 10, 10, 10, 0, 0, 10, 0, 0]])
        XCTAssertFalse(try bowtie.isValid)
        let fixed = try bowtie.makeValid().polygonalPart()!
        XCTAssertTrue(try fixed.isValid)
        XCTAssertEqual(try fixed.area(), 50, accuracy: 1e-9)
    }

    func testHoleOutsideShellIsRepaired() throws {
        let g = try Geometry.polygon(rings: [[0, 0, 10, 0, 10, 10, 0, 10, 0, 0], [20, 20, 30, 20, 30, 30, 20, 30, 20, 20]])
        XCTAssertFalse(try g.isValid)
        let fixed = try g.makeValid().polygonalPart()!
        XCTAssertTrue(try fixed.isValid)
        // Linework MakeValid keeps both areas (the stray "hole" becomes a polygon).
        XCTAssertEqual(try fixed.area(), 200, accuracy: 1e-9)
    }
}
