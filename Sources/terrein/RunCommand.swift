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

        @Option(help: "Run history to append the run to (a .gpkg; overrides outputs.history of the pipeline file).")
        var history: String?

        @Option(help: "Report language: nl or en.")
        var lang: String = "nl"

        @Option(help: "Compute only shard K of N of the plan (--plan) and write its shard.json (docs/large-runs.md).")
        var shard: String?

        @Option(help: "The plan file of `terrein plan` (default: <outputs.directory>-shards/plan.json); with --shard.")
        var plan: String?

        @Flag(help: "Compute every terrein: ignore the previous results' cache and the same-inputs check.")
        var full = false

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard threads >= 1 && threads <= 1024 else { throw ValidationError("--threads must be between 1 and 1024") }
            guard lang == "nl" || lang == "en" else { throw ValidationError("--lang must be nl or en") }
            if shard != nil { _ = try shardNumbers() }
            if plan != nil && shard == nil { throw ValidationError("--plan goes with --shard K/N") }
        }

        /// `--shard K/N` as (K, N), 1 ≤ K ≤ N.
        func shardNumbers() throws -> (Int, Int) {
            let parts = (shard ?? "").split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else {
                throw ValidationError("--shard must be K/N with 1 ≤ K ≤ N, e.g. --shard 2/4")
            }
            return (k, n)
        }

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                if shard != nil {
                    let p = try Pipeline.load(path: pipeline)
                    let (k, n) = try shardNumbers()
                    let planPath = plan ?? ShardLayout.planPath(p)
                    let thePlan = try ShardPlan.read(path: planPath)
                    guard thePlan.shardCount == n else {
                        throw ShardError("--shard \(k)/\(n): the plan \(planPath) has \(thePlan.shardCount) shards",
                                         hint: "give --shard K/\(thePlan.shardCount)")
                    }
                    let summary = try Runner.runShard(p, plan: thePlan, shard: k,
                                                      outputDirectory: output ?? ShardLayout.shardDirectory(p, shard: k, of: n),
                                                      options: RunOptions(threads: threads, strict: strict, language: lang)) {
                        log.info("\($0)")
                    }
                    log.info("shard \(k)/\(n): wrote \(summary.files.joined(separator: ", ")) to \(summary.outputDirectory)",
                             metadata: ["terreinen": "\(summary.terreinen)", "seconds": "\(String(format: "%.2f", summary.seconds))"])
                    return
                }
                let p = try Pipeline.load(path: pipeline, outputOverride: output, historyOverride: history)
                let showProgress = !global.quiet && isatty(STDERR_FILENO) == 1
                let summary: RunSummary
                var options = RunOptions(threads: threads, strict: strict, language: lang, progress: showProgress, full: full)
                options.endsProcess = true
                do {
                    summary = try Runner.run(p, options: options) { message in
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
                if let id = summary.historyRunID, let path = p.historyPath { log.info("appended run \(id) to the run history \(path)") }
                log.info("wrote \(summary.files.joined(separator: ", ")) to \(summary.outputDirectory)",
                         metadata: ["terreinen": "\(summary.terreinen)", "regions": "\(summary.regions)",
                                    "seconds": "\(String(format: "%.2f", summary.seconds))"])
            }
        }
    }
}
