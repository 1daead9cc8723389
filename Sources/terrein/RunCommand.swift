import ArgumentParser
import Foundation
import TerreinCore
import TerreinIO

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

        @Flag(help: "Compute every terrein: ignore the previous results' cache and the same-inputs check.")
        var full = false

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
                                                                    progress: showProgress, full: full)) { message in
                        log.info("\(message)")
                    }
                } catch where isSQLiteWriteFailure(error) {
                    // The only SQLite file a run writes is the GeoPackage (in the staging folder).
                    throw OutputError(path: p.outputDirectory + "/indicators.gpkg", problem: "write failed: \(error)",
                                      hint: "free disk space (or raise the file size limit) and run again; the previous results are untouched")
                }
                if summary.unchanged {
                    log.info("same inputs, pipeline and options as the results in \(summary.outputDirectory): nothing to do (--full runs anyway)")
                    return
                }
                for w in summary.warnings { log.warning("\(w)") }
                log.info("wrote \(summary.files.joined(separator: ", ")) to \(summary.outputDirectory)",
                         metadata: ["terreinen": "\(summary.terreinen)", "regions": "\(summary.regions)",
                                    "seconds": "\(String(format: "%.2f", summary.seconds))"])
            }
        }
    }
}
