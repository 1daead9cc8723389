import Foundation

/// A synthetic inundation raster: water depth (m) of the design storm per cell, for the
/// sample and the benchmark scales, drawn from the same flood patches that the polygon
/// layer holds (the same flood model): a cell whose centre lies in a patch takes its depth
/// (the deepest, where patches overlap), every other cell is dry (0 m), and about 1 % of the
/// cells are nodata (-9999), by a hash of the seed and the cell. Values are a pure function
/// of the seed, the patches and the cell, never of the order the patches come in.
///
/// Written as blocks of 256 × 256 cells: every block when `dense` (the sample), else only
/// the blocks within 100 m of a terrein box or under a patch (the benchmark scales: a sparse
/// GeoTIFF, whose other blocks read as nodata).
public struct DepthGrid: Sendable {
    public static let nodata: Float = -9999
    public static let blockSize = 256

    public let originX: Double
    public let originY: Double
    public let cellSize: Double
    public let columns: Int
    public let rows: Int
    /// Row-major blocks, north row first, in block order (row of blocks, then column).
    public let blocks: [HeatMap.Block]

    /// GDAL's geotransform of the grid (north-up).
    public var geoTransform: [Double] { [originX, cellSize, 0, originY, 0, -cellSize] }

    /// One flood patch: its exterior ring (interleaved RD New millimetres, not closed) and depth.
    struct Patch {
        var ring: [Int64]
        var depth: Double
    }

    init(seed: UInt64, extent: HeatMap.Box, cellSize: Double, terreinen: [HeatMap.Box], patches: [Patch], dense: Bool) {
        let x0 = (extent.minX / cellSize).rounded(.down) * cellSize
        let y1 = (extent.maxY / cellSize).rounded(.up) * cellSize
        let cols = Int(((extent.maxX - x0) / cellSize).rounded(.up))
        let rows = Int(((y1 - extent.minY) / cellSize).rounded(.up))
        originX = x0
        originY = y1
        self.cellSize = cellSize
        columns = cols
        self.rows = rows
        let n = Self.blockSize
        let blockColumns = (cols + n - 1) / n, blockRows = (rows + n - 1) / n
        func blockRange(_ lo: Double, _ hi: Double, origin: Double, sign: Double, count: Int) -> ClosedRange<Int>? {
            let a = Int((((lo - origin) * sign) / cellSize).rounded(.down)), b = Int((((hi - origin) * sign) / cellSize).rounded(.down))
            let first = max(0, min(a, b) / n), last = min(count - 1, max(a, b) / n)
            return first <= last ? first...last : nil
        }
        // The blocks to write.
        var wanted = Set<Int>()
        if dense {
            wanted = Set(0..<(blockColumns * blockRows))
        } else {
            var boxes = terreinen.map { HeatMap.Box(minX: $0.minX - 100, minY: $0.minY - 100, maxX: $0.maxX + 100, maxY: $0.maxY + 100) }
            boxes += patches.map(Self.bounds)
            for b in boxes {
                guard let bc = blockRange(b.minX, b.maxX, origin: x0, sign: 1, count: blockColumns),
                      let br = blockRange(b.minY, b.maxY, origin: y1, sign: -1, count: blockRows) else { continue }
                for r in br { for c in bc { wanted.insert(r * blockColumns + c) } }
            }
        }
        var values = [[Float]?](repeating: nil, count: blockColumns * blockRows)
        for key in wanted {
            let bc = (key % blockColumns) * n, br = (key / blockColumns) * n
            let w = min(n, cols - bc), h = min(n, rows - br)
            var v = [Float](repeating: 0, count: w * h)
            for r in 0..<h { for c in 0..<w where Self.isNodata(seed: seed, column: bc + c, row: br + r) {
                v[r * w + c] = Self.nodata
            } }
            values[key] = v
        }
        // Each patch's cells: centres inside the ring (even-odd) take the deepest depth.
        for p in patches {
            let b = Self.bounds(p)
            let c0 = max(0, Int(((b.minX - x0) / cellSize - 0.5).rounded(.up)))
            let c1 = min(cols - 1, Int(((b.maxX - x0) / cellSize - 0.5).rounded(.down)))
            let r0 = max(0, Int(((y1 - b.maxY) / cellSize - 0.5).rounded(.up)))
            let r1 = min(rows - 1, Int(((y1 - b.minY) / cellSize - 0.5).rounded(.down)))
            guard c0 <= c1, r0 <= r1 else { continue }
            let depth = Float(p.depth)
            for r in r0...r1 {
                let y = y1 - (Double(r) + 0.5) * cellSize
                for c in c0...c1 {
                    let key = (r / n) * blockColumns + c / n
                    guard values[key] != nil else { continue }
                    let x = x0 + (Double(c) + 0.5) * cellSize
                    guard Self.contains(p.ring, x: x, y: y) else { continue }
                    let i = (r % n) * min(n, cols - (key % blockColumns) * n) + c % n
                    let old = values[key]![i]
                    if old != Self.nodata && depth > old { values[key]![i] = depth }
                }
            }
        }
        blocks = values.indices.compactMap { key in
            guard let v = values[key] else { return nil }
            let bc = (key % blockColumns) * n, br = (key / blockColumns) * n
            return HeatMap.Block(column: bc, row: br, width: min(n, cols - bc), height: min(n, rows - br), values: v)
        }
    }

    static func isNodata(seed: UInt64, column: Int, row: Int) -> Bool {
        var h = SplitMix64(seed: seed ^ 0x5EED_F100D ^ (UInt64(truncatingIfNeeded: column) &* 0xD6E8_FEB8_6659_FD93)
                               ^ (UInt64(truncatingIfNeeded: row) &* 0xA076_1D64_78BD_642F))
        return h.next() % 101 == 0
    }

    static func bounds(_ p: Patch) -> HeatMap.Box {
        var b = HeatMap.Box(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
        var k = 0
        while k + 1 < p.ring.count {
            let x = Double(p.ring[k]) / 1000, y = Double(p.ring[k + 1]) / 1000
            b = HeatMap.Box(minX: min(b.minX, x), minY: min(b.minY, y), maxX: max(b.maxX, x), maxY: max(b.maxY, y))
            k += 2
        }
        return b
    }

    /// Even-odd point in ring (the ring not closed; the closing edge is implied).
    static func contains(_ ring: [Int64], x: Double, y: Double) -> Bool {
        let n = ring.count / 2
        var inside = false
        var j = n - 1
        for i in 0..<n {
            let xi = Double(ring[2 * i]) / 1000, yi = Double(ring[2 * i + 1]) / 1000
            let xj = Double(ring[2 * j]) / 1000, yj = Double(ring[2 * j + 1]) / 1000
            if (yi > y) != (yj > y), x < (xj - xi) * (y - yi) / (yj - yi) + xi { inside.toggle() }
            j = i
        }
        return inside
    }

    /// The layer summary of a written grid: cells as features, no vertices.
    static func summary(_ grid: DepthGrid, fileName: String, in directory: URL) throws -> LayerSummary {
        let url = directory.appendingPathComponent(fileName)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        return LayerSummary(layer: "inundation_raster", file: fileName, features: grid.blocks.reduce(0) { $0 + $1.values.count },
                            vertices: 0, bytes: size)
    }
}
