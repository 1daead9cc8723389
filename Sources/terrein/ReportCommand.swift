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

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                guard let language = ReportLanguage(rawValue: lang) else { throw ValidationError("--lang must be nl or en") }
                let data: ReportData
                do {
                    data = try ReportData.load(outputDirectory: outputDirectory, catalog: IndicatorFamilies.catalog())
                } catch where sqliteResultCode(error) != nil {
                    // SQLite refused the GeoPackage: not a database, damaged, or unreadable.
                    throw InputError(file: outputDirectory + "/indicators.gpkg", problem: "cannot read the GeoPackage: \(error)",
                                     hint: "it must be the indicators.gpkg a run wrote, unchanged; run the pipeline again to write it anew")
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
