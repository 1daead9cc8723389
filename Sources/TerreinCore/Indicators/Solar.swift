import Foundation
import TerreinGeometry
import TerreinIO

/// Solar figures of one terrein (docs/indicators.md, "Solar").
public struct SolarResult: Equatable, Sendable, Codable {
    public var roofFaces = 0
    public var roofAreaM2 = 0.0
    public var roofSurfaceM2 = 0.0
    public var suitableM2 = 0.0
    public var kwp = 0.0
    public var mwhPerYear = 0.0
    /// Faces counting in T whose attributes are invalid (they still count, never suitable).
    public var invalidFaces: [Int] = []
}

/// The assessment of one roof face, independent of the terrein.
public struct FaceAssessment: Equatable, Sendable {
    public var valid: Bool
    public var flat: Bool
    public var suitable: Bool
    /// Inclined area per m² of footprint: 1 / cos(s) (1 for invalid faces).
    public var inclination: Double
    /// kWp per m² of inclined surface (0 when not suitable).
    public var kwpPerSurfaceM2: Double
    /// kWh per kWp and year, including the yield factor.
    public var kwhPerKWp: Double
}

public enum Solar {
    /// Classifies a face: validity, flat/pitched, suitability and yield per m².
    public static func assess(slope: Double?, azimuth: Double?, faceArea: Double, _ p: SolarParameters) -> FaceAssessment {
        guard let s = slope, s.isFinite, s >= 0, s < 90 else {
            return FaceAssessment(valid: false, flat: false, suitable: false, inclination: 1, kwpPerSurfaceM2: 0, kwhPerKWp: 0)
        }
        let flat = s <= p.flatMaxSlopeDeg
        var dev = 0.0
        if !flat {
            guard let a = azimuth, a.isFinite, a >= 0, a <= 360 else {
                return FaceAssessment(valid: false, flat: false, suitable: false, inclination: 1, kwpPerSurfaceM2: 0, kwhPerKWp: 0)
            }
            dev = abs((a - 180 + 540).truncatingRemainder(dividingBy: 360) - 180)
        }
        let inclination = 1 / cos(s * .pi / 180)
        let suitable = faceArea >= p.minFaceM2 && s <= p.maxSlopeDeg && (flat || dev <= p.maxDevFromSouthDeg)
        let factor = flat ? p.yieldFactors.flatFactor : p.yieldFactors.factor(slope: s, deviation: dev)
        let usable = flat ? p.usableFractionFlat : p.usableFractionPitched
        return FaceAssessment(valid: true, flat: flat, suitable: suitable, inclination: inclination,
                              kwpPerSurfaceM2: suitable ? usable * p.kwpPerM2 : 0,
                              kwhPerKWp: p.specificYieldKWhPerKWp * factor)
    }

    /// Sums the faces counting in a terrein, in feature order.
    static func compute(faces: [ClippedPiece], roofs: [RoofFace], _ p: SolarParameters) -> SolarResult {
        var r = SolarResult()
        var kwh = 0.0
        for piece in faces {
            let face = roofs[piece.position]
            let a = assess(slope: face.slope, azimuth: face.azimuth, faceArea: face.area, p)
            let surface = piece.area * a.inclination
            r.roofFaces += 1
            r.roofAreaM2 += piece.area
            r.roofSurfaceM2 += surface
            if !a.valid { r.invalidFaces.append(face.index) }
            if a.suitable {
                let kwp = surface * a.kwpPerSurfaceM2
                r.suitableM2 += surface
                r.kwp += kwp
                kwh += kwp * a.kwhPerKWp
            }
        }
        r.mwhPerYear = kwh / 1000
        return r
    }

    /// The profile's roof layer: the pieces counting in T, one MultiPolygon per
    /// `RoofDisplayClass` (in the classes' order, pieces in feature order). Adjacent faces
    /// may share edges: display data, not an OGC-valid MultiPolygon for analysis.
    static func display(faces: [ClippedPiece], roofs: [RoofFace], _ p: SolarParameters) throws -> [ProfileFeature] {
        var groups: [RoofDisplayClass: (pieces: [Geometry], area: Double)] = [:]
        for piece in faces {
            let face = roofs[piece.position]
            let a = assess(slope: face.slope, azimuth: face.azimuth, faceArea: face.area, p)
            let factor = p.specificYieldKWhPerKWp > 0 ? a.kwhPerKWp / p.specificYieldKWhPerKWp : 0
            let c = RoofDisplayClass.of(suitable: a.suitable, valid: a.valid, yieldFactor: factor)
            groups[c, default: ([], 0)].pieces.append(piece.geometry)
            groups[c]!.area += piece.area
        }
        return try RoofDisplayClass.allCases.compactMap { c in
            guard let g = groups[c] else { return nil }
            return ProfileFeature(layer: .roofs, kind: c.rawValue, value: g.area, count: g.pieces.count,
                                  geometry: try Geometry.collection(g.pieces, type: .multiPolygon))
        }
    }
}

/// The solar family's columns and their computation.
public struct SolarFamily: IndicatorFamily {
    public typealias Detail = SolarResult
    public init() {}
    public var name: String { "solar" }

    public func columns(_ p: Parameters) -> [ColumnSchema] {
        let f = name
        func area(_ n: String, _ nl: String, _ en: String, _ dnl: String, _ den: String) -> ColumnSchema {
            ColumnSchema(n, family: f, kind: .number(decimals: 2), unit: "m²",
                         label: .init(nl: nl, en: en), description: .init(nl: dnl, en: den), region: .sum)
        }
        return [
            ColumnSchema("roof_faces", family: f, kind: .count,
                         label: .init(nl: "Dakvlakken", en: "Roof faces"),
                         description: .init(nl: "Aantal dakvlakken dat in het terrein telt (doorsnede > 1e-6 m²).",
                                            en: "Number of roof faces counting in the terrein (intersection > 1e-6 m²)."),
                         region: .sum),
            area("roof_area_m2", "Dakoppervlak (m²)", "Roof area (m²)",
                 "Som van de dakvlakken binnen het terrein, in plattegrond.",
                 "Sum of the roof faces within the terrein, in plan."),
            area("roof_surface_m2", "Hellend dakoppervlak (m²)", "Inclined roof surface (m²)",
                 "Som van de dakvlakken binnen het terrein, hellend oppervlak (A / cos helling).",
                 "Sum of the roof faces within the terrein, inclined surface (A / cos slope)."),
            area("solar_suitable_m2", "Geschikt dakoppervlak (m²)", "Suitable roof surface (m²)",
                 "Hellend oppervlak van de voor zonnepanelen geschikte dakvlakken.",
                 "Inclined surface of the roof faces suitable for solar panels."),
            ColumnSchema("solar_kwp", family: f, kind: .number(decimals: 2), unit: "kWp",
                         label: .init(nl: "Zonnepotentieel (kWp)", en: "Solar potential (kWp)"),
                         description: .init(nl: "Piekvermogen op de geschikte dakvlakken.",
                                            en: "Peak power on the suitable roof faces."),
                         region: .sum),
            ColumnSchema("solar_mwh_yr", family: f, kind: .number(decimals: 2), unit: "MWh/jaar",
                         label: .init(nl: "Zonne-opbrengst (MWh/jaar)", en: "Solar yield (MWh/yr)"),
                         description: .init(nl: "Jaarlijkse opbrengst van de geschikte dakvlakken.",
                                            en: "Yearly yield of the suitable roof faces."),
                         mapRole: MapRole(palette: Palette.solar, breaks: .quantiles, menuOrder: 0),
                         chart: ChartRole(color: Palette.solar[3]), region: .sum),
            ColumnSchema("roof_coverage", family: f, kind: .number(decimals: 4),
                         label: .init(nl: "Dakbedekking", en: "Roof coverage"),
                         description: .init(nl: "Dakoppervlak gedeeld door de oppervlakte van het terrein.",
                                            en: "Roof area divided by the terrein's area."),
                         region: .ratio(numerator: "roof_area_m2", denominator: "area_m2")),
        ]
    }

    public func compute(_ t: TerreinContext) throws -> FamilyOutput {
        let pieces = try t.roofPieces()
        let r = Solar.compute(faces: pieces, roofs: t.layers.roofs, t.parameters.solar)
        return FamilyOutput(cells: [.integer(r.roofFaces), .real(r.roofAreaM2), .real(r.roofSurfaceM2),
                                    .real(r.suitableM2), .real(r.kwp), .real(r.mwhPerYear),
                                    fractionCell(r.roofAreaM2, of: t.area)],
                            detail: r,
                            display: t.collectDisplay ? try Solar.display(faces: pieces, roofs: t.layers.roofs, t.parameters.solar) : [])
    }
}

extension TerreinResult {
    public var solar: SolarResult { detail(SolarResult.self) ?? SolarResult() }
}
