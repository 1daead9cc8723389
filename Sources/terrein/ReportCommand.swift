import ArgumentParser
import Foundation
import TerreinCore
import TerreinIO

extension Terrein {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render report.html and profiles/ again from a finished run's output folder.")

        @Argument(help: "The output folder of a run (e.g. Output/sample).")
        var outputDirectory: String

        @Option(help: "Language: nl or en.")
        var lang: String = "nl"

        @Option(help: "A run history (docs/history.md) to draw the profiles' trends from; the folder's run is its last point unless the history holds it already.")
        var history: String?

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                guard let language = ReportLanguage(rawValue: lang) else { throw ValidationError("--lang must be nl or en") }
                var data: ReportData
                do {
                    data = try ReportData.load(outputDirectory: outputDirectory, catalog: IndicatorFamilies.catalog())
                } catch where sqliteResultCode(error) != nil {
                    // SQLite refused the GeoPackage: not a database, damaged, or unreadable.
                    throw InputError(file: outputDirectory + "/indicators.gpkg", problem: "cannot read the GeoPackage: \(error)",
                                     hint: "it must be the indicators.gpkg a run wrote, unchanged; run the pipeline again to write it anew")
                }
                if let history {
                    // The folder's run, when the history does not hold it: finished as its manifest says.
                    let csv = outputDirectory + "/indicators.csv"
                    let manifest = (try? Data(contentsOf: URL(fileURLWithPath: outputDirectory + "/manifest.json")))
                        .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
                    data.trends = try ReportTrends.points(
                        history: try RunHistory.open(path: history), current: data.indicators,
                        finished: manifest?["finished"] as? String ?? "",
                        currentSHA256: try Hashing.sha256Hex(fileAt: csv))
                }
                // The profiles first (into a new folder swapped in with one rename), then the
                // report that links to them.
                let profiles = try ProfileSet(data, language: language)
                let written = try ProfileFolder.replace(profiles, in: outputDirectory,
                                                        threads: ProcessInfo.processInfo.activeProcessorCount)
                try AtomicFile.write(ReportWriter.render(data, language: language, profileFiles: profiles.fileNames),
                                     to: outputDirectory + "/report.html")
                log.info("wrote \(outputDirectory)/report.html and \(written.files) profiles in \(outputDirectory)/profiles/")
            }
        }
    }
}
