import TerreinGeometry

/// Sealed, green and water areas of one terrein (docs/indicators.md, "Paved").
public struct PavedResult: Equatable, Sendable {
    public var sealedM2: Double
    /// nil without a land cover layer.
    public var greenM2: Double?
    public var waterM2: Double?
}

public enum Paved {
    /// P = (⋃roofs ∪ ⋃landcover[sealed]) ∩ T; G = (⋃green ∩ T) − P; W = (⋃water ∩ T) − P − G.
    /// Returns the result and the sealed region P (nil when empty), for the water family.
    static func compute(_ frame: TerreinFrame, roofPieces: [ClippedPiece],
                        landcover: [LandCoverPolygon]?, index: SpatialIndex?) throws -> (PavedResult, Geometry?) {
        guard let landcover, let index else {
            let sealed = try Geometry.unionAll(roofPieces.map(\.geometry))
            return (PavedResult(sealedM2: try sealed?.area() ?? 0, greenM2: nil, waterM2: nil), sealed)
        }
        let pieces = try frame.clip(index)
        func members(_ cls: LandCoverClass) -> [Geometry] {
            pieces.filter { landcover[$0.position].cls == cls }.map(\.geometry)
        }
        // Roofs first, then sealed land cover, each in feature order.
        let sealed = try Geometry.unionAll(roofPieces.map(\.geometry) + members(.sealed))
        var green = try Geometry.unionAll(members(.green))
        if let g = green, let sealed { green = try g.difference(sealed) }
        var water = try Geometry.unionAll(members(.water))
        if let w = water, let sealed { water = try w.difference(sealed) }
        if let w = water, let green { water = try w.difference(green) }
        return (PavedResult(sealedM2: try sealed?.area() ?? 0,
                            greenM2: try green?.area() ?? 0,
                            waterM2: try water?.area() ?? 0), sealed)
    }
}
