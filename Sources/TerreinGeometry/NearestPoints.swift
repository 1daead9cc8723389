import CGEOS

/// The two nearest points of two geometries (GEOS `GEOSNearestPoints_r`), a rectangle clip
/// for display (`GEOSClipByRect_r`) and a line from points: what the per-terrein profile
/// draws (the distance line to the nearest Natura 2000 site, the sites near a terrein).
public struct NearestPoints: Equatable, Sendable {
    /// The point on the first geometry.
    public var fromX, fromY: Double
    /// The point on the second geometry.
    public var toX, toY: Double
    public init(fromX: Double, fromY: Double, toX: Double, toY: Double) {
        self.fromX = fromX; self.fromY = fromY; self.toX = toX; self.toY = toY
    }
    /// The length of the line between them (the distance of the two geometries).
    public var length: Double { ((toX - fromX) * (toX - fromX) + (toY - fromY) * (toY - fromY)).squareRoot() }
}

extension NearestPoints {
    /// The two points of a GEOS coordinate sequence of size 2 (which the caller owns).
    static func take(_ seq: OpaquePointer?, _ operation: String) throws -> NearestPoints? {
        let ctx = GEOSContext.current.handle
        // The callers rule out empty geometries, GEOS's other reason for NULL.
        guard let seq else { throw GEOSContext.current.takeError(operation) }
        defer { GEOSCoordSeq_destroy_r(ctx, seq) }
        var buf = [Double](repeating: 0, count: 4)
        let ok = buf.withUnsafeMutableBufferPointer { GEOSCoordSeq_copyToBuffer_r(ctx, seq, $0.baseAddress, 0, 0) }
        guard ok == 1 else { throw GEOSContext.current.takeError(operation) }
        return NearestPoints(fromX: buf[0], fromY: buf[1], toX: buf[2], toY: buf[3])
    }
}

extension Geometry {
    /// The nearest points of this geometry and `other`, first on this one; nil when either
    /// is empty. Their distance is `distance(other)`.
    public func nearestPoints(_ other: Geometry) throws -> NearestPoints? {
        if try isEmpty || other.isEmpty { return nil }
        return try NearestPoints.take(GEOSNearestPoints_r(GEOSContext.current.handle, handle, other.handle), "nearest points")
    }

    /// The part of this geometry inside the axis-aligned rectangle (GEOS ClipByRect: fast,
    /// for display; the result may hold boundary slivers that an overlay would not).
    public func clipped(minX: Double, minY: Double, maxX: Double, maxY: Double) throws -> Geometry {
        try Geometry.wrap(GEOSClipByRect_r(GEOSContext.current.handle, handle, minX, minY, maxX, maxY), "clip by rectangle")
    }

    /// A line string through interleaved x,y coordinates (at least 2 positions).
    public static func lineString(_ xy: [Double]) throws -> Geometry {
        let ctx = GEOSContext.current.handle
        let seq = xy.withUnsafeBufferPointer { GEOSCoordSeq_copyFromBuffer_r(ctx, $0.baseAddress, UInt32(xy.count / 2), 0, 0) }
        guard let seq else { throw GEOSContext.current.takeError("coordinate sequence") }
        // GEOS takes ownership of the sequence, also when it fails.
        return try wrap(GEOSGeom_createLineString_r(ctx, seq), "line string")
    }

    /// The coordinates of a LineString (interleaved x,y); empty for other types.
    public func lineCoordinates() throws -> [Double] {
        guard type == .lineString else { return [] }
        return try Self.xyCoordinates(handle)
    }
}

extension PreparedGeometry {
    /// The nearest points of the prepared geometry and `g`, first on the prepared one
    /// (GEOS `GEOSPreparedNearestPoints_r`: the prepared side's index answers fast); nil
    /// when either is empty.
    public func nearestPoints(_ g: Geometry) throws -> NearestPoints? {
        if try base.isEmpty || g.isEmpty { return nil }
        return try NearestPoints.take(GEOSPreparedNearestPoints_r(GEOSContext.current.handle, handle, g.handle),
                                      "prepared nearest points")
    }
}
