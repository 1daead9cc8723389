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
