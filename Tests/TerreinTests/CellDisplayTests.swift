import XCTest
import TerreinGeometry
@testable import TerreinCore

/// The display areas of raster cells (`CellDisplay`): the union of the chosen cells' squares,
/// built from row runs that form a clean coverage.
final class CellDisplayTests: XCTestCase {
    /// A window of `mask` (rows top to bottom, "#" chosen) on a grid of 10 m cells, north-up
    /// (negative cell height) or south-up, offset from the grid's origin.
    func cells(_ mask: [String], cellHeight: Double) -> (RasterCells, (Int) -> Bool) {
        let width = mask[0].count, height = mask.count
        let grid = CellGrid(originX: 120_000, originY: 487_000, cellWidth: 10, cellHeight: cellHeight, columns: 50, rows: 50)
        let chosen = mask.flatMap { $0.map { $0 == "#" } }
        let c = RasterCells(grid: grid, column: 3, row: 7, width: width, height: height,
                            lying: Array(repeating: true, count: width * height),
                            values: Array(repeating: 1, count: width * height), coveredInPart: false)
        return (c, { chosen[$0] })
    }

    func testStaircaseAndHoleFormACoverageWithTheExactArea() throws {
        // A staircase (runs ending at other columns in every row), a hole (row 1) that meets a
        // notch from outside (row 2) at a corner, and a cell (row 4) that meets the rest only
        // at a corner.
        let mask = ["##....###",
                    "####..#.#",
                    "######.##",
                    ".#####...",
                    "..#...#.."]
        for h in [-10.0, 10.0] {
            let (c, include) = cells(mask, cellHeight: h)
            let chosen = mask.joined().filter { $0 == "#" }.count
            let (polygons, total, count) = try XCTUnwrap(try CellDisplay.rowPolygons(c, include))
            XCTAssertEqual(count, chosen)
            XCTAssertEqual(total, Double(chosen) * 100, accuracy: 1e-9)
            // The regression: plain rectangles (no vertex where a neighbouring row's run ends)
            // were refused by the coverage union.
            XCTAssertNotNil(try Geometry.coverageUnion(polygons, totalArea: total), "h = \(h)")
            let (g, n) = try XCTUnwrap(try CellDisplay.area(c, include))
            XCTAssertEqual(n, chosen)
            XCTAssertTrue(try g.isValid)
            XCTAssertEqual(try g.area(), Double(chosen) * 100, accuracy: 1e-6)
            // Nothing but the cells' squares: against the cascaded union of every square.
            var squares: [Geometry] = []
            for i in 0..<(c.width * c.height) where include(i) {
                let b = c.grid.square(column: c.column + i % c.width, row: c.row + i / c.width)
                squares.append(try Geometry.polygon(rings: [[b.minX, b.minY, b.maxX, b.minY, b.maxX, b.maxY, b.minX, b.maxY, b.minX, b.minY]]))
            }
            let reference = try XCTUnwrap(try Geometry.unionAll(squares))
            XCTAssertEqual(try g.difference(reference).area(), 0, accuracy: 1e-6)
            XCTAssertEqual(try reference.difference(g).area(), 0, accuracy: 1e-6)
        }
        XCTAssertNil(try CellDisplay.area(cells(["...", "..."], cellHeight: -10).0, { _ in false }))
    }
}
