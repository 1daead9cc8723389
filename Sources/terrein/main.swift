import ArgumentParser
import CTerreinSupport
import Foundation
import Logging
import TerreinCityJSON
import TerreinCore
import TerreinGeometry
import TerreinIO
import TerreinSynth

/// Exit codes (documented in the README and in `terrein --help`).
enum ExitStatus: Int32 {
    case ok = 0
    case internalError = 1
    case badConfig = 2
    case badInput = 3
    case writeFailed = 4
}

struct Terrein: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terrein",
        abstract: "Per-terrein sustainability indicators for Dutch business parks, from open GIS data.",
        discussion: """
        Examples:
          terrein run Pipelines/sample.yml
          terrein run Pipelines/sample.yml --threads 2 --strict --output /tmp/out
          terrein validate Pipelines/sample.yml
          terrein inspect SampleGIS/roofs.geojsonl
          terrein roofs-from-cityjson tile1.city.json tile2.city.json -o roofs.geojson
          terrein diff Output/sample-2025 Output/sample --out /tmp/diff
          terrein report Output/sample --lang en

        Exit codes: 0 ok, 2 bad pipeline file, 3 bad input data, 4 an output could
        not be written (the previous results are untouched), 64 wrong command-line
        arguments, 1 an internal error (please report it).
        """,
        subcommands: [Run.self, Validate.self, Inspect.self, RoofsFromCityJSON.self, Synth.self, Report.self, Diff.self]
    )
}

struct GlobalOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "No progress bars, only errors.")
    var quiet = false

    @Option(name: .customLong("log-format"), help: "Log format on stderr: text or json (for schedulers).")
    var logFormat: LogFormat = .text

    func logger() -> Logger {
        let format = logFormat
        let level: Logger.Level = quiet ? .error : .info
        LoggingSystem.bootstrapOnce { label in
            var h = StderrLogHandler(label: label, format: format)
            h.logLevel = level
            return h
        }
        return Logger(label: "terrein")
    }
}

enum LogFormat: String, ExpressibleByArgument, Sendable { case text, json }

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

extension Terrein {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a pipeline file: read the layers, compute the indicators, write the outputs.")

        @Argument(help: "The pipeline file (YAML).")
        var pipeline: String

        @Option(help: "Worker threads (default: all cores). The outputs do not depend on it.")
        var threads: Int = ProcessInfo.processInfo.activeProcessorCount

        @Flag(help: "Turn repairs and skips of input features into errors.")
        var strict = false

        @Option(help: "Output folder (overrides outputs.directory of the pipeline file).")
        var output: String?

        @Option(help: "Report language: nl or en.")
        var lang: String = "nl"

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard threads >= 1 && threads <= 1024 else { throw ValidationError("--threads must be between 1 and 1024") }
            guard lang == "nl" || lang == "en" else { throw ValidationError("--lang must be nl or en") }
        }

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                let p = try Pipeline.load(path: pipeline, outputOverride: output)
                let showProgress = !global.quiet && isatty(STDERR_FILENO) == 1
                let summary: RunSummary
                do {
                    summary = try Runner.run(p, options: RunOptions(threads: threads, strict: strict, language: lang,
                                                                    progress: showProgress)) { message in
                        log.info("\(message)")
                    }
                } catch where isSQLiteWriteFailure(error) {
                    // The only SQLite file a run writes is the GeoPackage (in the staging folder).
                    throw OutputError(path: p.outputDirectory + "/indicators.gpkg", problem: "write failed: \(error)",
                                      hint: "free disk space (or raise the file size limit) and run again; the previous results are untouched")
                }
                for w in summary.warnings { log.warning("\(w)") }
                log.info("wrote \(summary.files.joined(separator: ", ")) to \(summary.outputDirectory)",
                         metadata: ["terreinen": "\(summary.terreinen)", "regions": "\(summary.regions)",
                                    "seconds": "\(String(format: "%.2f", summary.seconds))"])
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a pipeline file and its inputs without computing anything.")

        @Argument(help: "The pipeline file (YAML).")
        var pipeline: String

        @Flag(help: "Treat repairs and skips as errors, as `run --strict` would.")
        var strict = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                let p = try Pipeline.load(path: pipeline)
                let layers = try LoadedLayers.load(p, options: LoadOptions(strict: strict, threads: ProcessInfo.processInfo.activeProcessorCount))
                for kind in LayerKind.allCases {
                    guard let s = layers.stats[kind] else { continue }
                    print("\(kind.rawValue): \(s.features) features, \(s.used) used, \(s.repaired) repaired, \(s.skipped) skipped (\(s.encoding), \(s.sourceCRS) from \(s.crsSource))")
                }
                print("ok: \(p.file) is valid; outputs would go to \(p.outputDirectory)")
            }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a GeoJSON file: features, geometry types, CRS, bbox, properties, invalid geometries.")

        @Argument(help: "A GeoJSON or GeoJSONSeq file.")
        var file: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                print(try Inspector.inspect(path: file).text)
            }
        }
    }

    struct RoofsFromCityJSON: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "roofs-from-cityjson",
            abstract: "Turn the RoofSurfaces of CityJSON (e.g. 3DBAG) files into a roof-face GeoJSON layer.")

        @Argument(help: "CityJSON files (1.0–2.0).")
        var inputs: [String]

        @Option(name: .shortAndLong, help: "The GeoJSON file to write.")
        var output: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                var all: [CityJSONRoofs] = []
                for path in inputs {
                    let roofs = try CityJSONRoofExtractor.extract(contentsOf: URL(fileURLWithPath: path))
                    log.info("\(path): \(roofs.faces.count) roof faces, \(roofs.droppedFaces) dropped, EPSG \(roofs.epsg.map(String.init) ?? "unknown")")
                    all.append(roofs)
                }
                let text = try CityJSONRoofExtractor.geoJSON(all)
                try AtomicFile.write(text, to: output)
            }
        }
    }

    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate seeded synthetic data: the SampleGIS sample or benchmark scales S, M, L.")

        @Option(help: "sample, S, M or L.")
        var scale: String = "S"

        @Option(help: "Random seed.")
        var seed: UInt64 = 42

        @Option(help: "Output folder.")
        var out: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                guard let s = Scale(argument: scale) else {
                    throw ValidationError("--scale must be sample, S, M or L")
                }
                let transformer = try CRSTransformer(from: .rdNew, to: .wgs84)
                let options = SynthOptions(scale: s, seed: seed, outputDirectory: URL(fileURLWithPath: out)) { xy in
                    guard transformer.transform(&xy) else {
                        throw GeometryError(operation: "synth", message: "cannot transform RD New to WGS84")
                    }
                }
                let summary = try TerreinSynth.generate(options)
                print(summary.description)
            }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render report.html again from a finished run's output folder.")

        @Argument(help: "The output folder of a run (e.g. Output/sample).")
        var outputDirectory: String

        @Option(help: "Language: nl or en.")
        var lang: String = "nl"

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                guard let language = ReportLanguage(rawValue: lang) else { throw ValidationError("--lang must be nl or en") }
                let data = try ReportData.load(outputDirectory: outputDirectory, catalog: IndicatorFamilies.catalog())
                try AtomicFile.write(ReportWriter.render(data, language: language), to: outputDirectory + "/report.html")
                log.info("wrote \(outputDirectory)/report.html")
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two runs' indicators per terrein: changes, added and removed terreinen.")

        @Argument(help: "The earlier run's output folder.")
        var a: String

        @Argument(help: "The later run's output folder.")
        var b: String

        @Option(help: "Folder for diff.csv (default: the current folder).")
        var out: String = "."

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                let diff = try RunDiff.compare(a: a, b: b, catalog: IndicatorFamilies.catalog())
                try AtomicFile.write(diff.csv(), to: out + "/diff.csv")
                print(diff.summary())
            }
        }
    }
}

terrein_ignore_sigxfsz()
terrein_ignore_sigpipe()
Terrein.main()
