import ArgumentParser
import TerreinCore
import TerreinIO

extension Terrein {
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two runs' indicators per terrein: changes, added and removed terreinen.")

        @Argument(help: "The earlier run: its output folder, or a run of a run history as HISTORY.gpkg@RUN_ID (or @latest).")
        var a: String

        @Argument(help: "The later run: its output folder, or HISTORY.gpkg@RUN_ID (or @latest).")
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
