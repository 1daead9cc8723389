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
/// GeoTIFF, whose other blocks read as nodata). Blocks are made one at a time while they are
/// written (`block(_:)`), so memory holds the patches and one block, not the grid: scale L's
/// 5 m grid would be about 6 GB of Float32 otherwise.
public struct DepthGrid: Sendable {
    public static let nodata: Float = -9999
    public static let blockSize = 256

    public let originX: Double
    public let originY: Double
    public let cellSize: Double
    public let columns: Int
    public let rows: Int
    public let seed: UInt64
    /// The blocks written, by key (row of blocks × blocks per row + column of blocks), increasing.
    let blockKeys: [Int]
    let blockColumns: Int
    let patches: [Patch]
    /// Per written block, the patches whose bounding box reaches it, in patch order.
    let patchesByBlock: [Int: [Int]]

    /// GDAL's geotransform of the grid (north-up).
    public var geoTransform: [Double] { [originX, cellSize, 0, originY, 0, -cellSize] }

    /// One flood patch: its exterior ring (interleaved RD New millimetres, not closed) and depth.
    struct Patch: Sendable {
        var ring: [Int64]
        var depth: Double
    }

    init(seed: UInt64, extent: HeatMap.Box, cellSize: Double, terreinen: [HeatMap.Box], patches: [Patch], dense: Bool) {
        let g = extent.snappedGrid(cellSize: cellSize)
        let (x0, y1, cols, rows) = (g.originX, g.originY, g.columns, g.rows)
        originX = x0
        originY = y1
        self.cellSize = cellSize
        columns = cols
        self.rows = rows
        self.seed = seed
        self.patches = patches
        let n = Self.blockSize
        let blockColumns = (cols + n - 1) / n, blockRows = (rows + n - 1) / n
        self.blockColumns = blockColumns
        func blocks(_ b: HeatMap.Box) -> [Int] {
            func range(_ lo: Double, _ hi: Double, origin: Double, sign: Double, count: Int) -> ClosedRange<Int>? {
                let a = Int((((lo - origin) * sign) / cellSize).rounded(.down)), c = Int((((hi - origin) * sign) / cellSize).rounded(.down))
                let first = max(0, Int((Double(min(a, c)) / Double(n)).rounded(.down)))
                let last = min(count - 1, Int((Double(max(a, c)) / Double(n)).rounded(.down)))
                return first <= last ? first...last : nil
            }
            guard let bc = range(b.minX, b.maxX, origin: x0, sign: 1, count: blockColumns),
                  let br = range(b.minY, b.maxY, origin: y1, sign: -1, count: blockRows) else { return [] }
            return br.flatMap { r in bc.map { r * blockColumns + $0 } }
        }
        var byBlock: [Int: [Int]] = [:]
        for (i, p) in patches.enumerated() { for k in blocks(Self.bounds(p)) { byBlock[k, default: []].append(i) } }
        var wanted = Set<Int>()
        if dense {
            wanted = Set(0..<(blockColumns * blockRows))
        } else {
            for t in terreinen {
                wanted.formUnion(blocks(HeatMap.Box(minX: t.minX - 100, minY: t.minY - 100, maxX: t.maxX + 100, maxY: t.maxY + 100)))
            }
            wanted.formUnion(byBlock.keys)
        }
        blockKeys = wanted.sorted()
        patchesByBlock = byBlock.filter { wanted.contains($0.key) }
    }

    /// How many blocks are written.
    public var blockCount: Int { blockKeys.count }

    /// The `index`-th written block's cells, made on demand (a pure function of the seed,
    /// the patches and the block).
    public func block(_ index: Int) -> HeatMap.Block {
        let n = Self.blockSize
        let key = blockKeys[index]
        let bc = (key % blockColumns) * n, br = (key / blockColumns) * n
        let w = min(n, columns - bc), h = min(n, rows - br)
        var v = [Float](repeating: 0, count: w * h)
        for r in 0..<h { for c in 0..<w where Self.isNodata(seed: seed, column: bc + c, row: br + r) { v[r * w + c] = Self.nodata } }
        // Each patch's cells: centres inside the ring (even-odd) take the deepest depth.
        for pi in patchesByBlock[key] ?? [] {
            let p = patches[pi], b = Self.bounds(p)
            let c0 = max(bc, Int(((b.minX - originX) / cellSize - 0.5).rounded(.up)))
            let c1 = min(bc + w - 1, Int(((b.maxX - originX) / cellSize - 0.5).rounded(.down)))
            let r0 = max(br, Int(((originY - b.maxY) / cellSize - 0.5).rounded(.up)))
            let r1 = min(br + h - 1, Int(((originY - b.minY) / cellSize - 0.5).rounded(.down)))
            guard c0 <= c1, r0 <= r1 else { continue }
            let depth = Float(p.depth)
            for r in r0...r1 {
                let y = originY - (Double(r) + 0.5) * cellSize
                for c in c0...c1 {
                    let i = (r - br) * w + (c - bc)
                    guard v[i] != Self.nodata, depth > v[i], Self.contains(p.ring, x: originX + (Double(c) + 0.5) * cellSize, y: y) else { continue }
                    v[i] = depth
                }
            }
        }
        return HeatMap.Block(column: bc, row: br, width: w, height: h, values: v)
    }

    /// Every written block (for small grids and tests; the writer takes them one by one).
    public var blocks: [HeatMap.Block] { (0..<blockCount).map(block) }

    /// Cells in the written blocks.
    var cellCount: Int {
        let n = Self.blockSize
        return blockKeys.reduce(0) { sum, key in
            sum + min(n, columns - (key % blockColumns) * n) * min(n, rows - (key / blockColumns) * n)
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
        return LayerSummary(layer: "inundation_raster", file: fileName, features: grid.cellCount,
                            vertices: 0, bytes: size)
    }
}
