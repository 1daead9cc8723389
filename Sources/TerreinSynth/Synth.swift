import Foundation

/// Reprojects interleaved coordinate pairs in place: RD New (EPSG:28992) x, y in metres in;
/// WGS84 longitude, latitude in degrees out. Supplied by the caller (the CLI wires PROJ in),
/// so that this target stays Foundation-only.
public typealias Reproject = (_ xy: inout [Double]) throws -> Void

/// Writes a heat map as a GeoTIFF named `fileName` in the output directory (supplied by the
/// caller: the CLI wires GDAL in, so that this target stays Foundation-only).
public typealias WriteHeatMap = (_ fileName: String, _ map: HeatMap) throws -> Void

/// Writes an inundation depth grid as a GeoTIFF (supplied by the caller, as `WriteHeatMap`).
public typealias WriteDepthGrid = (_ fileName: String, _ grid: DepthGrid) throws -> Void

/// Copies a written GeoJSON layer file into another format (`driver`: "GPKG", "ESRI
/// Shapefile"), as a layer named `layer` (supplied by the caller: the CLI wires GDAL in).
public typealias CopyLayer = (_ from: URL, _ to: URL, _ driver: String, _ layer: String) throws -> Void

/// The size of a synthetic data set.
public enum Scale: String, CaseIterable, Sendable {
    /// The small Katwijk sample (`SampleGIS/`).
    case sample
    /// 1/100 of L's area (a window in the middle of the country), same density.
    case S
    /// 1/10 of L's area, same density; contains S.
    case M
    /// National: 3,800 terreinen over the Netherlands' RD extent.
    case L

    /// Parses "sample", "s", "m", "l" (any case).
    public init?(argument: String) {
        switch argument.lowercased() {
        case "sample": self = .sample
        case "s": self = .S
        case "m": self = .M
        case "l": self = .L
        default: return nil
        }
    }
}

public struct SynthOptions {
    public var scale: Scale
    public var seed: UInt64
    public var outputDirectory: URL
    /// Needed for `.sample` only (its natura2000 and inundation files are WGS84).
    public var reproject: Reproject?
    /// Writes the heat map; without it no heat raster is made.
    public var writeHeatMap: WriteHeatMap?
    /// Writes the inundation depth grid (`inundation.tif`); without it none is made.
    public var writeDepthGrid: WriteDepthGrid?
    /// The sample only: copies two layers into GeoPackage and Shapefile, so one sample run
    /// reads every format; without it only the GeoJSON files are written.
    public var copyLayer: CopyLayer?

    public init(scale: Scale, seed: UInt64 = 42, outputDirectory: URL, reproject: Reproject? = nil,
                writeHeatMap: WriteHeatMap? = nil, copyLayer: CopyLayer? = nil, writeDepthGrid: WriteDepthGrid? = nil) {
        self.scale = scale
        self.seed = seed
        self.outputDirectory = outputDirectory
        self.reproject = reproject
        self.writeHeatMap = writeHeatMap
        self.copyLayer = copyLayer
        self.writeDepthGrid = writeDepthGrid
    }
}

/// What was written for one layer.
public struct LayerSummary: Equatable, Sendable {
    /// The pipeline's layer name: terreinen, roofs, natura2000, landcover, inundation.
    public let layer: String
    /// File name inside the output directory.
    public let file: String
    public let features: Int
    /// Positions written, counting each ring's closing repeat of its first vertex.
    public let vertices: Int
    public let bytes: Int

    public init(layer: String, file: String, features: Int, vertices: Int, bytes: Int) {
        self.layer = layer
        self.file = file
        self.features = features
        self.vertices = vertices
        self.bytes = bytes
    }
}

public struct SynthSummary: Sendable, CustomStringConvertible {
    public let scale: Scale
    public let seed: UInt64
    public let outputDirectory: URL
    /// In the order terreinen, roofs, natura2000, landcover, inundation.
    public let layers: [LayerSummary]
    /// Other files written (pipeline.yml, README.md).
    public let otherFiles: [String]
    /// Wall-clock seconds (not part of the deterministic output).
    public let seconds: Double

    public subscript(layer: String) -> LayerSummary? { layers.first { $0.layer == layer } }

    public var totalBytes: Int { layers.reduce(0) { $0 + $1.bytes } }

    /// A few lines for a terminal.
    public var description: String {
        var s = "scale \(scale.rawValue), seed \(seed), \(outputDirectory.path)\n"
        for l in layers {
            s += "  \(l.file): \(l.features) features, \(l.vertices) vertices, \(l.bytes) bytes\n"
        }
        for f in otherFiles { s += "  \(f)\n" }
        s += "  \(totalBytes) bytes of layers in " + formatFixed(seconds, decimals: 2) + " s"
        return s
    }
}

public enum SynthError: Error, CustomStringConvertible, Equatable {
    case missingReprojection(layer: String)
    case reprojection(String)
    case io(String)

    public var description: String {
        switch self {
        case .missingReprojection(let layer):
            return "the \(layer) layer is written in WGS84: pass a reprojection (RD New -> lon/lat)"
        case .reprojection(let m): return "reprojection failed: \(m)"
        case .io(let m): return m
        }
    }

    /// A short reason for a failed file operation ("Permission denied"), rather than the
    /// NSError dump that `"\(error)"` gives.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        // `as? Error`, then bridged: on Linux the underlying POSIX error is not always an NSError.
        if let underlying = (ns.userInfo[NSUnderlyingErrorKey] as? Error).map({ $0 as NSError }),
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}

/// Generates the data set for `options.scale` into `options.outputDirectory` (created if
/// missing; the generator's own files in it are replaced).
public func generate(_ options: SynthOptions) throws -> SynthSummary {
    let start = Date()
    do {
        try FileManager.default.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)
    } catch {
        throw SynthError.io("cannot create \(options.outputDirectory.path): \(SynthError.reason(error))")
    }
    let layers: [LayerSummary]
    let other: [String]
    switch options.scale {
    case .sample:
        guard let reproject = options.reproject else {
            throw SynthError.missingReprojection(layer: "natura2000")
        }
        layers = try SampleGenerator(seed: options.seed).write(to: options.outputDirectory, reproject: reproject,
                                                              writeHeatMap: options.writeHeatMap,
                                                              writeDepthGrid: options.writeDepthGrid)
        var copies: [String] = []
        if let copyLayer = options.copyLayer {
            let dir = options.outputDirectory
            for (file, copy, driver, layer) in SampleGenerator.copies {
                try copyLayer(dir.appendingPathComponent(file), dir.appendingPathComponent(copy), driver, layer)
                copies.append(copy)
            }
        }
        let readme = SampleGenerator.readme(seed: options.seed, layers: layers)
        try writeText(readme, to: options.outputDirectory.appendingPathComponent("README.md"))
        other = copies + ["README.md"]
    case .S, .M, .L:
        let gen = NationalGenerator(seed: options.seed, scale: options.scale)
        layers = try gen.write(to: options.outputDirectory, writeHeatMap: options.writeHeatMap,
                               writeDepthGrid: options.writeDepthGrid)
        try writeText(gen.pipelineYAML(withHeat: options.writeHeatMap != nil, withDepthGrid: options.writeDepthGrid != nil),
                      to: options.outputDirectory.appendingPathComponent("pipeline.yml"))
        other = ["pipeline.yml"]
    }
    return SynthSummary(scale: options.scale, seed: options.seed, outputDirectory: options.outputDirectory,
                        layers: layers, otherFiles: other, seconds: Date().timeIntervalSince(start))
}

func writeText(_ text: String, to url: URL) throws {
    do {
        try Data(text.utf8).write(to: url)
    } catch {
        throw SynthError.io("cannot write \(url.path): \(SynthError.reason(error))")
    }
}
