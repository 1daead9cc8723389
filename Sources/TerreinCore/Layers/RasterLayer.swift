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

    /// The cells of the window around `geometry` (docs/indicators.md, "Rasters"), read
    /// once: which lie in it (centre in the polygon or on its boundary) and their values
    /// (NaN when invalid); nil when the raster does not reach the envelope or no cell of
    /// the window lies in the polygon.
    func cells(in geometry: Geometry, prepared: PreparedGeometry) throws -> RasterCells? {
        guard let b = geometry.bounds, let w = grid.window(covering: b) else { return nil }
        let mask = try CellCentres.mask(of: geometry, prepared: prepared, grid: grid,
                                        column: w.column, row: w.row, width: w.width, height: w.height)
        guard mask.contains(true) else { return nil }
        let window: Raster.Window
        do {
            window = try withRaster { try $0.read(column: w.column, row: w.row, width: w.width, height: w.height) }
        } catch let e as RasterError {
            throw InputError(file: e.path, problem: e.problem, hint: e.hint)
        }
        var cells = RasterCells(grid: grid, column: w.column, row: w.row, width: w.width, height: w.height,
                                lying: mask, values: window.values, coveredInPart: false)
        // Covered in part: the grid, extended beyond the raster's edges, has cell centres
        // lying in T outside the raster. Only a window that was clamped can have them.
        if let full = grid.window(covering: b, clamped: false), full != w {
            let fullMask = try CellCentres.mask(of: geometry, prepared: prepared, grid: grid, column: full.column,
                                                row: full.row, width: full.width, height: full.height)
            scan: for j in 0..<full.height {
                let r = full.row + j
                for i in 0..<full.width where fullMask[j * full.width + i] {
                    let c = full.column + i
                    if r < 0 || r >= grid.rows || c < 0 || c >= grid.columns { cells.coveredInPart = true; break scan }
                }
            }
        }
        return cells
    }

    /// What the layer saw of one terrein, for the manifest's coverage counts.
    func coverage(_ cells: RasterCells?) -> RasterCoverage {
        RasterCoverage(validCells: cells?.validCount ?? 0, coveredInPart: cells?.coveredInPart ?? false)
    }

    /// The valid values of the cells whose centre lies in `geometry` (or on its boundary),
    /// in row-major order of the window; empty when the raster does not reach it.
    func values(in geometry: Geometry, prepared: PreparedGeometry) throws -> [Double] {
        try cells(in: geometry, prepared: prepared)?.validValues ?? []
    }
}

/// The cells of one raster window around a terrein.
struct RasterCells {
    var grid: CellGrid
    /// The window: its first column and row in the raster, its size.
    var column, row, width, height: Int
    /// Row-major: whether the cell lies in the terrein.
    var lying: [Bool]
    /// Row-major: the cell's value, NaN when invalid.
    var values: [Double]
    /// Some cell centres lying in the terrein fall outside the raster's extent.
    var coveredInPart: Bool

    /// The valid values of the cells lying in the terrein, in row-major order.
    var validValues: [Double] {
        var out: [Double] = []
        for (i, inside) in lying.enumerated() where inside && !values[i].isNaN { out.append(values[i]) }
        return out
    }

    var validCount: Int {
        var n = 0
        for (i, inside) in lying.enumerated() where inside && !values[i].isNaN { n += 1 }
        return n
    }
}

/// How a raster layer covered one terrein (docs/indicators.md, "Rasters": the manifest's
/// coverage counts).
public struct RasterCoverage: Sendable, Equatable, Codable {
    /// The valid cells lying in the terrein.
    public var validCells: Int
    /// Cell centres of the raster's grid, extended beyond its edges, lie in the terrein
    /// outside the raster's extent (and at least one cell of the raster lies in it).
    public var coveredInPart: Bool
}
