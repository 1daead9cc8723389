import CPROJ

/// The WKT flavours `crsWKT` can produce.
public enum CRSWKTVersion: Sendable {
    /// WKT 1 as GDAL writes it: what GeoPackage's `gpkg_spatial_ref_sys.definition` holds.
    case wkt1GDAL
    /// WKT 2 (ISO 19162:2019).
    case wkt2_2019
}

/// The single-line WKT definition of a CRS from PROJ's database, e.g. for a GeoPackage's
/// `gpkg_spatial_ref_sys`. The text depends only on the CRS and the PROJ version.
public func crsWKT(_ id: CRSIdentifier, version: CRSWKTVersion = .wkt1GDAL) throws -> String {
    let ctx = PROJContext()
    let definition = id == .wgs84 ? "OGC:CRS84" : id.description
    guard let crs = proj_create(ctx.handle, definition) else {
        throw GeometryError(operation: "CRS \(id)", message: "PROJ does not know this CRS (\(ctx.errorMessage()))")
    }
    defer { proj_destroy(crs) }
    let type: PJ_WKT_TYPE = version == .wkt1GDAL ? PJ_WKT1_GDAL : PJ_WKT2_2019
    let text: String? = "MULTILINE=NO".withCString { option in
        var options: [UnsafePointer<CChar>?] = [option, nil]
        return options.withUnsafeMutableBufferPointer { buf in
            proj_as_wkt(ctx.handle, crs, type, buf.baseAddress).map { String(cString: $0) }
        }
    }
    guard let text, !text.isEmpty else {
        throw GeometryError(operation: "CRS \(id)", message: "PROJ cannot write this CRS as WKT (\(ctx.errorMessage()))")
    }
    return text
}

/// Whether a CRS given by any PROJ definition (e.g. a raster's WKT) is the same CRS as `id`,
/// by PROJ's equivalence test (axis order of geographic CRSs aside): a WKT without an EPSG
/// code still matches when it describes the same CRS.
public func crsIsEquivalent(definition: String, to id: CRSIdentifier) throws -> Bool {
    let ctx = PROJContext()
    guard let a = proj_create(ctx.handle, definition) else {
        throw GeometryError(operation: "CRS", message: "PROJ does not understand this CRS definition (\(ctx.errorMessage()))")
    }
    defer { proj_destroy(a) }
    guard let b = proj_create(ctx.handle, id == .wgs84 ? "OGC:CRS84" : id.description) else {
        throw GeometryError(operation: "CRS \(id)", message: "PROJ does not know this CRS (\(ctx.errorMessage()))")
    }
    defer { proj_destroy(b) }
    return proj_is_equivalent_to_with_ctx(ctx.handle, a, b, PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS) == 1
}

/// A short name for a CRS definition: its authority code when PROJ finds one, else its name.
public func crsShortName(definition: String) -> String {
    let ctx = PROJContext()
    guard let crs = proj_create(ctx.handle, definition) else { return "an unknown CRS" }
    defer { proj_destroy(crs) }
    if let auth = proj_get_id_auth_name(crs, 0), let code = proj_get_id_code(crs, 0) {
        return "\(String(cString: auth)):\(String(cString: code))"
    }
    return proj_get_name(crs).map { String(cString: $0) } ?? "an unnamed CRS"
}
