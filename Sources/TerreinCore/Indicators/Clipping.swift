import TerreinGeometry

/// The indexed layers that the indicator families query, built once per run.
public final class IndexedLayers: @unchecked Sendable {
    public let layers: LoadedLayers
    let roofs: SpatialIndex
    let sites: SpatialIndex?
    let preparedSites: PreparedPerThread?
    /// Whether the land cover polygons tile the plane without overlaps (as BGT does), judged
    /// once per run on an evenly spaced sample; it only chooses the faster union algorithm
    /// (each union still checks its own input), and the choice does not depend on threads.
    let landcoverIsCoverage: Bool
    let landcover: SpatialIndex?
    let inundation: SpatialIndex?

    /// `landcoverIsCoverage`: the judgement made on the whole layer, for a shard's run that
    /// reads only part of it (the plan made it; docs/large-runs.md); nil to judge here.
    public init(_ layers: LoadedLayers, landcoverIsCoverage judged: Bool? = nil) throws {
        self.layers = layers
        roofs = try SpatialIndex(layers.roofs.map(\.geometry))
        sites = try layers.natura2000.map { try SpatialIndex($0.map(\.geometry)) }
        preparedSites = layers.natura2000.map { PreparedPerThread($0.map(\.geometry)) }
        landcover = try layers.landcover.map { try SpatialIndex($0.map(\.geometry)) }
        landcoverIsCoverage = try judged ?? landcover.map { try Self.looksLikeCoverage($0) } ?? false
        inundation = try layers.inundation.map { try SpatialIndex($0.map(\.geometry)) }
    }
}

extension IndexedLayers {
    /// Looks for overlapping interiors among up to 2,000 evenly spaced polygons and their
    /// index neighbours: none found means the layer is probably a coverage.
    static func looksLikeCoverage(_ index: SpatialIndex) throws -> Bool {
        let n = index.geometries.count
        if n < 2 { return true }
        let step = max(1, n / 2000)
        for i in stride(from: 0, to: n, by: step) {
            let g = index.geometries[i]
            for j in index.query(g) where j != i {
                if try g.interiorsOverlap(index.geometries[j]) { return false }
            }
        }
        return true
    }
}

/// A face of a layer clipped to one terrein.
struct ClippedPiece {
    /// Position of the feature in its layer's array (feature order).
    var position: Int
    /// The part inside the terrein (the whole feature when it lies wholly inside).
    var geometry: Geometry
    var area: Double
}

/// One terrein, prepared for the indicator families.
struct TerreinFrame {
    let terrein: Terrein
    let prepared: PreparedGeometry
    let area: Double

    init(_ t: Terrein) throws {
        terrein = t
        prepared = try PreparedGeometry(t.geometry)
        area = try t.geometry.area()
    }

    /// Clips the candidates of `index` to the terrein, in feature order, keeping the parts
    /// with area > `minArea`. Features wholly inside (a prepared containsProperly test)
    /// are not intersected: that saves most of the overlay work on real data.
    func clip(_ index: SpatialIndex, where include: (Int) -> Bool = { _ in true }, minArea: Double = 0) throws -> [ClippedPiece] {
        var pieces: [ClippedPiece] = []
        for position in index.query(terrein.geometry) where include(position) {
            let g = index.geometries[position]
            if try prepared.containsProperly(g) {
                let a = try g.area()
                if a > minArea { pieces.append(ClippedPiece(position: position, geometry: g, area: a)) }
            } else if try prepared.intersects(g) {
                guard let part = try terrein.geometry.intersection(g).polygonalPart() else { continue }
                let a = try part.area()
                if a > minArea { pieces.append(ClippedPiece(position: position, geometry: part, area: a)) }
            }
        }
        return pieces
    }
}
