import ArgumentParser
import Foundation
import TerreinCore
import TerreinIO

extension Terrein {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cut a pipeline's terreinen into N spatially compact shards of about equal work (docs/large-runs.md).")

        @Argument(help: "The pipeline file (YAML).")
        var pipeline: String

        @Option(help: "Number of shards.")
        var shards: Int

        @Option(help: "The plan file to write (default: <outputs.directory>-shards/plan.json).")
        var out: String?

        @Option(help: "Worker threads for reading (default: all cores). The plan does not depend on it.")
        var threads: Int = ProcessInfo.processInfo.activeProcessorCount

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard shards >= 1 && shards <= 100_000 else { throw ValidationError("--shards must be between 1 and 100000") }
            guard threads >= 1 && threads <= 1024 else { throw ValidationError("--threads must be between 1 and 1024") }
        }

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                let p = try Pipeline.load(path: pipeline)
                let plan = try ShardPlanner.plan(p, shards: shards, threads: threads)
                let path = out ?? ShardLayout.planPath(p)
                let text = try plan.rendered()
                try AtomicFile.write(text, to: path)
                let weights = plan.shards.map(\.weight)
                let planId = try ShardPlan.read(path: path).planId
                log.info("wrote \(path)", metadata: [
                    "plan_id": "\(planId)", "shards": "\(shards)",
                    "terreinen": "\(plan.shards.reduce(0) { $0 + $1.terreinen.count })",
                    "weight_min": "\(weights.min() ?? 0)", "weight_max": "\(weights.max() ?? 0)"])
            }
        }
    }
}
