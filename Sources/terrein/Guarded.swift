import ArgumentParser
import Foundation
import Logging
import TerreinCityJSON
import TerreinCore
import TerreinGeometry
import TerreinIO
import TerreinSynth

/// Exit codes (documented in the README and in `terrein --help`). Every error a user can
/// cause ends with the code of its class; 1 is left for bugs.
enum ExitStatus: Int32 {
    case ok = 0
    /// A bug in Terrein: please report it.
    case internalError = 1
    /// The pipeline file (or SOURCE_DATE_EPOCH) is wrong.
    case badConfig = 2
    /// An input is wrong: a layer, a CityJSON file, a run's output folder given to report
    /// or diff, geometry that GEOS cannot process.
    case badInput = 3
    /// An output could not be written (disk full, no permission, failed sync).
    case writeFailed = 4
    // 64, wrong command-line arguments, is ArgumentParser's (ValidationError).
}

/// Runs a command body, printing errors and mapping them to exit codes.
func guarded(_ log: Logger, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as ValidationError {
        throw e  // ArgumentParser prints it with the usage and exits 64
    } catch {
        let (status, kind, message) = classify(error)
        log.error("\(message)", metadata: ["kind": "\(kind)"])
        throw ExitCode(status.rawValue)
    }
}

/// The exit status, the log's `kind` and the message (with a `→` hint) of an error.
func classify(_ error: Error) -> (ExitStatus, String, String) {
    switch error {
    case let e as ConfigError:
        return (.badConfig, "config", e.description)
    case let e as InputError:
        return (.badInput, "input", e.description)
    case let e as CityJSONError:
        return (.badInput, "input", e.description)
    case let e as ShardError:
        // A plan, a shard's folder or the set of shards given to merge: inputs of the command.
        return (.badInput, "shards", e.description)
    case let e as OutputError:
        return (.writeFailed, "output", e.description)
    case let e as ReportData.LoadError:
        // The folder given to `terrein report` is not (or no longer) a run's output.
        return (.badInput, "input", e.description + "\n  → give the output folder of a finished `terrein run` (it holds "
                + "indicators.gpkg, or indicators.geojson and regions.csv); run the pipeline again to write them anew")
    case let e as RunDiff.DiffError:
        return (.badInput, "input", e.description + "\n  → compare the output folders of two finished runs (each holds "
                + "indicators.csv), or two indicators.csv files as Terrein wrote them")
    case SynthError.io(let message):
        return (.writeFailed, "output", message + "\n  → choose an --out folder that you may write to (not a file), on a disk with free space")
    case let e as RDGrid.GridMissing:
        // Terrein's installation, not the data: like a bad pipeline file, fixed before the run.
        return (.badConfig, "setup", e.description)
    case let e as GeometryError:
        // Commands name the file where they know it (InputError); this is the rest: GEOS or
        // PROJ failing on data, which the user can work around by repairing the data.
        return (.badInput, "input", "a geometry operation failed on the input data: \(e.description)\n  → run `terrein validate` "
                + "on the pipeline and `terrein inspect` on its layers to find invalid or extreme geometries; repair or "
                + "simplify them in the source (if they look right, please report it with the input files)")
    default:
        return (.internalError, "internal", "internal error: \(error)\n  → this is a bug in Terrein; please report it with "
                + "the command and its input files")
    }
}

/// A SQLite (GRDB) error, with its primary result code (extended codes keep it in the low
/// byte). Matched through the error's NSError bridge (domain and code) so that the CLI
/// needs no GRDB import.
func sqliteResultCode(_ error: Error) -> Int? {
    let ns = error as NSError
    guard ns.domain == "GRDB.DatabaseError" else { return nil }
    return ns.code & 0xFF
}

/// A SQLite error that means a file could not be written: no permission (SQLITE_PERM 3),
/// read-only (8), I/O error (10), disk full (13), cannot open (14), locking protocol on a
/// network file system (15), file too large for the platform (22).
func isSQLiteWriteFailure(_ error: Error) -> Bool {
    guard let code = sqliteResultCode(error) else { return false }
    return [3, 8, 10, 13, 14, 15, 22].contains(code)
}
