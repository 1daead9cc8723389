import Foundation

/// A synthetic heat map: PET (*gevoelstemperatuur*, °C) on a hot summer afternoon, as the
/// Klimaateffectatlas publishes it, for the sample and the benchmark scales.
///
/// Cooler countryside (about 24–31 °C, a smooth field), hot business parks (up to 9 °C more
/// inside a terrein's bounding box, fading over 60 m outside it), a little cell noise, PET
/// rounded to 0.1 °C, and about 1 % of the cells nodata. Values are a pure function of the
/// seed and the cell, so any block can be drawn on its own and the bytes never depend on
/// the order. The grid is written as blocks: only the blocks near terreinen, so a national
/// grid stays small (a sparse GeoTIFF; the rest reads as nodata).
public struct HeatMap: Sendable {
    public struct Box: Sendable, Equatable {
        public var minX, minY, maxX, maxY: Double

        /// The north-up grid of `cellSize` cells over the box, snapped outwards to whole
        /// cells: its north-west corner, columns and rows (the heat map's and the depth grid's).
        func snappedGrid(cellSize: Double) -> (originX: Double, originY: Double, columns: Int, rows: Int) {
            let x0 = (minX / cellSize).rounded(.down) * cellSize
            let y1 = (maxY / cellSize).rounded(.up) * cellSize
            return (x0, y1, Int(((maxX - x0) / cellSize).rounded(.up)), Int(((y1 - minY) / cellSize).rounded(.up)))
        }
    }

    /// One block of cells, row-major, north row first.
    public struct Block: Sendable {
        public var column: Int
        public var row: Int
        public var width: Int
        public var height: Int
        public var values: [Float]
    }

    public static let nodata: Float = -9999
    public static let blockSize = 256

    /// The grid's north-west corner, cell size (m), columns and rows.
    public let originX: Double
    public let originY: Double
    public let cellSize: Double
    public let columns: Int
    public let rows: Int
    public let blocks: [Block]

    /// GDAL's geotransform of the grid (north-up).
    public var geoTransform: [Double] { [originX, cellSize, 0, originY, 0, -cellSize] }

    /// Draws the map over `extent` (snapped outwards to whole cells), writing the blocks
    /// within 100 m of a terrein box, or every block when `dense`.
    public init(seed: UInt64, extent: Box, cellSize: Double, terreinen: [Box], dense: Bool) {
        let g = extent.snappedGrid(cellSize: cellSize)
        let (x0, y1, cols, rows) = (g.originX, g.originY, g.columns, g.rows)
        originX = x0
        originY = y1
        self.cellSize = cellSize
        columns = cols
        self.rows = rows
        let n = Self.blockSize
        var out: [Block] = []
        for br in stride(from: 0, to: rows, by: n) {
            for bc in stride(from: 0, to: cols, by: n) {
                let w = min(n, cols - bc), h = min(n, rows - br)
                let box = Box(minX: x0 + Double(bc) * cellSize, minY: y1 - Double(br + h) * cellSize,
                              maxX: x0 + Double(bc + w) * cellSize, maxY: y1 - Double(br) * cellSize)
                let near = terreinen.filter {
                    $0.minX - 100 < box.maxX && $0.maxX + 100 > box.minX && $0.minY - 100 < box.maxY && $0.maxY + 100 > box.minY
                }
                if !dense && near.isEmpty { continue }
                var values = [Float](repeating: 0, count: w * h)
                for r in 0..<h {
                    let y = y1 - (Double(br + r) + 0.5) * cellSize
                    for c in 0..<w {
                        let x = x0 + (Double(bc + c) + 0.5) * cellSize
                        values[r * w + c] = Self.pet(seed: seed, column: bc + c, row: br + r, x: x, y: y, near: near)
                    }
                }
                out.append(Block(column: bc, row: br, width: w, height: h, values: values))
            }
        }
        blocks = out
    }

    /// PET of one cell, or `nodata`.
    static func pet(seed: UInt64, column: Int, row: Int, x: Double, y: Double, near: [Box]) -> Float {
        var h = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: column) &* 0x9E37_79B9_7F4A_7C15)
                               ^ (UInt64(truncatingIfNeeded: row) &* 0xC2B2_AE3D_27D4_EB4F))
        let u = h.next()
        if u % 97 == 0 { return nodata }
        let noise = Double(u >> 11) / Double(1 << 53) - 0.5  // -0.5 ..< 0.5
        var hot = 0.0
        for b in near {
            let dx = max(0, max(b.minX - x, x - b.maxX)), dy = max(0, max(b.minY - y, y - b.maxY))
            hot = max(hot, max(0, 1 - (dx * dx + dy * dy).squareRoot() / 60))
        }
        let base = 27.5 + 3.5 * DetMath.sincos(x / 730).sin * DetMath.sincos(y / 910).cos
        let value = base + 9 * hot * (0.75 + 0.5 * Double((u >> 3) % 1000) / 1000) + 1.5 * noise
        return Float((value * 10).rounded() / 10)
    }

    /// The layer summary of a written heat map: cells as features, no vertices.
    static func summary(_ map: HeatMap, fileName: String, in directory: URL) throws -> LayerSummary {
        let url = directory.appendingPathComponent(fileName)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        return LayerSummary(layer: "heat", file: fileName, features: map.blocks.reduce(0) { $0 + $1.values.count },
                            vertices: 0, bytes: size)
    }
}
