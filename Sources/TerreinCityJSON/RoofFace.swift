import Foundation

/// One roof face of a building: its 2D projection and the orientation of its plane.
public struct RoofFace: Equatable, Sendable {
    /// The 2D projection (x, y; z dropped) of the face: `rings[0]` is the outer ring,
    /// counter-clockwise; further rings are holes, clockwise. Every ring is closed
    /// (last point == first point) and has at least 4 points.
    public var rings: [[SIMD2<Double>]]
    /// Angle between the plane's upward normal and the vertical, degrees in [0, 90).
    public var slopeDeg: Double
    /// Direction of the normal's horizontal part, degrees clockwise from north (+y) in [0, 360);
    /// nil for (near-)flat faces, slope <= `CityJSONRoofOptions.flatSlopeDeg`.
    public var azimuthDeg: Double?
    /// Unit normal of the face's plane (Newell's method over the 3D outer ring), pointing up (z >= 0).
    public var normal: SIMD3<Double>
    /// Id of the Building the face belongs to (for a BuildingPart: its parent Building).
    public var buildingId: String
    /// Id of the CityObject whose geometry holds the face (the Building or the BuildingPart).
    public var objectId: String
    /// The LoD of the geometry the face was taken from, as written in the file ("2", "2.2", ...).
    public var lod: String

    public init(rings: [[SIMD2<Double>]], slopeDeg: Double, azimuthDeg: Double?, normal: SIMD3<Double>,
                buildingId: String, objectId: String, lod: String) {
        self.rings = rings
        self.slopeDeg = slopeDeg
        self.azimuthDeg = azimuthDeg
        self.normal = normal
        self.buildingId = buildingId
        self.objectId = objectId
        self.lod = lod
    }

    /// Area of the 2D projection: outer ring minus holes (map units squared).
    public var area2D: Double {
        guard let outer = rings.first else { return 0 }
        var a = abs(PlaneGeometry.signedArea(outer))
        for hole in rings.dropFirst() { a -= abs(PlaneGeometry.signedArea(hole)) }
        return max(a, 0)
    }

    /// Area of the sloped face itself: `area2D / cos(slope)`.
    public var surfaceArea: Double {
        area2D / cos(slopeDeg * .pi / 180)
    }
}

/// Tunables of the roof extraction. The defaults are the Terrein roofs-layer rules.
public struct CityJSONRoofOptions: Equatable, Sendable {
    /// Faces (and holes) whose 2D area is below this are dropped (map units squared).
    public var minArea: Double = 1e-9
    /// Faces at least this steep are dropped: walls mislabelled as roofs, whose projection is a sliver.
    public var maxSlopeDeg: Double = 89.9
    /// Faces at most this steep are flat: their azimuth is nil.
    public var flatSlopeDeg: Double = 1.0

    public init(minArea: Double = 1e-9, maxSlopeDeg: Double = 89.9, flatSlopeDeg: Double = 1.0) {
        self.minArea = minArea
        self.maxSlopeDeg = maxSlopeDeg
        self.flatSlopeDeg = flatSlopeDeg
    }
}

/// Why roof faces were left out, counted per reason.
public struct DroppedRoofFaces: Equatable, Sendable {
    /// Outer ring with fewer than 3 distinct vertices (in 3D, or in 2D after removing repeats).
    public var tooFewVertices = 0
    /// Collinear vertices: Newell normal of length zero.
    public var zeroNormal = 0
    /// Slope >= `maxSlopeDeg` (vertical faces labelled RoofSurface).
    public var nearVertical = 0
    /// 2D area below `minArea`.
    public var tinyArea = 0
    /// Holes (inner rings) removed from faces that were kept: degenerate or tiny.
    public var holes = 0

    public init() {}

    /// Faces dropped in all (holes not included).
    public var faces: Int { tooFewVertices + zeroNormal + nearVertical + tinyArea }
}

/// The roof faces read from one CityJSON file.
public struct CityJSONRoofs: Equatable, Sendable {
    /// Name of the input (file name), as given to the extractor.
    public var sourceName: String
    /// The file's CityJSON version ("1.0", "1.1", "2.0").
    public var version: String
    /// `metadata.referenceSystem` as written, if any.
    public var referenceSystem: String?
    /// Horizontal EPSG code of the coordinates (compound 7415 -> 28992), if known.
    public var epsg: Int?
    /// Roof faces in order: CityObjects sorted by id, faces in geometry order.
    public var faces: [RoofFace]
    /// Reasons faces were dropped.
    public var dropped: DroppedRoofFaces
    /// Number of Building CityObjects in the file.
    public var buildingCount: Int
    /// Number of BuildingPart CityObjects in the file.
    public var buildingPartCount: Int
    /// Things worth telling the user that did not stop the extraction (at most a few dozen).
    public var warnings: [String]

    public init(sourceName: String, version: String, referenceSystem: String?, epsg: Int?, faces: [RoofFace],
                dropped: DroppedRoofFaces, buildingCount: Int, buildingPartCount: Int, warnings: [String]) {
        self.sourceName = sourceName
        self.version = version
        self.referenceSystem = referenceSystem
        self.epsg = epsg
        self.faces = faces
        self.dropped = dropped
        self.buildingCount = buildingCount
        self.buildingPartCount = buildingPartCount
        self.warnings = warnings
    }

    /// Number of roof faces dropped as degenerate (see `dropped` for the reasons).
    public var droppedFaces: Int { dropped.faces }
}

/// Small plane-geometry helpers (internal).
enum PlaneGeometry {
    /// Shoelace signed area of a ring (closed or not); positive when counter-clockwise.
    /// Coordinates are taken relative to the first point to keep precision with large map coordinates.
    static func signedArea(_ ring: [SIMD2<Double>]) -> Double {
        guard ring.count >= 3 else { return 0 }
        let o = ring[0]
        var twice = 0.0
        var prev = ring[ring.count - 1] - o
        for p in ring {
            let cur = p - o
            twice += prev.x * cur.y - cur.x * prev.y
            prev = cur
        }
        return twice / 2
    }

    /// Newell's normal of a 3D ring (not closed), relative to its first point. Not normalised;
    /// its length is twice the ring's area, its z is twice the signed area of the xy projection.
    static func newellNormal(_ ring: [SIMD3<Double>]) -> SIMD3<Double> {
        guard ring.count >= 3 else { return .zero }
        let o = ring[0]
        var n = SIMD3<Double>.zero
        var a = ring[ring.count - 1] - o
        for p in ring {
            let b = p - o
            n.x += (a.y - b.y) * (a.z + b.z)
            n.y += (a.z - b.z) * (a.x + b.x)
            n.z += (a.x - b.x) * (a.y + b.y)
            a = b
        }
        return n
    }
}
