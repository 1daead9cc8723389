import Foundation
import XCTest
@testable import TerreinSynth

/// The synthetic inundation raster: the flood patches drawn on the grid by cell centre.
final class DepthGridTests: XCTestCase {
    /// A rectangle ring in millimetres.
    func ring(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [Int64] {
        [x0, y0, x1, y0, x1, y1, x0, y1].map { Int64(($0 * 1000).rounded()) }
    }

    func value(_ g: DepthGrid, column c: Int, row r: Int) -> Float? {
        for b in g.blocks where c >= b.column && c < b.column + b.width && r >= b.row && r < b.row + b.height {
            return b.values[(r - b.row) * b.width + (c - b.column)]
        }
        return nil
    }

    /// 5 m cells over 0..100 × 0..100: a patch over x 10–30, y 60–80 (0.25 m) and a deeper
    /// one over x 20–40 (0.5 m) flood exactly the cells whose centres lie in them, the
    /// deepest where they overlap; other valid cells are 0, and the bytes do not depend on
    /// the order of the patches.
    func testPatchesAreDrawnByCellCentreDeepestWins() {
        let box = HeatMap.Box(minX: 0, minY: 0, maxX: 100, maxY: 100)
        let patches = [DepthGrid.Patch(ring: ring(10, 60, 30, 80), depth: 0.25), DepthGrid.Patch(ring: ring(20, 60, 40, 80), depth: 0.5)]
        let g = DepthGrid(seed: 1, extent: box, cellSize: 5, terreinen: [], patches: patches, dense: true)
        XCTAssertEqual([g.columns, g.rows], [20, 20])
        XCTAssertEqual(g.geoTransform, [0, 5, 0, 100, 0, -5])
        var deep = 0
        for r in 0..<20 { for c in 0..<20 {
            let v = value(g, column: c, row: r)!
            let x = Double(c) * 5 + 2.5, y = 100 - Double(r) * 5 - 2.5
            let expected: Float = (x > 20 && x < 40 && y > 60 && y < 80) ? 0.5 : ((x > 10 && x < 30 && y > 60 && y < 80) ? 0.25 : 0)
            if v != DepthGrid.nodata { XCTAssertEqual(v, expected, "cell \(c), \(r)") }
            if expected == 0.5 { deep += 1 }
        }}
        XCTAssertEqual(deep, 16, "4 × 4 centres in the deeper patch")
        let reversed = DepthGrid(seed: 1, extent: box, cellSize: 5, terreinen: [], patches: patches.reversed(), dense: true)
        XCTAssertEqual(g.blocks.map(\.values), reversed.blocks.map(\.values))
    }

    /// Sparse: only the blocks near a terrein box or under a patch are written.
    func testSparseGridWritesOnlyBlocksNearTerreinenOrPatches() {
        let box = HeatMap.Box(minX: 0, minY: 0, maxX: 5 * 256 * 4, maxY: 5 * 256 * 4)  // 4 × 4 blocks
        let terrein = HeatMap.Box(minX: 100, minY: 100, maxX: 200, maxY: 200)        // the south-west block
        let patch = DepthGrid.Patch(ring: ring(4000, 4000, 4010, 4010), depth: 0.3)     // the block north-east of the middle
        let g = DepthGrid(seed: 1, extent: box, cellSize: 5, terreinen: [terrein], patches: [patch], dense: false)
        XCTAssertEqual(g.blocks.map { [$0.column / 256, $0.row / 256] }, [[3, 0], [0, 3]])
        XCTAssertTrue(g.blocks[0].values.contains(0.3))
    }
}
