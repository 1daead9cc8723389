import ArgumentParser
import Foundation
import TerreinCore

extension Terrein {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a pipeline file and its inputs without computing anything.")

        @Argument(help: "The pipeline file (YAML).")
        var pipeline: String

        @Flag(help: "Treat repairs and skips as errors, as `run --strict` would.")
        var strict = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                let p = try Pipeline.load(path: pipeline)
                let layers = try LoadedLayers.load(p, options: LoadOptions(strict: strict, threads: ProcessInfo.processInfo.activeProcessorCount))
                for kind in LayerKind.allCases {
                    for s in layers.sourceStats[kind] ?? [] {
                    print("\(kind.rawValue)\(s.sourceIndex.map { ".sources[\($0)]" } ?? ""): \(s.features) features, \(s.used) used, \(s.repaired) repaired, \(s.skipped) skipped (\(s.encoding), \(s.sourceCRS) from \(s.crsSource))")
                    }
                }
                for kind in RasterLayerKind.allCases {
                    guard let r = layers.rasters[kind] else { continue }
                    let i = r.info
                    print("\(kind.rawValue): raster \(i.width) × \(i.height) cells of \(abs(i.geoTransform[1])) × \(abs(i.geoTransform[5])), band \(i.band) of \(i.bandCount) (\(i.dataType)), \(r.crsName)")
                }
                if let line = try Runner.describeHistory(p) { print(line) }
                print("ok: \(p.file) is valid; outputs would go to \(p.outputDirectory)")
            }
        }
    }
}
