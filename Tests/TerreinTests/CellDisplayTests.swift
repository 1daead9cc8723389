import XCTest
import TerreinGeometry
@testable import TerreinCore

/// The display areas of raster cells (`CellDisplay`): the union of the chosen cells' squares,
/// traced from the cell mask.
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

    /// The cascaded union of the chosen cells' squares, the reference.
    func squares(_ c: RasterCells, _ include: (Int) -> Bool) throws -> Geometry? {
        var squares: [Geometry] = []
        for i in 0..<(c.width * c.height) where include(i) {
            squares.append(try SpatialIndexTests.box(c.grid.square(column: c.column + i % c.width, row: c.row + i / c.width)))
        }
        return try Geometry.unionAll(squares)
    }

    /// `area` of the mask is valid, has the cells' count and area, the given number of
    /// polygons and holes, and covers exactly the cells' squares.
    func check(_ mask: [String], polygons: Int, holes: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        for h in [-10.0, 10.0] {
            let (c, include) = cells(mask, cellHeight: h)
            let chosen = mask.joined().filter { $0 == "#" }.count
            let (g, n) = try XCTUnwrap(try CellDisplay.area(c, include), file: file, line: line)
            XCTAssertEqual(n, chosen, file: file, line: line)
            XCTAssertTrue(try g.isValid, "h = \(h): \(g.wkt())", file: file, line: line)
            XCTAssertEqual(try g.area(), Double(chosen) * 100, accuracy: 1e-6, file: file, line: line)
            let reference = try XCTUnwrap(try squares(c, include))
            XCTAssertEqual(try g.difference(reference).area(), 0, accuracy: 1e-6, file: file, line: line)
            XCTAssertEqual(try reference.difference(g).area(), 0, accuracy: 1e-6, file: file, line: line)
            let rings = CellDisplay.outline(width: c.width, height: c.height, mask.flatMap { $0.map { $0 == "#" } })
            XCTAssertEqual(rings.count, polygons, "polygons", file: file, line: line)
            XCTAssertEqual(rings.map { $0.count - 1 }.reduce(0, +), holes, "holes", file: file, line: line)
        }
    }

    func testOneCellIsASquareTracedCounterClockwiseInColumnRowSpace() {
        // Corners of a 1 x 1 window: 0 (0,0), 1 (1,0), 2 (0,1), 3 (1,1) as row * 2 + column.
        XCTAssertEqual(CellDisplay.outline(width: 1, height: 1, [true]), [[[0, 1, 3, 2, 0]]])
        // Only turning corners: a run of three cells is a rectangle of four.
        XCTAssertEqual(CellDisplay.outline(width: 3, height: 1, [true, true, true]), [[[0, 3, 7, 4, 0]]])
        // Orientation in the world: shells counter-clockwise north-up and south-up.
        for h in [-10.0, 10.0] {
            let (c, include) = cells(["##", "#."], cellHeight: h)
            let g = try! XCTUnwrap(try CellDisplay.area(c, include)).geometry
            XCTAssertEqual(g.wkt().hasPrefix("POLYGON"), true)
            XCTAssertGreaterThan(try signedShellArea(g), 0, "h = \(h)")
        }
    }

    /// Twice the signed area of a polygon's shell by the shoelace formula (positive:
    /// counter-clockwise).
    func signedShellArea(_ g: Geometry) throws -> Double {
        let wkt = g.wkt(decimals: 1)
        let inner = wkt[wkt.range(of: "((")!.upperBound...]
        let shell = inner[..<inner.firstIndex(of: ")")!]
        let pts = shell.split(separator: ",").map { $0.split(separator: " ").map { Double($0)! } }
        var s = 0.0
        for k in 0..<(pts.count - 1) { s += pts[k][0] * pts[k + 1][1] - pts[k + 1][0] * pts[k][1] }
        return s
    }

    func testStaircaseHoleAndCornerContacts() throws {
        // A staircase, a hole (row 1) that meets a notch from outside (row 2) at a corner,
        // and a cell (row 4) that meets the rest only at a corner.
        try check(["##....###",
                   "####..#.#",
                   "######.##",
                   ".#####...",
                   "..#...#.."], polygons: 3, holes: 1)
        XCTAssertNil(try CellDisplay.area(cells(["...", "..."], cellHeight: -10).0, { _ in false }))
    }

    func testABayClosedAtACornerBecomesAHoleTouchingTheShell() throws {
        // The cell left out in row 1 is open to the outside only through a corner: the
        // shell's ring passes that corner twice and is cut there.
        try check(["###.",
                   "#.##",
                   "###."], polygons: 1, holes: 1)
    }

    func testHolesTouchingAtACornerAndAnIslandInAHole() throws {
        try check(["#####",
                   "#.###",
                   "##.##",
                   "#####"], polygons: 1, holes: 2)
        try check(["#######",
                   "#.....#",
                   "#.###.#",
                   "#.#.#.#",
                   "#.###.#",
                   "#.....#",
                   "#######"], polygons: 2, holes: 2)
        // A checkerboard: every cell its own polygon, all meeting at corners.
        try check(["#.#", ".#.", "#.#"], polygons: 5, holes: 0)
        try check([".#.", "#.#", ".#."], polygons: 4, holes: 0)
    }

    func testRandomMasksAgainstTheUnionOfTheSquares() throws {
        var rng = SpatialIndexTests.SplitMix(state: 20261202)
        func int(_ n: Int) -> Int { Int(rng.next() * Double(n)) }
        for trial in 0..<60 {
            let w = 1 + int(12), h = 1 + int(12)
            let density = [0.3, 0.5, 0.7][trial % 3]
            var mask: [String] = []
            for _ in 0..<h {
                mask.append(String((0..<w).map { _ in rng.next() < density ? "#" : "." }))
            }
            guard mask.joined().contains("#") else { continue }
            let (c, include) = cells(mask, cellHeight: -10)
            let (g, _) = try XCTUnwrap(try CellDisplay.area(c, include))
            XCTAssertTrue(try g.isValid, "\(mask)")
            let reference = try XCTUnwrap(try squares(c, include))
            XCTAssertEqual(try g.area(), try reference.area(), accuracy: 1e-6, "\(mask)")
            XCTAssertEqual(try g.difference(reference).area(), 0, accuracy: 1e-6, "\(mask)")
            XCTAssertEqual(try reference.difference(g).area(), 0, accuracy: 1e-6, "\(mask)")
        }
    }
}
