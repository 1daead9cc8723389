import Foundation
import TerreinGDAL
import TerreinGeometry
import TerreinIO

/// A raster layer of a run (docs/indicators.md, "Rasters"): checked once when the run
/// starts, then read window by window by the families, in parallel.
///
/// GDAL dataset handles are not thread-safe, so each thread works with a handle of its
/// own: the layer keeps a pool, and a handle is used by one thread at a time.
public final class RasterLayer: @unchecked Sendable {
    public let config: RasterLayerConfig
    public let info: RasterBandInfo
    public let grid: CellGrid
    /// SHA-256 of the file's bytes.
    public let sha256: String
    /// The raster's CRS as the manifest names it.
    public let crsName: String
    private let lock = NSLock()
    private var idle: [Raster] = []

    /// Opens and checks the raster: georeferenced without rotation, the band present, in the
    /// work CRS (by PROJ's equivalence test; a raster without a CRS takes the layer's `crs:`
    /// or the work CRS).
    init(_ config: RasterLayerConfig, workCRS: CRSIdentifier) throws {
        self.config = config
        let key = "layers.\(config.kind.rawValue)"
        let first: Raster
        do {
            first = try Raster(path: config.path, band: config.band)
        } catch let e as RasterError {
            throw InputError(file: e.path, problem: e.problem, hint: e.hint)
        }
        info = first.info
        if let wkt = info.crsWKT {
            let same: Bool
            do { same = try crsIsEquivalent(definition: wkt, to: workCRS) } catch {
                throw InputError(file: config.path, problem: "the raster's CRS is not one PROJ understands (\(error))",
                                 hint: "reproject it with `gdalwarp -t_srs \(workCRS) \(config.declaredPath) out.tif`")
            }
            let name = crsShortName(definition: wkt)
            guard same else {
                throw InputError(file: config.path, problem: "the raster is in \(name), the work CRS is \(workCRS)",
                                 hint: "rasters are read in the work CRS: `gdalwarp -t_srs \(workCRS) -r near \(config.declaredPath) out.tif`, then point \(key).path at out.tif")
            }
            crsName = name
        } else if let declared = config.crs, declared != workCRS {
            throw InputError(file: config.path, problem: "the raster has no CRS, and \(key).crs is \(declared), not the work CRS \(workCRS)",
                             hint: "assign and reproject it: `gdalwarp -s_srs \(declared) -t_srs \(workCRS) \(config.declaredPath) out.tif`")
        } else {
            crsName = "\(workCRS) (\(config.crs == nil ? "the raster has none: the work CRS" : "\(key).crs"))"
        }
        let gt = info.geoTransform
        grid = CellGrid(originX: gt[0], originY: gt[3], cellWidth: gt[1], cellHeight: gt[5],
                        columns: info.width, rows: info.height)
        sha256 = try Hashing.sha256Hex(fileAt: config.path)
        idle = [first]
    }

    /// Runs `body` with a dataset handle that no other thread uses meanwhile.
    func withRaster<T>(_ body: (Raster) throws -> T) throws -> T {
        lock.lock()
        let raster = idle.popLast()
        lock.unlock()
        let r: Raster
        if let raster { r = raster } else {
            do { r = try Raster(path: config.path, band: config.band) } catch let e as RasterError {
                throw InputError(file: e.path, problem: e.problem, hint: e.hint)
            }
        }
        defer { lock.lock(); idle.append(r); lock.unlock() }
        return try body(r)
    }

    /// The valid values of the cells whose centre lies in `geometry` (or on its boundary),
    /// in row-major order of the window; empty when the raster does not reach it.
    func values(in geometry: Geometry, prepared: PreparedGeometry) throws -> [Double] {
        guard let b = geometry.bounds, let w = grid.window(covering: b) else { return [] }
        let mask = try CellCentres.mask(of: geometry, prepared: prepared, grid: grid,
                                        column: w.column, row: w.row, width: w.width, height: w.height)
        guard mask.contains(true) else { return [] }
        let window: Raster.Window
        do {
            window = try withRaster { try $0.read(column: w.column, row: w.row, width: w.width, height: w.height) }
        } catch let e as RasterError {
            throw InputError(file: e.path, problem: e.problem, hint: e.hint)
        }
        var out: [Double] = []
        for (i, inside) in mask.enumerated() where inside && !window.values[i].isNaN { out.append(window.values[i]) }
        return out
    }
}
