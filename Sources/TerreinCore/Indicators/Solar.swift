import Foundation

/// Solar figures of one terrein (docs/indicators.md, "Solar").
public struct SolarResult: Equatable, Sendable {
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
}
