import Foundation
import XCTest
@testable import TerreinCore

/// Every fsync is checked, and the parent folder is synced after the swap on every path
/// (issue 9, defect 6); SOURCE_DATE_EPOCH is checked before anything is done (defect 4).
///
/// Real fsync failures (EIO, ENOSPC on NFS) cannot be provoked on demand, so the runs make
/// one kind fail with TERREIN_TEST_FAIL_FSYNC (see `OutputDirectory.sync`).
final class OutputDurabilityTests: XCTestCase {
    typealias S = KillTests.Scenario

    func run(_ args: [String], _ environment: [String: String] = [:],
             file: StaticString = #filePath, line: UInt = #line) throws -> CLIRun {
        let r = try terreinCLI(args, environment: KillTests.env.merging(environment) { $1 })
        assertCleanExit(r, args.joined(separator: " "), file: file, line: line)
        return r
    }

    func testFailedFileSyncIsAnOutputError() throws {
        let s = S()
        let r = try run(["run", s.yml, "--output", s.out], ["TERREIN_TEST_FAIL_FSYNC": "file"])
        XCTAssertEqual(r.status, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains(s.out + "/indicators.csv: fsync failed"), r.stderr)
        XCTAssertTrue(r.stderr.contains("previous results are untouched"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.out))
        XCTAssertEqual(leftovers(in: s.dir.path, of: "out"), [])
    }

    func testFailedStagingFolderSyncIsAnOutputError() throws {
        let s = S()
        XCTAssertEqual(try run(["run", s.yml, "--output", s.out]).status, 0)
        let previous = snapshot(s.out)
        s.changeInput()
        let r = try run(["run", s.yml, "--output", s.out], ["TERREIN_TEST_FAIL_FSYNC": "folder"])
        XCTAssertEqual(r.status, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot sync the staging folder"), r.stderr)
        XCTAssertEqual(snapshot(s.out), previous)
        XCTAssertEqual(leftovers(in: s.dir.path, of: "out"), [])
    }

    /// Both swap paths: into a new folder (rename) and over previous results
    /// (RENAME_EXCHANGE, which skipped the parent's fsync before).
    func testParentFolderIsSyncedAfterTheSwapOnEveryPath() throws {
        let s = S()
        let fresh = try run(["run", s.yml, "--output", s.out], ["TERREIN_TEST_FAIL_FSYNC": "parent"])
        XCTAssertEqual(fresh.status, 4, "rename path: " + fresh.stderr)
        XCTAssertTrue(fresh.stderr.contains("the new results are in place, but the folder"), fresh.stderr)

        s.changeInput()
        let exchange = try run(["run", s.yml, "--output", s.out], ["TERREIN_TEST_FAIL_FSYNC": "parent"])
        XCTAssertEqual(exchange.status, 4, "exchange path: " + exchange.stderr)
        XCTAssertTrue(exchange.stderr.contains("could not be synced to disk"), exchange.stderr)
        XCTAssertEqual(leftovers(in: s.dir.path, of: "out"), [], "the swapped-out results are still removed")
    }

    func testAtomicFileChecksItsSyncs() throws {
        let s = S()
        XCTAssertEqual(try run(["run", s.yml, "--output", s.out]).status, 0)
        for what in ["file", "parent"] {
            let r = try run(["diff", s.out, s.out, "--out", s.dir.path + "/diff"], ["TERREIN_TEST_FAIL_FSYNC": what])
            XCTAssertEqual(r.status, 4, "\(what): " + r.stderr)
            XCTAssertTrue(r.stderr.contains(s.dir.path + "/diff/diff.csv"), r.stderr)
            XCTAssertTrue(r.stderr.contains("fsync failed") || r.stderr.contains("could not be synced"), r.stderr)
        }
    }

    // MARK: SOURCE_DATE_EPOCH

    func testOddSourceDateEpochIsAConfigError() throws {
        let s = S()
        for value in ["1e300", "nan", "-1", "1700000000.5", "abc", "253402300800", "99999999999999999999999"] {
            let r = try run(["run", s.yml, "--output", s.out], ["SOURCE_DATE_EPOCH": value])
            XCTAssertEqual(r.status, 2, "\(value): " + r.stderr)
            XCTAssertTrue(r.stderr.contains("SOURCE_DATE_EPOCH") && r.stderr.contains("whole seconds since 1970"), r.stderr)
            XCTAssertFalse(r.stderr.contains("reading"), "\(value): checked before reading:\n" + r.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.out))
    }

    func testSourceDateValues() throws {
        XCTAssertEqual(try Runner.sourceDate(["SOURCE_DATE_EPOCH": "0"]), Date(timeIntervalSince1970: 0))
        XCTAssertEqual(try Runner.sourceDate(["SOURCE_DATE_EPOCH": "1700000000"]), Date(timeIntervalSince1970: 1_700_000_000))
        XCTAssertEqual(try Runner.sourceDate(["SOURCE_DATE_EPOCH": "253402300799"]).timeIntervalSince1970, 253_402_300_799)
        XCTAssertLessThan(abs(try Runner.sourceDate(["SOURCE_DATE_EPOCH": ""]).timeIntervalSinceNow), 60)
        XCTAssertLessThan(abs(try Runner.sourceDate([:]).timeIntervalSinceNow), 60)
        XCTAssertThrowsError(try Runner.sourceDate(["SOURCE_DATE_EPOCH": "nan"])) { XCTAssertTrue($0 is ConfigError) }
    }
}
