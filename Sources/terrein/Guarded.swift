import ArgumentParser
import Foundation
import Logging
import TerreinCityJSON
import TerreinCore
import TerreinGeometry
import TerreinIO

/// Exit codes (documented in the README and in `terrein --help`).
enum ExitStatus: Int32 {
    case ok = 0
    case internalError = 1
    case badConfig = 2
    case badInput = 3
    case writeFailed = 4
}

/// Runs a command body, printing errors and mapping them to exit codes.
func guarded(_ log: Logger, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ConfigError {
        log.error("\(e.description)", metadata: ["kind": "config"])
        throw ExitCode(ExitStatus.badConfig.rawValue)
    } catch let e as InputError {
        log.error("\(e.description)", metadata: ["kind": "input"])
        throw ExitCode(ExitStatus.badInput.rawValue)
    } catch let e as CityJSONError {
        log.error("\(e.description)", metadata: ["kind": "input"])
        throw ExitCode(ExitStatus.badInput.rawValue)
    } catch let e as OutputError {
        log.error("\(e.description)", metadata: ["kind": "output"])
        throw ExitCode(ExitStatus.writeFailed.rawValue)
    } catch let e as ExitCode {
        throw e
    } catch let e as ValidationError {
        throw e  // ArgumentParser prints it with the usage and exits 64
    } catch {
        log.error("internal error: \(error)", metadata: ["kind": "internal"])
        throw ExitCode(ExitStatus.internalError.rawValue)
    }
}

/// A SQLite (GRDB) error that means a file could not be written: I/O error, disk full,
/// cannot open, read-only. Matched through the error's NSError bridge (domain and primary
/// result code) so that the CLI needs no GRDB import.
func isSQLiteWriteFailure(_ error: Error) -> Bool {
    let ns = error as NSError
    guard ns.domain == "GRDB.DatabaseError" else { return false }
    // SQLITE_READONLY 8, SQLITE_IOERR 10, SQLITE_FULL 13, SQLITE_CANTOPEN 14 (extended codes keep them in the low byte).
    return [8, 10, 13, 14].contains(ns.code & 0xFF)
}
