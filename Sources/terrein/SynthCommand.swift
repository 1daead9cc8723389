import ArgumentParser
import Foundation
import TerreinGDAL
import TerreinGeometry
import TerreinSynth

extension Terrein {
    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate seeded synthetic data: the SampleGIS sample or benchmark scales S, M, L.")

        @Option(help: "sample, S, M or L.")
        var scale: String = "S"

        @Option(help: "Random seed.")
        var seed: UInt64 = 42

        @Option(help: "Output folder.")
        var out: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                guard let s = Scale(argument: scale) else {
                    throw ValidationError("--scale must be sample, S, M or L")
                }
                let transformer = try CRSTransformer(from: .rdNew, to: .wgs84)
                let directory = URL(fileURLWithPath: out)
                let options = SynthOptions(scale: s, seed: seed, outputDirectory: directory, reproject: { xy in
                    // A fixed, valid transformation: a failure is a bug (exit 1), not the user's.
                    guard transformer.transform(&xy) else { throw SynthError.reprojection("cannot transform RD New to WGS84") }
                }, writeHeatMap: { name, map in
                    let path = directory.appendingPathComponent(name).path
                    do {
                        try GeoTIFFWriter.write(path: path, width: map.columns, height: map.rows, geoTransform: map.geoTransform,
                                                crs: .rdNew, nodata: Double(HeatMap.nodata),
                                                blocks: map.blocks.map { ($0.column, $0.row, $0.width, $0.height, $0.values) })
                    } catch let e as RasterError {
                        throw SynthError.io(e.description)
                    }
                }, copyLayer: { from, to, driver, layer in
                    do {
                        try VectorTranslate.copy(from: from.path, to: to.path, driver: driver, layerName: layer)
                    } catch let e as RasterError {
                        throw SynthError.io(e.description)
                    }
                }, writeDepthGrid: { name, grid in
                    let path = directory.appendingPathComponent(name).path
                    do {
                        try GeoTIFFWriter.write(path: path, width: grid.columns, height: grid.rows, geoTransform: grid.geoTransform,
                                                crs: .rdNew, nodata: Double(DepthGrid.nodata), blockCount: grid.blockCount) {
                            let b = grid.block($0)
                            return (b.column, b.row, b.width, b.height, b.values)
                        }
                    } catch let e as RasterError {
                        throw SynthError.io(e.description)
                    }
                })
                let summary = try TerreinSynth.generate(options)
                print(summary.description)
            }
        }
    }
}
