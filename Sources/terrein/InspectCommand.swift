import ArgumentParser
import Foundation
import TerreinCore
import TerreinGDAL
import TerreinIO

extension Terrein {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a GeoJSON file (features, geometry types, CRS, bbox, properties, what a run would repair) or a raster (size, cell size, CRS, nodata, band type, value range).")

        @Argument(help: "A GeoJSON or GeoJSONSeq file, or a raster GDAL reads (.tif, ...).")
        var file: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                if Self.isRaster(file) {
                    do {
                        print(try Raster(path: file).describe())
                    } catch let e as RasterError {
                        throw InputError(file: e.path, problem: e.problem, hint: e.hint)
                    }
                } else {
                    print(try Inspector.inspect(path: file).text)
                }
            }
        }

        /// Rasters by their extension: GeoJSON stays with Terrein's own reader.
        static func isRaster(_ path: String) -> Bool {
            ["tif", "tiff", "vrt", "asc", "nc", "img", "jp2"].contains((path as NSString).pathExtension.lowercased())
        }
    }
}
