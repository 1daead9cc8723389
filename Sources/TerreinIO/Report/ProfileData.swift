import TerreinGeometry

/// The display layers a run keeps per terrein for its profile page, beside the tables:
/// what the profile draws and the tables do not hold. A run computes them only when it
/// writes the report or the GeoPackage, and stores them in `indicators.gpkg` (one
/// layer each, `ProfileLayer.tableName`) so that `terrein report` draws the profiles again.
public enum ProfileLayer: String, CaseIterable, Sendable {
    /// The roof faces clipped to the terrein, one MultiPolygon per solar class.
    case roofs
    /// The flooded area in the terrein (`flooded`: depth ≥ min_depth_m; `deep`: ≥ deep_depth_m).
    case water
    /// The heat-stress area in the terrein (`strong`: PET ≥ strong_pet_c; `extreme`: ≥ extreme_pet_c).
    case heat
    /// The shortest line from the terrein to the nearest Natura 2000 site (a LineString).
    case nature

    /// The GeoPackage table.
    public var tableName: String { "profile_" + rawValue }
    /// The GeoPackage geometry type of the table.
    public var geometryType: String { self == .nature ? "LINESTRING" : "MULTIPOLYGON" }
}

/// The display classes of a profile's roof faces: the face's solar suitability
/// (docs/indicators.md, "Solar") and, for suitable faces, its yield factor (the factor of
/// the yield-factor table at the face's slope and deviation from south; flat faces: the
/// flat factor).
public enum RoofDisplayClass: String, CaseIterable, Sendable {
    /// Suitable, yield factor ≥ 0.85 (flat roofs: the default flat factor 0.87).
    case good
    /// Suitable, yield factor ≥ 0.70 and < 0.85.
    case fair
    /// Suitable, yield factor < 0.70.
    case moderate
    /// Valid attributes but not suitable (too small, too steep, facing away from south).
    case unsuitable
    /// Slope or azimuth missing or out of range: never suitable.
    case invalid

    public static func of(suitable: Bool, valid: Bool, yieldFactor: Double) -> RoofDisplayClass {
        guard valid else { return .invalid }
        guard suitable else { return .unsuitable }
        return yieldFactor >= 0.85 ? .good : yieldFactor >= 0.70 ? .fair : .moderate
    }
}

/// One display feature of one terrein, as a run computed it (GEOS geometry in the work CRS).
public struct ProfileFeature: @unchecked Sendable {
    public var layer: ProfileLayer
    /// The class within the layer: a `RoofDisplayClass` raw value, `flooded`/`deep`,
    /// `strong`/`extreme`, `nearest`.
    public var kind: String
    /// The nearest site's name (nature), else nil.
    public var name: String?
    /// Footprint area (m²) for the polygon layers; the distance (m) for nature.
    public var value: Double
    /// Roof faces in the class (roofs); cells (raster water and heat); else nil.
    public var count: Int?
    public var geometry: Geometry

    public init(layer: ProfileLayer, kind: String, name: String? = nil, value: Double, count: Int? = nil, geometry: Geometry) {
        self.layer = layer
        self.kind = kind
        self.name = name
        self.value = value
        self.count = count
        self.geometry = geometry
    }
}

/// One display feature as the report draws it: polygons → rings → interleaved x,y, or
/// a line's interleaved x,y, in the map CRS.
public struct ProfileShape: Sendable, Equatable {
    public var layer: ProfileLayer
    public var kind: String
    public var name: String?
    public var value: Double
    public var count: Int?
    public var polygons: [[[Double]]]
    public var line: [Double]

    public init(layer: ProfileLayer, kind: String, name: String? = nil, value: Double, count: Int? = nil,
                polygons: [[[Double]]] = [], line: [Double] = []) {
        self.layer = layer
        self.kind = kind
        self.name = name
        self.value = value
        self.count = count
        self.polygons = polygons
        self.line = line
    }

    /// From a run's feature, `value` rounded to 2 decimals as the GeoPackage stores it, so
    /// that `terrein report` on the folder renders the same page.
    public init(_ f: ProfileFeature) throws {
        self.init(layer: f.layer, kind: f.kind, name: f.name, value: Double(Table.formatFixed(f.value, decimals: 2)) ?? f.value,
                  count: f.count,
                  polygons: f.layer == .nature ? [] : try f.geometry.polygonRings(),
                  line: f.layer == .nature ? try f.geometry.lineCoordinates() : [])
    }
}

/// One past run's values for one terrein, for the profile's trend section. The run
/// history (a GeoPackage of past runs) supplies these; `values` maps a column name to its
/// value in that run (nil: no value then).
public struct ReportTrendPoint: Sendable, Equatable {
    public var runID: Int
    /// When the run finished (ISO 8601 text, shown as given).
    public var finished: String
    public var values: [String: Double?]

    public init(runID: Int, finished: String, values: [String: Double?]) {
        self.runID = runID
        self.finished = finished
        self.values = values
    }
}
