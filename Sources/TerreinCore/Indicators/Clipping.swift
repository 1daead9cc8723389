import TerreinGeometry
import TerreinIO

/// The indexed layers that the indicator families query, built once per run.
public final class IndexedLayers: @unchecked Sendable {
    /// The layers; deferred features (`DeferredSource`) are built in place by `materialize`,
    /// before any family runs.
    public private(set) var layers: LoadedLayers
    let roofs: SpatialIndex
    let sites: SpatialIndex?
    let preparedSites: PreparedPerThread?
    /// Whether the land cover polygons tile the plane without overlaps (as BGT does), judged
    /// once per run on an evenly spaced sample; it only chooses the faster union algorithm
    /// (each union still checks its own input), and the choice does not depend on threads.
    private(set) var landcoverIsCoverage = false
    let landcover: SpatialIndex?
    let inundation: SpatialIndex?
    /// Deferred features built so far (`materialize`).
    private(set) var builtLater = 0

    /// `landcoverIsCoverage`: the judgement made on the whole layer, for a shard's run that
    /// reads only part of it (the plan made it; docs/large-runs.md); nil to judge here (the
    /// sample's deferred features are built for it, on `threads` threads).
    public init(_ layers: LoadedLayers, landcoverIsCoverage judged: Bool? = nil, threads: Int = 1) throws {
        self.layers = layers
        // The layers' indexes, in parallel (each on its own thread, with its own GEOS context).
        let kinds: [LayerKind] = [.roofs, .landcover, .inundation, .natura2000]
        let box = UncheckedBox(layers)
        let built = try parallelMap(count: kinds.count, threads: threads) { k -> (SpatialIndex, [Bounds?])? in
            let layers = box.value
            let geometries: [Geometry]?
            switch kinds[k] {
            case .roofs: geometries = layers.roofs.map(\.geometry)
            case .landcover: geometries = layers.landcover?.map(\.geometry)
            case .inundation: geometries = layers.inundation?.map(\.geometry)
            case .natura2000: geometries = layers.natura2000?.map(\.geometry)
            case .terreinen: geometries = nil
            }
            guard let geometries else { return nil }
            let bounds = Self.bounds(geometries, deferred: layers.deferred, kind: kinds[k])
            return (SpatialIndex(geometries, bounds: bounds), bounds)
        }
        roofs = built[0]!.0
        landcover = built[1]?.0
        let landcoverBounds = built[1]?.1 ?? []
        inundation = built[2]?.0
        sites = built[3]?.0
        preparedSites = layers.natura2000.map { PreparedPerThread($0.map(\.geometry)) }
        if let judged {
            landcoverIsCoverage = judged
        } else if let landcover {
            try materialize(.landcover, Self.coverageSample(landcover, bounds: landcoverBounds), threads: threads)
            landcoverIsCoverage = try Self.looksLikeCoverage(landcover)
        }
    }

    func index(_ kind: LayerKind) -> SpatialIndex? {
        switch kind {
        case .roofs: return roofs
        case .landcover: return landcover
        case .inundation: return inundation
        case .natura2000: return sites
        case .terreinen: return nil
        }
    }

    /// The digest (`BuiltDigest`) of the feature at `position` of layer `kind`.
    func digest(_ kind: LayerKind, _ position: Int) -> Digest32 {
        switch kind {
        case .roofs: return layers.roofs[position].digest
        case .landcover: return layers.landcover![position].digest
        case .inundation: return layers.inundation![position].digest
        case .natura2000: return layers.natura2000![position].digest
        case .terreinen: return layers.terreinen[position].digest
        }
    }

    /// A deferred feature's geometry, built: into the layer and its index (a roof face's
    /// area with it). Only between reading and computing, on one thread.
    func set(_ kind: LayerKind, position: Int, _ g: Geometry) throws {
        switch kind {
        case .roofs:
            layers.roofs[position].geometry = g
            layers.roofs[position].area = try g.area()
        case .landcover: layers.landcover![position].geometry = g
        case .inundation: layers.inundation![position].geometry = g
        case .natura2000, .terreinen: return
        }
        index(kind)?.replace(position, with: g)
        builtLater += 1
    }
}

extension IndexedLayers {
    /// Looks for overlapping interiors among up to 2,000 evenly spaced polygons and their
    /// index neighbours: none found means the layer is probably a coverage.
    static func looksLikeCoverage(_ index: SpatialIndex) throws -> Bool {
        let n = index.geometries.count
        if n < 2 { return true }
        let step = coverageSampleStep(n)
        for i in stride(from: 0, to: n, by: step) {
            let g = index.geometries[i]
            for j in index.query(g) where j != i {
                if try g.interiorsOverlap(index.geometries[j]) { return false }
            }
        }
        return true
    }

    static func coverageSampleStep(_ n: Int) -> Int { max(1, n / 2000) }

    /// The features `looksLikeCoverage` looks at: the sample and its index neighbours.
    static func coverageSample(_ index: SpatialIndex, bounds: [Bounds?]) -> [Int] {
        let n = bounds.count
        guard n >= 2 else { return [] }
        var out: [Int] = []
        for i in stride(from: 0, to: n, by: coverageSampleStep(n)) {
            out.append(i)
            if let b = bounds[i] { out += index.query(b) }
        }
        return out
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
            guard !g.isDeferred else {
                // `IndexedLayers.materialize` builds every candidate of a terrein it computes.
                throw GeometryError(operation: "clip", message: "internal error: feature \(position) of a layer was not built for this terrein (please report it)")
            }
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
