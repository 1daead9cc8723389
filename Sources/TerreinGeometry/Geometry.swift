import CGEOS

/// An owned, immutable GEOS geometry. The handle is freed in `deinit`; every GEOS call
/// runs on the calling thread's own context (`GEOSContext.current`) and every return
/// code is checked. No GEOS pointer leaves this module.
///
/// Immutable geometries may be read from several threads at once (GEOS does not mutate
/// a geometry in read-only operations); prepared geometries and contexts are per thread.
public final class Geometry: @unchecked Sendable {
    let handle: OpaquePointer

    init(owning handle: OpaquePointer) {
        self.handle = handle
        Self.computeEnvelopes(handle, GEOSContext.current.handle)
    }

    /// Makes GEOS compute and cache the envelope of `g` and of every component in it
    /// (collection members, polygon rings).
    ///
    /// GEOS 3.11 computes envelopes lazily, on the first operation that needs one, and
    /// stores them in the geometry: a write. Geometries are shared read-only between worker
    /// threads (layers, indexes), so two workers could fill the same cache at once, a data
    /// race (a leaked or freed envelope). Computing them here, on the thread that makes the
    /// geometry and before it can be shared, leaves only reads for later. Empty geometries
    /// need `GEOSEnvelope_r` (the extent functions raise an exception on them).
    private static func computeEnvelopes(_ g: OpaquePointer, _ ctx: GEOSContextHandle_t) {
        if GEOSisEmpty_r(ctx, g) == 0 {
            var x = 0.0
            _ = GEOSGeom_getXMin_r(ctx, g, &x)
        } else if let envelope = GEOSEnvelope_r(ctx, g) {
            GEOSGeom_destroy_r(ctx, envelope)
        }
        switch GEOSGeomTypeId_r(ctx, g) {
        case Int32(GeometryType.polygon.rawValue):
            if let shell = GEOSGetExteriorRing_r(ctx, g) { computeEnvelopes(shell, ctx) }
            let holes = GEOSGetNumInteriorRings_r(ctx, g)
            for i in 0..<max(holes, 0) {
                if let hole = GEOSGetInteriorRingN_r(ctx, g, i) { computeEnvelopes(hole, ctx) }
            }
        case Int32(GeometryType.multiPoint.rawValue)...Int32(GeometryType.geometryCollection.rawValue):
            let n = GEOSGetNumGeometries_r(ctx, g)
            for i in 0..<max(n, 0) {
                if let member = GEOSGetGeometryN_r(ctx, g, i) { computeEnvelopes(member, ctx) }
            }
        default:
            break
        }
    }

    deinit { GEOSGeom_destroy_r(GEOSContext.current.handle, handle) }

    static func wrap(_ result: OpaquePointer?, _ operation: String) throws -> Geometry {
        guard let result else { throw GEOSContext.current.takeError(operation) }
        return Geometry(owning: result)
    }

    // MARK: Construction

    /// The stand-in for a feature's geometry that is not built (yet): an empty polygon, one
    /// for the process, never handed to GEOS for work. An incremental run leaves the features
    /// no recomputed terrein needs unbuilt (`LoadedLayers.deferred`, docs/incremental.md); the
    /// code that clips features checks `isDeferred` and refuses rather than compute with it.
    public static let deferred: Geometry = {
        guard let g = GEOSGeom_createEmptyPolygon_r(GEOSContext.current.handle) else {
            fatalError("GEOS cannot create an empty polygon")
        }
        return Geometry(owning: g)
    }()

    /// Whether this is `Geometry.deferred`.
    public var isDeferred: Bool { self === Geometry.deferred }

    /// A polygon from rings of interleaved x,y coordinates (shell first, then holes).
    /// Each ring must be closed and hold at least 4 positions; GEOS checks both.
    public static func polygon(rings: [[Double]]) throws -> Geometry {
        let ctx = GEOSContext.current.handle
        guard let first = rings.first else {
            return try wrap(GEOSGeom_createEmptyPolygon_r(ctx), "empty polygon")
        }
        let shell = try rawLinearRing(first)
        var holes: [OpaquePointer?] = []
        holes.reserveCapacity(rings.count - 1)
        do {
            for ring in rings.dropFirst() { holes.append(try rawLinearRing(ring)) }
        } catch {
            GEOSGeom_destroy_r(ctx, shell)
            for h in holes { GEOSGeom_destroy_r(ctx, h) }
            throw error
        }
        // GEOS takes ownership of shell and holes, also when it fails.
        let result = holes.withUnsafeMutableBufferPointer { buf in
            GEOSGeom_createPolygon_r(ctx, shell, buf.baseAddress, UInt32(buf.count))
        }
        return try wrap(result, "polygon")
    }

    /// A polygon from rings laid end to end in one buffer of interleaved x,y: ring i ends
    /// at `ringEnds[i]` (in doubles), shell first, then holes. The same checks as
    /// `polygon(rings:)`, without an array per ring (the per-feature path of the readers).
    public static func polygon(xy: UnsafeBufferPointer<Double>, ringEnds: UnsafeBufferPointer<Int>) throws -> Geometry {
        let ctx = GEOSContext.current.handle
        guard let firstEnd = ringEnds.first else {
            return try wrap(GEOSGeom_createEmptyPolygon_r(ctx), "empty polygon")
        }
        let shell = try rawLinearRing(UnsafeBufferPointer(rebasing: xy[0..<firstEnd]))
        let holeCount = ringEnds.count - 1
        if holeCount == 0 {
            return try wrap(GEOSGeom_createPolygon_r(ctx, shell, nil, 0), "polygon")
        }
        return try withUnsafeTemporaryAllocation(of: OpaquePointer?.self, capacity: holeCount) { holes in
            var made = 0
            do {
                for i in 0..<holeCount {
                    holes[i] = try rawLinearRing(UnsafeBufferPointer(rebasing: xy[ringEnds[i]..<ringEnds[i + 1]]))
                    made += 1
                }
            } catch {
                GEOSGeom_destroy_r(ctx, shell)
                for i in 0..<made { GEOSGeom_destroy_r(ctx, holes[i]) }
                throw error
            }
            // GEOS takes ownership of shell and holes, also when it fails.
            return try wrap(GEOSGeom_createPolygon_r(ctx, shell, holes.baseAddress, UInt32(holeCount)), "polygon")
        }
    }

    /// A linear ring handle that the caller must hand to GEOS or destroy.
    static func rawLinearRing(_ xy: [Double]) throws -> OpaquePointer {
        try xy.withUnsafeBufferPointer { try rawLinearRing($0) }
    }

    /// A linear ring handle from interleaved x,y, which the caller must hand to GEOS or destroy.
    static func rawLinearRing(_ xy: UnsafeBufferPointer<Double>) throws -> OpaquePointer {
        let ctx = GEOSContext.current.handle
        let seq = GEOSCoordSeq_copyFromBuffer_r(ctx, xy.baseAddress, UInt32(xy.count / 2), 0, 0)
        guard let seq else { throw GEOSContext.current.takeError("coordinate sequence") }
        // GEOS takes ownership of the sequence, also when it fails.
        guard let ring = GEOSGeom_createLinearRing_r(ctx, seq) else {
            throw GEOSContext.current.takeError("linear ring")
        }
        return ring
    }

    /// A point (used in tests and diagnostics).
    public static func point(x: Double, y: Double) throws -> Geometry {
        try wrap(GEOSGeom_createPointFromXY_r(GEOSContext.current.handle, x, y), "point")
    }

    /// A collection of the given kind that takes clones of the members.
    ///
    /// A MultiPolygon takes the polygons of its members: a MultiPolygon or GeometryCollection
    /// member is flattened (GEOS 3.11 accepts any member and then misbehaves: a MultiPolygon
    /// holding a MultiPolygon crashes the WKT writer), empty polygons are kept as they are and
    /// a member without area (a point, a line) is refused.
    public static func collection(_ members: [Geometry], type: GeometryType = .geometryCollection) throws -> Geometry {
        let ctx = GEOSContext.current.handle
        var members = members
        if type == .multiPolygon, members.contains(where: { $0.type != .polygon }) {
            var polygons: [Geometry] = []
            for m in members {
                switch m.type {
                case .polygon: polygons.append(m)
                case .multiPolygon, .geometryCollection: try m.collectPolygons(into: &polygons, keepEmpty: true, strict: true)
                default: throw GeometryError(operation: "multipolygon", message: "a member is a \(m.type), not a polygon")
                }
            }
            members = polygons
        }
        var handles: [OpaquePointer?] = []
        handles.reserveCapacity(members.count)
        for m in members {
            guard let c = GEOSGeom_clone_r(ctx, m.handle) else {
                for h in handles { GEOSGeom_destroy_r(ctx, h) }
                throw GEOSContext.current.takeError("clone")
            }
            handles.append(c)
        }
        let result = handles.withUnsafeMutableBufferPointer { buf in
            GEOSGeom_createCollection_r(ctx, Int32(type.rawValue), buf.baseAddress, UInt32(buf.count))
        }
        // No clean-up on failure: GEOS takes ownership of the members as soon as it is
        // called, also when it fails (geos_c.h: "the ownership of the pointed-to objects is
        // transferred"; GEOS 3.11 wraps them in unique_ptrs before it checks the type), so
        // destroying them here again would be a double free.
        return try wrap(result, "collection")
    }

    /// Reads ISO/extended WKB.
    public static func fromWKB(_ bytes: [UInt8]) throws -> Geometry {
        let ctx = GEOSContext.current.handle
        guard let reader = GEOSWKBReader_create_r(ctx) else { throw GEOSContext.current.takeError("WKB reader") }
        defer { GEOSWKBReader_destroy_r(ctx, reader) }
        let g = bytes.withUnsafeBufferPointer { GEOSWKBReader_read_r(ctx, reader, $0.baseAddress, $0.count) }
        return try wrap(g, "read WKB")
    }

    /// Reads WKT (tests and diagnostics).
    public static func fromWKT(_ text: String) throws -> Geometry {
        let ctx = GEOSContext.current.handle
        guard let reader = GEOSWKTReader_create_r(ctx) else { throw GEOSContext.current.takeError("WKT reader") }
        defer { GEOSWKTReader_destroy_r(ctx, reader) }
        return try wrap(GEOSWKTReader_read_r(ctx, reader, text), "read WKT")
    }

    // MARK: Properties

    public var type: GeometryType {
        GeometryType(rawValue: Int(GEOSGeomTypeId_r(GEOSContext.current.handle, handle))) ?? .geometryCollection
    }

    /// Throws when GEOS raises an exception (it returns 2), which must not pass for "no".
    public var isEmpty: Bool {
        get throws { try Self.predicate(GEOSisEmpty_r(GEOSContext.current.handle, handle), "is empty") }
    }

    /// Throws when GEOS raises an exception (it returns 2), which must not pass for "invalid".
    public var isValid: Bool {
        get throws { try Self.predicate(GEOSisValid_r(GEOSContext.current.handle, handle), "is valid") }
    }

    /// A GEOS predicate's result: 1 true, 0 false, anything else (2) an exception.
    static func predicate(_ r: CChar, _ operation: String) throws -> Bool {
        switch r {
        case 1: return true
        case 0: return false
        default: throw GEOSContext.current.takeError(operation)
        }
    }

    /// A count from GEOS, which returns -1 on an exception (a range up to -1 would trap).
    static func count(_ n: Int32, _ operation: String) throws -> Int32 {
        guard n >= 0 else { throw GEOSContext.current.takeError(operation) }
        return n
    }

    /// Why the geometry is invalid ("Valid Geometry" when it is valid).
    public var validityReason: String {
        let ctx = GEOSContext.current.handle
        guard let s = GEOSisValidReason_r(ctx, handle) else { return "unknown" }
        defer { GEOSFree_r(ctx, s) }
        return String(cString: s)
    }

    public func area() throws -> Double {
        var a = 0.0
        guard GEOSArea_r(GEOSContext.current.handle, handle, &a) == 1 else {
            throw GEOSContext.current.takeError("area")
        }
        return a
    }

    public var numGeometries: Int {
        get throws { Int(try Self.count(GEOSGetNumGeometries_r(GEOSContext.current.handle, handle), "number of geometries")) }
    }

    public var numPoints: Int {
        // GEOSGeomGetNumPoints_r is for lines only; count through the coordinates.
        get throws { Int(try Self.count(GEOSGetNumCoordinates_r(GEOSContext.current.handle, handle), "number of coordinates")) }
    }

    /// The bounding box, or nil for an empty geometry (or when GEOS cannot tell).
    public var bounds: Bounds? {
        if GEOSisEmpty_r(GEOSContext.current.handle, handle) != 0 { return nil }
        var b = Bounds(minX: 0, minY: 0, maxX: 0, maxY: 0)
        guard GEOSGeom_getExtent_r(GEOSContext.current.handle, handle, &b.minX, &b.minY, &b.maxX, &b.maxY) == 1 else {
            return nil
        }
        return b
    }

    /// The n-th member of a collection, cloned.
    public func geometry(at index: Int) throws -> Geometry {
        let ctx = GEOSContext.current.handle
        guard let g = GEOSGetGeometryN_r(ctx, handle, Int32(index)) else { throw GEOSContext.current.takeError("geometry n") }
        return try Geometry.wrap(GEOSGeom_clone_r(ctx, g), "clone")
    }

    public func clone() throws -> Geometry {
        try Geometry.wrap(GEOSGeom_clone_r(GEOSContext.current.handle, handle), "clone")
    }

    // MARK: Operations

    public func intersection(_ other: Geometry) throws -> Geometry {
        try Geometry.wrap(GEOSIntersection_r(GEOSContext.current.handle, handle, other.handle), "intersection")
    }

    /// The area of this polygonal geometry inside the axis-aligned rectangle, by GEOS
    /// ClipByRect (a fast clip for rectangles: no noding against the rectangle's edges). A
    /// part that only touches the rectangle contributes nothing.
    public func clippedArea(minX: Double, minY: Double, maxX: Double, maxY: Double) throws -> Double {
        let clipped = try Geometry.wrap(GEOSClipByRect_r(GEOSContext.current.handle, handle, minX, minY, maxX, maxY),
                                        "clip by rectangle")
        return try clipped.area()
    }

    public func difference(_ other: Geometry) throws -> Geometry {
        try Geometry.wrap(GEOSDifference_r(GEOSContext.current.handle, handle, other.handle), "difference")
    }

    public func union(_ other: Geometry) throws -> Geometry {
        try Geometry.wrap(GEOSUnion_r(GEOSContext.current.handle, handle, other.handle), "union")
    }

    /// Union of all members of this geometry (cascaded).
    public func unaryUnion() throws -> Geometry {
        try Geometry.wrap(GEOSUnaryUnion_r(GEOSContext.current.handle, handle), "unary union")
    }

    /// Union of polygons that form a coverage (they may share edges but never overlap),
    /// with GEOS CoverageUnion: linear, much faster than an overlay union. Returns nil
    /// when the members are not a clean coverage (GEOS refuses, the result is invalid, or
    /// its area differs from the sum of the members' areas by more than float noise): then the
    /// caller must use `unionAll`. Never returns a wrong union.
    public static func coverageUnion(_ members: [Geometry], totalArea: Double) throws -> Geometry? {
        if members.isEmpty { return nil }
        if members.count == 1 { return members[0] }
        let collection = try collection(members)
        let ctx = GEOSContext.current
        guard let result = GEOSCoverageUnion_r(ctx.handle, collection.handle) else {
            _ = ctx.takeError("coverage union")  // not a coverage: not an error for us
            return nil
        }
        let union = Geometry(owning: result)
        // Overlapping members come back as overlapping parts with the summed area, so the
        // result must also be valid; the area test catches gaps and lost pieces.
        let area = try union.area()
        guard abs(area - totalArea) <= 1e-9 * max(totalArea, 1), try union.isValid else { return nil }
        return union
    }

    /// The union of polygons by a zero-distance buffer of their collection: one noding
    /// pass over all rings instead of a cascade of pairwise overlays. Members may be
    /// Polygons, MultiPolygons or collections of them (clipped pieces, multi-part
    /// features): `collection` flattens them into one well-formed MultiPolygon.
    public static func polygonUnionByBuffer(_ members: [Geometry]) throws -> Geometry? {
        if members.isEmpty { return nil }
        if members.count == 1 { return members[0] }
        let c = try collection(members, type: .multiPolygon)
        return try Geometry.wrap(GEOSBuffer_r(GEOSContext.current.handle, c.handle, 0, 8), "union (buffer 0)")
    }

    /// The union of `members` taken in the given order, or nil when there are none.
    public static func unionAll(_ members: [Geometry]) throws -> Geometry? {
        if members.isEmpty { return nil }
        if members.count == 1 { return members[0] }
        return try collection(members).unaryUnion()
    }

    public func distance(_ other: Geometry) throws -> Double {
        var d = 0.0
        guard GEOSDistance_r(GEOSContext.current.handle, handle, other.handle, &d) == 1 else {
            throw GEOSContext.current.takeError("distance")
        }
        return d
    }

    public func intersects(_ other: Geometry) throws -> Bool {
        let r = GEOSIntersects_r(GEOSContext.current.handle, handle, other.handle)
        if r == 2 { throw GEOSContext.current.takeError("intersects") }
        return r == 1
    }

    /// True when the interiors of the two geometries share area (DE-9IM `2********`).
    public func interiorsOverlap(_ other: Geometry) throws -> Bool {
        let r = GEOSRelatePattern_r(GEOSContext.current.handle, handle, other.handle, "2********")
        if r == 2 { throw GEOSContext.current.takeError("relate") }
        return r == 1
    }

    /// The boundary (rings of a polygon as lines).
    public func boundary() throws -> Geometry {
        try Geometry.wrap(GEOSBoundary_r(GEOSContext.current.handle, handle), "boundary")
    }

    /// Union of all members with a fixed precision grid of `gridSize` (OverlayNG snap
    /// rounding: every output vertex on the grid, lines noded where they cross).
    public func unaryUnion(gridSize: Double) throws -> Geometry {
        try Geometry.wrap(GEOSUnaryUnionPrec_r(GEOSContext.current.handle, handle, gridSize), "unary union (fixed precision)")
    }

    /// The polygons formed by noded lines (GEOS Polygonize), as a GeometryCollection.
    public static func polygonize(_ lines: Geometry) throws -> Geometry {
        let members: [OpaquePointer?] = [lines.handle]
        return try Geometry.wrap(GEOSPolygonize_r(GEOSContext.current.handle, members, 1), "polygonize")
    }

    /// A point guaranteed to lie in the interior of a polygonal geometry.
    public func pointOnSurface() throws -> Geometry {
        try Geometry.wrap(GEOSPointOnSurface_r(GEOSContext.current.handle, handle), "point on surface")
    }

    /// The DE-9IM intersection matrix of this geometry (a) with `other` (b), nine characters
    /// in the order II, IB, IE, BI, BB, BE, EI, EB, EE (`T`/`F`/`0`/`1`/`2`), by GEOS relate.
    public func relate(_ other: Geometry) throws -> DE9IM {
        let ctx = GEOSContext.current.handle
        guard let s = GEOSRelate_r(ctx, handle, other.handle) else { throw GEOSContext.current.takeError("relate") }
        defer { GEOSFree_r(ctx, s) }
        return DE9IM(String(cString: s))
    }

    /// GEOS MakeValid with the default *linework* method (`GEOSMakeValid_r`).
    public func makeValid() throws -> Geometry {
        try Geometry.wrap(GEOSMakeValid_r(GEOSContext.current.handle, handle), "make valid")
    }

    /// Topology-preserving simplification (for display only).
    public func simplified(tolerance: Double) throws -> Geometry {
        try Geometry.wrap(GEOSTopologyPreserveSimplify_r(GEOSContext.current.handle, handle, tolerance), "simplify")
    }

    /// Simplification for display: Douglas–Peucker where its result is valid and keeps every
    /// polygon and ring, else the topology-preserving `simplified`. On a Natura 2000 site of
    /// 250,000 vertices (bench scale M) Douglas–Peucker took 0.08 s against 0.72 s, to the
    /// same 10,756 vertices (Shapely on GEOS 3.14, 2026-12-02).
    public func simplifiedForDisplay(tolerance: Double) throws -> Geometry {
        let fast = try Geometry.wrap(GEOSSimplify_r(GEOSContext.current.handle, handle, tolerance), "simplify")
        if try fast.ringCounts() == ringCounts(), try fast.isValid { return fast }
        return try simplified(tolerance: tolerance)
    }

    /// The number of rings of each polygon (a Polygon, or the polygons of a collection).
    func ringCounts() throws -> [Int] {
        let ctx = GEOSContext.current.handle
        func rings(_ p: OpaquePointer) throws -> Int {
            if try Self.predicate(GEOSisEmpty_r(ctx, p), "is empty") { return 0 }
            return 1 + Int(try Self.count(GEOSGetNumInteriorRings_r(ctx, p), "number of interior rings"))
        }
        if type == .polygon { return [try rings(handle)] }
        var out: [Int] = []
        for i in 0..<(try Self.count(GEOSGetNumGeometries_r(ctx, handle), "number of geometries")) {
            guard let member = GEOSGetGeometryN_r(ctx, handle, i),
                  GEOSGeomTypeId_r(ctx, member) == Int32(GeometryType.polygon.rawValue) else { continue }
            out.append(try rings(member))
        }
        return out
    }

    /// The polygonal part of this geometry: a Polygon or MultiPolygon, or nil when it has
    /// no polygon with area (points and lines of a collection are dropped).
    public func polygonalPart() throws -> Geometry? {
        switch type {
        case .polygon:
            return try isEmpty ? nil : self
        case .multiPolygon:
            return try isEmpty ? nil : self
        case .geometryCollection:
            var polygons: [Geometry] = []
            try collectPolygons(into: &polygons, keepEmpty: false, strict: false)
            if polygons.isEmpty { return nil }
            if polygons.count == 1 { return polygons[0] }
            let multi = try Geometry.collection(polygons, type: .multiPolygon)
            // Members of a collection returned by MakeValid do not overlap, but a
            // user's GeometryCollection may hold overlapping polygons: union keeps it valid.
            return try multi.isValid ? multi : try multi.unaryUnion().polygonalPart()
        default:
            return nil
        }
    }

    /// Appends the polygons of this collection, nested collections included (members
    /// cloned). `strict`: a member without area is an error rather than dropped.
    private func collectPolygons(into out: inout [Geometry], keepEmpty: Bool, strict: Bool) throws {
        for i in 0..<(try numGeometries) {
            let member = try geometry(at: i)
            switch member.type {
            case .polygon:
                if try keepEmpty || !member.isEmpty { out.append(member) }
            case .multiPolygon, .geometryCollection:
                try member.collectPolygons(into: &out, keepEmpty: keepEmpty, strict: strict)
            default:
                if strict { throw GeometryError(operation: "multipolygon", message: "a member holds a \(member.type), not a polygon") }
            }
        }
    }

    /// The coordinates (interleaved x,y) of a ring or line string `g` of the calling thread's context.
    static func xyCoordinates(_ g: OpaquePointer) throws -> [Double] {
        let ctx = GEOSContext.current.handle
        guard let seq = GEOSGeom_getCoordSeq_r(ctx, g) else { throw GEOSContext.current.takeError("coord seq") }
        var size: UInt32 = 0
        guard GEOSCoordSeq_getSize_r(ctx, seq, &size) != 0 else { throw GEOSContext.current.takeError("coord seq size") }
        var buf = [Double](repeating: 0, count: Int(size) * 2)
        let ok = buf.withUnsafeMutableBufferPointer { GEOSCoordSeq_copyToBuffer_r(ctx, seq, $0.baseAddress, 0, 0) }
        guard ok == 1 else { throw GEOSContext.current.takeError("copy coordinates") }
        return buf
    }

    /// The polygons of a Polygon/MultiPolygon as rings of interleaved x,y coordinates.
    public func polygonRings() throws -> [[[Double]]] {
        let ctx = GEOSContext.current.handle
        func ringCoords(_ ring: OpaquePointer) throws -> [Double] { try Self.xyCoordinates(ring) }
        func polygon(_ p: OpaquePointer) throws -> [[Double]] {
            if try Self.predicate(GEOSisEmpty_r(ctx, p), "is empty") { return [] }
            guard let shell = GEOSGetExteriorRing_r(ctx, p) else { throw GEOSContext.current.takeError("exterior ring") }
            var rings = [try ringCoords(shell)]
            for i in 0..<(try Self.count(GEOSGetNumInteriorRings_r(ctx, p), "number of interior rings")) {
                guard let h = GEOSGetInteriorRingN_r(ctx, p, i) else { throw GEOSContext.current.takeError("interior ring") }
                rings.append(try ringCoords(h))
            }
            return rings
        }
        switch type {
        case .polygon:
            let p = try polygon(handle)
            return p.isEmpty ? [] : [p]
        case .multiPolygon, .geometryCollection:
            var out: [[[Double]]] = []
            for i in 0..<(try Self.count(GEOSGetNumGeometries_r(ctx, handle), "number of geometries")) {
                guard let member = GEOSGetGeometryN_r(ctx, handle, i) else { continue }
                if GEOSGeomTypeId_r(ctx, member) == Int32(GeometryType.polygon.rawValue) {
                    let p = try polygon(member)
                    if !p.isEmpty { out.append(p) }
                }
            }
            return out
        default:
            return []
        }
    }

    /// ISO WKB, 2D, little endian.
    public func wkb() throws -> [UInt8] {
        let ctx = GEOSContext.current.handle
        guard let writer = GEOSWKBWriter_create_r(ctx) else { throw GEOSContext.current.takeError("WKB writer") }
        defer { GEOSWKBWriter_destroy_r(ctx, writer) }
        GEOSWKBWriter_setOutputDimension_r(ctx, writer, 2)
        GEOSWKBWriter_setByteOrder_r(ctx, writer, 1)
        var size = 0
        guard let bytes = GEOSWKBWriter_write_r(ctx, writer, handle, &size) else {
            throw GEOSContext.current.takeError("write WKB")
        }
        defer { GEOSFree_r(ctx, bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }

    /// WKT with the given number of decimals (tests and diagnostics).
    public func wkt(decimals: Int = 3) -> String {
        let ctx = GEOSContext.current.handle
        guard let writer = GEOSWKTWriter_create_r(ctx) else { return "?" }
        defer { GEOSWKTWriter_destroy_r(ctx, writer) }
        GEOSWKTWriter_setRoundingPrecision_r(ctx, writer, Int32(decimals))
        GEOSWKTWriter_setTrim_r(ctx, writer, 1)
        guard let s = GEOSWKTWriter_write_r(ctx, writer, handle) else { return "?" }
        defer { GEOSFree_r(ctx, s) }
        return String(cString: s)
    }
}

/// GEOS geometry type ids.
public enum GeometryType: Int, Sendable {
    case point = 0, lineString = 1, linearRing = 2, polygon = 3
    case multiPoint = 4, multiLineString = 5, multiPolygon = 6, geometryCollection = 7
}

/// An axis-aligned bounding box.
public struct Bounds: Equatable, Sendable {
    public var minX, minY, maxX, maxY: Double
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }
    public mutating func formUnion(_ other: Bounds) {
        minX = Swift.min(minX, other.minX); minY = Swift.min(minY, other.minY)
        maxX = Swift.max(maxX, other.maxX); maxY = Swift.max(maxY, other.maxY)
    }
    public func intersects(_ o: Bounds) -> Bool {
        !(o.minX > maxX || o.maxX < minX || o.minY > maxY || o.maxY < minY)
    }
    public func expanded(by d: Double) -> Bounds {
        Bounds(minX: minX - d, minY: minY - d, maxX: maxX + d, maxY: maxY + d)
    }
}

/// A DE-9IM matrix (`Geometry.relate`), with the questions the paved fast path asks of it.
public struct DE9IM: Equatable, Sendable, CustomStringConvertible {
    public let matrix: [UInt8]
    public init(_ text: String) { matrix = Array(text.utf8) }
    public var description: String { String(decoding: matrix, as: UTF8.self) }
    private func at(_ i: Int) -> UInt8 { i < matrix.count ? matrix[i] : UInt8(ascii: "?") }
    /// The interiors share area (II = 2).
    public var interiorsOverlap: Bool { at(0) == UInt8(ascii: "2") }
    /// a lies in b: a's interior and boundary do not meet b's exterior (IE = BE = F).
    public var firstIsCovered: Bool { at(2) == UInt8(ascii: "F") && at(5) == UInt8(ascii: "F") }
    /// b lies in a (EI = EB = F).
    public var secondIsCovered: Bool { at(6) == UInt8(ascii: "F") && at(7) == UInt8(ascii: "F") }
}
