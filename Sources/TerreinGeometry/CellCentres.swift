import Foundation

/// A raster's grid in world coordinates: the geotransform without rotation terms.
public struct CellGrid: Sendable, Equatable {
    /// World x and y of the grid's corner (column 0, row 0).
    public var originX: Double
    public var originY: Double
    /// Pixel width and height; the height is negative for north-up rasters.
    public var cellWidth: Double
    public var cellHeight: Double
    public var columns: Int
    public var rows: Int

    public init(originX: Double, originY: Double, cellWidth: Double, cellHeight: Double, columns: Int, rows: Int) {
        self.originX = originX
        self.originY = originY
        self.cellWidth = cellWidth
        self.cellHeight = cellHeight
        self.columns = columns
        self.rows = rows
    }

    public func centreX(_ column: Int) -> Double { originX + (Double(column) + 0.5) * cellWidth }
    public func centreY(_ row: Int) -> Double { originY + (Double(row) + 0.5) * cellHeight }

    /// The columns and rows whose cell centres may lie within `b` (one cell of margin on
    /// each side, clamped to the grid); nil when none does.
    ///
    /// Clamped as doubles before they become integers: bounds far outside a grid of tiny
    /// cells, or infinite, give fractional indices beyond `Int`'s range (a trap, found by
    /// fuzz/RasterWindowFuzz.swift); NaN bounds (or a NaN grid) cover nothing.
    public func window(covering b: Bounds) -> (column: Int, row: Int, width: Int, height: Int)? {
        window(covering: b, clamped: true)
    }

    /// As `window(covering:)`, but the grid extended beyond the raster's edges when not
    /// `clamped` (columns and rows may then be negative or past the last): the cells a
    /// raster covering the whole envelope would have.
    public func window(covering b: Bounds, clamped: Bool) -> (column: Int, row: Int, width: Int, height: Int)? {
        func span(_ lo: Double, _ hi: Double, origin: Double, step: Double, count: Int) -> (Int, Int)? {
            let a = (lo - origin) / step - 0.5, c = (hi - origin) / step - 0.5
            guard !a.isNaN, !c.isNaN, count > 0 else { return nil }
            // Clamped as doubles before the conversion to Int (infinite or far bounds trap it).
            var first = floor(min(a, c)) - 1, last = ceil(max(a, c)) + 1
            if clamped {
                first = max(0, first); last = min(Double(count - 1), last)
            } else {
                first = max(-Double(Int32.max), first); last = min(Double(Int32.max), last)
            }
            return first <= last ? (Int(first), Int(last)) : nil
        }
        guard let (c0, c1) = span(b.minX, b.maxX, origin: originX, step: cellWidth, count: columns),
              let (r0, r1) = span(b.minY, b.maxY, origin: originY, step: cellHeight, count: rows) else { return nil }
        return (c0, r0, c1 - c0 + 1, r1 - r0 + 1)
    }

    /// The square of a cell (its footprint), as min x, min y, max x, max y.
    public func square(column: Int, row: Int) -> Bounds {
        let x0 = originX + Double(column) * cellWidth, x1 = originX + Double(column + 1) * cellWidth
        let y0 = originY + Double(row) * cellHeight, y1 = originY + Double(row + 1) * cellHeight
        return Bounds(minX: min(x0, x1), minY: min(y0, y1), maxX: max(x0, x1), maxY: max(y0, y1))
    }
}

/// Which cells of a window have their centre in a polygon or on its boundary (the spec's
/// raster rule, docs/indicators.md "Rasters").
///
/// Written by hand, as a scanline over the polygon's edges, because a point-in-polygon test
/// per cell is what a national 1 m heat map cannot afford (a 50 ha terrein has 500,000 cell
/// centres; a GEOS prepared-point test each is about a microsecond). Per row of centres the
/// even-odd crossings of the rings give the interior runs; a centre within 1e-7 m of a
/// crossing, or on a horizontal edge, is on or near the boundary and is decided exactly by
/// GEOS (prepared `intersects` of the point), so the rule matches Shapely's `intersects_xy`
/// on the same geometry, boundary included.
public enum CellCentres {
    /// Row-major mask of `width × height` cells starting at (`column`, `row`).
    public static func mask(of geometry: Geometry, prepared: PreparedGeometry, grid: CellGrid,
                            column: Int, row: Int, width: Int, height: Int) throws -> [Bool] {
        var mask = [Bool](repeating: false, count: width * height)
        if width == 0 || height == 0 { return mask }
        // Edges of every ring as (x1, y1, x2, y2).
        var edges: [(Double, Double, Double, Double)] = []
        for polygon in try geometry.polygonRings() {
            for ring in polygon {
                var k = 0
                while k + 3 < ring.count {
                    edges.append((ring[k], ring[k + 1], ring[k + 2], ring[k + 3]))
                    k += 2
                }
            }
        }
        let eps = 1e-7
        var crossings: [Double] = []
        var near: [Double] = []
        for j in 0..<height {
            let y = grid.centreY(row + j)
            crossings.removeAll(keepingCapacity: true)
            near.removeAll(keepingCapacity: true)
            var horizontal: [(Double, Double)] = []
            for (x1, y1, x2, y2) in edges {
                if y1 == y2 {
                    if abs(y1 - y) <= eps { horizontal.append((min(x1, x2), max(x1, x2))) }
                    continue
                }
                // Half-open rule: an edge counts when it spans y with one end strictly above.
                if (y1 <= y) != (y2 <= y) {
                    crossings.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
                } else if abs(y1 - y) <= eps || abs(y2 - y) <= eps {
                    // An end on (or next to) the row: a vertex there is boundary.
                    near.append(abs(y1 - y) <= eps ? x1 : x2)
                }
            }
            crossings.sort()
            let base = j * width
            // Fractional window column of a world x: centres sit at whole numbers.
            func index(_ x: Double) -> Double { (x - grid.originX) / grid.cellWidth - 0.5 - Double(column) }
            // Interior runs: the centres strictly between two crossings (even-odd rule).
            // Fractional indices are clamped as doubles before they become integers: a
            // crossing far outside a window of tiny cells lies beyond `Int`'s range.
            let lastColumn = Double(width - 1)
            var k = 0
            while k + 1 < crossings.count {
                let fa = index(crossings[k]), fb = index(crossings[k + 1])
                let lo = max(0, floor(min(fa, fb)) + 1), hi = min(lastColumn, ceil(max(fa, fb)) - 1)
                if lo <= hi { for i in Int(lo)...Int(hi) { mask[base + i] = true } }
                k += 2
            }
            // On or next to the boundary: GEOS decides, exactly.
            func decide(_ i: Int) throws {
                guard i >= 0, i < width else { return }
                let x = grid.centreX(column + i)
                mask[base + i] = try prepared.intersects(try Geometry.point(x: x, y: y))
            }
            for x in crossings + near {
                let f = index(x)
                guard f > -2, f < Double(width) + 1 else { continue }  // no centre of the window is near it
                for i in Int(floor(f))...Int(ceil(f)) where abs(grid.centreX(column + i) - x) <= eps { try decide(i) }
            }
            for (x1, x2) in horizontal {
                let fa = index(x1 - eps), fb = index(x2 + eps)
                let lo = max(0, ceil(min(fa, fb))), hi = min(lastColumn, floor(max(fa, fb)))
                if lo <= hi { for i in Int(lo)...Int(hi) { try decide(i) } }
            }
        }
        return mask
    }
}
