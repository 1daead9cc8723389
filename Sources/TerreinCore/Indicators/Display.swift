import TerreinGeometry
import TerreinIO

/// Raster cells as display areas for the profile: the squares of the chosen cells of a
/// window, merged into one (Multi)Polygon.
enum CellDisplay {
    /// The union of the squares of the window's cells for which `include(i)` holds (i
    /// row-major in the window), and how many there are; nil for none. Each row's runs of
    /// consecutive cells become one polygon. Its edges along the rows above and below carry a
    /// vertex wherever a run of that row starts or ends, so that the polygons share whole
    /// segments with the same coordinates (computed by one expression from the grid) and
    /// form a clean coverage, which GEOS CoverageUnion merges in linear time. Without those
    /// vertices a corner of one run lay on the edge of another, the coverage union refused
    /// them, and the cascaded union of thousands of rectangles per terrein took over: the heat
    /// family went from 3.6 s of CPU (CSV only) to 532 s (with the display areas) at scale L
    /// (10 m cells; README, "Real roofs"). The noded runs took it at scale M from 49.7 s to
    /// 38.1 s (all formats, machine loaded by a CI run), the tables unchanged; the rest is not
    /// yet profiled. Should GEOS still refuse, the overlay union is taken instead.
    static func area(_ cells: RasterCells, _ include: (Int) -> Bool) throws -> (geometry: Geometry, cells: Int)? {
        guard let (polygons, total, count) = try rowPolygons(cells, include) else { return nil }
        if let union = try Geometry.coverageUnion(polygons, totalArea: total) { return (union, count) }
        return (try Geometry.unionAll(polygons)!, count)
    }

    /// One polygon per run of chosen cells in a row, noded against the runs of the rows above
    /// and below (see `area`), with their summed area and the number of cells; nil for none.
    static func rowPolygons(_ cells: RasterCells, _ include: (Int) -> Bool) throws
        -> (polygons: [Geometry], totalArea: Double, cells: Int)? {
        // Runs per row: (first column, column after the last), window columns.
        var runs: [[(Int, Int)]] = Array(repeating: [], count: cells.height)
        var count = 0
        for r in 0..<cells.height {
            var c = 0
            while c < cells.width {
                guard include(r * cells.width + c) else { c += 1; continue }
                let start = c
                while c < cells.width && include(r * cells.width + c) { c += 1 }
                count += c - start
                runs[r].append((start, c))
            }
        }
        if count == 0 { return nil }
        let g = cells.grid
        func x(_ k: Int) -> Double { g.originX + Double(cells.column + k) * g.cellWidth }
        func y(_ k: Int) -> Double { g.originY + Double(cells.row + k) * g.cellHeight }
        /// Run ends of row `r` strictly between `lo` and `hi`, ascending.
        func ends(_ r: Int, _ lo: Int, _ hi: Int) -> [Int] {
            guard r >= 0, r < cells.height else { return [] }
            var out: [Int] = []
            for (s, e) in runs[r] {
                if s > lo && s < hi { out.append(s) }
                if e > lo && e < hi { out.append(e) }
            }
            return out
        }
        var polygons: [Geometry] = []
        var total = 0.0
        for r in 0..<cells.height {
            for (start, end) in runs[r] {
                // Along row edge r (shared with row r - 1) forwards, along r + 1 backwards.
                var ring: [Double] = [x(start), y(r)]
                for k in ends(r - 1, start, end) { ring += [x(k), y(r)] }
                ring += [x(end), y(r), x(end), y(r + 1)]
                for k in ends(r + 1, start, end).reversed() { ring += [x(k), y(r + 1)] }
                ring += [x(start), y(r + 1), x(start), y(r)]
                polygons.append(try Geometry.polygon(rings: [ring]))
                total += abs((x(end) - x(start)) * (y(r + 1) - y(r)))
            }
        }
        return (polygons, total, count)
    }
}

/// Collects a family's display features while it computes one terrein (one thread).
final class DisplaySink {
    var features: [ProfileFeature] = []
}
