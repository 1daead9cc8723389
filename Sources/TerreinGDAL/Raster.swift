import CGDAL
import Foundation
import TerreinGeometry

/// A problem with a raster file, in words for the analyst (the layer loader adds the
/// layer and the pipeline key).
public struct RasterError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var problem: String
    public var hint: String
    public init(path: String, problem: String, hint: String = "") {
        self.path = path
        self.problem = problem
        self.hint = hint
    }
    public var description: String { "\(path): \(problem)" + (hint.isEmpty ? "" : "\n  → " + hint) }
}

/// GDAL, set up once: all drivers registered, errors kept quiet (each call's failure is
/// read back with `CPLGetLastErrorMsg`, which GDAL keeps per thread) and never the network.
enum GDALLibrary {
    static let ready: Bool = {
        CPLSetConfigOption("GDAL_HTTP_TIMEOUT", "1")
        CPLSetConfigOption("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", "none")
        CPLSetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")
        GDALAllRegister()
        CPLSetErrorHandler(CPLQuietErrorHandler)
        // GDAL's block cache defaults to 5 % of RAM (1.2 GB here): it held decoded heat tiles
        // that each terrein reads about once and doubled Terrein's peak memory at scale L
        // (1.4 → 2.7 GB). 64 MB keeps the tiles that neighbouring terreinen share; an
        // analyst's GDAL_CACHEMAX still wins.
        if getenv("GDAL_CACHEMAX") == nil { GDALSetCacheMax64(64 << 20) }
        return true
    }()

    /// The last GDAL error message of this thread, cleared.
    static func lastError() -> String {
        let text = CPLGetLastErrorMsg().map { String(cString: $0) } ?? ""
        CPLErrorReset()
        return text.isEmpty ? "GDAL gave no reason" : text
    }

    /// GDAL's version, e.g. "3.6.2".
    public static var version: String { String(cString: GDALVersionInfo("RELEASE_NAME")) }
}

/// GDAL's release, for the manifest and `--version`.
public var gdalVersion: String { GDALLibrary.version }

/// One band of a raster, described.
public struct RasterBandInfo: Sendable, Equatable {
    public var path: String
    public var width: Int
    public var height: Int
    /// GDAL's affine geotransform: x0, pixel width, row rotation, y0, column rotation, pixel height.
    public var geoTransform: [Double]
    /// The raster's CRS as WKT, nil when it has none.
    public var crsWKT: String?
    public var bandCount: Int
    public var band: Int
    /// GDAL's name of the band's data type ("Float32", "Int16", ...).
    public var dataType: String
    public var nodata: Double?
    public var scale: Double
    public var offset: Double
    /// Whether the band has a mask other than "all valid" or "nodata" (an alpha band, a
    /// per-dataset or external mask).
    public var hasMask: Bool

    /// |pixel width × pixel height|, m² in a metre CRS.
    public var cellArea: Double { abs(geoTransform[1] * geoTransform[5]) }
}

/// An open raster: one GDAL dataset handle, to be used by one thread at a time (GDAL
/// datasets are not thread-safe; parallel readers each open their own).
public final class Raster {
    public let info: RasterBandInfo
    private let dataset: GDALDatasetH
    private let bandHandle: GDALRasterBandH
    private let maskBand: GDALRasterBandH?

    /// Opens `path` read-only and describes `band` (counted from 1).
    public init(path: String, band: Int = 1) throws {
        _ = GDALLibrary.ready
        guard let ds = GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR), nil, nil, nil) else {
            throw RasterError(path: path, problem: "GDAL cannot open it as a raster (\(GDALLibrary.lastError()))",
                              hint: "check the file with `gdalinfo \(path)`; Terrein reads any raster GDAL reads, GeoTIFF first")
        }
        let count = Int(GDALGetRasterCount(ds))
        guard band >= 1, band <= count else {
            GDALClose(ds)
            throw RasterError(path: path, problem: "the raster has \(count) band(s), no band \(band)",
                              hint: "set `band:` to a number from 1 to \(count) in the pipeline file")
        }
        var gt = [Double](repeating: 0, count: 6)
        guard GDALGetGeoTransform(ds, &gt) == CE_None else {
            GDALClose(ds)
            throw RasterError(path: path, problem: "the raster has no georeferencing (no geotransform)",
                              hint: "georeference it, e.g. `gdal_translate -a_srs EPSG:28992 -a_ullr XMIN YMAX XMAX YMIN in.tif out.tif`")
        }
        guard gt.allSatisfy({ $0.isFinite }) else {
            GDALClose(ds)
            throw RasterError(path: path, problem: "the raster's geotransform is not finite (\(gt.map { "\($0)" }.joined(separator: ", ")))",
                              hint: "georeference it again, e.g. `gdal_translate -a_srs EPSG:28992 -a_ullr XMIN YMAX XMAX YMIN in.tif out.tif`")
        }
        guard gt[2] == 0, gt[4] == 0, gt[1] != 0, gt[5] != 0 else {
            GDALClose(ds)
            throw RasterError(path: path, problem: "the raster has rotation terms in its geotransform (\(gt.map { "\($0)" }.joined(separator: ", ")))",
                              hint: "resample it north-up with `gdalwarp in.tif out.tif`")
        }
        let b = GDALGetRasterBand(ds, Int32(band))!
        var hasNodata: Int32 = 0
        let nodata = GDALGetRasterNoDataValue(b, &hasNodata)
        var ok: Int32 = 0
        var scale = GDALGetRasterScale(b, &ok)
        if ok == 0 || scale == 0 { scale = 1 }
        let offset = GDALGetRasterOffset(b, &ok)
        let flags = GDALGetMaskFlags(b)
        let ownMask = flags & GMF_ALL_VALID == 0 && flags & GMF_NODATA == 0
        let wkt = GDALGetProjectionRef(ds).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        dataset = ds
        bandHandle = b
        maskBand = ownMask ? GDALGetMaskBand(b) : nil
        info = RasterBandInfo(path: path, width: Int(GDALGetRasterXSize(ds)), height: Int(GDALGetRasterYSize(ds)),
                              geoTransform: gt, crsWKT: wkt, bandCount: count, band: band,
                              dataType: String(cString: GDALGetDataTypeName(GDALGetRasterDataType(b))),
                              nodata: hasNodata != 0 ? nodata : nil, scale: scale, offset: offset, hasMask: ownMask)
    }

    deinit { GDALClose(dataset) }

    /// The smallest and largest valid value (scale and offset applied), reading every cell
    /// once through GDAL (for `terrein inspect`); nil when no cell is valid.
    public func valueRange() throws -> (min: Double, max: Double)? {
        var lo = Double.infinity, hi = -Double.infinity
        let rows = max(1, (1 << 22) / max(info.width, 1))  // about 32 MB of doubles a strip
        var row = 0
        while row < info.height {
            let h = min(rows, info.height - row)
            for v in try read(column: 0, row: row, width: info.width, height: h).values where !v.isNaN {
                lo = min(lo, v)
                hi = max(hi, v)
            }
            row += h
        }
        return lo <= hi ? (lo, hi) : nil
    }

    /// A description for `terrein inspect`.
    public func describe() throws -> String {
        let i = info
        var lines = ["file: \(i.path)", "raster: \(i.width) × \(i.height) cells, \(i.bandCount) band(s)"]
        let gt = i.geoTransform
        lines.append("cell size: \(abs(gt[1])) × \(abs(gt[5])) (\(gt[5] < 0 ? "north-up" : "south-up"))")
        lines.append(String(format: "extent: %.3f, %.3f, %.3f, %.3f", min(gt[0], gt[0] + gt[1] * Double(i.width)),
                            min(gt[3], gt[3] + gt[5] * Double(i.height)), max(gt[0], gt[0] + gt[1] * Double(i.width)),
                            max(gt[3], gt[3] + gt[5] * Double(i.height))))
        lines.append("crs: " + (i.crsWKT.map { crsShortName(definition: $0) } ?? "none (a pipeline must give layers.<name>.crs)"))
        lines.append("band \(i.band): \(i.dataType), nodata \(i.nodata.map { $0.isNaN ? "NaN" : "\($0)" } ?? "none"), scale \(i.scale), offset \(i.offset)\(i.hasMask ? ", with a mask" : "")")
        if let r = try valueRange() {
            lines.append(String(format: "valid values: %g to %g", r.min, r.max))
        } else {
            lines.append("valid values: none")
        }
        return lines.joined(separator: "\n")
    }

    /// A block of cells: values with scale and offset applied, widened to double; invalid
    /// cells (nodata, masked, NaN, infinite) are NaN.
    public struct Window: Sendable {
        public var column: Int
        public var row: Int
        public var width: Int
        public var height: Int
        /// Row-major, `width × height`.
        public var values: [Double]
    }

    /// Reads the cells of columns `column..<column+width`, rows `row..<row+height`
    /// (clamped to the raster by the caller).
    public func read(column: Int, row: Int, width: Int, height: Int) throws -> Window {
        var values = [Double](repeating: .nan, count: width * height)
        if width == 0 || height == 0 { return Window(column: column, row: row, width: width, height: height, values: values) }
        let rc = values.withUnsafeMutableBytes { buf in
            GDALRasterIO(bandHandle, GF_Read, Int32(column), Int32(row), Int32(width), Int32(height),
                         buf.baseAddress, Int32(width), Int32(height), GDT_Float64, 0, 0)
        }
        guard rc == CE_None else {
            throw RasterError(path: info.path, problem: "cannot read cells \(column),\(row) (\(width) × \(height)): \(GDALLibrary.lastError())")
        }
        var mask: [UInt8]?
        if let maskBand {
            var m = [UInt8](repeating: 0, count: width * height)
            let mrc = m.withUnsafeMutableBytes { buf in
                GDALRasterIO(maskBand, GF_Read, Int32(column), Int32(row), Int32(width), Int32(height),
                             buf.baseAddress, Int32(width), Int32(height), GDT_Byte, 0, 0)
            }
            guard mrc == CE_None else {
                throw RasterError(path: info.path, problem: "cannot read the mask of cells \(column),\(row): \(GDALLibrary.lastError())")
            }
            mask = m
        }
        let nodata = info.nodata, scale = info.scale, offset = info.offset
        for i in values.indices {
            let raw = values[i]
            // Nodata compares with the raw stored value, before scale and offset.
            if let nodata, raw == nodata || (nodata.isNaN && raw.isNaN) { values[i] = .nan; continue }
            if let mask, mask[i] == 0 { values[i] = .nan; continue }
            let v = raw * scale + offset
            values[i] = v.isFinite ? v : .nan
        }
        return Window(column: column, row: row, width: width, height: height, values: values)
    }
}

/// Writes a one-band Float32 GeoTIFF (for the sample and the benchmark data): tiled,
/// deflate-compressed, the bytes depending only on the arguments.
public enum GeoTIFFWriter {
    public static func write(path: String, width: Int, height: Int, geoTransform: [Double]?, crs: CRSIdentifier?,
                             values: [Float], nodata: Double?, scale: Double = 1, offset: Double = 0) throws {
        try write(path: path, width: width, height: height, geoTransform: geoTransform, crs: crs, nodata: nodata,
                  scale: scale, offset: offset, blocks: [(0, 0, width, height, values)])
    }

    /// Writes only the given blocks (column, row, width, height, row-major values): a
    /// sparse GeoTIFF (`SPARSE_OK`), whose unwritten blocks read as nodata, so a national
    /// grid costs only the parts that hold data.
    public static func write(path: String, width: Int, height: Int, geoTransform: [Double]?, crs: CRSIdentifier?,
                             nodata: Double?, scale: Double = 1, offset: Double = 0,
                             blocks: [(column: Int, row: Int, width: Int, height: Int, values: [Float])]) throws {
        try write(path: path, width: width, height: height, geoTransform: geoTransform, crs: crs, nodata: nodata,
                  scale: scale, offset: offset, blockCount: blocks.count) { blocks[$0] }
    }

    /// As `write(…blocks:)`, with the blocks made one at a time by `block(0..<blockCount)`,
    /// so that a national grid never has to be held in memory whole.
    public static func write(path: String, width: Int, height: Int, geoTransform: [Double]?, crs: CRSIdentifier?,
                             nodata: Double?, scale: Double = 1, offset: Double = 0, blockCount: Int,
                             block: (Int) throws -> (column: Int, row: Int, width: Int, height: Int, values: [Float])) throws {
        _ = GDALLibrary.ready
        guard let driver = GDALGetDriverByName("GTiff") else {
            throw RasterError(path: path, problem: "GDAL has no GTiff driver")
        }
        let options = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE", "SPARSE_OK=TRUE"]
        var cOptions: [UnsafeMutablePointer<CChar>?] = options.map { strdup($0) } + [nil]
        defer { for p in cOptions { free(p) } }
        guard let ds = cOptions.withUnsafeMutableBufferPointer({ buf in
            GDALCreate(driver, path, Int32(width), Int32(height), 1, GDT_Float32, buf.baseAddress)
        }) else {
            throw RasterError(path: path, problem: "cannot create the GeoTIFF (\(GDALLibrary.lastError()))")
        }
        var closed = false
        defer { if !closed { GDALClose(ds) } }
        // No geotransform: an ungeoreferenced raster (tests of the error it must give).
        if var gt = geoTransform, GDALSetGeoTransform(ds, &gt) != CE_None {
            throw RasterError(path: path, problem: "cannot georeference the GeoTIFF (\(GDALLibrary.lastError()))")
        }
        if let crs, GDALSetProjection(ds, try crsWKT(crs)) != CE_None {
            throw RasterError(path: path, problem: "cannot set the GeoTIFF's CRS (\(GDALLibrary.lastError()))")
        }
        let band = GDALGetRasterBand(ds, 1)!
        if let nodata { _ = GDALSetRasterNoDataValue(band, nodata) }
        if scale != 1 { _ = GDALSetRasterScale(band, scale) }
        if offset != 0 { _ = GDALSetRasterOffset(band, offset) }
        for k in 0..<blockCount {
            let b = try block(k)
            precondition(b.values.count == b.width * b.height, "one value per cell")
            var data = b.values
            let rc = data.withUnsafeMutableBytes { buf in
                GDALRasterIO(band, GF_Write, Int32(b.column), Int32(b.row), Int32(b.width), Int32(b.height), buf.baseAddress,
                             Int32(b.width), Int32(b.height), GDT_Float32, 0, 0)
            }
            guard rc == CE_None else {
                throw RasterError(path: path, problem: "cannot write the cells (\(GDALLibrary.lastError()))")
            }
        }
        closed = true
        GDALClose(ds)
        if CPLGetLastErrorType() == CE_Failure {
            throw RasterError(path: path, problem: "writing the GeoTIFF failed (\(GDALLibrary.lastError()))")
        }
    }
}
