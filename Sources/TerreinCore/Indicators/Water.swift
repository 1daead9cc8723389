import TerreinGeometry

/// Water nuisance figures of one terrein (docs/indicators.md, "Water nuisance").
public struct WaterResult: Equatable, Sendable {
    /// nil without an inundation layer.
    public var inundationM2: Double?
    public var deepInundationM2: Double?
    public var buildingsExposed: Int?
    public var runoffM3: Double
    public var storageRequiredM3: Double
}

public enum WaterExposure: String, Sendable {
    case low, medium, high

    public init(inundationFraction f: Double) {
        self = f < 0.05 ? .low : (f < 0.20 ? .medium : .high)
    }
}

public enum Water {
    static func compute(_ frame: TerreinFrame, roofPieces: [ClippedPiece], roofs: [RoofFace], sealedM2: Double,
                        inundation: [InundationPolygon]?, index: SpatialIndex?, _ p: WaterParameters) throws -> WaterResult {
        let runoff = p.designStormMM / 1000 * (sealedM2 * p.cSealed + (frame.area - sealedM2) * p.cUnsealed)
        let storage = sealedM2 * p.storageMMPerSealedM2 / 1000
        guard let inundation, let index else {
            return WaterResult(inundationM2: nil, deepInundationM2: nil, buildingsExposed: nil,
                               runoffM3: runoff, storageRequiredM3: storage)
        }
        let pieces = try frame.clip(index) { position in
            guard let d = inundation[position].depth else { return false }
            return d >= p.minDepthM
        }
        let flood = try Geometry.polygonUnionByBuffer(pieces.map(\.geometry))
        let deep = try Geometry.polygonUnionByBuffer(pieces.filter { (inundation[$0.position].depth ?? 0) >= p.deepDepthM }.map(\.geometry))
        var exposed = 0
        if let flood {
            let preparedFlood = try PreparedGeometry(flood)
            var buildings = Set<String>()
            for piece in roofPieces where try preparedFlood.intersects(piece.geometry) {
                guard try piece.geometry.intersection(flood).area() > 1e-6 else { continue }
                if let id = roofs[piece.position].buildingId {
                    buildings.insert(id)
                } else {
                    exposed += 1  // a face without a building id counts on its own
                }
            }
            exposed += buildings.count
        }
        return WaterResult(inundationM2: try flood?.area() ?? 0, deepInundationM2: try deep?.area() ?? 0,
                           buildingsExposed: exposed, runoffM3: runoff, storageRequiredM3: storage)
    }
}
