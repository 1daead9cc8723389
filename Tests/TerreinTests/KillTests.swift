import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import TerreinIO

/// A run killed at any stage costs nothing: before the swap the previous outputs stay
/// byte-identical, after it the new outputs are complete; what the killed run left is
/// removed by the next run, which succeeds. A second concurrent run into the same folder
/// is refused, naming the PID of the run that holds the lock.
///
/// The runs are stopped at known points with TERREIN_TEST_PAUSE_AT (see Run.swift's
/// `testPause`), then SIGKILLed: no timing guesses.
final class KillTests: XCTestCase {
    typealias C = BadInputCatalogueTests

    /// The pipeline folder: terreinen, roofs and a pipeline writing into `out`.
    struct Scenario {
        let dir = ScratchDir()
        var yml: String { dir.path + "/p.yml" }
        var out: String { dir.path + "/out" }
        init() {
            _ = dir.write("terreinen.geojson", C.cleanTerreinen)
            _ = dir.write("roofs.geojson", C.cleanRoofs)
            _ = dir.write("p.yml", "name: kill\nlayers:\n  terreinen: {path: terreinen.geojson}\n  roofs: {path: roofs.geojson}\n")
        }
        /// Changes the roofs so that a new run's results differ from the previous ones.
        func changeInput() {
            _ = dir.write("roofs.geojson", C.collection([C.r0]))
        }
    }

    /// Fixed timestamps so that two runs on the same input write identical GeoPackages.
    static let env = ["SOURCE_DATE_EPOCH": "1700000000"]

    /// A `terrein run` that pauses at `stage`; returns once it printed "paused at <stage>".
    final class PausedRun {
        let process = Process()
        let errPath: String
        var pid: Int32 { process.processIdentifier }

        init(_ args: [String], stage: String, file: StaticString = #filePath, line: UInt = #line) throws {
            errPath = NSTemporaryDirectory() + "terrein-paused-" + UUID().uuidString
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            process.executableURL = URL(fileURLWithPath: terreinExecutable)
            process.arguments = args
            var environment = ProcessInfo.processInfo.environment
            environment["TERREIN_TEST_PAUSE_AT"] = stage
            for (k, v) in KillTests.env { environment[k] = v }
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = err
            try process.run()
            try? err.close()
            let deadline = Date().addingTimeInterval(120)
            while !stderr.contains("paused at \(stage)") {
                guard process.isRunning else {
                    XCTFail("the run ended (status \(process.terminationStatus)) before pausing at \(stage):\n\(stderr)", file: file, line: line)
                    return
                }
                guard Date() < deadline else {
                    kill()
                    XCTFail("no \"paused at \(stage)\" within 120 s:\n\(stderr)", file: file, line: line)
                    return
                }
                usleep(20_000)
            }
        }

        var stderr: String {
            FileManager.default.contents(atPath: errPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }

        /// SIGKILL, as an out-of-memory killer or a pulled plug would.
        func kill() {
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        deinit {
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            try? FileManager.default.removeItem(atPath: errPath)
        }
    }

    func run(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> CLIRun {
        let r = try terreinCLI(args, environment: Self.env)
        assertCleanExit(r, args.joined(separator: " "), file: file, line: line)
        return r
    }

    static let outputFiles: Set<String> = ["indicators.csv", "regions.csv", "datapackage.json", "indicators.geojson",
                                           "indicators.gpkg", "report.html", "manifest.json",
                                           ".terrein-cache", ".terrein-valid"]  // the caches, swapped in with the rest

    func testKillAtEveryStageCostsNothing() throws {
        for stage in ["loaded", "computed", "staging-written", "before-swap", "after-swap"] {
            let s = Scenario()
            let first = try run(["run", s.yml, "--output", s.out])
            XCTAssertEqual(first.status, 0, first.stderr)
            let previous = snapshot(s.out)
            XCTAssertEqual(Set(previous.keys), Self.outputFiles)

            s.changeInput()
            // What a complete run on the new input writes (into another folder).
            let refDir = s.dir.path + "/ref"
            XCTAssertEqual(try run(["run", s.yml, "--output", refDir]).status, 0)
            let reference = snapshot(refDir)
            XCTAssertNotEqual(reference["indicators.csv"], previous["indicators.csv"], "the new input must change the results")

            let paused = try PausedRun(["run", s.yml, "--output", s.out, "--threads", "2"], stage: stage)
            let pid = paused.pid
            paused.kill()
            XCTAssertEqual(paused.process.terminationReason, .uncaughtSignal, stage)

            let now = snapshot(s.out)
            if stage == "after-swap" {
                assertComplete(now, like: reference, "[\(stage)] the new outputs are complete")
            } else {
                XCTAssertEqual(now, previous, "[\(stage)] the previous outputs are byte-identical")
            }
            let expectedLeftovers = ["staging-written", "before-swap", "after-swap"].contains(stage) ? [".out.tmp-\(pid)"] : []
            XCTAssertEqual(leftovers(in: s.dir.path, of: "out"), expectedLeftovers, "[\(stage)] leftovers")
            if stage == "after-swap" {
                // After the exchange the staging folder holds the previous results.
                XCTAssertEqual(snapshot(s.dir.path + "/.out.tmp-\(pid)"), previous, "[\(stage)] the swapped-out folder")
            }

            // The next run cleans up and succeeds.
            let next = try run(["run", s.yml, "--output", s.out])
            XCTAssertEqual(next.status, 0, "[\(stage)] \(next.stderr)")
            XCTAssertEqual(leftovers(in: s.dir.path, of: "out"), [], "[\(stage)] leftovers after the next run")
            assertComplete(snapshot(s.out), like: reference, "[\(stage)] the next run's outputs")
        }
    }

    /// Every output file is there and, except the manifest (which records the folder and
    /// the times), equals the reference run's byte for byte.
    func assertComplete(_ files: [String: Data], like reference: [String: Data], _ context: String,
                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Set(files.keys), Self.outputFiles, context, file: file, line: line)
        for name in Self.outputFiles.subtracting(["manifest.json"]) {
            XCTAssertEqual(files[name], reference[name], "\(context): \(name)", file: file, line: line)
        }
        if let m = files["manifest.json"], let json = try? JSONSerialization.jsonObject(with: m) as? [String: Any] {
            // The manifest lists the files written before it.
            // (and the profiles/ folder, which `snapshot` leaves out: it holds files, not bytes)
            XCTAssertEqual((json["outputs"] as? [String]).map(Set.init), Self.outputFiles.subtracting(["manifest.json"]).union(["profiles/"]),
                           context, file: file, line: line)
        } else {
            XCTFail("\(context): manifest.json is not JSON", file: file, line: line)
        }
    }

    func testSecondConcurrentRunIsRefusedNamingTheLockHolder() throws {
        let s = Scenario()
        XCTAssertEqual(try run(["run", s.yml, "--output", s.out]).status, 0)
        let previous = snapshot(s.out)
        s.changeInput()
        for stage in ["staging-written", "before-swap"] {
            let holder = try PausedRun(["run", s.yml, "--output", s.out], stage: stage)
            let second = try run(["run", s.yml, "--output", s.out])
            XCTAssertEqual(second.status, 4, second.stderr)
            XCTAssertTrue(second.stderr.contains("another Terrein run (PID \(holder.pid))"), second.stderr)
            XCTAssertTrue(second.stderr.contains(s.out) && second.stderr.contains("--output"), second.stderr)
            // The refused run touched neither the outputs nor the holder's staging folder.
            XCTAssertEqual(snapshot(s.out), previous)
            XCTAssertEqual(leftovers(in: s.dir.path, of: "out"), [".out.tmp-\(holder.pid)"])
            holder.kill()
        }
        // Once the holder is gone, a run goes through (and removes what the holders left).
        let after = try run(["run", s.yml, "--output", s.out])
        XCTAssertEqual(after.status, 0, after.stderr)
        XCTAssertEqual(leftovers(in: s.dir.path, of: "out"), [])
        XCTAssertNotEqual(snapshot(s.out)["indicators.csv"], previous["indicators.csv"])
    }

    /// The lock is taken before anything is read: a second run is refused at once, while
    /// the first is still reading, and it reads nothing (no "reading ..." line).
    func testSecondRunIsRefusedBeforeItReads() throws {
        let s = Scenario()
        XCTAssertEqual(try run(["run", s.yml, "--output", s.out]).status, 0)
        let previous = snapshot(s.out)
        // --full: the same inputs as the results in the folder would otherwise exit at once.
        let holder = try PausedRun(["run", s.yml, "--output", s.out, "--full"], stage: "loaded")
        defer { holder.kill() }
        let second = try run(["run", s.yml, "--output", s.out])
        XCTAssertEqual(second.status, 4, second.stderr)
        XCTAssertTrue(second.stderr.contains("another Terrein run (PID \(holder.pid))"), second.stderr)
        XCTAssertFalse(second.stderr.contains("reading"), "the refused run read its inputs first:\n\(second.stderr)")
        XCTAssertEqual(snapshot(s.out), previous)
        // The holder has not written yet, so no staging folder either.
        XCTAssertEqual(leftovers(in: s.dir.path, of: "out"), [])
    }

    /// The pause line goes out with write(2): a stderr that takes no bytes (/dev/full) must
    /// not trap (FileHandle.write did), the run just waits there until it is killed.
    func testPauseWithAFullStderrDoesNotTrap() throws {
        let s = Scenario()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: terreinExecutable)
        p.arguments = ["run", s.yml, "--output", s.out]
        var environment = ProcessInfo.processInfo.environment
        environment["TERREIN_TEST_PAUSE_AT"] = "loaded"
        p.environment = environment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))
        try p.run()
        defer { if p.isRunning { Glibc.kill(p.processIdentifier, SIGKILL) }; p.waitUntilExit() }
        // The tiny scenario reaches "loaded" well within a second; the old code trapped there.
        let deadline = Date().addingTimeInterval(3)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(p.isRunning, "the run ended (\(p.terminationReason == .uncaughtSignal ? "signal" : "exit") \(p.terminationStatus)) instead of pausing")
    }

    // MARK: Injection

    func testSpreadsheetFormulasAndMarkupAreNeutralised() throws {
        let dir = ScratchDir()
        _ = dir.write("terreinen.geojson", C.collection([
            C.feature(#""id":"=1","name":"=HYPERLINK(\"x\")","region":"+1""#, C.rectPolygon(100000, 450000, 100100, 450100)),
            C.feature(#""id":"@2","name":"<script>alert(1)</script>","region":"-R & <b>""#, C.rectPolygon(100200, 450000, 100300, 450100)),
        ]))
        _ = dir.write("roofs.geojson", C.cleanRoofs)
        _ = dir.write("natura2000.geojson", C.collection([
            C.feature(#""name":"@SUM(1)""#, C.rectPolygon(100000, 450300, 100300, 450400)),
        ]))
        let yml = dir.write("p.yml", """
            name: inject
            layers:
              terreinen: {path: terreinen.geojson}
              roofs: {path: roofs.geojson}
              natura2000: {path: natura2000.geojson}
            """)
        let out = dir.path + "/out"
        let r = try run(["run", yml, "--output", out])
        XCTAssertEqual(r.status, 0, r.stderr)

        // CSV: the guarded text columns get a leading apostrophe; ids never change.
        let csv = CSVFormat.parse(try String(contentsOfFile: out + "/indicators.csv", encoding: .utf8))
        func column(_ name: String) throws -> Int { try XCTUnwrap(csv.header.firstIndex(of: name), name) }
        let rows = Dictionary(uniqueKeysWithValues: try csv.rows.map { (try $0[column("id")], $0) })
        let first = try XCTUnwrap(rows["=1"], "the id =1 is written as is")
        XCTAssertEqual(first[try column("name")], "'=HYPERLINK(\"x\")")
        XCTAssertEqual(first[try column("region")], "'+1")
        XCTAssertEqual(first[try column("n2k_nearest")], "'@SUM(1)")
        let second = try XCTUnwrap(rows["@2"], "the id @2 is written as is")
        XCTAssertEqual(second[try column("name")], "<script>alert(1)</script>")
        XCTAssertEqual(second[try column("region")], "'-R & <b>")
        let regions = CSVFormat.parse(try String(contentsOfFile: out + "/regions.csv", encoding: .utf8))
        let regionColumn = try XCTUnwrap(regions.header.firstIndex(of: "region"))
        XCTAssertEqual(Set(regions.rows.map { $0[regionColumn] }), ["'+1", "'-R & <b>"])

        // GeoJSON: the values as they are.
        let gj = try XCTUnwrap(JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: out + "/indicators.geojson"))) as? [String: Any])
        let props = try XCTUnwrap(gj["features"] as? [[String: Any]]).compactMap { $0["properties"] as? [String: Any] }
        let p1 = try XCTUnwrap(props.first { $0["id"] as? String == "=1" })
        XCTAssertEqual(p1["name"] as? String, "=HYPERLINK(\"x\")")
        XCTAssertEqual(p1["region"] as? String, "+1")
        XCTAssertEqual(p1["n2k_nearest"] as? String, "@SUM(1)")
        let p2 = try XCTUnwrap(props.first { $0["id"] as? String == "@2" })
        XCTAssertEqual(p2["name"] as? String, "<script>alert(1)</script>")

        // report.html: markup from the data is escaped, in the page and in its JSON.
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertFalse(html.contains("<script>alert"), "raw markup from the data in report.html")
        XCTAssertFalse(html.contains("<b>"), "raw markup from the data in report.html")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("\\u003cscript\\u003ealert(1)"),
                      "the name is shown, escaped")
        XCTAssertEqual(html.components(separatedBy: "<script").count - 1, 2, "only the report's own two script elements")
    }
}
