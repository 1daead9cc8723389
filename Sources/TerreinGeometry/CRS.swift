import Foundation
import CPROJ
#if canImport(Glibc)
import Glibc
#endif

/// A coordinate reference system identified by authority and code, e.g. EPSG:28992.
public struct CRSIdentifier: Hashable, Sendable, CustomStringConvertible {
    public var authority: String
    public var code: String

    public init(authority: String, code: String) {
        self.authority = authority.uppercased()
        self.code = code
    }

    public static let wgs84 = CRSIdentifier(authority: "OGC", code: "CRS84")
    public static let rdNew = CRSIdentifier(authority: "EPSG", code: "28992")

    /// Parses `EPSG:28992`, `urn:ogc:def:crs:EPSG::28992`, `urn:ogc:def:crs:OGC:1.3:CRS84`,
    /// `http(s)://www.opengis.net/def/crs/EPSG/0/28992` and `CRS84`.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        let lower = t.lowercased()
        if lower == "crs84" || lower == "ogc:crs84" || lower == "urn:ogc:def:crs:ogc:1.3:crs84"
            || lower == "urn:ogc:def:crs:ogc::crs84" || lower.hasSuffix("/def/crs/ogc/1.3/crs84") {
            self = .wgs84
            return
        }
        if lower.hasPrefix("urn:ogc:def:crs:") {
            // urn:ogc:def:crs:AUTHORITY:[VERSION]:CODE
            let parts = t.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 7, !parts[4].isEmpty, !parts[6].isEmpty else { return nil }
            self.init(authority: String(parts[4]), code: String(parts[6]))
        } else if lower.hasPrefix("http://www.opengis.net/def/crs/") || lower.hasPrefix("https://www.opengis.net/def/crs/") {
            let parts = t.split(separator: "/")
            guard parts.count >= 4 else { return nil }
            self.init(authority: String(parts[parts.count - 3]), code: String(parts[parts.count - 1]))
        } else {
            let parts = t.split(separator: ":")
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self.init(authority: String(parts[0]), code: String(parts[1]))
        }
        guard code.allSatisfy({ $0.isLetter || $0.isNumber }), authority.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            return nil
        }
        // EPSG:4326 as GeoJSON uses it means lon/lat order: PROJ's visualization order handles that.
    }

    public var description: String { "\(authority):\(code)" }

    /// The EPSG code when the authority is EPSG (4326 for CRS84).
    public var epsgCode: Int? {
        if self == .wgs84 { return 4326 }
        return authority == "EPSG" ? Int(code) : nil
    }
}

/// What PROJ knows about a CRS.
public struct CRSInfo: Sendable {
    /// What kind of CRS PROJ says this is.
    public enum Kind: String, Sendable {
        case geographic2D = "geographic 2D", geographic3D = "geographic 3D", geocentric, projected,
             compound, bound, vertical, engineering, other
    }

    /// One axis of the CRS's coordinate system, as PROJ describes it.
    public struct Axis: Sendable, Equatable {
        public var name: String
        public var direction: String
        /// e.g. "metre", "US survey foot", "degree".
        public var unitName: String
        /// Factor to the SI unit (metre, radian): 1 for metres.
        public var unitToSI: Double
    }

    public var identifier: CRSIdentifier
    public var name: String
    public var isGeographic: Bool
    /// Area of use in lon/lat degrees (west, south, east, north), when PROJ has one.
    public var areaOfUse: (west: Double, south: Double, east: Double, north: Double)?
    public var kind: Kind = .other
    /// The authority and code PROJ gives the object itself (for a component of a compound
    /// CRS, its own code, e.g. EPSG:28992 inside EPSG:7415); nil when it has none.
    public var ownIdentifier: CRSIdentifier?
    /// The axes of its coordinate system (none for compound and bound CRSs).
    public var axes: [Axis] = []
    /// Compound: its components, horizontal first. Bound: its base CRS.
    public var components: [CRSInfo] = []

    /// True when every axis is in metres (and there is at least one).
    public var isInMetres: Bool {
        !axes.isEmpty && axes.allSatisfy { $0.unitToSI == 1 && $0.unitName == "metre" }
    }

    /// The horizontal part: a compound CRS's first component, otherwise the CRS itself.
    public var horizontalPart: CRSInfo {
        kind == .compound ? (components.first ?? self) : self
    }
}

/// A PROJ context owned by one thread.
final class PROJContext {
    let handle: OpaquePointer
    init() {
        handle = proj_context_create()
        // Never go to the network for grids: this is a batch tool on offline machines.
        proj_context_set_enable_network(handle, 0)
        proj_log_level(handle, PJ_LOG_NONE)
    }
    deinit { proj_context_destroy(handle) }

    func errorMessage() -> String {
        let errno = proj_context_errno(handle)
        guard errno != 0, let s = proj_context_errno_string(handle, errno) else { return "unknown PROJ error" }
        return String(cString: s)
    }
}

/// PROJ's library version, e.g. "9.1.1".
public var projVersion: String {
    let info = proj_info()
    return String(cString: info.version)
}

/// Looks a CRS up in PROJ's database.
public func lookUpCRS(_ id: CRSIdentifier) throws -> CRSInfo {
    try lookUpCRS(definition: id == .wgs84 ? "OGC:CRS84" : id.description, identifier: id)
}

/// Describes the CRS of any PROJ definition (`EPSG:7415`, a PROJ string, WKT).
public func lookUpCRS(definition: String, identifier: CRSIdentifier) throws -> CRSInfo {
    let ctx = PROJContext()
    guard let crs = proj_create(ctx.handle, definition) else {
        throw GeometryError(operation: "CRS \(identifier)", message: "PROJ does not know this CRS (\(ctx.errorMessage()))")
    }
    defer { proj_destroy(crs) }
    let type = proj_get_type(crs)
    let geographic = type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS
    let isCRS = geographic || type == PJ_TYPE_PROJECTED_CRS || type == PJ_TYPE_COMPOUND_CRS
        || type == PJ_TYPE_GEOCENTRIC_CRS || type == PJ_TYPE_GEOGRAPHIC_CRS || type == PJ_TYPE_BOUND_CRS
        || type == PJ_TYPE_OTHER_CRS || type == PJ_TYPE_ENGINEERING_CRS || type == PJ_TYPE_VERTICAL_CRS
    guard isCRS else {
        throw GeometryError(operation: "CRS \(identifier)", message: "this is not a coordinate reference system")
    }
    var info = describe(crs, ctx: ctx, identifier: identifier)
    var w = 0.0, s = 0.0, e = 0.0, n = 0.0
    let hasArea = proj_get_area_of_use(ctx.handle, crs, &w, &s, &e, &n, nil) == 1 && w > -1000
    info.areaOfUse = hasArea ? (w, s, e, n) : nil
    return info
}

/// Kind, own code, axes and components of a PROJ CRS object.
private func describe(_ crs: OpaquePointer, ctx: PROJContext, identifier: CRSIdentifier) -> CRSInfo {
    let type = proj_get_type(crs)
    let kind: CRSInfo.Kind
    switch type {
    case PJ_TYPE_GEOGRAPHIC_2D_CRS: kind = .geographic2D
    case PJ_TYPE_GEOGRAPHIC_3D_CRS: kind = .geographic3D
    case PJ_TYPE_GEOCENTRIC_CRS: kind = .geocentric
    case PJ_TYPE_PROJECTED_CRS: kind = .projected
    case PJ_TYPE_COMPOUND_CRS: kind = .compound
    case PJ_TYPE_BOUND_CRS: kind = .bound
    case PJ_TYPE_VERTICAL_CRS: kind = .vertical
    case PJ_TYPE_ENGINEERING_CRS: kind = .engineering
    default: kind = .other
    }
    let name = proj_get_name(crs).map { String(cString: $0) } ?? identifier.description
    var own: CRSIdentifier?
    if let auth = proj_get_id_auth_name(crs, 0), let code = proj_get_id_code(crs, 0) {
        own = CRSIdentifier(authority: String(cString: auth), code: String(cString: code))
    }
    var info = CRSInfo(identifier: identifier, name: name, isGeographic: kind == .geographic2D || kind == .geographic3D,
                       areaOfUse: nil, kind: kind, ownIdentifier: own)
    switch kind {
    case .compound:
        var i: Int32 = 0
        while let sub = proj_crs_get_sub_crs(ctx.handle, crs, i) {
            defer { proj_destroy(sub) }
            info.components.append(describe(sub, ctx: ctx, identifier: identifier))
            i += 1
        }
    case .bound:
        if let base = proj_get_source_crs(ctx.handle, crs) {
            defer { proj_destroy(base) }
            info.components.append(describe(base, ctx: ctx, identifier: identifier))
        }
    default:
        guard let cs = proj_crs_get_coordinate_system(ctx.handle, crs) else { break }
        defer { proj_destroy(cs) }
        let count = proj_cs_get_axis_count(ctx.handle, cs)
        for i in 0..<max(0, count) {
            var axisName: UnsafePointer<CChar>?, direction: UnsafePointer<CChar>?, unitName: UnsafePointer<CChar>?
            var factor = 0.0
            guard proj_cs_get_axis_info(ctx.handle, cs, i, &axisName, nil, &direction, &factor, &unitName, nil, nil) == 1 else {
                continue
            }
            info.axes.append(CRSInfo.Axis(name: axisName.map { String(cString: $0) } ?? "",
                                          direction: direction.map { String(cString: $0) } ?? "",
                                          unitName: unitName.map { String(cString: $0) } ?? "",
                                          unitToSI: factor))
        }
    }
    return info
}

/// Transforms interleaved x,y coordinates from one CRS to another, always in
/// x = east/longitude, y = north/latitude order (`proj_normalize_for_visualization`),
/// whatever the CRS's own axis order.
///
/// Between a CRS on the ETRS89 or WGS84 datum and RD New the operation is the explicit
/// RDNAPTRANS2018 grid pipeline (`RDGrid`, docs/rd-new.md), with no fallback: a point outside
/// the grid fails. Every other pair takes PROJ's default choice (`proj_create_crs_to_crs`).
///
/// A transformer holds a PROJ context and must be used by one thread at a time.
public final class CRSTransformer {
    /// What the transformer is for.
    public enum Purpose: Sendable {
        /// Coordinates of data: ETRS89/WGS84 ↔ RD New through the RDNAPTRANS2018 grid.
        case coordinates
        /// A sanity bound only (a CRS's area of use, give or take 50 km): PROJ's default
        /// operation for every pair, so that the check needs no grid.
        case roughBounds
    }

    private let ctx: PROJContext
    private let pj: OpaquePointer
    /// Keeps the grid path alive for PROJ's file finder.
    private let finder: GridFinder?
    public let source: CRSIdentifier
    public let target: CRSIdentifier
    public let isIdentity: Bool
    /// The PROJ definition of the operation (`proj_as_proj_string`), as the manifest records it.
    public let operation: String
    /// The RDNAPTRANS2018 grid file, when the operation uses it.
    public let gridPath: String?
    /// What a point that cannot be transformed is, in words for an error message.
    public var failureProblem: String {
        gridPath != nil ? "vertex outside the RDNAPTRANS2018 grid (\(RDGrid.extentText))"
                        : "coordinates cannot be transformed from \(source) to \(target)"
    }

    /// `gridDirectories`: where to look for the RDNAPTRANS2018 grid (default `RDGrid.searchDirectories()`).
    public init(from source: CRSIdentifier, to target: CRSIdentifier, purpose: Purpose = .coordinates,
                gridDirectories: [String]? = nil) throws {
        self.source = source
        self.target = target
        self.isIdentity = source == target
        ctx = PROJContext()
        let s = source == .wgs84 ? "OGC:CRS84" : source.description
        let t = target == .wgs84 ? "OGC:CRS84" : target.description
        let label = "transform \(source) → \(target)"
        var explicit: String?
        if purpose == .coordinates, !isIdentity {
            guard let sp = proj_create(ctx.handle, s), let tp = proj_create(ctx.handle, t) else {
                throw GeometryError(operation: label, message: ctx.errorMessage())
            }
            defer { proj_destroy(sp); proj_destroy(tp) }
            explicit = try rdnaptransPipeline(from: sp, to: tp, ctx: ctx, label: label)
        }
        if let explicit {
            // A missing grid is RDGrid.GridMissing, never a silent fallback.
            let path = try RDGrid.locate(in: gridDirectories ?? RDGrid.searchDirectories())
            let f = GridFinder(path: path)
            proj_context_set_file_finder(ctx.handle, { _, name, userData in
                guard let name, let userData, String(cString: name) == RDGrid.fileName else { return nil }
                return UnsafePointer(Unmanaged<GridFinder>.fromOpaque(userData).takeUnretainedValue().cPath)
            }, Unmanaged.passUnretained(f).toOpaque())
            guard let p = proj_create(ctx.handle, explicit) else {
                throw GeometryError(operation: label, message: "PROJ rejects the RDNAPTRANS2018 pipeline \(explicit) with grid \(path) (\(ctx.errorMessage()))")
            }
            finder = f
            pj = p
            gridPath = path
            operation = explicit
        } else {
            guard let raw = proj_create_crs_to_crs(ctx.handle, s, t, nil) else {
                throw GeometryError(operation: label, message: ctx.errorMessage())
            }
            defer { proj_destroy(raw) }
            guard let norm = proj_normalize_for_visualization(ctx.handle, raw) else {
                throw GeometryError(operation: label, message: ctx.errorMessage())
            }
            finder = nil
            pj = norm
            gridPath = nil
            if let d = proj_as_proj_string(ctx.handle, norm, PJ_PROJ_5, nil) {
                operation = String(cString: d)
            } else {
                // Several candidate operations: PROJ picks one per point.
                operation = "proj_create_crs_to_crs(\(s), \(t)): PROJ's choice per point among \(proj_pj_info(norm).definition.map { String(cString: $0) } ?? "its candidates")"
            }
        }
    }

    deinit { proj_destroy(pj) }

    /// The grid path as a C string, for PROJ's file finder callback.
    private final class GridFinder {
        let cPath: UnsafeMutablePointer<CChar>
        init(path: String) { cPath = strdup(path)! }
        deinit { free(cPath) }
    }

    /// Transforms in place. Returns false when any coordinate could not be transformed
    /// (PROJ returns infinity for those) or is not finite afterwards.
    @discardableResult
    public func transform(_ xy: inout [Double]) -> Bool {
        xy.withUnsafeMutableBufferPointer { transform($0) }
    }

    /// The same, on interleaved x,y in a buffer (a ring of a feature, without an array).
    @discardableResult
    public func transform(_ xy: UnsafeMutableBufferPointer<Double>) -> Bool {
        if isIdentity || xy.isEmpty { return xy.allSatisfy { $0.isFinite } }
        let n = xy.count / 2
        let stride = 2 * MemoryLayout<Double>.stride
        let base = xy.baseAddress!
        _ = proj_trans_generic(pj, PJ_FWD,
                               base, stride, n,
                               base + 1, stride, n,
                               nil, 0, 0, nil, 0, 0)
        return xy.allSatisfy { $0.isFinite && abs($0) < 1e15 }
    }

    /// Transforms one point; nil when it cannot be transformed.
    public func transform(x: Double, y: Double) -> (x: Double, y: Double)? {
        var xy = [x, y]
        guard transform(&xy) else { return nil }
        return (xy[0], xy[1])
    }

    /// The bounds of a box after transformation (densified edges).
    public func transformBounds(_ b: Bounds) -> Bounds? {
        var out = Bounds(minX: 0, minY: 0, maxX: 0, maxY: 0)
        let ok = proj_trans_bounds(ctx.handle, pj, PJ_FWD, b.minX, b.minY, b.maxX, b.maxY,
                                   &out.minX, &out.minY, &out.maxX, &out.maxY, 21)
        guard ok == 1, out.minX.isFinite, out.maxX.isFinite, out.minY.isFinite, out.maxY.isFinite else { return nil }
        return out
    }
}

