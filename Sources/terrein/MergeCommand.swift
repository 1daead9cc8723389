import ArgumentParser
import Foundation
import TerreinCore
import TerreinIO

extension Terrein {
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Combine the folders of every shard's run into the outputs of one run (docs/large-runs.md).")

        @Argument(help: "The shards' output folders (each holds shard.json), every shard of the plan once.")
        var shardDirectories: [String]

        @Option(help: "Output folder (default: outputs.directory of the pipeline file).")
        var output: String?

        @Option(help: "The pipeline file, when it is no longer where the shards ran it (its SHA-256 must match).")
        var pipeline: String?

        @Option(help: "Worker threads (default: all cores). The outputs do not depend on it.")
        var threads: Int = ProcessInfo.processInfo.activeProcessorCount

        @Option(help: "Report language: nl or en.")
        var lang: String = "nl"

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard !shardDirectories.isEmpty else { throw ValidationError("give the shards' folders") }
            guard threads >= 1 && threads <= 1024 else { throw ValidationError("--threads must be between 1 and 1024") }
            guard lang == "nl" || lang == "en" else { throw ValidationError("--lang must be nl or en") }
        }

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                let summary: RunSummary
                do {
                    summary = try Runner.merge(shardDirectories, outputOverride: output, pipelinePath: pipeline,
                                               options: RunOptions(threads: threads, language: lang)) { log.info("\($0)") }
                } catch where isSQLiteWriteFailure(error) {
                    throw OutputError(path: (output ?? "the output folder") + "/indicators.gpkg", problem: "write failed: \(error)",
                                      hint: "free disk space (or raise the file size limit) and run again; the previous results are untouched")
                }
                for w in summary.warnings { log.warning("\(w)") }
                log.info("merged \(shardDirectories.count) shard(s): wrote \(summary.files.joined(separator: ", ")) to \(summary.outputDirectory)",
                         metadata: ["terreinen": "\(summary.terreinen)", "regions": "\(summary.regions)",
                                    "seconds": "\(String(format: "%.2f", summary.seconds))"])
            }
        }
    }
}
