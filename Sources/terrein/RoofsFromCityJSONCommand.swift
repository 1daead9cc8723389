import ArgumentParser
import Foundation
import TerreinCityJSON
import TerreinIO

extension Terrein {
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
}
