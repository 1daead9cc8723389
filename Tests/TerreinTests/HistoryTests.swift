import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import TerreinCore
@testable import TerreinIO

/// The run history (`outputs.history`, docs/history.md): two runs of the sample with one
/// changed layer give two runs whose stored tables are the runs' CSVs; a kill during the
/// append leaves the history as it was; another pipeline's history and a newer schema are
/// refused before any work; an older schema is migrated on a copy; `terrein history` and
/// `terrein diff HISTORY@RUN` read it.
final class HistoryTests: XCTestCase {
    static let env = ["SOURCE_DATE_EPOCH": "1700000000"]

    /// The sample pipeline in a scratch folder: its own copy of the roofs (so that a run can
    /// change that one layer), every other layer from SampleGIS/, `outputs.history: history.gpkg`.
    struct Sample {
        let dir = ScratchDir()
        var yml: String { dir.path + "/sample.yml" }
        var history: String { dir.path + "/history.gpkg" }
        var roofs: String { dir.path + "/roofs.geojsonl" }
        func out(_ n: Int) -> String { dir.path + "/out\(n)" }

        init(name: String = "sample") throws {
            var text = try String(contentsOfFile: repoRoot + "/Pipelines/sample.yml", encoding: .utf8)
            text = text.replacingOccurrences(of: "../SampleGIS/roofs.geojsonl", with: "roofs.geojsonl")
            text = text.replacingOccurrences(of: "../SampleGIS/", with: repoRoot + "/SampleGIS/")
            text = text.replacingOccurrences(of: "  directory: ../Output/sample", with: "  history: history.gpkg")
            text = text.replacingOccurrences(of: "\nname: sample\n", with: "\nname: \(name)\n")
            _ = dir.write("sample.yml", text)
            _ = dir.write("roofs.geojsonl", try String(contentsOfFile: repoRoot + "/SampleGIS/roofs.geojsonl", encoding: .utf8))
        }

        /// Drops every third roof face: the run's solar and paved columns change.
        func changeRoofs() throws {
            let lines = try String(contentsOfFile: roofs, encoding: .utf8).split(separator: "\n")
            _ = dir.write("roofs.geojsonl", lines.enumerated().filter { $0.offset % 3 != 0 }.map { String($0.element) }.joined(separator: "\n") + "\n")
        }
    }

    @discardableResult
    func run(_ args: [String], expect status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> CLIRun {
        let r = try terreinCLI(args, environment: Self.env)
        assertCleanExit(r, args.joined(separator: " "), file: file, line: line)
        XCTAssertEqual(r.status, status, "\(args.joined(separator: " ")):\n\(r.stderr.suffix(2000))", file: file, line: line)
        return r
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// Row counts of the history's tables (opened read-write, so that SQLite rolls back what a
    /// killed writer left in its journal).
    func counts(_ path: String) throws -> [String: Int] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var out: [String: Int] = [:]
            for t in ["history_runs", "history_columns", "history_terreinen", "history_regions", "rtree_history_terreinen_geom"] {
                out[t] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(t)")
            }
            return out
        }
    }

    func testTwoRunsWithAChangedLayerGiveTwoRunsEqualToTheirCSVs() throws {
        let s = try Sample()
        let first = try run(["run", s.yml, "--output", s.out(1), "--quiet"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.history), first.stderr)
        try s.changeRoofs()
        try run(["run", s.yml, "--output", s.out(2), "--quiet"])

        let h = try RunHistory.open(path: s.history)
        XCTAssertEqual(h.pipelineName, "sample")
        XCTAssertEqual(h.fileSchemaVersion, 1)
        XCTAssertEqual(h.workCRS, "EPSG:28992")
        XCTAssertEqual(h.runs.map(\.runID), [1, 2])
        XCTAssertEqual(h.runs.map(\.finished), ["2023-11-14T22:13:20Z", "2023-11-14T22:13:20Z"])
        let catalog = IndicatorFamilies.catalog()
        for (n, run) in h.runs.enumerated() {
            let out = s.out(n + 1)
            // Each run's stored tables, written as the run writes its CSVs, are its CSVs' bytes.
            XCTAssertEqual(CSVFormat.render(try h.indicators(runID: run.runID, catalog: catalog)), try read(out + "/indicators.csv"))
            XCTAssertEqual(CSVFormat.render(try h.regions(runID: run.runID, catalog: catalog)), try read(out + "/regions.csv"))
            XCTAssertEqual(run.indicatorsSHA256, try Hashing.sha256Hex(fileAt: out + "/indicators.csv"))
            XCTAssertEqual(run.terreinen, 11)
            XCTAssertEqual(run.regions, 4)
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as! [String: Any]
            XCTAssertEqual(run.terreinVersion, manifest["terrein_version"] as? String)
            XCTAssertEqual(run.gdalVersion, manifest["gdal_version"] as? String)
            XCTAssertEqual(run.pipelineSHA256, (manifest["pipeline"] as! [String: Any])["sha256"] as? String)
        }
        // The inputs: only the roofs' hash differs between the runs.
        func hashes(_ r: HistoryRun) throws -> [String: String] {
            let list = try JSONSerialization.jsonObject(with: Data(r.inputs.utf8)) as! [[String: String]]
            return Dictionary(list.map { ($0["layer"]!, $0["sha256"]!) }, uniquingKeysWith: { a, _ in a })
        }
        let (h1, h2) = (try hashes(h.runs[0]), try hashes(h.runs[1]))
        XCTAssertEqual(Set(h1.keys), ["terreinen", "roofs", "natura2000", "landcover.sources[0]", "landcover.sources[1]", "inundation", "heat"])
        XCTAssertEqual(Set(h1.keys.filter { h1[$0] != h2[$0] }), ["roofs"])
        XCTAssertEqual(h.runs[0].parameters, h.runs[1].parameters)
        XCTAssertTrue(h.runs[0].parameters.contains("\"specific_yield_kwh_per_kwp\":900"), h.runs[0].parameters)

        // Series: every terrein has both points; the values are those of each run's CSV row.
        let series = try h.series()
        XCTAssertEqual(series.count, 11)
        let csv1 = CSVFormat.parse(try read(s.out(1) + "/indicators.csv")), csv2 = CSVFormat.parse(try read(s.out(2) + "/indicators.csv"))
        let mwh = csv1.header.firstIndex(of: "solar_mwh_yr")!
        for (row1, row2) in zip(csv1.rows, csv2.rows) {
            let points = try XCTUnwrap(series[row1[0]])
            XCTAssertEqual(points.map(\.runID), [1, 2])
            XCTAssertEqual(points[0].values["solar_mwh_yr"], .real(Double(row1[mwh])!))
            XCTAssertEqual(points[1].values["solar_mwh_yr"], .real(Double(row2[mwh])!))
        }
        XCTAssertNotEqual(csv1.rows.map { $0[mwh] }, csv2.rows.map { $0[mwh] }, "the changed roofs must change the yield")
        let regions = try h.regionSeries()
        XCTAssertEqual(regions.keys.sorted(), ["", "Katwijk", "Noordwijk", "Oegstgeest"])
        XCTAssertEqual(regions["Katwijk"]?.map(\.runID), [1, 2])
        // Geometry of each run, in the work CRS.
        let geometries = try h.geometries(runID: 2)
        XCTAssertEqual(geometries.count, 11)
        XCTAssertGreaterThan(try XCTUnwrap(geometries[csv1.rows[0][0]]).area(), 10_000)

        // terrein history: the runs, what changed.
        let list = try run(["history", s.history])
        XCTAssertTrue(list.stdout.hasPrefix("history of pipeline sample: 2 runs"), list.stdout)
        let lines = list.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 4, list.stdout)
        XCTAssertTrue(lines[2].hasPrefix("  1  2023-11-14T22:13:20Z") && lines[2].hasSuffix("first run"), String(lines[2]))
        XCTAssertTrue(lines[3].hasPrefix("  2  2023-11-14T22:13:20Z") && lines[3].hasSuffix("  roofs"), String(lines[3]))
        let listJSON = try JSONSerialization.jsonObject(with: Data(try run(["history", s.history, "--json"]).stdout.utf8)) as! [String: Any]
        XCTAssertEqual(listJSON["pipeline"] as? String, "sample")
        XCTAssertEqual((listJSON["runs"] as? [[String: Any]])?.map { $0["run_id"] as? Int }, [1, 2])
        XCTAssertEqual((listJSON["runs"] as? [[String: Any]])?.last?["changed"] as? String, "roofs")

        // --terrein: one row per run with that run's values.
        let id = csv1.rows[0][0]
        let one = try run(["history", s.history, "--terrein", id])
        let oneLines = one.stdout.split(separator: "\n")
        XCTAssertEqual(oneLines.count, 4, one.stdout)
        XCTAssertTrue(oneLines[1].hasPrefix("run  finished"), String(oneLines[1]))
        XCTAssertTrue(oneLines[2].contains(" \(row(csv1, id)[mwh]) ") && oneLines[3].contains(" \(row(csv2, id)[mwh]) "), one.stdout)
        let oneJSON = try JSONSerialization.jsonObject(with: Data(try run(["history", s.history, "--terrein", id, "--json"]).stdout.utf8)) as! [String: Any]
        let points = try XCTUnwrap(oneJSON["points"] as? [[String: Any]])
        XCTAssertEqual(points.map { $0["run_id"] as? Int }, [1, 2])
        XCTAssertEqual(points[1]["solar_mwh_yr"] as? Double, Double(row(csv2, id)[mwh]))
        XCTAssertEqual(points[1]["id"] as? String, id)
        let missing = try run(["history", s.history, "--terrein", "NOPE"], expect: 3)
        XCTAssertTrue(missing.stderr.contains("no terrein with id \"NOPE\"") && missing.stderr.contains(id), missing.stderr)
        let noRun = try run(["diff", s.history + "@7", s.history + "@1", "--out", s.dir.path], expect: 3)
        XCTAssertTrue(noRun.stderr.contains("no run 7") && noRun.stderr.contains("its runs are 1, 2"), noRun.stderr)

        // terrein diff between two runs of the history = diff of the two folders.
        let byHistory = s.dir.path + "/diff-history", byFolder = s.dir.path + "/diff-folders"
        try FileManager.default.createDirectory(atPath: byHistory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: byFolder, withIntermediateDirectories: true)
        let d1 = try run(["diff", s.history + "@1", s.history + "@latest", "--out", byHistory])
        let d2 = try run(["diff", s.out(1), s.out(2), "--out", byFolder])
        let diffCSV = try read(byHistory + "/diff.csv")
        XCTAssertEqual(diffCSV, try read(byFolder + "/diff.csv"))
        XCTAssertGreaterThan(diffCSV.split(separator: "\n").count, 11, "the changed roofs must show in the diff")
        XCTAssertEqual(d1.stdout.split(separator: "\n").dropFirst(2).joined(separator: "\n"),
                       d2.stdout.split(separator: "\n").dropFirst(2).joined(separator: "\n"))

        // GDAL reads the history as a GeoPackage: the terreinen of both runs.
        let ogrinfo = try runProcess("/usr/bin/ogrinfo", ["-so", s.history, "history_terreinen"])
        XCTAssertEqual(ogrinfo.status, 0, ogrinfo.stderr)
        XCTAssertTrue(ogrinfo.stdout.contains("Feature Count: 22"), ogrinfo.stdout)
        XCTAssertTrue(ogrinfo.stdout.contains("solar_mwh_yr: Real"), ogrinfo.stdout)
        XCTAssertEqual(ogrinfo.stderr, "")
    }

    func row(_ csv: (header: [String], rows: [[String]]), _ id: String) -> [String] {
        csv.rows.first { $0[0] == id }!
    }

    /// A parameter change that renames a column (a Natura 2000 band) is a new run of the same
    /// pipeline: the new column is added, NULL for the earlier run, and each run reads back
    /// with its own columns.
    /// The issue's "done when": after a second run with a changed layer, every profile draws
    /// both runs (the history's first, and this run, appended only after its outputs); the first
    /// run's profiles say there is one run so far. `terrein report --history` on the second
    /// folder, whose run the history now holds, draws the same pages.
    func testTheProfilesOfTheSecondRunShowBothRuns() throws {
        let s = try Sample()
        try run(["run", s.yml, "--output", s.out(1), "--quiet"])
        try s.changeRoofs()
        try run(["run", s.yml, "--output", s.out(2), "--quiet"])
        let pages = try FileManager.default.contentsOfDirectory(atPath: s.out(2) + "/profiles").filter { $0.hasSuffix(".html") }.sorted()
        XCTAssertEqual(pages.count, 11)
        var changed = 0
        for page in pages {
            let first = try read(s.out(1) + "/profiles/" + page), second = try read(s.out(2) + "/profiles/" + page)
            XCTAssertTrue(first.contains("id=\"no-history\""), page)
            XCTAssertFalse(first.contains("id=\"profile-trend\""), page)
            XCTAssertTrue(second.contains("id=\"profile-trend\""), page)
            XCTAssertTrue(second.contains("#1 (2023-11-14T22:13:20Z), #2 (2023-11-14T22:13:20Z)"), page)
            // The changed layer's column has a trend row wherever the terrein has roof faces.
            if second.contains("<tr data-column=\"roof_faces\">") { changed += 1 }
        }
        XCTAssertGreaterThan(changed, 0, "no profile shows the roof faces' trend")
        let before = try pages.map { try read(s.out(2) + "/profiles/" + $0) }
        try run(["report", s.out(2), "--history", s.history])
        XCTAssertEqual(try pages.map { try read(s.out(2) + "/profiles/" + $0) }, before)
    }

    func testAParameterChangeAddsColumnsForLaterRuns() throws {
        let s = try Sample()
        try run(["run", s.yml, "--output", s.out(1), "--quiet"])
        let text = try read(s.yml).replacingOccurrences(of: "bands_m: [500, 1000]", with: "bands_m: [250, 500]")
        _ = s.dir.write("sample.yml", text)
        try run(["run", s.yml, "--output", s.out(2), "--quiet"])
        let h = try RunHistory.open(path: s.history)
        let catalog = IndicatorFamilies.catalog()
        XCTAssertEqual(CSVFormat.render(try h.indicators(runID: 1, catalog: catalog)), try read(s.out(1) + "/indicators.csv"))
        XCTAssertEqual(CSVFormat.render(try h.indicators(runID: 2, catalog: catalog)), try read(s.out(2) + "/indicators.csv"))
        let queue = try DatabaseQueue(path: s.history)
        defer { try? queue.close() }
        let nulls = try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM history_terreinen WHERE run_id = 1 AND n2k_within_250m IS NULL")
        }
        XCTAssertEqual(nulls, 11)
        XCTAssertNotEqual(h.runs[0].parameters, h.runs[1].parameters)
        let list = try run(["history", s.history])
        XCTAssertTrue(list.stdout.contains("parameters"), list.stdout)
        // The diff of the two runs says which columns only one of them has.
        let d = try run(["diff", s.history + "@1", s.history + "@2", "--out", s.dir.path])
        XCTAssertTrue(d.stdout.contains("not compared, only in A: n2k_within_1000m"), d.stdout)
        XCTAssertTrue(d.stdout.contains("not compared, only in B: n2k_within_250m"), d.stdout)
    }

    /// A run killed while its append transaction is open adds nothing; the next run appends.
    /// A first run killed before its new history is renamed into place leaves no history.
    func testKillDuringTheAppendLeavesTheHistoryAsItWas() throws {
        let s = try Sample()
        // A first run killed while writing the new history: no history, only a leftover.
        let firstKilled = try KillTests.PausedRun(["run", s.yml, "--output", s.out(1)], stage: "history-append")
        firstKilled.kill()
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.history))
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.out(1) + "/indicators.csv"), "the outputs were swapped in before the append")

        try run(["run", s.yml, "--output", s.out(1), "--quiet"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: s.dir.path).filter { $0.hasPrefix(".history.gpkg.new-") }
        XCTAssertEqual(leftovers, [], "the next writer removes what the killed one left")
        let before = try counts(s.history)
        XCTAssertEqual(before["history_runs"], 1)
        XCTAssertEqual(before["history_terreinen"], 11)

        try s.changeRoofs()
        let paused = try KillTests.PausedRun(["run", s.yml, "--output", s.out(2)], stage: "history-append")
        paused.kill()
        XCTAssertEqual(paused.process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(try counts(s.history), before, "a kill during the append leaves the history as it was")
        XCTAssertEqual(try RunHistory.open(path: s.history).runs.map(\.runID), [1])

        try run(["run", s.yml, "--output", s.out(2), "--quiet"])
        let after = try counts(s.history)
        XCTAssertEqual(after["history_runs"], 2)
        XCTAssertEqual(after["history_terreinen"], 22)
        XCTAssertEqual(after["rtree_history_terreinen_geom"], 22)
        XCTAssertEqual(try RunHistory.open(path: s.history).runs.map(\.runID), [1, 2])
    }

    /// While one run holds the history (paused inside its append), a second run waits for
    /// the lock; when the first is killed, the second appends as the next run: runs never
    /// interleave.
    func testASecondRunWaitsForTheHistoryLock() throws {
        let s = try Sample()
        try run(["run", s.yml, "--output", s.out(1), "--quiet"])
        let paused = try KillTests.PausedRun(["run", s.yml, "--output", s.out(2)], stage: "history-append")
        XCTAssertTrue(try HistoryLockProbe.isHeld(s.history), "the paused append holds the history's lock")
        let second = Process()
        second.executableURL = URL(fileURLWithPath: terreinExecutable)
        second.arguments = ["run", s.yml, "--output", s.out(3), "--quiet"]
        second.environment = ProcessInfo.processInfo.environment.merging(Self.env) { _, b in b }
        second.standardOutput = FileHandle.nullDevice
        second.standardError = FileHandle.nullDevice
        try second.run()
        usleep(300_000)
        paused.kill()
        second.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, 0)
        XCTAssertFalse(try HistoryLockProbe.isHeld(s.history), "a killed holder's lock dies with it")
        let h = try RunHistory.open(path: s.history)
        XCTAssertEqual(h.runs.map(\.runID), [1, 2])
        XCTAssertEqual(h.runs.last?.outputDirectory, URL(fileURLWithPath: s.out(3)).standardizedFileURL.path)
    }

    func testAHistoryOfAnotherPipelineIsRefusedBeforeAnyWork() throws {
        let s = try Sample()
        try run(["run", s.yml, "--output", s.out(1), "--quiet"])
        let other = try Sample(name: "other")
        XCTAssertTrue(try run(["validate", s.yml]).stdout.contains("history: \(s.history), 1 run of pipeline sample (schema version 1)"))
        let historyOfOther = other.dir.write("other-history.yml", try read(other.yml).replacingOccurrences(of: "history: history.gpkg", with: "history: \(s.history)"))
        let validate = try run(["validate", historyOfOther], expect: 2)
        XCTAssertTrue(validate.stderr.contains("belongs to the pipeline \"sample\""), validate.stderr)
        let r = try run(["run", other.yml, "--output", other.out(1), "--history", s.history], expect: 2)
        XCTAssertTrue(r.stderr.contains("outputs.history") && r.stderr.contains("belongs to the pipeline \"sample\", not \"other\""), r.stderr)
        XCTAssertFalse(r.stderr.contains("reading"), "refused before any layer is read:\n\(r.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: other.out(1)), "no outputs written")
        XCTAssertEqual(try RunHistory.open(path: s.history).runs.count, 1)
        // Not a history at all: a run's indicators.gpkg.
        let notHistory = try run(["run", s.yml, "--output", s.out(2), "--history", s.out(1) + "/indicators.gpkg"], expect: 3)
        XCTAssertTrue(notHistory.stderr.contains("not a Terrein run history"), notHistory.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.out(2)))
        // Inside the output folder, which every run replaces: refused.
        let inside = try run(["run", s.yml, "--output", s.out(4), "--history", s.out(4) + "/h.gpkg"], expect: 2)
        XCTAssertTrue(inside.stderr.contains("inside the output folder"), inside.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.out(4)))
        // A history in a folder that does not exist: refused before the run, not after it.
        let noFolder = try run(["run", s.yml, "--output", s.out(3), "--history", s.dir.path + "/nope/h.gpkg"], expect: 4)
        XCTAssertTrue(noFolder.stderr.contains("does not exist"), noFolder.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.out(3)))
    }

    func testANewerSchemaIsRefusedAndLeftUntouched() throws {
        let s = try Sample()
        try run(["run", s.yml, "--output", s.out(1), "--quiet"])
        let queue = try DatabaseQueue(path: s.history)
        try queue.write { db in try db.execute(sql: "UPDATE history_meta SET value = '99' WHERE key = 'schema_version'") }
        try queue.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: s.history))
        let r = try run(["run", s.yml, "--output", s.out(2)], expect: 3)
        XCTAssertTrue(r.stderr.contains("schema version 99") && r.stderr.contains("use a newer Terrein"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.out(2)))
        let list = try run(["history", s.history], expect: 3)
        XCTAssertTrue(list.stderr.contains("schema version 99"), list.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: s.history)), bytes)
    }

    /// The migration path, with a test schema "version 2" whose one migration adds a column
    /// to the runs table: reading migrates a temporary copy and leaves the file alone; a run's
    /// check migrates a copy and renames it over the original (a new inode, the data kept).
    func testAnOlderSchemaIsMigratedOnACopy() throws {
        let s = try Sample()
        try run(["run", s.yml, "--output", s.out(1), "--quiet"])
        let v2 = HistorySchema(version: 2, migrations: [1: { db in
            try db.execute(sql: "ALTER TABLE history_runs ADD COLUMN note TEXT")
            try db.execute(sql: "UPDATE history_runs SET note = 'migrated'")
        }])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: s.history))
        let read = try RunHistory.open(path: s.history, schema: v2)
        XCTAssertEqual(read.fileSchemaVersion, 2)
        XCTAssertEqual(read.runs.map(\.runID), [1])
        XCTAssertEqual(CSVFormat.render(try read.indicators(runID: 1, catalog: IndicatorFamilies.catalog())),
                       try self.read(s.out(1) + "/indicators.csv"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: s.history)), bytes, "reading never rewrites the file")

        let inode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: s.history)[.systemFileNumber] as? UInt64)
        try RunHistory.prepare(path: s.history, pipelineName: "sample", workCRS: .rdNew, schema: v2)
        let newInode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: s.history)[.systemFileNumber] as? UInt64)
        XCTAssertNotEqual(newInode, inode, "migrated on a copy renamed over the original, not in place")
        let queue = try DatabaseQueue(path: s.history)
        let (version, note, terreinen) = try queue.read { db in
            (try String.fetchOne(db, sql: "SELECT value FROM history_meta WHERE key = 'schema_version'"),
             try String.fetchOne(db, sql: "SELECT note FROM history_runs WHERE run_id = 1"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM history_terreinen"))
        }
        try queue.close()
        XCTAssertEqual(version, "2")
        XCTAssertEqual(note, "migrated")
        XCTAssertEqual(terreinen, 11)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: s.dir.path).filter { $0.contains(".migrate-") }, [])
        // Now this Terrein (schema 1) finds the file newer than it knows.
        XCTAssertThrowsError(try RunHistory.open(path: s.history)) { error in
            XCTAssertTrue("\(error)".contains("schema version 2"), "\(error)")
        }
        // A schema without the step from the file's version: an error, the file untouched.
        let gap = HistorySchema(version: 4, migrations: [3: { _ in }])
        XCTAssertThrowsError(try RunHistory.prepare(path: s.history, pipelineName: "sample", workCRS: .rdNew, schema: gap)) { error in
            XCTAssertTrue("\(error)".contains("no migration from history schema version 2 to 3"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: s.history)[.systemFileNumber] as? UInt64, newInode)
    }

    /// Same runs, same history bytes, whatever --threads (SOURCE_DATE_EPOCH set).
    func testTheSameRunsGiveTheSameHistoryBytes() throws {
        let s = KillTests.Scenario()
        let history = s.dir.path + "/h.gpkg"
        var files: [Data] = []
        for threads in ["1", "2"] {
            try? FileManager.default.removeItem(atPath: history)
            let original = try read(s.dir.path + "/roofs.geojson")
            try run(["run", s.yml, "--output", s.out, "--history", history, "--threads", threads, "--quiet"])
            s.changeInput()
            try run(["run", s.yml, "--output", s.out, "--history", history, "--threads", threads, "--quiet"])
            _ = s.dir.write("roofs.geojson", original)
            files.append(try Data(contentsOf: URL(fileURLWithPath: history)))
        }
        XCTAssertEqual(files[0], files[1])
        XCTAssertEqual(try RunHistory.open(path: history).runs.map(\.started), ["2023-11-14T22:13:20Z", "2023-11-14T22:13:20Z"])
    }

    func testThePipelineFileNamesTheHistoryRelativeToItself() throws {
        let s = try Sample()
        let p = try Pipeline.load(path: s.yml)
        XCTAssertEqual(p.historyPath, URL(fileURLWithPath: s.history).standardizedFileURL.path)
        let overridden = try Pipeline.load(path: s.yml, historyOverride: s.dir.path + "/x/../other.gpkg")
        XCTAssertEqual(overridden.historyPath, URL(fileURLWithPath: s.dir.path + "/other.gpkg").standardizedFileURL.path)
        let bad = s.dir.write("bad.yml", try read(s.yml).replacingOccurrences(of: "history: history.gpkg", with: "history: history.db"))
        XCTAssertThrowsError(try Pipeline.load(path: bad)) { error in
            XCTAssertEqual((error as? ConfigError)?.keyPath, "outputs.history")
        }
    }
}

/// Whether another process holds a history's lock (a non-blocking `flock` attempt).
enum HistoryLockProbe {
    static func isHeld(_ history: String) throws -> Bool {
        let url = URL(fileURLWithPath: history)
        let lock = url.deletingLastPathComponent().path + "/.\(url.lastPathComponent).lock"
        let fd = open(lock, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return true
    }
}
