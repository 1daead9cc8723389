import Foundation
import XCTest

/// How a CLI run ended, with what it printed. Output goes to files (not pipes), so a
/// chatty or hanging child can neither fill a pipe nor block the test.
struct CLIRun {
    var status: Int32
    /// True when the process died of a signal (a Swift runtime trap shows as SIGILL or
    /// SIGTRAP, whose numbers 4 and 5 would otherwise pass for exit codes).
    var signaled: Bool
    var timedOut: Bool
    var stdout: String
    var stderr: String
}

/// Runs `executable` with a time limit; kills it (SIGKILL) when the limit passes.
func runProcess(_ executable: String, _ args: [String], environment: [String: String] = [:],
                timeout: TimeInterval = 180) throws -> CLIRun {
    let dir = NSTemporaryDirectory() + "terrein-cli-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    _ = FileManager.default.createFile(atPath: dir + "/out", contents: nil)
    _ = FileManager.default.createFile(atPath: dir + "/err", contents: nil)
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/out"))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/err"))
    defer { try? out.close(); try? err.close() }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    env["TERREIN_TEST_PAUSE_AT"] = nil
    for (k, v) in environment { env[k] = v }
    p.environment = env
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    var timedOut = false
    while p.isRunning {
        if Date() > deadline {
            kill(p.processIdentifier, SIGKILL)
            timedOut = true
            break
        }
        usleep(20_000)
    }
    p.waitUntilExit()
    let o = (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? ""
    let e = FileManager.default.contents(atPath: dir + "/err").map { String(decoding: $0, as: UTF8.self) } ?? ""
    return CLIRun(status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal,
                  timedOut: timedOut, stdout: o, stderr: e)
}

/// Runs the built `terrein` CLI with a time limit.
func terreinCLI(_ args: [String], environment: [String: String] = [:], timeout: TimeInterval = 180) throws -> CLIRun {
    try runProcess(terreinExecutable, args, environment: environment, timeout: timeout)
}

/// Runs the CLI under `ulimit -f KIB` in a `bash -c` wrapper: a write beyond the limit
/// fails with EFBIG (Terrein ignores SIGXFSZ). Only Terrein gets the limit; its stdout and
/// stderr go through a pipe to an unlimited `cat`, so that its messages still reach the test
/// (both end up in `stderr`). A signal death shows as an exit status of 128 + signal.
func terreinCLIWithFileSizeLimit(kib: Int, _ args: [String]) throws -> CLIRun {
    try runProcess("/bin/bash", ["-c", "( ulimit -f \(kib); exec \"$0\" \"$@\" ) 2>&1 | cat >&2; exit ${PIPESTATUS[0]}",
                                 terreinExecutable] + args)
}

/// Never a crash, a hang or a trap: the exit is one of Terrein's documented codes.
func assertCleanExit(_ r: CLIRun, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(r.timedOut, "\(context): timed out (hang)\n\(r.stderr.suffix(2000))", file: file, line: line)
    XCTAssertFalse(r.signaled, "\(context): died of signal \(r.status) (crash or trap)\n\(r.stderr.suffix(3000))", file: file, line: line)
    XCTAssertTrue([0, 2, 3, 4].contains(r.status), "\(context): exit \(r.status) is not 0/2/3/4\n\(r.stderr.suffix(3000))", file: file, line: line)
    XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Program crashed") || r.stderr.contains("internal error"),
                   "\(context): \(r.stderr.suffix(3000))", file: file, line: line)
}

/// The files of a folder (names → bytes), hidden files included, for byte comparisons.
func snapshot(_ dir: String) -> [String: Data] {
    var out: [String: Data] = [:]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
        out[name] = FileManager.default.contents(atPath: dir + "/" + name)
    }
    return out
}

/// Every file under `dir`, subfolders (profiles/) included, by its path relative to `dir`.
func snapshotTree(_ dir: String) -> [String: Data] {
    var out: [String: Data] = [:]
    let fm = FileManager.default
    for path in (try? fm.subpathsOfDirectory(atPath: dir)) ?? [] {
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: dir + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
            out[path] = fm.contents(atPath: dir + "/" + path)
        }
    }
    return out
}

/// Entries of `parent` that a killed or failed run left behind for `name`.
func leftovers(in parent: String, of name: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [])
        .filter { $0.hasPrefix(".\(name).tmp-") || $0.hasPrefix(".\(name).old-") }.sorted()
}
