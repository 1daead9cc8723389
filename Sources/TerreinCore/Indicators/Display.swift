import TerreinGeometry
import TerreinIO

/// Raster cells as display areas for the profile: the squares of the chosen cells of a
/// window, merged into one (Multi)Polygon.
enum CellDisplay {
    /// The union of the squares of the window's cells for which `include(i)` holds (i
    /// row-major in the window), and how many there are; nil for none. The outline is traced
    /// from the cell mask in one pass (`outline`) and the polygons are built from it: no
    /// overlay. Before, the squares' row runs were merged by GEOS's coverage union, which
    /// refused many windows; the cascaded union of thousands of rectangles per terrein then
    /// took over. At scale M with every format on, heat was 39.6 s of CPU against 0.34 s with
    /// CSV only, 57 % of the whole run's samples in this function (`perf record --call-graph
    /// dwarf`; docs/performance.md, "Display areas of raster cells", has the figures since).
    static func area(_ cells: RasterCells, _ include: (Int) -> Bool) throws -> (geometry: Geometry, cells: Int)? {
        var chosen = [Bool](repeating: false, count: cells.width * cells.height)
        var count = 0
        for i in chosen.indices where include(i) { chosen[i] = true; count += 1 }
        if count == 0 { return nil }
        let g = cells.grid
        let stride = cells.width + 1
        // Rings are traced with the cells on their left in (column, row) space; in the
        // world, shells are counter-clockwise and holes clockwise (RFC 7946) when the grid
        // keeps that orientation (cell width and height of one sign), else reversed.
        let keep = g.cellWidth * g.cellHeight > 0
        var polygons: [Geometry] = []
        for rings in outline(width: cells.width, height: cells.height, chosen) {
            var xy: [Double] = []
            var ends: [Int] = []
            for ring in rings {
                for k in 0..<ring.count {
                    let v = ring[keep ? k : ring.count - 1 - k]
                    xy.append(g.originX + Double(cells.column + v % stride) * g.cellWidth)
                    xy.append(g.originY + Double(cells.row + v / stride) * g.cellHeight)
                }
                ends.append(xy.count)
            }
            polygons.append(try xy.withUnsafeBufferPointer { p in
                try ends.withUnsafeBufferPointer { try Geometry.polygon(xy: p, ringEnds: $0) }
            })
        }
        let geometry = polygons.count == 1 ? polygons[0] : try Geometry.collection(polygons, type: .multiPolygon)
        return (geometry, count)
    }

    /// The outline of the chosen cells of a `width` x `height` window (`chosen` row-major):
    /// one polygon per group of cells joined through their sides, in the order of each
    /// group's first cell; each polygon a shell followed by its holes; each ring closed (last
    /// = first), its corners as indices `row * (width + 1) + column` of the window's cell
    /// corners, only those where it turns.
    ///
    /// Every side between a chosen cell and one that is not (or the window's edge) is an edge
    /// with the chosen cell on its left. Following them ring by ring takes, where two chosen
    /// cells meet only at a corner, the left turn, so that they stay apart: shells and holes
    /// may then touch at such corners, as OGC validity allows, but never cross. A ring that
    /// passes a corner twice is cut there into two. Rings counter-clockwise in (column, row)
    /// are shells, the others holes; each goes to the group of the cell on its left.
    static func outline(width w: Int, height h: Int, _ chosen: [Bool]) -> [[[Int]]] {
        precondition(chosen.count == w * h)
        func at(_ r: Int, _ c: Int) -> Bool { r >= 0 && r < h && c >= 0 && c < w && chosen[r * w + c] }
        // Groups joined through sides, numbered by their first cell.
        var sets = UnionFind(count: w * h)
        for r in 0..<h {
            for c in 0..<w where chosen[r * w + c] {
                if at(r, c - 1) { sets.union(r * w + c, r * w + c - 1) }
                if at(r - 1, c) { sets.union(r * w + c, (r - 1) * w + c) }
            }
        }
        var group = [Int](repeating: -1, count: w * h)
        let members = sets.groups { chosen[$0] }
        for (n, cells) in members.enumerated() { for i in cells { group[i] = n } }
        let groups = members.count
        // Out-edges per corner: bit d for direction d (0 +column, 1 +row, 2 -column, 3 -row).
        let stride = w + 1
        var outs = [UInt8](repeating: 0, count: stride * (h + 1))
        for r in 0..<h {
            for c in 0..<w where chosen[r * w + c] {
                if !at(r - 1, c) { outs[r * stride + c] |= 1 }
                if !at(r, c + 1) { outs[r * stride + c + 1] |= 2 }
                if !at(r + 1, c) { outs[(r + 1) * stride + c + 1] |= 4 }
                if !at(r, c - 1) { outs[(r + 1) * stride + c] |= 8 }
            }
        }
        let step = [1, stride, -1, -stride]
        /// The chosen cell on the left of the edge leaving corner v in direction d.
        func cellLeft(_ v: Int, _ d: Int) -> Int {
            let x = v % stride, y = v / stride
            switch d {
            case 0: return y * w + x
            case 1: return y * w + x - 1
            case 2: return (y - 1) * w + x - 1
            default: return (y - 1) * w + x
            }
        }
        var remaining = outs
        var position = [Int](repeating: -1, count: outs.count)
        var shells = [[Int]?](repeating: nil, count: groups)
        var holes = [[[Int]]](repeating: [], count: groups)
        func emit(_ loop: ArraySlice<(v: Int, d: Int)>) {
            var ring = loop.map(\.v)
            ring.append(ring[0])
            var twiceArea = 0
            for k in 0..<(ring.count - 1) {
                let (x0, y0, x1, y1) = (ring[k] % stride, ring[k] / stride, ring[k + 1] % stride, ring[k + 1] / stride)
                twiceArea += x0 * y1 - x1 * y0
            }
            let first = loop[loop.startIndex]
            let n = group[cellLeft(first.v, first.d)]
            if twiceArea > 0 {
                precondition(shells[n] == nil, "two shells traced for one group of cells")
                shells[n] = ring
            } else {
                holes[n].append(ring)
            }
        }
        for start in 0..<remaining.count where remaining[start] != 0 {
            while remaining[start] != 0 {
                // The corners where the ring turns, each with the direction it leaves by.
                var stack: [(v: Int, d: Int)] = []
                let d0 = remaining[start].trailingZeroBitCount
                var v = start, d = d0
                stack.append((v, d)); position[v] = 0
                while true {
                    remaining[v] &= ~(UInt8(1) << d)
                    let next = v + step[d]
                    let m = outs[next]
                    // Two ways out only where chosen cells meet at a corner: turn left.
                    let nd = m.nonzeroBitCount == 2 ? (d + 1) & 3 : m.trailingZeroBitCount
                    precondition(m & (UInt8(1) << nd) != 0, "outline: no way on at a corner")
                    if next == start && nd == d0 { break }
                    if nd != d {
                        if position[next] >= 0 {
                            // The ring passes this corner again: the loop since then is a ring.
                            let k = position[next]
                            emit(stack[k...])
                            for e in stack[k...] { position[e.v] = -1 }
                            stack.removeSubrange(k...)
                        }
                        position[next] = stack.count
                        stack.append((next, nd))
                    }
                    v = next; d = nd
                }
                emit(stack[...])
                for e in stack { position[e.v] = -1 }
            }
        }
        return (0..<groups).map { n in
            guard let shell = shells[n] else { preconditionFailure("outline: a group of cells without a shell") }
            return [shell] + holes[n]
        }
    }
}

/// Collects a family's display features while it computes one terrein (one thread).
final class DisplaySink {
    var features: [ProfileFeature] = []
}
