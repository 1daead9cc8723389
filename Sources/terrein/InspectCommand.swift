import ArgumentParser
import Foundation
import TerreinCore
import TerreinGDAL
import TerreinIO

extension Terrein {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a vector file (features, geometry types, CRS, extent, fields, what a run would repair or skip) or a raster (size, cell size, CRS, nodata, band type, value range).",
            discussion: """
            A GeoJSON or GeoJSONSeq file is read by Terrein's own reader; any other vector file \
            (GeoPackage, Shapefile, FlatGeobuf, GML, a .zip of one) through GDAL/OGR: every layer is \
            listed, and the one named by --layer (or the only one) is read feature by feature through \
            the same preparation steps a run uses.
            """)

        @Argument(help: "A vector file (GeoJSON, GeoJSONSeq, GeoPackage, Shapefile, FlatGeobuf, GML, .zip) or a raster GDAL reads (.tif, ...).")
        var file: String

        @Option(help: "The layer of a file with several (GeoPackage, GML) to read feature by feature.")
        var layer: String?

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                if Self.isRaster(file) {
                    if layer != nil { throw ValidationError("--layer is for vector files; a raster has bands") }
                    do {
                        print(try Raster(path: file).describe())
                    } catch let e as RasterError {
                        throw InputError(file: e.path, problem: e.problem, hint: e.hint)
                    }
                } else {
                    print(try Inspector.inspect(path: file, layer: layer).text)
                }
            }
        }

        /// Rasters by their extension: GeoJSON stays with Terrein's own reader.
        static func isRaster(_ path: String) -> Bool {
            ["tif", "tiff", "vrt", "asc", "nc", "img", "jp2"].contains((path as NSString).pathExtension.lowercased())
        }
    }
}
