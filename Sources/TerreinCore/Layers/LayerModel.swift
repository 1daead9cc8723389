import Foundation
import TerreinGeometry
import TerreinIO

/// A terrein as used by the indicators.
public struct Terrein: @unchecked Sendable {
    public var index: Int
    public var id: String
    public var name: String?
    public var region: String?
    public var geometry: Geometry
    /// Its geometry as built (`BuiltDigest`): what the incremental keys hash of it.
    public var digest = Digest32()
}

/// A roof face: the 2D projection of one roof plane, with its raw attributes.
public struct RoofFace: @unchecked Sendable {
    public var index: Int
    public var geometry: Geometry
    /// area(r): the whole face's area, for `min_face_m2`.
    public var area: Double
    /// nil when the slope attribute is present but not a number; missing or null is 0.
    public var slope: Double?
    /// nil when missing, null or not a number.
    public var azimuth: Double?
    public var buildingId: String?
    /// Its geometry as built (`BuiltDigest`).
    public var digest = Digest32()
}

public struct Site: @unchecked Sendable {
    public var index: Int
    public var name: String?
    public var geometry: Geometry
    /// Its geometry as built (`BuiltDigest`).
    public var digest = Digest32()
}

public struct LandCoverPolygon: @unchecked Sendable {
    /// 0-based position in its source.
    public var index: Int
    /// The position of its source in `layers.landcover.sources` (0 for one source).
    public var source: Int = 0
    public var cls: LandCoverClass
    public var geometry: Geometry
    /// Its geometry as built (`BuiltDigest`).
    public var digest = Digest32()
}

public struct InundationPolygon: @unchecked Sendable {
    public var index: Int
    /// nil when missing or not a number (never floods).
    public var depth: Double?
    public var geometry: Geometry
    /// Its geometry as built (`BuiltDigest`).
    public var digest = Digest32()
}

/// How the features of one layer ended (docs/indicators.md, "Geometry preparation").
public struct LayerStats: Sendable {
    public var layer: LayerKind
    public var path: String
    public var sha256 = ""
    public var encoding = ""
    public var sourceCRS = ""
    public var crsSource = ""
    /// The PROJ definition of the operation from the source CRS to the work CRS.
    public var operation = ""
    public var features = 0
    public var used = 0
    public var repaired = 0
    public var skipped = 0
    public var firstRepaired: [(index: Int, reason: String)] = []
    public var firstSkipped: [(index: Int, reason: String)] = []
    public var repairReasons: [String: Int] = [:]
    public var skipReasons: [String: Int] = [:]
    public var unmappedClasses: [String: Int] = [:]
    /// Land cover: used features per class (sealed, green, water, other).
    public var usedPerClass: [String: Int] = [:]
    /// Land cover given as `sources:`: the source's position in that list.
    public var sourceIndex: Int?
    /// The OGR layer read (`layer:`), when the pipeline names one.
    public var ogrLayer: String?
    public var invalidRoofAttributes = 0
    /// Inundation only: used features whose depth is missing or not a number (they never flood).
    public var nonNumericDepths = 0
    public var firstNonNumericDepths: [Int] = []
    public var firstInvalidRoofAttributes: [Int] = []
    public var bounds: Bounds?
    /// Features a shard's spatially filtered read left out (counted in `features`).
    public var filteredOut = 0
    /// CPU seconds: parsing JSON, reprojecting, building and repairing GEOS geometry.
    public var parseSeconds = 0.0
    public var reprojectSeconds = 0.0
    public var buildRepairSeconds = 0.0
    /// The used features whose geometry was valid as built (`ValidityCache`), in reading order.
    var validAsBuilt: [ValidityCache.Key] = []
    /// Of those, the ones whose check was skipped (known valid from the previous run).
    var validityChecksSkipped = 0
    /// The mapped fields some feature has (for the whole-layer check of explicit mappings).
    var seenFields: Set<String> = []

    static let firstFew = 5

    /// The sum of two sources' stats (land cover from several sources): counts and times
    /// add up, the first few notes are this one's then the other's (their indices count
    /// within each source), the bounds are joined.
    func merged(with o: LayerStats) -> LayerStats {
        var m = self
        m.features += o.features
        m.used += o.used
        m.repaired += o.repaired
        m.skipped += o.skipped
        m.firstRepaired = Array((firstRepaired + o.firstRepaired).prefix(Self.firstFew))
        m.firstSkipped = Array((firstSkipped + o.firstSkipped).prefix(Self.firstFew))
        m.repairReasons.merge(o.repairReasons, uniquingKeysWith: +)
        m.skipReasons.merge(o.skipReasons, uniquingKeysWith: +)
        m.unmappedClasses.merge(o.unmappedClasses, uniquingKeysWith: +)
        m.usedPerClass.merge(o.usedPerClass, uniquingKeysWith: +)
        m.invalidRoofAttributes += o.invalidRoofAttributes
        m.nonNumericDepths += o.nonNumericDepths
        m.filteredOut += o.filteredOut
        if let b = o.bounds { if m.bounds == nil { m.bounds = b } else { m.bounds!.formUnion(b) } }
        m.parseSeconds += o.parseSeconds
        m.reprojectSeconds += o.reprojectSeconds
        m.buildRepairSeconds += o.buildRepairSeconds
        m.validAsBuilt += o.validAsBuilt
        m.validityChecksSkipped += o.validityChecksSkipped
        m.seenFields.formUnion(o.seenFields)
        return m
    }

    var lastRepairedIndex = -1

    mutating func noteRepair(_ index: Int, _ reason: String) {
        repairReasons[reason, default: 0] += 1
        if lastRepairedIndex != index {
            lastRepairedIndex = index
            repaired += 1
            if firstRepaired.count < Self.firstFew { firstRepaired.append((index, reason)) }
        }
    }

    mutating func noteSkip(_ index: Int, _ reason: String) {
        skipped += 1
        skipReasons[reason, default: 0] += 1
        if firstSkipped.count < Self.firstFew { firstSkipped.append((index, reason)) }
    }
}

/// All layers of a run, prepared in the work CRS.
public struct LoadedLayers: @unchecked Sendable {
    public var terreinen: [Terrein] = []
    public var roofs: [RoofFace] = []
    public var natura2000: [Site]?
    public var landcover: [LandCoverPolygon]?
    public var inundation: [InundationPolygon]?
    /// Per layer; for land cover from several sources, their sum (see `sourceStats`).
    public var stats: [LayerKind: LayerStats] = [:]
    /// Per layer, each source's own stats in source order (one for most layers).
    public var sourceStats: [LayerKind: [LayerStats]] = [:]
    /// The raster layers, opened and checked (their cells are read per terrein).
    public var rasters: [RasterLayerKind: RasterLayer] = [:]
    /// Features read without building their GEOS geometry (`LoadOptions.deferKnownValid`), per
    /// source: `IndexedLayers.materialize` builds those a run needs.
    var deferred: [DeferredSource] = []
}

/// Options that change how strictly inputs are taken.
public struct LoadOptions: Sendable {
    /// Repairs and skips become errors.
    public var strict = false
    /// Layers read at the same time.
    public var threads = 1
    /// Told how many more bytes of input have been read (from any reading thread).
    public var onBytesRead: (@Sendable (Int) -> Void)?
    /// A shard's run (docs/large-runs.md): of the layers in `filteredKinds`, only features
    /// whose envelope meets this rectangle (work CRS) are read.
    public var spatialFilter: Bounds?
    public var filteredKinds: Set<LayerKind> = []
    /// Only these vector layers are read (nil: all), and rasters only when `rasters` is true
    /// (a plan and a merge read what they need).
    public var onlyKinds: Set<LayerKind>?
    public var rasters = true
    /// Geometries found valid as built by the previous run (`ValidityCache`): not checked again.
    public var knownValid: ValidityCache.Known?
    /// With `knownValid`: the roof faces, land cover and inundation polygons it vouches for,
    /// read from GeoJSON, are not built in GEOS while reading (`DeferredSource`); an incremental
    /// run builds those of the terreinen it recomputes (docs/incremental.md, "Deferred geometry").
    public var deferKnownValid = false
    public init(strict: Bool = false, threads: Int = 1) {
        self.strict = strict
        self.threads = max(1, threads)
    }
}
