import Foundation
import TerreinGeometry
import TerreinIO

/// Sealed, green and water areas of one terrein (docs/indicators.md, "Paved").
public struct PavedResult: Equatable, Sendable, Codable {
    public var sealedM2: Double
    /// nil without a land cover layer.
    public var greenM2: Double?
    public var waterM2: Double?
}

public enum Paved {
    /// Which computation a terrein takes: `.fast` takes the sums wherever its land cover pieces
    /// do not overlap (else the general path); `.general` always takes the overlay unions.
    public enum Path: String, Sendable { case fast, general }

    /// The path of a run: `.general` unless `TERREIN_PAVED_PATH=fast` is set. Measured on the
    /// real-roof benchmark data with GEOS 3.11 (docs/performance.md), the exact pairwise tests
    /// of the fast path (GEOS relate on every pair of pieces that touch) cost more CPU than
    /// the general path's cascaded unions, so the general path stays the default; the fast
    /// path is there, exact and tested, for data and GEOS versions where it pays.
    static let defaultPath: Path = ProcessInfo.processInfo.environment["TERREIN_PAVED_PATH"] == "fast" ? .fast : .general

    /// P = (⋃roofs ∪ ⋃landcover[sealed]) ∩ T; G = (⋃green ∩ T) − P; W = (⋃water ∩ T) − P − G.
    ///
    /// Two paths with the same answer (within float noise: a sum of areas and the area of a
    /// union differ in the last bits), chosen per terrein by exact tests, never by sampling:
    ///
    /// * **fast** (`fastAreas`), when the terrein's sealed, green and water land cover pieces
    ///   do not overlap each other (the BGT is a planar partition): the roof pieces are merged
    ///   into members that do not overlap (`roofMembers`: per building one small union, then
    ///   clusters of members that overlap across buildings), and every area is a sum:
    ///   sealed = Σ roofs + Σ sealed − Σ area(roof ∩ sealed), green = Σ green − Σ area(roof ∩
    ///   green), water = Σ water − Σ area(roof ∩ water) (green and water meet no sealed land
    ///   cover and each other only on lines). Each pairwise area is settled by a prepared
    ///   `intersects` (false: 0) or `containsProperly` (the whole roof member), else by the
    ///   DE-9IM matrix (interiors apart: 0; one inside the other: its area), and only the
    ///   rest by an intersection of two small polygons. Without land cover, sealed = Σ roofs.
    /// * **general**, where land cover pieces overlap: the unions below, unchanged.
    ///
    /// Measured on benchmark scale M (CPU s, 360 terreinen): one cascaded union of roofs and
    /// land cover 7.2; roofs by coverage union, land cover by a zero-buffer union, then one
    /// binary union 3.2 (identical output bytes).
    static func compute(_ frame: TerreinFrame, roofPieces: [ClippedPiece], buildingId: (Int) -> String? = { _ in nil },
                        landcover: [LandCoverPolygon]?, index: SpatialIndex?,
                        landcoverIsCoverage: Bool = false, path: Path = defaultPath) throws -> PavedResult {
        try computeWithPath(frame, roofPieces: roofPieces, buildingId: buildingId, landcover: landcover, index: index,
                            landcoverIsCoverage: landcoverIsCoverage, path: path).result
    }

    /// `compute`, and which path the terrein took.
    static func computeWithPath(_ frame: TerreinFrame, roofPieces: [ClippedPiece], buildingId: (Int) -> String?,
                                landcover: [LandCoverPolygon]?, index: SpatialIndex?,
                                landcoverIsCoverage: Bool, path: Path) throws -> (result: PavedResult, taken: Path) {
        let fast = path == .fast
        guard let landcover, let index else {
            if fast {
                let members = try roofMembers(roofPieces, buildingId: buildingId)
                return (PavedResult(sealedM2: members.reduce(0) { $0 + $1.area }, greenM2: nil, waterM2: nil), .fast)
            }
            return (PavedResult(sealedM2: try roofUnion(roofPieces, buildingId: buildingId)?.area() ?? 0, greenM2: nil, waterM2: nil), .general)
        }
        let pieces = try frame.clip(index)
        if fast {
            let counted = pieces.filter { landcover[$0.position].cls != .other }
            let set = try PieceSet(counted.map(\.geometry), areas: counted.map(\.area))
            if try !set.anyOverlap() {
                return (try fastAreas(try roofMembers(roofPieces, buildingId: buildingId), landcover: set,
                                      classes: counted.map { landcover[$0.position].cls }), .fast)
            }
        }
        return (try generalAreas(roofPieces: roofPieces, buildingId: buildingId, pieces: pieces, landcover: landcover,
                                 landcoverIsCoverage: landcoverIsCoverage), .general)
    }

    /// The general path: unions of roofs and of each land cover class, then differences.
    static func generalAreas(roofPieces: [ClippedPiece], buildingId: (Int) -> String? = { _ in nil },
                             pieces: [ClippedPiece], landcover: [LandCoverPolygon],
                             landcoverIsCoverage: Bool) throws -> PavedResult {
        let roofs = try roofUnion(roofPieces, buildingId: buildingId)
        func members(_ cls: LandCoverClass) -> [Geometry] {
            pieces.filter { landcover[$0.position].cls == cls }.map(\.geometry)
        }
        // Roofs first, then sealed land cover, each in feature order.
        var sealed = roofs
        let union = { (g: [Geometry]) in
            try landcoverIsCoverage ? coverageOrBufferUnion(g) : Geometry.polygonUnionByBuffer(g)
        }
        if let lc = try union(members(.sealed)) {
            sealed = try sealed.map { try $0.union(lc) } ?? lc
        }
        var green = try union(members(.green))
        if let g = green, let sealed { green = try g.difference(sealed) }
        var water = try union(members(.water))
        if let w = water, let sealed { water = try w.difference(sealed) }
        if let w = water, let green { water = try w.difference(green) }
        return PavedResult(sealedM2: try sealed?.area() ?? 0,
                           greenM2: try green?.area() ?? 0,
                           waterM2: try water?.area() ?? 0)
    }

    /// A polygonal part of the sealed region with its area.
    struct Member {
        var geometry: Geometry
        var area: Double
    }

    /// The roof pieces of a terrein as members whose interiors do not overlap, with the same
    /// union: the pieces of one building id merged by one small union (a building's faces
    /// often overlap in 2D), a piece without a building id on its own; then members that
    /// overlap each other (across buildings, or without an id) found exactly among the
    /// candidate pairs of an STRtree and merged, cluster by cluster. Order: by first piece.
    static func roofMembers(_ pieces: [ClippedPiece], buildingId: (Int) -> String?) throws -> [Member] {
        let members: [Member] = try buildingGroups(pieces, buildingId: buildingId).map { g in
            if g.count == 1 { return Member(geometry: pieces[g[0]].geometry, area: pieces[g[0]].area) }
            let u = try Geometry.unionAll(g.map { pieces[$0].geometry })!
            return Member(geometry: u, area: try u.area())
        }
        let set = try PieceSet(members.map(\.geometry), areas: members.map(\.area))
        let pairs = try set.overlappingPairs()
        if pairs.isEmpty { return members }
        // Union-find over the overlapping pairs; each cluster is unioned in member order.
        var sets = UnionFind(count: members.count)
        for (i, j) in pairs { sets.union(i, j) }
        return try sets.groups().map { c in
            if c.count == 1 { return members[c[0]] }
            let u = try Geometry.unionAll(c.map { members[$0].geometry })!
            return Member(geometry: u, area: try u.area())
        }
    }

    /// The fast path's sums (see `compute`). `landcover` holds the sealed, green and water
    /// pieces, which do not overlap; `members` do not overlap each other either.
    static func fastAreas(_ members: [Member], landcover set: PieceSet, classes: [LandCoverClass]) throws -> PavedResult {
        var total: [LandCoverClass: Double] = [.sealed: 0, .green: 0, .water: 0]
        for (k, cls) in classes.enumerated() { total[cls]! += set.areas[k] }
        var underRoof: [LandCoverClass: Double] = [.sealed: 0, .green: 0, .water: 0]
        var roofs = 0.0
        for m in members {
            roofs += m.area
            for k in set.candidates(m.geometry) {
                underRoof[classes[k]]! += try set.overlapArea(k, with: m)
            }
        }
        return PavedResult(sealedM2: max(0, roofs + total[.sealed]! - underRoof[.sealed]!),
                           greenM2: max(0, total[.green]! - underRoof[.green]!),
                           waterM2: max(0, total[.water]! - underRoof[.water]!))
    }

    /// ⋃ of land cover pieces. Land cover from a planar partition (BGT) is a coverage and
    /// takes the linear coverage union; overlapping polygons take the zero-buffer union.
    static func coverageOrBufferUnion(_ geometries: [Geometry]) throws -> Geometry? {
        if geometries.count <= 1 { return geometries.first }
        let total = try geometries.reduce(0) { $0 + (try $1.area()) }
        if let coverage = try Geometry.coverageUnion(geometries, totalArea: total) { return coverage }
        return try Geometry.polygonUnionByBuffer(geometries)
    }

    /// ⋃ of the roof pieces. The faces of a building share edges without overlapping, so
    /// they usually form a coverage, whose union GEOS computes in linear time; where they
    /// do overlap (overhangs, dormers drawn twice), an overlay union takes over.
    ///
    /// Two steps keep each overlay small; both give the union itself, not an approximation:
    /// * the pieces are split into clusters whose envelopes touch or overlap
    ///   (`envelopeClusters`): a building, or a block of buildings that meet. Clusters with
    ///   disjoint envelopes cannot meet, so the union is the MultiPolygon of the clusters'
    ///   unions, and no overlay handles two far-apart clusters at once (the upper levels of a
    ///   cascaded union over all of a terrein's faces did);
    /// * within a cluster of several buildings, each building's faces are merged first (a
    ///   coverage union where they form one, else a zero-distance buffer), then the outlines
    ///   (a zero-distance buffer).
    ///
    /// The unions that are not coverages are zero-distance buffers of the collection
    /// (`Geometry.polygonUnionByBuffer`: one noding pass over all rings) rather than GEOS's
    /// cascaded union (a tree of pairwise overlays). Measured 2026-12-02 (release build,
    /// `--threads 2`, paved CPU of the manifest, two runs each): real-s 8.84 / 7.82 s →
    /// 6.35 / 6.90 s, M 4.84 / 4.62 s → 4.04 / 4.20 s, `indicators.csv` byte-identical
    /// (docs/performance.md, "Roof unions by a zero-distance buffer").
    ///
    /// Measured on the real-roof benchmark (real-s: 99,994 LoD2 faces, 136 terreinen) and on
    /// synthetic M, release build, `--threads 2`, indicator stage of the manifest: 8.70 s → 6.67 s
    /// and 5.87 s → 4.62 s, the output bytes unchanged (docs/performance.md, "The roof union in
    /// clusters"). In a first version without clusters, trying a coverage union of the outlines
    /// too cost 1.3 s more at real-s than cascading them; cascading each building's faces
    /// without trying a coverage union first was faster at real-s (5.92 s) but slower at M
    /// (5.06 s), where faces do form coverages.
    static func roofUnion(_ pieces: [ClippedPiece], buildingId: (Int) -> String? = { _ in nil }) throws -> Geometry? {
        if pieces.count <= 1 { return pieces.first?.geometry }
        let clusters = envelopeClusters(pieces.map { $0.geometry.bounds })
        let parts: [Geometry] = try clusters.map { c in
            let members = c.map { pieces[$0] }
            if members.count == 1 { return members[0].geometry }
            let groups = buildingGroups(members, buildingId: buildingId)
            guard groups.count > 1, groups.count < members.count else {
                return try union(members.map(\.geometry), totalArea: members.reduce(0) { $0 + $1.area })!
            }
            let outlines = try groups.map { g in
                try union(g.map { members[$0].geometry }, totalArea: g.reduce(0) { $0 + members[$1].area })!
            }
            return try Geometry.polygonUnionByBuffer(outlines)!
        }
        if parts.count == 1 { return parts[0] }
        return try Geometry.collection(parts, type: .multiPolygon)
    }

    /// The union of polygons whose areas sum to `totalArea`: the linear coverage union where
    /// they form a coverage, else the zero-distance buffer of their collection.
    private static func union(_ geometries: [Geometry], totalArea: Double) throws -> Geometry? {
        if let coverage = try Geometry.coverageUnion(geometries, totalArea: totalArea) { return coverage }
        return try Geometry.polygonUnionByBuffer(geometries)
    }

    /// Positions grouped into the connected parts of the graph "envelopes intersect" (sharing
    /// an edge or a corner counts): two geometries in different groups have disjoint envelopes,
    /// so they neither overlap nor touch. Each group ascending, groups by their first position.
    /// An empty geometry (no envelope) is a group of its own.
    static func envelopeClusters(_ bounds: [Bounds?]) -> [[Int]] {
        var sets = UnionFind(count: bounds.count)
        // Sweep in order of minX; `active` holds those whose maxX has not been passed.
        let order = bounds.indices.filter { bounds[$0] != nil }.sorted {
            (bounds[$0]!.minX, $0) < (bounds[$1]!.minX, $1)
        }
        var active: [Int] = []
        for i in order {
            let b = bounds[i]!
            active.removeAll { bounds[$0]!.maxX < b.minX }
            for j in active where bounds[j]!.intersects(b) { sets.union(i, j) }
            active.append(i)
        }
        return sets.groups()
    }

    /// Piece positions grouped by building id, groups in order of their first piece; a piece
    /// without a building id is a group of its own.
    static func buildingGroups(_ pieces: [ClippedPiece], buildingId: (Int) -> String?) -> [[Int]] {
        var groups: [[Int]] = []
        var groupOf: [String: Int] = [:]
        for (k, piece) in pieces.enumerated() {
            if let id = buildingId(piece.position) {
                if let g = groupOf[id] { groups[g].append(k) } else {
                    groupOf[id] = groups.count
                    groups.append([k])
                }
            } else {
                groups.append([k])
            }
        }
        return groups
    }
}

/// Polygons of one terrein (land cover pieces, roof members) with an STRtree over them and
/// their prepared geometries, made on first use: the exact pairwise tests of the fast path.
final class PieceSet {
    let geometries: [Geometry]
    let areas: [Double]
    private let index: SpatialIndex?
    private var prepared: [PreparedGeometry?]

    init(_ geometries: [Geometry], areas: [Double]) throws {
        self.geometries = geometries
        self.areas = areas
        index = geometries.isEmpty ? nil : try SpatialIndex(geometries)
        prepared = Array(repeating: nil, count: geometries.count)
    }

    func prepare(_ k: Int) throws -> PreparedGeometry {
        if let p = prepared[k] { return p }
        let p = try PreparedGeometry(geometries[k])
        prepared[k] = p
        return p
    }

    /// Positions whose envelope meets `g`'s, ascending.
    func candidates(_ g: Geometry) -> [Int] { index?.query(g) ?? [] }

    /// Whether interiors i and j share area: a prepared `intersects` settles the pairs
    /// that do not meet, `containsProperly` some that do, the DE-9IM pattern the rest.
    func interiorsOverlap(_ i: Int, _ j: Int) throws -> Bool {
        let p = try prepare(i)
        guard try p.intersects(geometries[j]) else { return false }
        if try p.containsProperly(geometries[j]) { return true }
        return try geometries[i].interiorsOverlap(geometries[j])
    }

    /// Every pair (i < j) whose interiors overlap, in order; `firstOnly` stops at the first.
    func overlappingPairs(firstOnly: Bool = false) throws -> [(Int, Int)] {
        var pairs: [(Int, Int)] = []
        for i in geometries.indices {
            for j in candidates(geometries[i]) where j > i {
                if try interiorsOverlap(i, j) {
                    pairs.append((i, j))
                    if firstOnly { return pairs }
                }
            }
        }
        return pairs
    }

    func anyOverlap() throws -> Bool { try !overlappingPairs(firstOnly: true).isEmpty }

    /// area(piece k ∩ member m), exactly as an intersection would give it, without the
    /// overlay where a predicate settles it.
    func overlapArea(_ k: Int, with m: Paved.Member) throws -> Double {
        let p = try prepare(k)
        guard try p.intersects(m.geometry) else { return 0 }
        if try p.containsProperly(m.geometry) { return m.area }
        let matrix = try m.geometry.relate(geometries[k])
        if !matrix.interiorsOverlap { return 0 }
        if matrix.firstIsCovered { return m.area }
        if matrix.secondIsCovered { return areas[k] }
        return try m.geometry.intersection(geometries[k]).polygonalPart()?.area() ?? 0
    }
}

/// The paved family's columns and their computation.
public struct PavedFamily: IndicatorFamily {
    public typealias Detail = PavedResult
    public init() {}
    public var name: String { "paved" }

    public func columns(_ p: Parameters) -> [ColumnSchema] {
        let f = name
        func area(_ n: String, _ nl: String, _ en: String, _ dnl: String, _ den: String, chart: ChartRole? = nil) -> ColumnSchema {
            ColumnSchema(n, family: f, kind: .number(decimals: 2), unit: "m²",
                         label: .init(nl: nl, en: en), description: .init(nl: dnl, en: den), chart: chart, region: .sum)
        }
        func fraction(_ n: String, of part: String, _ nl: String, _ en: String, map: MapRole? = nil) -> ColumnSchema {
            ColumnSchema(n, family: f, kind: .number(decimals: 4),
                         label: .init(nl: nl, en: en),
                         description: .init(nl: "\(nl): \(part) gedeeld door de oppervlakte van het terrein.",
                                            en: "\(en): \(part) divided by the terrein's area."),
                         mapRole: map, region: .ratio(numerator: part, denominator: "area_m2"))
        }
        return [
            area("sealed_m2", "Verharde oppervlakte (m²)", "Sealed area (m²)",
                 "Oppervlakte onder daken of verharde bodembedekking.",
                 "Area under roofs or sealed land cover.", chart: ChartRole(color: Palette.paved[3])),
            area("green_m2", "Groene oppervlakte (m²)", "Green area (m²)",
                 "Groene bodembedekking die niet verhard is; leeg zonder bodembedekkingslaag.",
                 "Green land cover that is not sealed; empty without a land cover layer."),
            area("water_m2", "Wateroppervlakte (m²)", "Water area (m²)",
                 "Water dat niet verhard of groen is; leeg zonder bodembedekkingslaag.",
                 "Water that is neither sealed nor green; empty without a land cover layer."),
            fraction("paved_fraction", of: "sealed_m2", "Verhard aandeel", "Paved fraction",
                     map: MapRole(palette: Palette.paved, breaks: .fixed([0.2, 0.4, 0.6, 0.8]), percent: true, menuOrder: 1)),
            fraction("green_fraction", of: "green_m2", "Groen aandeel", "Green fraction"),
            fraction("water_fraction", of: "water_m2", "Wateraandeel", "Water fraction"),
        ]
    }

    /// The paved figures and the sealed region of a terrein, computed once per terrein
    /// (the water family's runoff uses them too).
    static func result(_ t: TerreinContext) throws -> PavedResult {
        try t.shared("paved") {
            let roofs = t.layers.roofs
            return try Paved.compute(t.frame, roofPieces: try t.roofPieces(), buildingId: { roofs[$0].buildingId },
                                     landcover: t.layers.landcover,
                                     index: t.indexed.landcover, landcoverIsCoverage: t.indexed.landcoverIsCoverage)
        }
    }

    public func compute(_ t: TerreinContext) throws -> FamilyOutput {
        let r = try Self.result(t)
        return FamilyOutput(cells: [.real(r.sealedM2), optionalCell(r.greenM2), optionalCell(r.waterM2),
                                    fractionCell(r.sealedM2, of: t.area), fractionCell(r.greenM2, of: t.area),
                                    fractionCell(r.waterM2, of: t.area)],
                            detail: r)
    }
}

extension TerreinResult {
    public var paved: PavedResult { detail(PavedResult.self) ?? PavedResult(sealedM2: 0, greenM2: nil, waterM2: nil) }
}
