import XCTest
@testable import TerreinIO
#if canImport(Glibc)
import Glibc
#endif

/// The lock file shared by the output folder and the run history (`PIDLock`): a `flock` on an
/// open file, so a second open of the same file, even in this process, is refused.
final class PIDLockTests: XCTestCase {
    func testSecondTakeIsRefusedNamingTheHolderUntilTheFirstIsClosed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pidlock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(".out.lock").path

        guard case .success(let fd) = PIDLock.take(path) else { return XCTFail("the first take failed") }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "\(getpid())\n")
        guard case .failure(.held(let holder)) = PIDLock.take(path) else { return XCTFail("a second take succeeded") }
        XCTAssertEqual(holder, "\(getpid())")
        // Waiting tries again until the deadline, then gives up the same way.
        let started = Date()
        guard case .failure(.held) = PIDLock.take(path, wait: 0.2) else { return XCTFail("a waiting take succeeded") }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.2)

        close(fd)
        guard case .success(let again) = PIDLock.take(path) else { return XCTFail("the lock was not released by close") }
        close(again)
    }

    func testAFolderThatDoesNotExistCannotHoldTheLock() {
        guard case .failure(.cannotOpen(let e)) = PIDLock.take("/nonexistent-\(UUID().uuidString)/.x.lock") else {
            return XCTFail("a lock file in a missing folder was opened")
        }
        XCTAssertEqual(e, ENOENT)
    }
}
