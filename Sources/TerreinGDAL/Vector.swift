import CGDAL
import Foundation

/// One attribute value of an OGR feature.
public enum VectorFieldValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// An OGR geometry as flat coordinate buffers (x, y interleaved; z and m dropped), copied
/// from OGR in bulk (`OGR_G_GetPoints`, one call per ring), never vertex by vertex.
public struct VectorGeometry: Sendable {
    public enum Kind: Sendable, Equatable {
        case polygon, multiPolygon, collection
        /// Anything else (points, lines, ...), by OGR's name.
        case other(String)
    }
    public var kind: Kind
    public var xy: [Double] = []
    /// Position count at the end of each ring.
    public var ringEnds: [Int] = []
    /// Ring count at the end of each polygon.
    public var polygonEnds: [Int] = []
    public var members: [VectorGeometry] = []
    /// 2, 3 (z or m) or 4.
    public var dimension = 2
}

/// A feature OGR could not read (GML it cannot parse: OGR stops the layer there, and GDAL says
/// "no more features" and "cannot read this one" alike) or a curve it cannot linearise: never
/// the end of the layer in silence, since the features after it would be lost. `featureIndex`
/// is 0-based in reading order; `fid` is the feature's FID when OGR gave one, `previousFID`
/// that of the last feature read before it.
public struct VectorReadError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var featureIndex: Int
    public var fid: Int64?
    public var previousFID: Int64?
    public var problem: String
    public var hint: String
    public var description: String {
        "\(path): feature \(featureIndex)\(fid.map { " (FID \($0))" } ?? ""): \(problem)\n  → \(hint)"
    }
}

/// How OGR turns curves (GML's gml:Arc, gml:ArcString, gml:Circle, gml:ArcByCenterPoint;
/// CircularString, CompoundCurve, CurvePolygon elsewhere) into straight segments, since GEOS
/// 3.11 has no curves. The reference implementation sets the same two options for pyogrio.
///
/// OGR cuts each arc into equal steps of at most `stepDegrees` (`OGR_ARC_STEPSIZE`) seen from
/// the arc's centre, so a vertex-to-arc gap (the sagitta) of at most R·(1 − cos(step/2)):
/// 1° gives 3.8e-5·R, 3.8 mm on a 100 m roundabout and under 2 mm on the BGT's kerb radii,
/// whatever the units of the layer (the step is an angle). `maxGap` (`OGR_ARC_MAX_GAP`, the
/// largest distance between two vertices, in the layer's units) is set too, but GDAL 3.6 and
/// 3.12 honour it only where they stroke arcs by `approximateArcAngles` (DXF, DWG), not for
/// GML arcs (measured: the same vertices with and without it); for a geographic layer 0.1°
/// (7–11 km) is no constraint, and the step alone decides.
public enum ArcLinearisation {
    public static let stepDegrees = 1.0
    public static let maxGap = 0.1

    /// Runs `body` with the two options set for this thread (OGR reads them when it strokes
    /// an arc, while reading a feature or in `OGR_G_GetLinearGeometry`), restoring them after.
    static func with<T>(_ body: () throws -> T) rethrows -> T {
        let options = [("OGR_ARC_STEPSIZE", String(stepDegrees)), ("OGR_ARC_MAX_GAP", String(maxGap))]
        let previous = options.map { name, _ in CPLGetThreadLocalConfigOption(name, nil).map { String(cString: $0) } }
        for (name, value) in options { CPLSetThreadLocalConfigOption(name, value) }
        defer { for (i, (name, _)) in options.enumerated() { CPLSetThreadLocalConfigOption(name, previous[i]) } }
        return try body()
    }
}

/// One feature of an OGR layer.
public struct VectorFeature: Sendable {
    /// 0-based position in the layer, in reading (FID) order.
    public var index: Int
    public var fid: Int64
    public var fields: [(name: String, value: VectorFieldValue)]
    /// nil when the feature has no geometry.
    public var geometry: VectorGeometry?
}

/// A vector layer read through OGR (GeoPackage, Shapefile, FlatGeobuf, GML, ...): one
/// dataset handle, used by one thread.
public final class VectorLayer {
    public let path: String
    public let layerName: String
    /// OGR's driver, e.g. "GPKG", "ESRI Shapefile".
    public let driver: String
    /// The layer's CRS as AUTHORITY:CODE when OGR can name one, its WKT otherwise, nil when none.
    public let crsCode: String?
    public let crsWKT: String?
    private let dataset: GDALDatasetH
    private let layer: OGRLayerH

    /// The path GDAL opens: a `.zip` (as PDOK's downloads come) through `/vsizip/`, its
    /// root when that holds the layers (zipped Shapefiles), else the one vector file in it.
    static func gdalPath(_ path: String) -> String {
        guard (path as NSString).pathExtension.lowercased() == "zip" else { return path }
        let root = "/vsizip/" + path
        let vectorExtensions = ["gpkg", "fgb", "gml", "geojson", "json", "sqlite"]
        var files: [String] = []
        if let list = VSIReadDir(root) {
            var i = 0
            while let entry = list[i] { files.append(String(cString: entry)); i += 1 }
            CSLDestroy(list)
        }
        let inner = files.filter { vectorExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
        return inner.count == 1 && !files.contains(where: { $0.lowercased().hasSuffix(".shp") }) ? root + "/" + inner[0] : root
    }

    private static func open(_ path: String) throws -> GDALDatasetH {
        _ = GDALLibrary.ready
        let ext = (path as NSString).pathExtension.lowercased()
        if ext == "shp" {
            // GDAL opens a .shp without its .dbf, with no attributes at all: every mapped
            // field would silently be missing.
            let stem = (path as NSString).deletingPathExtension
            if !["dbf", "DBF"].contains(where: { FileManager.default.fileExists(atPath: stem + "." + $0) }) {
                throw RasterError(path: path, problem: "the Shapefile has no .dbf beside it, so its features have no attributes",
                                  hint: "put \((stem as NSString).lastPathComponent).dbf from the same download beside the .shp")
            }
        }
        let path = gdalPath(path)
        // GML without an .xsd or .gfs beside it: GDAL works out the schema by reading the
        // file, and would then write a .gfs beside the input; WRITE_GFS=NO leaves the input
        // folder as it was (a run only reads its inputs).
        let isGML = ["gml", "xml"].contains(ext)
        let owned: [UnsafeMutablePointer<CChar>?] = isGML ? [strdup("WRITE_GFS=NO")] : []
        defer { for p in owned { free(p) } }
        let options: [UnsafePointer<CChar>?] = owned.map { UnsafePointer($0) } + [nil]
        let flags = UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR)
        let opened: GDALDatasetH? = options.withUnsafeBufferPointer { buf -> GDALDatasetH? in
            let list: UnsafePointer<UnsafePointer<CChar>?>? = isGML ? buf.baseAddress : nil
            return ArcLinearisation.with { GDALOpenEx(path, flags, nil, list, nil) }
        }
        guard let ds = opened else {
            let reason = GDALLibrary.lastError()
            let hint: String
            switch ext {
            case "gpkg":
                hint = "a GeoPackage is an SQLite database: this one is damaged, truncated or not a GeoPackage; download or export it again (check it with `ogrinfo \(path)`)"
            case "shp":
                hint = "a Shapefile needs its .shx and .dbf beside the .shp (from the same download); `ogrinfo --config SHAPE_RESTORE_SHX YES \(path)` rebuilds a lost .shx"
            default:
                hint = "check it with `ogrinfo \(path)`; Terrein reads any vector file GDAL reads"
            }
            throw RasterError(path: path, problem: "GDAL cannot open it as a vector file (\(reason))", hint: hint)
        }
        return ds
    }

    /// Opens `layer` of `path`, or its only layer when `layer` is nil.
    public convenience init(path: String, layer requested: String?) throws {
        try self.init(dataset: Self.open(path), path: path, layer: requested)
    }

    /// `layer` (or the only one) of the open dataset `ds`, which the layer then owns (and
    /// closes, also when this throws).
    private init(dataset ds: GDALDatasetH, path: String, layer requested: String?) throws {
        let count = GDALDatasetGetLayerCount(ds)
        let names = (0..<count).map { String(cString: OGR_L_GetName(GDALDatasetGetLayer(ds, $0))) }
        let l: OGRLayerH
        if let requested {
            guard let found = GDALDatasetGetLayerByName(ds, requested) else {
                GDALClose(ds)
                throw RasterError(path: path, problem: "the file has no layer \"\(requested)\"",
                                  hint: "its layers: " + names.map { "\"\($0)\"" }.joined(separator: ", "))
            }
            l = found
        } else {
            guard count == 1, let only = GDALDatasetGetLayer(ds, 0) else {
                GDALClose(ds)
                throw RasterError(path: path, problem: count == 0 ? "the file has no vector layer"
                                                                  : "the file has \(count) layers and the pipeline names none",
                                  hint: count == 0 ? "check it with `ogrinfo \(path)`"
                                                   : "set `layer:` to one of " + names.map { "\"\($0)\"" }.joined(separator: ", "))
            }
            l = only
        }
        dataset = ds
        layer = l
        self.path = path
        layerName = String(cString: OGR_L_GetName(l))
        driver = GDALGetDriverShortName(GDALGetDatasetDriver(ds)).map { String(cString: $0) } ?? "OGR"
        (crsCode, crsWKT) = Self.crs(of: l)
    }

    /// A layer's CRS: AUTHORITY:CODE when OGR can name one (identifying an EPSG code for a
    /// `.prj` that carries none), and its WKT; both nil when the layer has no SRS.
    static func crs(of l: OGRLayerH) -> (code: String?, wkt: String?) {
        guard let srs = OGR_L_GetSpatialRef(l) else { return (nil, nil) }
        var code: String?
        if OSRGetAuthorityName(srs, nil) == nil { _ = OSRAutoIdentifyEPSG(srs) }
        if let auth = OSRGetAuthorityName(srs, nil), let c = OSRGetAuthorityCode(srs, nil) {
            code = "\(String(cString: auth)):\(String(cString: c))"
        }
        var wkt: UnsafeMutablePointer<CChar>?
        _ = OSRExportToWkt(srs, &wkt)
        defer { VSIFree(wkt) }
        return (code, wkt.map { String(cString: $0) })
    }

    /// What `terrein inspect` lists for every layer of a vector file.
    public struct LayerDescription: Sendable {
        public var name: String
        /// The layer's declared geometry type, by OGR's name ("Polygon", "Multi Polygon", "Unknown (any)").
        public var geometryType: String
        /// OGR's count: exact for GeoPackage, Shapefile and FlatGeobuf (from their headers or
        /// indexes); formats without one are scanned.
        public var featureCount: Int64
        public var crsCode: String?
        public var crsWKT: String?
        /// minX, minY, maxX, maxY in the layer's CRS; nil for an empty layer.
        public var extent: [Double]?
        /// Field name and OGR's type name ("Integer64", "Real", "String", ...), in order.
        public var fields: [(name: String, type: String)]
    }

    /// Every layer of the file, and `layer` (or the only one, when there is one) opened from
    /// the same dataset: opening a GML file twice scans it twice (GDAL works out its schema by
    /// reading it; `terrein inspect` on M roofs as GML spent 39 % of its time in expat,
    /// `perf record`, 2026-12-01). nil for the layer when the file has several and none is named.
    public static func describeAndOpen(path: String, layer requested: String?) throws
        -> (driver: String, layers: [LayerDescription], layer: VectorLayer?) {
        let ds = try open(path)
        let d = describe(ds)
        guard requested != nil || d.layers.count == 1 else {
            GDALClose(ds)
            return (d.driver, d.layers, nil)
        }
        return (d.driver, d.layers, try VectorLayer(dataset: ds, path: path, layer: requested))
    }

    /// The vector file's driver and every layer in it (for `terrein inspect`).
    private static func describe(_ ds: GDALDatasetH) -> (driver: String, layers: [LayerDescription]) {
        let driver = GDALGetDriverShortName(GDALGetDatasetDriver(ds)).map { String(cString: $0) } ?? "OGR"
        var layers: [LayerDescription] = []
        for i in 0..<GDALDatasetGetLayerCount(ds) {
            guard let l = GDALDatasetGetLayer(ds, i) else { continue }
            let defn = OGR_L_GetLayerDefn(l)
            let fields = (0..<OGR_FD_GetFieldCount(defn)).map { j -> (name: String, type: String) in
                let f = OGR_FD_GetFieldDefn(defn, j)
                return (String(cString: OGR_Fld_GetNameRef(f)), String(cString: OGR_GetFieldTypeName(OGR_Fld_GetType(f))))
            }
            var envelope = OGREnvelope()
            let extent: [Double]? = OGR_L_GetExtent(l, &envelope, 1) == OGRERR_NONE
                ? [envelope.MinX, envelope.MinY, envelope.MaxX, envelope.MaxY] : nil
            let (code, wkt) = crs(of: l)
            layers.append(LayerDescription(
                name: String(cString: OGR_L_GetName(l)),
                geometryType: String(cString: OGRGeometryTypeToName(OGR_L_GetGeomType(l))),
                featureCount: Int64(OGR_L_GetFeatureCount(l, 1)), crsCode: code, crsWKT: wkt,
                extent: extent, fields: fields))
        }
        return (driver, layers)
    }

    deinit { GDALClose(dataset) }

    /// Every feature in reading order (FID order for GeoPackage and Shapefile). Curves are
    /// linearised by OGR (`OGR_G_GetLinearGeometry`) with `ArcLinearisation`'s options. A
    /// feature OGR cannot read (GML geometry it cannot parse: OGR stops the layer there) or a
    /// curve it cannot linearise is a `VectorReadError`, never a silently shorter layer.
    public func forEach(_ body: (VectorFeature) throws -> Void) throws {
        try ArcLinearisation.with { try readAll(body) }
    }

    /// The features whose envelope meets `rect` (minX, minY, maxX, maxY in the layer's CRS),
    /// through OGR's spatial filter (a GeoPackage's R-tree, a Shapefile's .qix where there is
    /// one, else OGR scans), each with the `index` it has in the unfiltered layer and handed
    /// over in that order (reading order, FID order for GeoPackage and Shapefile), whatever
    /// order the filtered read returns. Returns how many features the filter left out.
    /// A first pass reads only the FIDs (no fields, no geometry) to number the features.
    public func forEach(filter rect: [Double], _ body: (VectorFeature) throws -> Void) throws -> Int {
        precondition(rect.count == 4, "a filter rectangle is minX, minY, maxX, maxY")
        return try ArcLinearisation.with {
            let defn = OGR_L_GetLayerDefn(layer)
            let ignored = (0..<OGR_FD_GetFieldCount(defn)).map { String(cString: OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, $0))) }
                + ["OGR_GEOMETRY", "OGR_STYLE"]
            var positions: [Int64: Int] = [:]
            let owned = ignored.map { strdup($0) }
            defer { for p in owned { free(p) } }
            var cStrings: [UnsafePointer<CChar>?] = owned.map { $0.map { UnsafePointer($0) } } + [nil]
            OGR_L_SetIgnoredFields(layer, &cStrings)
            OGR_L_ResetReading(layer)
            CPLErrorReset()
            var n = 0
            while let f = OGR_L_GetNextFeature(layer) {
                positions[Int64(OGR_F_GetFID(f))] = n
                n += 1
                OGR_F_Destroy(f)
            }
            OGR_L_SetIgnoredFields(layer, nil)
            OGR_L_SetSpatialFilterRect(layer, rect[0], rect[1], rect[2], rect[3])
            defer { OGR_L_SetSpatialFilter(layer, nil) }
            var picked: [VectorFeature] = []
            try readAll(position: { fid, _ in positions[fid] }) { picked.append($0) }
            picked.sort { $0.index < $1.index }
            for f in picked { try body(f) }
            return n - picked.count
        }
    }

    private func readAll(position: (Int64, Int) -> Int? = { _, running in running },
                         _ body: (VectorFeature) throws -> Void) throws {
        OGR_L_ResetReading(layer)
        let defn = OGR_L_GetLayerDefn(layer)
        let fieldCount = OGR_FD_GetFieldCount(defn)
        let names = (0..<fieldCount).map { String(cString: OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, $0))) }
        let types = (0..<fieldCount).map { OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, $0)) }
        var index = 0
        var previousFID: Int64?
        // GDAL says "no more features" and "this feature cannot be read" alike (NULL): the
        // error state tells them apart, so it is cleared before each read.
        CPLErrorReset()
        while let f = OGR_L_GetNextFeature(layer) {
            defer { OGR_F_Destroy(f); CPLErrorReset() }
            var fields: [(String, VectorFieldValue)] = []
            fields.reserveCapacity(Int(fieldCount))
            for i in 0..<fieldCount {
                let value: VectorFieldValue
                if OGR_F_IsFieldSetAndNotNull(f, i) == 0 {
                    value = .null
                } else {
                    switch types[Int(i)] {
                    case OFTInteger, OFTInteger64: value = .integer(OGR_F_GetFieldAsInteger64(f, i))
                    case OFTReal: value = .real(OGR_F_GetFieldAsDouble(f, i))
                    default: value = .text(OGR_F_GetFieldAsString(f, i).map { String(cString: $0) } ?? "")
                    }
                }
                fields.append((names[Int(i)], value))
            }
            var geometry: VectorGeometry?
            if let g = OGR_F_GetGeometryRef(f) {
                if OGR_G_HasCurveGeometry(g, 0) != 0 {
                    CPLErrorReset()
                    guard let linear = OGR_G_GetLinearGeometry(g, 0, nil) else {
                        let type = String(cString: OGRGeometryTypeToName(OGR_G_GetGeometryType(g)))
                        throw VectorReadError(path: path, featureIndex: index, fid: Int64(OGR_F_GetFID(f)), previousFID: previousFID,
                                              problem: "OGR cannot linearise its \(type) (\(GDALLibrary.lastError()))",
                                              hint: "convert the layer to straight segments, e.g. `ogr2ogr -nlt CONVERT_TO_LINEAR`, and check that feature")
                    }
                    geometry = Self.convert(linear)
                    OGR_G_DestroyGeometry(linear)
                } else {
                    geometry = Self.convert(g)
                }
            }
            let fid = Int64(OGR_F_GetFID(f))
            guard let at = position(fid, index) else {
                throw VectorReadError(path: path, featureIndex: index, fid: fid, previousFID: previousFID,
                                      problem: "the spatially filtered read returned FID \(fid), which the unfiltered read did not",
                                      hint: "the file changed while it was read, or its FIDs are not stable: convert it to a GeoPackage with `ogr2ogr`")
            }
            try body(VectorFeature(index: at, fid: fid, fields: fields, geometry: geometry))
            previousFID = fid
            index += 1
        }
        let type = CPLGetLastErrorType()
        if type == CE_Failure || type == CE_Fatal {
            throw VectorReadError(path: path, featureIndex: index, previousFID: previousFID,
                                  problem: "GDAL cannot read this feature" + (previousFID.map { " (the one after FID \($0))" } ?? " (the first)")
                                      + ": \(GDALLibrary.lastError())",
                                  hint: "fix or remove the feature in the source (`ogrinfo -al \(path)` shows where GDAL stops), or export the layer again")
        }
    }

    static func convert(_ g: OGRGeometryH) -> VectorGeometry {
        let type = OGR_GT_Flatten(OGR_G_GetGeometryType(g))
        switch type {
        case wkbPolygon:
            var out = VectorGeometry(kind: .polygon)
            appendPolygon(g, to: &out)
            return out
        case wkbMultiPolygon:
            var out = VectorGeometry(kind: .multiPolygon)
            for i in 0..<OGR_G_GetGeometryCount(g) { appendPolygon(OGR_G_GetGeometryRef(g, i), to: &out) }
            return out
        case wkbGeometryCollection:
            var out = VectorGeometry(kind: .collection)
            out.members = (0..<OGR_G_GetGeometryCount(g)).map { convert(OGR_G_GetGeometryRef(g, $0)) }
            return out
        default:
            return VectorGeometry(kind: .other(String(cString: OGRGeometryTypeToName(type))))
        }
    }

    /// Copies a polygon's rings into the buffers: each ring's x and y straight into the
    /// interleaved array (stride 16 bytes).
    static func appendPolygon(_ p: OGRGeometryH, to out: inout VectorGeometry) {
        out.dimension = max(out.dimension, Int(OGR_G_CoordinateDimension(p)))
        for r in 0..<OGR_G_GetGeometryCount(p) {
            guard let ring = OGR_G_GetGeometryRef(p, r) else { continue }
            let n = Int(OGR_G_GetPointCount(ring))
            let start = out.xy.count
            out.xy.append(contentsOf: repeatElement(0, count: 2 * n))
            out.xy.withUnsafeMutableBufferPointer { buf in
                let base = buf.baseAddress! + start
                _ = OGR_G_GetPoints(ring, base, 16, base + 1, 16, nil, 0)
            }
            out.ringEnds.append(out.xy.count / 2)
        }
        out.polygonEnds.append(out.ringEnds.count)
    }
}

/// Copies a vector file into another format with GDAL (`ogr2ogr`'s library form), the bytes
/// depending only on the input: the GeoPackage's `last_change` and a DBF's date of last
/// update are fixed by `date` instead of today.
public enum VectorTranslate {
    /// `arguments` go to GDAL after the usual ones (e.g. `-a_srs EPSG:28992`, `-dsco FORMAT=GML3`).
    public static func copy(from source: String, to destination: String, driver: String, layerName: String,
                            date: String = "2026-01-01", arguments: [String] = []) throws {
        _ = GDALLibrary.ready
        guard let src = GDALOpenEx(source, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY), nil, nil, nil) else {
            throw RasterError(path: source, problem: "GDAL cannot open it (\(GDALLibrary.lastError()))")
        }
        defer { GDALClose(src) }
        try? FileManager.default.removeItem(atPath: destination)
        var args = ["-f", driver, "-nln", layerName]
        if driver == "ESRI Shapefile" { args += ["-lco", "DBF_DATE_LAST_UPDATE=\(date)", "-lco", "ENCODING=UTF-8"] }
        args += arguments
        CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "\(date)T00:00:00.000Z")
        defer { CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", nil) }
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        guard let options = cArgs.withUnsafeMutableBufferPointer({ GDALVectorTranslateOptionsNew($0.baseAddress, nil) }) else {
            throw RasterError(path: destination, problem: "GDAL refused the translate options (\(GDALLibrary.lastError()))")
        }
        defer { GDALVectorTranslateOptionsFree(options) }
        var sources: [GDALDatasetH?] = [src]
        var usageError: Int32 = 0
        guard let out = sources.withUnsafeMutableBufferPointer({
            GDALVectorTranslate(destination, nil, 1, $0.baseAddress, options, &usageError)
        }) else {
            throw RasterError(path: destination, problem: "cannot write it (\(GDALLibrary.lastError()))")
        }
        GDALClose(out)
    }
}
