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
    /// P = (⋃roofs ∪ ⋃landcover[sealed]) ∩ T; G = (⋃green ∩ T) − P; W = (⋃water ∩ T) − P − G.
    ///
    /// Measured on benchmark scale M (CPU s, 360 terreinen): one cascaded union of roofs and
    /// land cover 7.2; roofs by coverage union, land cover by a zero-buffer union, then one
    /// binary union 3.2 (identical output bytes).
    static func compute(_ frame: TerreinFrame, roofPieces: [ClippedPiece],
                        landcover: [LandCoverPolygon]?, index: SpatialIndex?,
                        landcoverIsCoverage: Bool = false) throws -> PavedResult {
        let roofs = try roofUnion(roofPieces)
        guard let landcover, let index else {
            return PavedResult(sealedM2: try roofs?.area() ?? 0, greenM2: nil, waterM2: nil)
        }
        let pieces = try frame.clip(index)
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
    /// do overlap (overhangs, dormers drawn twice), the overlay union takes over.
    static func roofUnion(_ pieces: [ClippedPiece]) throws -> Geometry? {
        let geometries = pieces.map(\.geometry)
        let total = pieces.reduce(0) { $0 + $1.area }
        if let coverage = try Geometry.coverageUnion(geometries, totalArea: total) { return coverage }
        return try Geometry.unionAll(geometries)
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
            try Paved.compute(t.frame, roofPieces: try t.roofPieces(), landcover: t.layers.landcover,
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
