import Foundation
import XCTest
import TerreinGDAL
import TerreinGeometry

/// Regression tests for what fuzz/RasterWindowFuzz.swift found in the raster window code:
/// fractional cell indices beyond `Int`'s range (tiny cells, far or infinite bounds) and NaN
/// bounds trapped; a NaN geotransform was accepted. Each answer here is known exactly.
final class RasterWindowTests: XCTestCase {
    let grid = CellGrid(originX: 0, originY: 10, cellWidth: 1, cellHeight: -1, columns: 10, rows: 10)

    func testNaNBoundsCoverNothing() {
        XCTAssertNil(grid.window(covering: Bounds(minX: .nan, minY: 0, maxX: 5, maxY: 5)))
        XCTAssertNil(grid.window(covering: Bounds(minX: 0, minY: 0, maxX: 5, maxY: .nan)))
        let nanGrid = CellGrid(originX: .nan, originY: 10, cellWidth: 1, cellHeight: -1, columns: 10, rows: 10)
        XCTAssertNil(nanGrid.window(covering: Bounds(minX: 0, minY: 0, maxX: 5, maxY: 5)))
    }

    func testInfiniteAndHugeBoundsGiveTheWholeGrid() throws {
        for b in [Bounds(minX: -.infinity, minY: -.infinity, maxX: .infinity, maxY: .infinity),
                  Bounds(minX: -1e308, minY: -1e308, maxX: 1e308, maxY: 1e308)] {
            let w = try XCTUnwrap(grid.window(covering: b))
            XCTAssertEqual([w.column, w.row, w.width, w.height], [0, 0, 10, 10])
        }
        // Wholly outside, far away: nothing.
        XCTAssertNil(grid.window(covering: Bounds(minX: 1e300, minY: 1e300, maxX: .infinity, maxY: .infinity)))
    }

    /// 1e-300 m cells: the bounds of a 2 m square are 1e300 cells away from the corner.
    func testTinyCellsFarFromTheBoundsDoNotTrap() throws {
        let tiny = CellGrid(originX: 0, originY: 0, cellWidth: 1e-300, cellHeight: 1e-300, columns: 4, rows: 4)
        let far = Bounds(minX: 1, minY: 1, maxX: 3, maxY: 3)
        XCTAssertNil(tiny.window(covering: far))
        let around = try XCTUnwrap(tiny.window(covering: Bounds(minX: -1, minY: -1, maxX: 1, maxY: 1)))
        XCTAssertEqual([around.column, around.row, around.width, around.height], [0, 0, 4, 4])
        // The mask of a polygon whose edges lie 1e300 cells outside the window: every centre inside.
        let square = try Geometry.polygon(rings: [[-1, -1, 1, -1, 1, 1, -1, 1, -1, -1]])
        let mask = try CellCentres.mask(of: square, prepared: try PreparedGeometry(square), grid: tiny,
                                        column: 0, row: 0, width: 4, height: 4)
        XCTAssertEqual(mask, [Bool](repeating: true, count: 16))
        // And one lying wholly to the right of it, beyond Int's range in cells: no centre.
        let right = try Geometry.polygon(rings: [[1, -1, 3, -1, 3, 1, 1, 1, 1, -1]])
        let none = try CellCentres.mask(of: right, prepared: try PreparedGeometry(right), grid: tiny,
                                        column: 0, row: 0, width: 4, height: 4)
        XCTAssertEqual(none, [Bool](repeating: false, count: 16))
    }

    /// A south-up grid: rows grow northwards; the window and the mask follow.
    func testSouthUpWindowAndMask() throws {
        let up = CellGrid(originX: 0, originY: 0, cellWidth: 1, cellHeight: 1, columns: 10, rows: 10)
        let square = try Geometry.polygon(rings: [[2, 6, 4, 6, 4, 8, 2, 8, 2, 6]])
        let w = try XCTUnwrap(up.window(covering: try XCTUnwrap(square.bounds)))
        XCTAssertEqual([w.column, w.row, w.width, w.height], [0, 4, 6, 6])  // one cell of margin, clamped at 0
        let mask = try CellCentres.mask(of: square, prepared: try PreparedGeometry(square), grid: up,
                                        column: w.column, row: w.row, width: w.width, height: w.height)
        // Centres (2.5, 6.5), (3.5, 6.5), (2.5, 7.5), (3.5, 7.5): columns 2–3 of rows 6–7.
        let inside = mask.enumerated().filter { $0.element }.map { [w.column + $0.offset % w.width, w.row + $0.offset / w.width] }
        XCTAssertEqual(inside, [[2, 6], [3, 6], [2, 7], [3, 7]])
    }

    /// A GeoTIFF whose geotransform holds a NaN opens as an error, not as a grid that covers nothing.
    func testNaNGeotransformIsAnError() throws {
        let scratch = ScratchDir()
        let path = scratch.path + "/nan.tif"
        try GeoTIFFWriter.write(path: path, width: 4, height: 4, geoTransform: [0, .nan, 0, 10, 0, -1], crs: .rdNew,
                                values: [Float](repeating: 30, count: 16), nodata: nil)
        XCTAssertThrowsError(try Raster(path: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(path) && text.contains("not finite") && text.contains("gdal_translate"), text)
        }
    }
}
