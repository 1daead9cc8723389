// libFuzzer harness for the raster window code (docs/indicators.md, "Rasters"): what
// `RasterLayer.values(in:prepared:)` composes for every terrein, on grids and polygons
// decoded from the fuzzer's bytes:
//
//   * `CellGrid.window(covering:)` on any bounds (NaN, infinite, huge, partly or wholly
//     outside) and any grid (north-up and south-up, tiny and huge cells): nil, or a window
//     that lies inside the raster and holds every cell whose centre lies in the bounds;
//   * `CellCentres.mask` over that window for a valid polygon: the same cells as a
//     brute-force GEOS prepared `intersects` of every cell centre of the whole (small) grid
//     (polygon coordinates below 1e9, the most a run's geometry can have; grids of any size);
//   * `Raster` on a small GeoTIFF written through GDAL into /vsimem/ with the decoded
//     geotransform, nodata, scale and offset: it opens or refuses with a RasterError; a
//     window read gives one value per cell, NaN exactly for the invalid cells.
//
// Never a trap, a hang or a memory error. Built by fuzz/build.sh (raster target).
import Foundation
import TerreinGDAL
import TerreinGeometry

/// Reads the fuzzer's bytes as parameters; past the end, zeros.
struct Bytes {
    let data: UnsafeBufferPointer<UInt8>
    var at = 0
    mutating func byte() -> UInt8 {
        defer { at += 1 }
        return at < data.count ? data[at] : 0
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(byte()) % (range.count)
    }
    mutating func raw64() -> Double {
        var bits: UInt64 = 0
        for _ in 0..<8 { bits = bits << 8 | UInt64(byte()) }
        return Double(bitPattern: bits)
    }
    /// A double from a menu of the interesting ones, or any bit pattern.
    mutating func special() -> Double {
        let menu: [Double] = [0, 1, -1, 0.5, 1e-300, -1e-300, 1e300, -1e300, .nan, .infinity, -.infinity,
                              .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude,
                              155_000, 463_000, 1e9, 2.5, 1e-9, 4e15]
        let k = Int(byte())
        return k < menu.count * 8 ? menu[k % menu.count] : raw64()
    }
}

/// Cell sizes that a raster can have (tiny and huge included), and the sign of the height.
func cellSize(_ b: inout Bytes) -> Double {
    let sizes: [Double] = [1, 0.5, 10, 25, 0.001, 1e-9, 1e-300, 1e6, 1e300, 3.7, 100]
    let k = Int(b.byte())
    return k < 240 ? sizes[k % sizes.count] : abs(b.raw64())
}

let tiffPath = "/vsimem/raster-window-fuzz.tif"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var b = Bytes(data: UnsafeBufferPointer(start: data, count: size))
    let columns = b.int(1...16), rows = b.int(1...16)
    let originChoice = b.byte()
    let originX = originChoice < 200 ? Double(Int(originChoice) * 1000) : b.special()
    let originY = originChoice < 200 ? Double(Int(b.byte()) * 1000) : b.special()
    let cellWidth = cellSize(&b) * (b.byte() < 16 ? -1 : 1)
    let northUp = b.byte() < 192
    let cellHeight = cellSize(&b) * (northUp ? -1 : 1)
    let grid = CellGrid(originX: originX, originY: originY, cellWidth: cellWidth, cellHeight: cellHeight,
                        columns: columns, rows: rows)

    // 1. Any bounds: nil or a window inside the raster.
    let anyBounds = Bounds(minX: b.special(), minY: b.special(), maxX: b.special(), maxY: b.special())
    if let w = grid.window(covering: anyBounds) { checkInside(w, grid) }

    // 2. A polygon on (or near) the grid: vertices at quarter-cell steps, so that centres
    // lie exactly on edges and vertices as often as not.
    let n = b.int(3...7)
    var ring: [Double] = []
    for _ in 0..<n {
        let u = Double(b.int(0...(4 * columns + 16)) - 8) / 4, v = Double(b.int(0...(4 * rows + 16)) - 8) / 4
        ring += [originX + u * cellWidth, originY + v * cellHeight]
    }
    ring += [ring[0], ring[1]]
    // A run's geometry has coordinates below 1e9 (the preparation steps refuse larger ones
    // before GEOS sees them; GEOS's MakeValid can take minutes on 1e300): on a grid that
    // puts the vertices beyond, a polygon of whole-kilometre vertices instead.
    if !ring.allSatisfy({ $0.isFinite && abs($0) < 1e9 }) {
        for k in stride(from: 0, to: ring.count - 2, by: 2) {
            ring[k] = Double(b.int(0...255)) * 1000
            ring[k + 1] = Double(b.int(0...255)) * 1000
        }
        ring[ring.count - 2] = ring[0]
        ring[ring.count - 1] = ring[1]
    }
    if let polygon = validPolygon(ring) {
        checkMask(polygon, ring, grid)
    }

    // 3. A small GeoTIFF through GDAL with this geotransform (or a raw one).
    if b.byte() < 64 { checkRaster(&b, grid) }
    return 0
}

func checkInside(_ w: (column: Int, row: Int, width: Int, height: Int), _ grid: CellGrid) {
    precondition(w.width > 0 && w.height > 0, "empty window \(w)")
    precondition(w.column >= 0 && w.row >= 0 && w.column + w.width <= grid.columns && w.row + w.height <= grid.rows,
                 "window \(w) outside the \(grid.columns) × \(grid.rows) raster")
}

func validPolygon(_ ring: [Double]) -> Geometry? {
    guard let g = try? Geometry.polygon(rings: [ring]) else { return nil }
    guard let valid = (try? g.isValid) == true ? g : (try? g.makeValid()).flatMap({ try? $0.polygonalPart() }) else { return nil }
    guard (try? valid.isEmpty) == false, ((try? valid.area()) ?? 0) > 0 else { return nil }
    return valid
}

func checkMask(_ polygon: Geometry, _ ring: [Double], _ grid: CellGrid) {
    guard let prepared = try? PreparedGeometry(polygon), let bounds = polygon.bounds else { return }
    // Brute force over the whole grid: GEOS on every cell centre.
    var inside = Set<Int>()
    for r in 0..<grid.rows {
        for c in 0..<grid.columns {
            let x = grid.centreX(c), y = grid.centreY(r)
            guard x.isFinite, y.isFinite, let p = try? Geometry.point(x: x, y: y) else { continue }
            if (try? prepared.intersects(p)) == true { inside.insert(r * grid.columns + c) }
        }
    }
    guard let w = grid.window(covering: bounds) else {
        precondition(inside.isEmpty, "no window, but \(inside.count) cell centre(s) lie in the polygon")
        return
    }
    checkInside(w, grid)
    let mask: [Bool]
    do {
        mask = try CellCentres.mask(of: polygon, prepared: prepared, grid: grid,
                                    column: w.column, row: w.row, width: w.width, height: w.height)
    } catch {
        return  // a GEOS failure is reported as an error, not a wrong answer
    }
    precondition(mask.count == w.width * w.height, "mask of \(mask.count) for a \(w.width) × \(w.height) window")
    var masked = Set<Int>()
    for (i, m) in mask.enumerated() where m { masked.insert((w.row + i / w.width) * grid.columns + w.column + i % w.width) }
    precondition(masked == inside, """
        mask \(masked.sorted()) != brute force \(inside.sorted()) for the ring \(ring) (made valid: \(try! polygon.polygonRings())) on \(grid)
        """)  // not WKT: GEOS 3.11's WKTWriter overflows a stack buffer on huge coordinates
}

func checkRaster(_ b: inout Bytes, _ grid: CellGrid) {
    var gt = [grid.originX, grid.cellWidth, 0, grid.originY, 0, grid.cellHeight]
    if b.byte() < 32 { gt[2] = b.special(); gt[4] = b.special() }   // rotation terms: refused
    let w = grid.columns, h = grid.rows
    let nodataChoice = b.byte()
    let nodata: Double? = nodataChoice < 64 ? nil : nodataChoice < 128 ? .nan : nodataChoice < 192 ? -9999 : b.special()
    let scale = b.byte() < 32 ? b.special() : 1, offset = b.byte() < 32 ? b.special() : 0
    var values = [Float](repeating: 0, count: w * h)
    for i in values.indices {
        let k = b.byte()
        values[i] = k < 200 ? Float(k) / 4 : k < 220 ? -9999 : k < 240 ? .nan : Float(b.special())
    }
    do {
        try GeoTIFFWriter.write(path: tiffPath, width: w, height: h, geoTransform: gt, crs: nil, values: values,
                                nodata: nodata, scale: scale, offset: offset)
    } catch {
        return  // GDAL refused to write it: nothing to read
    }
    let raster: Raster
    do { raster = try Raster(path: tiffPath) } catch let e as RasterError {
        precondition(!e.problem.isEmpty)
        return
    } catch {
        preconditionFailure("Raster(path:) threw a \(type(of: error)), not a RasterError: \(error)")
    }
    let i = raster.info
    let g = i.geoTransform
    precondition(g[2] == 0 && g[4] == 0 && g[1] != 0 && g[5] != 0, "opened with geotransform \(g)")
    // The grid as RasterLayer builds it, and a window on a random box.
    let opened = CellGrid(originX: g[0], originY: g[3], cellWidth: g[1], cellHeight: g[5], columns: i.width, rows: i.height)
    let box = Bounds(minX: b.special(), minY: b.special(), maxX: b.special(), maxY: b.special())
    let window = opened.window(covering: box) ?? (column: 0, row: 0, width: i.width, height: i.height)
    checkInside(window, opened)
    let read: Raster.Window
    do { read = try raster.read(column: window.column, row: window.row, width: window.width, height: window.height) } catch {
        return
    }
    precondition(read.values.count == window.width * window.height)
    for (k, v) in read.values.enumerated() {
        let stored = values[(window.row + k / window.width) * w + window.column + k % window.width]
        let raw = Double(stored)
        let invalid = raw.isNaN || (i.nodata.map { raw == $0 || ($0.isNaN && raw.isNaN) } ?? false)
            || !(raw * i.scale + i.offset).isFinite
        precondition(invalid == v.isNaN, "cell \(k): stored \(stored), nodata \(String(describing: i.nodata)), read \(v)")
        if !invalid { precondition(v == raw * i.scale + i.offset, "cell \(k): stored \(stored), read \(v)") }
    }
    _ = try? raster.describe()
}
