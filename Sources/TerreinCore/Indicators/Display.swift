import TerreinGeometry
import TerreinIO

/// Raster cells as display areas for the profile: the squares of the chosen cells of a
/// window, merged into one (Multi)Polygon.
enum CellDisplay {
    /// The union of the squares of the window's cells for which `include(i)` holds (i
    /// row-major in the window), and how many there are; nil for none. Each row's runs of
    /// consecutive cells become one rectangle; the rectangles tile without overlap (their
    /// shared edges have the same coordinates, computed from the same grid), so GEOS
    /// CoverageUnion merges them in linear time. Should GEOS refuse it, the overlay union
    /// is taken instead.
    static func area(_ cells: RasterCells, _ include: (Int) -> Bool) throws -> (geometry: Geometry, cells: Int)? {
        var rectangles: [Geometry] = []
        var total = 0.0, count = 0
        for r in 0..<cells.height {
            var c = 0
            while c < cells.width {
                guard include(r * cells.width + c) else { c += 1; continue }
                let start = c
                while c < cells.width && include(r * cells.width + c) { c += 1 }
                count += c - start
                let a = cells.grid.square(column: cells.column + start, row: cells.row + r)
                let b = cells.grid.square(column: cells.column + c - 1, row: cells.row + r)
                let minX = min(a.minX, b.minX), maxX = max(a.maxX, b.maxX), minY = a.minY, maxY = a.maxY
                rectangles.append(try Geometry.polygon(rings: [[minX, minY, maxX, minY, maxX, maxY, minX, maxY, minX, minY]]))
                total += (maxX - minX) * (maxY - minY)
            }
        }
        if rectangles.isEmpty { return nil }
        if let union = try Geometry.coverageUnion(rectangles, totalArea: total) { return (union, count) }
        return (try Geometry.unionAll(rectangles)!, count)
    }
}

/// Collects a family's display features while it computes one terrein (one thread).
final class DisplaySink {
    var features: [ProfileFeature] = []
}
