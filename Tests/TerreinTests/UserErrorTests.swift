import Foundation
import XCTest

/// What a user can get wrong on the command line ends with the exit code of its class
/// (2 config, 3 input, 4 write, 64 usage; 1 only for bugs) and a message that names the
/// file, says what was wrong and what to do (the `→` hint) (issue 9, defects 3 to 5, 12).
final class UserErrorTests: XCTestCase {
    typealias C = BadInputCatalogueTests

    /// Runs the CLI; it must end cleanly with `exit`, and stderr must hold every word.
    @discardableResult
    func expect(_ args: [String], exit: Int32, words: [String], environment: [String: String] = [:],
                file: StaticString = #filePath, line: UInt = #line) throws -> CLIRun {
        let r = try terreinCLI(args, environment: environment, timeout: 60)
        let context = args.joined(separator: " ")
        XCTAssertFalse(r.timedOut, "\(context): timed out (hang)", file: file, line: line)
        XCTAssertFalse(r.signaled, "\(context): died of signal \(r.status)\n\(r.stderr)", file: file, line: line)
        XCTAssertEqual(r.status, exit, "\(context)\n\(r.stderr)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("internal error"), "\(context): \(r.stderr)", file: file, line: line)
        for w in words {
            XCTAssertTrue(r.stderr.contains(w), "\(context): no \"\(w)\" in\n\(r.stderr)", file: file, line: line)
        }
        return r
    }

    // MARK: terrein --version (defect 12)

    func testVersionNamesTerreinGEOSAndPROJ() throws {
        let r = try terreinCLI(["--version"], timeout: 60)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("terrein 0."), r.stdout)
        XCTAssertTrue(r.stdout.contains("GEOS 3.") && r.stdout.contains("PROJ "), r.stdout)
    }
}
