import Foundation
import TerreinGeometry

/// A configuration problem: the pipeline file, the key path, what is wrong, what would be valid.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var keyPath: String
    public var line: Int?
    public var problem: String
    public var hint: String

    public init(file: String, keyPath: String, line: Int? = nil, problem: String, hint: String = "") {
        self.file = file
        self.keyPath = keyPath
        self.line = line
        self.problem = problem
        self.hint = hint
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if !keyPath.isEmpty { s += "\(keyPath): " }
        s += problem
        if !hint.isEmpty { s += "\n  → " + hint }
        return s
    }
}

/// The layers of docs/indicators.md.
public enum LayerKind: String, CaseIterable, Sendable, Comparable {
    case terreinen, roofs, natura2000, landcover, inundation

    /// The attributes a layer's `fields:` may map, with the default file field name (= the key).
    public var attributes: [String] {
        switch self {
        case .terreinen: return ["id", "name", "region"]
        case .roofs: return ["slope_deg", "azimuth_deg", "building_id"]
        case .natura2000: return ["name"]
        case .landcover: return ["class"]
        case .inundation: return ["depth_m"]
        }
    }

    public static func < (a: LayerKind, b: LayerKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

public struct LayerConfig: Sendable {
    public var kind: LayerKind
    /// Absolute path of the input file.
    public var path: String
    /// The path as written in the pipeline file.
    public var declaredPath: String
    /// Overrides the file's own CRS (legacy `crs` member, or WGS84 by RFC 7946).
    public var crs: CRSIdentifier?
    /// Spec attribute name → field name in the file.
    public var fields: [String: String]
    /// Which fields were set explicitly (explicit fields must exist in the data).
    public var explicitFields: Set<String>
    /// Land cover only: class value → sealed/green/water.
    public var classes: [String: LandCoverClass]
    /// Land cover only: the one class of every feature of this source (`class:`), instead of
    /// a class field and its mapping.
    public var constantClass: LandCoverClass?
    /// The layer of a file that holds several (a GeoPackage), read through GDAL/OGR.
    public var layer: String?
    /// Land cover given as `sources:`: this source's position in that list (nil for the
    /// single-source form).
    public var sourceIndex: Int?

    /// The key path of this layer (or source) in the pipeline file, for messages:
    /// `layers.landcover` or `layers.landcover.sources[1]`.
    public var keyPath: String {
        "layers.\(kind.rawValue)" + (sourceIndex.map { ".sources[\($0)]" } ?? "")
    }

    /// The class of a land cover feature whose class field holds `value` (the text read
    /// from the data): the constant class, else the mapping, else `other` (unmapped).
    public func landCoverClass(of value: String) -> (cls: LandCoverClass, mapped: Bool) {
        if let constantClass { return (constantClass, true) }
        if let c = classes[value] { return (c, true) }
        return (.other, false)
    }

    public func field(_ attribute: String) -> String { fields[attribute] ?? attribute }

    /// Whether Terrein's own GeoJSON reader reads the file (by its extension); any other
    /// file is read through GDAL/OGR (GeoPackage, Shapefile, FlatGeobuf, GML, ...).
    public var isGeoJSON: Bool { Self.isGeoJSON(path: path) }

    /// The same rule for any path (`terrein inspect` reads a file as a run would).
    public static func isGeoJSON(path: String) -> Bool {
        ["geojson", "json", "geojsonl", "geojsons", "geojsonseq", "jsonl", "ndjson"]
            .contains((path as NSString).pathExtension.lowercased())
    }
}

public enum LandCoverClass: String, Sendable, CaseIterable {
    case sealed, green, water, other
}

public enum OutputFormat: String, CaseIterable, Sendable {
    case csv, geojson, gpkg, report
}

/// The yield factor table: rows are slopes, columns deviations from south.
public struct YieldFactorTable: Sendable, Equatable {
    public var slopesDeg: [Double]
    public var deviationsDeg: [Double]
    public var factors: [[Double]]

    public static let `default` = YieldFactorTable(
        slopesDeg: [0, 15, 30, 45, 60, 90],
        deviationsDeg: [0, 45, 90, 135, 180],
        factors: [
            [0.87, 0.87, 0.87, 0.87, 0.87],
            [0.97, 0.94, 0.86, 0.78, 0.74],
            [1.00, 0.96, 0.84, 0.70, 0.64],
            [0.99, 0.94, 0.80, 0.62, 0.52],
            [0.93, 0.88, 0.74, 0.55, 0.43],
            [0.69, 0.66, 0.56, 0.41, 0.30],
        ])

    /// Bilinear interpolation at (slope, deviation), clamped to the table's edges.
    public func factor(slope: Double, deviation: Double) -> Double {
        func locate(_ axis: [Double], _ v: Double) -> (Int, Int, Double) {
            if v <= axis[0] { return (0, 0, 0) }
            if v >= axis[axis.count - 1] { return (axis.count - 1, axis.count - 1, 0) }
            var i = 0
            while axis[i + 1] < v { i += 1 }
            let t = (v - axis[i]) / (axis[i + 1] - axis[i])
            return (i, i + 1, t)
        }
        let (r0, r1, ts) = locate(slopesDeg, slope)
        let (c0, c1, td) = locate(deviationsDeg, deviation)
        let top = factors[r0][c0] * (1 - td) + factors[r0][c1] * td
        let bottom = factors[r1][c0] * (1 - td) + factors[r1][c1] * td
        return top * (1 - ts) + bottom * ts
    }

    /// The factor for flat faces: the slope-0 row at deviation 0.
    public var flatFactor: Double { factors[0][0] }
}

public struct SolarParameters: Sendable, Equatable {
    public var flatMaxSlopeDeg = 10.0
    public var minFaceM2 = 10.0
    public var maxSlopeDeg = 60.0
    public var maxDevFromSouthDeg = 90.0
    public var kwpPerM2 = 0.2
    public var usableFractionFlat = 0.6
    public var usableFractionPitched = 0.8
    public var specificYieldKWhPerKWp = 900.0
    public var yieldFactors = YieldFactorTable.default
    public init() {}
}

public struct NatureParameters: Sendable, Equatable {
    public var bandsM: [Int] = [500]
    public init() {}
}

public struct WaterParameters: Sendable, Equatable {
    public var minDepthM = 0.10
    public var deepDepthM = 0.30
    public var designStormMM = 70.0
    public var cSealed = 0.9
    public var cUnsealed = 0.2
    public var storageMMPerSealedM2 = 60.0
    public init() {}
}

/// Heat stress thresholds (docs/indicators.md, "Heat stress").
public struct HeatParameters: Sendable, Equatable {
    /// PET (°C) from which a cell counts as strong (*sterke*) heat stress.
    public var strongPetC = 35.0
    /// PET (°C) from which a cell counts as extreme heat stress; above `strongPetC`.
    public var extremePetC = 41.0
    /// Strong-fraction thresholds of `heat_exposure` (low, medium, high), increasing in (0, 1).
    public var exposureFractions = [0.25, 0.50]
    public init() {}
}

public struct Parameters: Sendable, Equatable {
    public var solar = SolarParameters()
    public var nature = NatureParameters()
    public var water = WaterParameters()
    public var heat = HeatParameters()
    public init() {}
}

/// The raster layers of docs/indicators.md.
public enum RasterLayerKind: String, CaseIterable, Sendable {
    /// The water depth grid of the design storm (m); the inundation layer is this raster
    /// or polygons, by the file's extension (`rasterExtensions`).
    case inundation
    case heat

    /// File extensions (lower case) that make a layer that may be either (inundation) a
    /// raster; every other file is read as a vector layer. Decided by name, before any
    /// file is opened, so `validate` and the error messages know the form from the
    /// pipeline file alone.
    public static let rasterExtensions: Set<String> = ["tif", "tiff", "vrt", "asc", "img", "nc", "bil", "flt", "grd", "jp2"]

    public static func isRasterPath(_ path: String) -> Bool {
        rasterExtensions.contains((path as NSString).pathExtension.lowercased())
    }
}

/// A raster layer of the pipeline: one band of a file GDAL reads.
public struct RasterLayerConfig: Sendable {
    public var kind: RasterLayerKind
    /// Absolute path of the file.
    public var path: String
    /// The path as written in the pipeline file.
    public var declaredPath: String
    /// Counted from 1.
    public var band: Int
    /// The CRS of a raster that has none (a raster with one must be in the work CRS).
    public var crs: CRSIdentifier?
    public init(kind: RasterLayerKind, path: String, declaredPath: String, band: Int = 1, crs: CRSIdentifier? = nil) {
        self.kind = kind
        self.path = path
        self.declaredPath = declaredPath
        self.band = band
        self.crs = crs
    }
}

/// A loaded and validated pipeline file.
public struct Pipeline: Sendable {
    public var name: String
    public var file: String
    /// The CRS all computation happens in: a projected CRS in metres. For a compound
    /// `work_crs` (EPSG:7415) this is its horizontal part (EPSG:28992).
    public var workCRS: CRSIdentifier
    /// `work_crs` as written in the pipeline file (what the manifest shows).
    public var declaredWorkCRS: CRSIdentifier
    /// One config per vector layer; for land cover given as several sources, the first one
    /// (all of them are in `landcoverSources`).
    public var layers: [LayerKind: LayerConfig]
    /// Land cover's sources in the order of the pipeline file: one for the single-source
    /// form, empty without land cover. All of them feed the one landcover layer.
    public var landcoverSources: [LayerConfig] = []
    /// The raster layers (heat, an inundation raster), read window by window while computing.
    public var rasters: [RasterLayerKind: RasterLayerConfig]
    public var parameters: Parameters
    public var outputDirectory: String
    public var formats: [OutputFormat]
    /// Whether the run keeps each terrein's profile display features: the report draws them and
    /// the GeoPackage stores them (so that `terrein report` can draw them again).
    public var wantsDisplay: Bool { formats.contains(.report) || formats.contains(.gpkg) }
    /// The run history (`outputs.history`, or `--history`): an absolute path to the
    /// GeoPackage every successful run appends itself to (docs/history.md); nil for none.
    public var historyPath: String?
    /// SHA-256 of the pipeline file's bytes.
    public var sha256: String

    public init(name: String, file: String, workCRS: CRSIdentifier, layers: [LayerKind: LayerConfig],
                parameters: Parameters, outputDirectory: String, formats: [OutputFormat], sha256: String,
                declaredWorkCRS: CRSIdentifier? = nil, rasters: [RasterLayerKind: RasterLayerConfig] = [:]) {
        self.name = name
        self.file = file
        self.workCRS = workCRS
        self.declaredWorkCRS = declaredWorkCRS ?? workCRS
        self.layers = layers
        self.landcoverSources = layers[.landcover].map { [$0] } ?? []
        self.rasters = rasters
        self.parameters = parameters
        self.outputDirectory = outputDirectory
        self.formats = formats
        self.sha256 = sha256
    }

    /// The sources of a layer: land cover's list, or the layer's one config.
    public func sources(_ kind: LayerKind) -> [LayerConfig] {
        if kind == .landcover { return landcoverSources.isEmpty ? (layers[.landcover].map { [$0] } ?? []) : landcoverSources }
        return layers[kind].map { [$0] } ?? []
    }
}
