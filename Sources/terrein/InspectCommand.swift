import ArgumentParser
import TerreinCore

extension Terrein {
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
}
