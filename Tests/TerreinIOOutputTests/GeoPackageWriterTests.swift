import Foundation
import GRDB
import TerreinGeometry
import XCTest
@testable import TerreinIO

final class GeoPackageWriterTests: XCTestCase {
    let date = Date(timeIntervalSince1970: 1_704_164_645) // 2024-01-02T03:04:05Z

    func write(_ name: String = #function) throws -> String {
        let dir = try temporaryDirectory(name)
        let path = dir + "/indicators.gpkg"
        try GeoPackageWriter.write(try Fixtures.artifacts(), to: path, lastChange: date)
        return path
    }

    func testStructureAndValues() throws {
        let path = try write()
        let queue = try DatabaseQueue(path: path)
        try queue.read { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA application_id"), 0x4750_4B47)
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA user_version"), 10300)
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA integrity_check"), "ok")
            XCTAssertEqual(try Int.fetchAll(db, sql: "SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id"), [-1, 0, 4326, 28992])
            let wkt = try String.fetchOne(db, sql: "SELECT definition FROM gpkg_spatial_ref_sys WHERE srs_id = 28992") ?? ""
            XCTAssertTrue(wkt.hasPrefix("PROJCS[\"Amersfoort / RD New\""), wkt)

            let contents = try Row.fetchAll(db, sql: "SELECT table_name, data_type, last_change, srs_id, min_x, max_y FROM gpkg_contents ORDER BY table_name")
            XCTAssertEqual(contents.map { $0[0] as String }, ["layer_styles", "natura2000", "regions", "terreinen"])
            XCTAssertEqual(contents.map { $0[1] as String }, ["attributes", "features", "attributes", "features"])
            XCTAssertEqual(Set(contents.map { $0[2] as String }), ["2024-01-02T03:04:05.000Z"])
            XCTAssertEqual(contents[3][3] as Int?, 28992)
            XCTAssertEqual(contents[3][4] as Double?, 155000)
            XCTAssertEqual(contents[3][5] as Double?, 464300.5)
            XCTAssertEqual(try String.fetchAll(db, sql: "SELECT geometry_type_name FROM gpkg_geometry_columns"), ["MULTIPOLYGON", "MULTIPOLYGON"])
            XCTAssertEqual(try String.fetchAll(db, sql: "SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index' ORDER BY 1"),
                           ["natura2000", "terreinen"])

            // Columns and types.
            let info = try Row.fetchAll(db, sql: "PRAGMA table_info(terreinen)")
            XCTAssertEqual(info.map { $0["name"] as String }, ["fid", "geom"] + Fixtures.columns.map(\.name))
            let types = Dictionary(uniqueKeysWithValues: info.map { ($0["name"] as String, $0["type"] as String) })
            XCTAssertEqual(types["geom"], "MULTIPOLYGON")
            XCTAssertEqual(types["roof_faces"], "INTEGER")
            XCTAssertEqual(types["area_m2"], "REAL")
            XCTAssertEqual(types["n2k_within_500m"], "BOOLEAN")
            XCTAssertEqual(types["name"], "TEXT")

            // Rows: count, rounded values, nulls, booleans.
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM terreinen"), 3)
            let rows = try Row.fetchAll(db, sql: "SELECT id, name, area_m2, solar_mwh_yr, n2k_within_500m, inundation_m2, paved_fraction FROM terreinen ORDER BY fid")
            XCTAssertEqual(rows.map { $0[0] as String }, ["T1", "T2", "T3"])
            XCTAssertEqual(rows[0][1] as String, Fixtures.hostileName)
            XCTAssertEqual(rows[1][1] as String, "=SUM(A1)") // no CSV guard in the GeoPackage
            XCTAssertEqual(rows[0][2] as Double, 19600.0)
            XCTAssertEqual(rows[0][3] as Double, 831.38)
            XCTAssertEqual(rows[2][3] as Double, 0) // -0.0001 rounds to 0, not -0
            XCTAssertEqual(rows[0][4] as Int, 1)
            XCTAssertEqual(rows[1][4] as Int, 0)
            XCTAssertTrue((rows[1][5] as DatabaseValue).isNull)
            XCTAssertEqual(rows[0][6] as Double, 0.2551)

            // Geometry blobs.
            let blobs = try Data.fetchAll(db, sql: "SELECT geom FROM terreinen ORDER BY fid").map { [UInt8]($0) }
            for b in blobs {
                XCTAssertEqual(Array(b[0..<4]), [0x47, 0x50, 0, 0x03])
                XCTAssertEqual(Array(b[4..<8]), [0x40, 0x71, 0, 0]) // 28992 = 0x7140 little endian
                XCTAssertEqual(Array(b[40..<45]), [1, 6, 0, 0, 0]) // MultiPolygon WKB, little endian
            }
            let h = try XCTUnwrap(GeoPackageBinary.header(blobs[0]))
            XCTAssertEqual(h.envelope, Bounds(minX: 155000, minY: 463000, maxX: 155200, maxY: 463100))
            let g = try XCTUnwrap(try GeoPackageBinary.decode(blobs[0]))
            XCTAssertEqual(g.type, .multiPolygon)
            XCTAssertEqual(try g.area(), 19600, accuracy: 1e-6)
            let t3 = try XCTUnwrap(try GeoPackageBinary.decode(blobs[2]))
            XCTAssertEqual(try t3.numGeometries, 2)

            // R-tree: one entry per feature.
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM rtree_terreinen_geom"), 3)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM rtree_natura2000_geom"), 1)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT id FROM rtree_terreinen_geom WHERE minx > 156500"), 3)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_terreinen_geom_%'"), 6)

            // Regions and sites.
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM regions"), 2)
            XCTAssertEqual(try String.fetchAll(db, sql: "SELECT region FROM regions ORDER BY fid"), ["", "Ede"])
            XCTAssertEqual(try String.fetchAll(db, sql: "SELECT name FROM natura2000"), ["Veluwe <N2K>"])
        }
        try queue.close()
    }

    func testTriggersKeepTheIndexCurrent() throws {
        let path = try write()
        var config = Configuration()
        config.prepareDatabase { db in GeoPackageWriter.registerSpatialFunctions(db) }
        let queue = try DatabaseQueue(path: path, configuration: config)
        try queue.write { db in
            let blob = try Data.fetchOne(db, sql: "SELECT geom FROM terreinen WHERE fid = 3")
            try db.execute(sql: "INSERT INTO terreinen (fid, geom, id) VALUES (4, ?, 'T4')", arguments: [blob])
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM rtree_terreinen_geom"), 4)
            try db.execute(sql: "DELETE FROM terreinen WHERE fid = 1")
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM rtree_terreinen_geom"), 3)
        }
        try queue.close()
    }

    func testIdenticalInputGivesIdenticalBytes() throws {
        let dir = try temporaryDirectory()
        try GeoPackageWriter.write(try Fixtures.artifacts(), to: dir + "/a.gpkg", lastChange: date)
        try GeoPackageWriter.write(try Fixtures.artifacts(), to: dir + "/b.gpkg", lastChange: date)
        // Writing over an existing file gives the same bytes too.
        try GeoPackageWriter.write(try Fixtures.artifacts(), to: dir + "/b.gpkg", lastChange: date)
        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/a.gpkg"))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/b.gpkg"))
        XCTAssertGreaterThan(a.count, 0)
        XCTAssertEqual(a, b)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/b.gpkg-journal"))
    }

    func testLastChangeFormat() {
        XCTAssertEqual(GeoPackageWriter.formatLastChange(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(GeoPackageWriter.formatLastChange(Date(timeIntervalSince1970: 1_704_164_645.9)), "2024-01-02T03:04:05.000Z")
    }

    func testCRSWKT() throws {
        XCTAssertTrue(try crsWKT(.rdNew).contains("AUTHORITY[\"EPSG\",\"28992\"]"))
        XCTAssertTrue(try crsWKT(.rdNew, version: .wkt2_2019).hasPrefix("PROJCRS["))
        XCTAssertThrowsError(try crsWKT(CRSIdentifier(authority: "EPSG", code: "999999")))
    }

    func testReportDataLoadsFromGeoPackage() throws {
        let path = try write()
        let data = try ReportData.load(outputDirectory: (path as NSString).deletingLastPathComponent, catalog: Fixtures.catalog)
        XCTAssertEqual(data.pipelineName, "Test <Run> & co")
        XCTAssertEqual(data.mapCRS, .rdNew)
        XCTAssertEqual(data.indicators.columns, Fixtures.columns)
        XCTAssertEqual(data.indicators.rows.count, 3)
        XCTAssertEqual(data.indicators.rows[0][7], .boolean(true))
        XCTAssertEqual(data.indicators.rows[1][10], .null)
        XCTAssertEqual(data.regions.rows.count, 2)
        XCTAssertEqual(data.regions.columns.last?.kind, .integer)
        XCTAssertEqual(data.terreinRings.count, 3)
        XCTAssertEqual(data.terreinRings[0][0].count, 2) // shell and hole
        XCTAssertEqual(data.natura2000.map(\.name), ["Veluwe <N2K>"])
    }

    /// GDAL reads the file without a warning and lists every column (skipped without ogrinfo).
    func testOGRInfoReadsWithoutWarnings() throws {
        guard let ogrinfo = ["/usr/bin/ogrinfo", "/usr/local/bin/ogrinfo"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("ogrinfo (gdal-bin) is not installed")
        }
        let path = try write()
        try checkOGRInfo(ogrinfo, path: path, features: 3)
        // Without Natura 2000 sites: an empty layer with a NULL extent.
        var a = try Fixtures.artifacts()
        a.natura2000Display = []
        let empty = (path as NSString).deletingLastPathComponent + "/empty.gpkg"
        try GeoPackageWriter.write(a, to: empty, lastChange: date)
        try checkOGRInfo(ogrinfo, path: empty, features: 3)
    }

    func checkOGRInfo(_ ogrinfo: String, path: String, features: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ogrinfo)
        process.arguments = ["-al", "-so", path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(stderr, "", stderr)
        XCTAssertTrue(stdout.contains("Layer name: terreinen"))
        XCTAssertTrue(stdout.contains("Layer name: regions"))
        XCTAssertTrue(stdout.contains("Layer name: natura2000"))
        XCTAssertTrue(stdout.contains("Geometry: Multi Polygon"))
        XCTAssertTrue(stdout.contains("Feature Count: \(features)"))
        XCTAssertTrue(stdout.contains("n2k_within_500m: Integer(Boolean)"), stdout)
        for c in Fixtures.columns { XCTAssertTrue(stdout.contains("\n\(c.name): "), c.name) }
    }
}
