import Foundation
import XCTest
import TerreinGDAL
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO

/// The heat family on hand-built rasters whose answers are known exactly
/// (docs/indicators.md, "Heat stress" and "Rasters"). Rasters are 1 m cells in RD New with
/// the corner at (0, 10): cell centres at x = 0.5 … 9.5, y = 9.5 … 0.5.
final class HeatTests: XCTestCase {
    /// A `columns × rows` GeoTIFF of 1 m cells, north-up, corner (0, rows), value by column.
    func raster(_ scratch: ScratchDir, columns: Int = 10, rows: Int = 10, nodata: Double? = -9999,
                crs: CRSIdentifier? = .rdNew, scale: Double = 1, offset: Double = 0,
                value: (Int, Int) -> Float) throws -> RasterLayerConfig {
        let path = scratch.path + "/heat-\(UUID().uuidString).tif"
        var values: [Float] = []
        for r in 0..<rows { for c in 0..<columns { values.append(value(c, r)) } }
        try GeoTIFFWriter.write(path: path, width: columns, height: rows, geoTransform: [0, 1, 0, Double(rows), 0, -1],
                                crs: crs, values: values, nodata: nodata, scale: scale, offset: offset)
        return RasterLayerConfig(kind: .heat, path: path, declaredPath: path)
    }

    func heat(_ terreinen: [Terrein], _ config: RasterLayerConfig, parameters: Parameters = Parameters()) throws -> [TerreinResult] {
        try compute(terreinen: terreinen, heat: config, parameters: parameters)
    }

    func cells(_ r: TerreinResult, _ p: Parameters = Parameters()) -> [Cell] {
        let s = IndicatorSchema(parameters: p)
        return Array(s.indicatorTable([r]).rows[0].suffix(4))
    }

    func testWestHalf30EastHalf42() throws {
        let scratch = ScratchDir()
        let config = try raster(scratch) { c, _ in c < 5 ? 30 : 42 }
        let r = try heat([terrein("T", try rect(0, 0, 10, 10))], config)[0]
        XCTAssertEqual(r.heat?.cells, 100)
        let row = cells(r)
        XCTAssertEqual(Table.format(row[0], as: .real(decimals: 1)), "36.0")
        XCTAssertEqual(Table.format(row[1], as: .real(decimals: 4)), "0.5000")
        XCTAssertEqual(Table.format(row[2], as: .real(decimals: 4)), "0.5000")
        XCTAssertEqual(row[3], .text("high"))
    }

    func testEastHalfNodataIsIgnored() throws {
        let scratch = ScratchDir()
        let config = try raster(scratch) { c, _ in c < 5 ? 30 : -9999 }
        let r = try heat([terrein("T", try rect(0, 0, 10, 10))], config)[0]
        XCTAssertEqual(r.heat?.cells, 50)
        let row = cells(r)
        XCTAssertEqual(Table.format(row[0], as: .real(decimals: 1)), "30.0")
        XCTAssertEqual(Table.format(row[1], as: .real(decimals: 4)), "0.0000")
        XCTAssertEqual(row[3], .text("low"))
    }

    func testNaNNodataAndInfiniteCellsAreInvalid() throws {
        let scratch = ScratchDir()
        let config = try raster(scratch, nodata: .nan) { c, r in c == 0 ? .nan : (c == 1 && r == 0 ? .infinity : 36) }
        let r = try heat([terrein("T", try rect(0, 0, 10, 10))], config)[0]
        XCTAssertEqual(r.heat?.cells, 89, "column 0 NaN (nodata) and one infinite cell are ignored")
        XCTAssertEqual(r.heat?.strongCells, 89)
    }

    func testScaleAndOffsetAreApplied() throws {
        let scratch = ScratchDir()
        // Stored 300 and 420 with scale 0.1: 30.0 and 42.0 °C.
        let config = try raster(scratch, scale: 0.1) { c, _ in c < 5 ? 300 : 420 }
        let r = try heat([terrein("T", try rect(0, 0, 10, 10))], config)[0]
        XCTAssertEqual(r.heat!.meanPetC, 36.0, accuracy: 1e-9)
        XCTAssertEqual(r.heat?.extremeCells, 50)
        let shifted = try raster(scratch, offset: -273.15) { _, _ in 310.15 }
        XCTAssertEqual(try heat([terrein("T", try rect(0, 0, 10, 10))], shifted)[0].heat!.meanPetC, 37.0, accuracy: 1e-4)
    }

    func testATerreinTheRasterDoesNotReachIsNull() throws {
        let scratch = ScratchDir()
        let config = try raster(scratch) { _, _ in 40 }
        let r = try heat([terrein("T", try rect(100, 100, 110, 110))], config)[0]
        XCTAssertNil(r.heat)
        XCTAssertEqual(cells(r), [.null, .null, .null, .null])
    }

    /// An edge at a half-cell offset runs through a column of cell centres: that column is
    /// in (a centre on the boundary lies in the polygon), here on both sides.
    func testEdgeThroughCellCentresCountsThatColumn() throws {
        let scratch = ScratchDir()
        let config = try raster(scratch) { c, _ in Float(c) }
        let r = try heat([terrein("T", try rect(0.5, 0, 5.5, 10))], config)[0]
        XCTAssertEqual(r.heat?.cells, 60, "columns 0 to 5, with centres x = 0.5 and 5.5 on the edges")
        XCTAssertEqual(r.heat!.petSum, 10 * (0 + 1 + 2 + 3 + 4 + 5), accuracy: 1e-9)
        // A slanted edge through centres: the triangle (0.5, 0.5), (9.5, 0.5), (0.5, 9.5) holds
        // every centre with x + y ≤ 10, boundary included: 10 + 9 + … + 1 = 55.
        let tri = try Geometry.polygon(rings: [[0.5, 0.5, 9.5, 0.5, 0.5, 9.5, 0.5, 0.5]])
        XCTAssertEqual(try heat([terrein("T", tri)], config)[0].heat?.cells, 55)
    }

    /// Two terreinen in one region with 100 and 300 valid cells: the region's mean is
    /// weighted 1:3, its fractions are recomputed from the cell counts.
    func testRegionMeanIsCellWeighted() throws {
        let scratch = ScratchDir()
        let config = try raster(scratch, columns: 40, rows: 10) { c, _ in c < 10 ? 30 : 42 }
        let rs = try heat([terrein("A", try rect(0, 0, 10, 10), region: "R"),
                           terrein("B", try rect(10, 0, 40, 10), region: "R")], config)
        XCTAssertEqual(rs.map { $0.heat?.cells }, [100, 300])
        let table = IndicatorSchema(parameters: Parameters()).regionTable(rs)
        let row = Array(table.rows[0].suffix(4))
        XCTAssertEqual(Table.format(row[0], as: .real(decimals: 1)), "39.0", "(100 × 30 + 300 × 42) / 400")
        XCTAssertEqual(Table.format(row[1], as: .real(decimals: 4)), "0.7500")
        XCTAssertEqual(row[3], .text("high"))
    }

    func testThresholdsAndExposureFollowTheParameters() throws {
        let scratch = ScratchDir()
        let config = try raster(scratch) { c, _ in c < 3 ? 36 : 30 }  // 30 % of cells at 36 °C
        var p = Parameters()
        let r = try heat([terrein("T", try rect(0, 0, 10, 10))], config, parameters: p)[0]
        XCTAssertEqual(cells(r, p)[3], .text("medium"), "0.30 is between 0.25 and 0.50")
        p.heat.strongPetC = 37
        p.heat.extremePetC = 45
        let r2 = try heat([terrein("T", try rect(0, 0, 10, 10))], config, parameters: p)[0]
        XCTAssertEqual(cells(r2, p)[1], .real(0))
        XCTAssertEqual(cells(r2, p)[3], .text("low"))
        p = Parameters()
        p.heat.exposureFractions = [0.1, 0.2]
        let r3 = try heat([terrein("T", try rect(0, 0, 10, 10))], config, parameters: p)[0]
        XCTAssertEqual(cells(r3, p)[3], .text("high"))
    }

    func testWithoutAHeatLayerTheColumnsAreNull() throws {
        let r = try compute(terreinen: [terrein("T", try rect(0, 0, 10, 10))])[0]
        XCTAssertEqual(cells(r), [.null, .null, .null, .null])
    }

    func testRasterInAnotherCRSIsAnErrorWithAGdalwarpLine() throws {
        let scratch = ScratchDir()
        let config = try raster(scratch, crs: CRSIdentifier(authority: "EPSG", code: "3035")) { _, _ in 30 }
        XCTAssertThrowsError(try RasterLayer(config, workCRS: .rdNew)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("EPSG:3035") && text.contains("EPSG:28992"), text)
            XCTAssertTrue(text.contains("gdalwarp -t_srs EPSG:28992"), text)
        }
    }

    func testRasterWithoutCRSTakesTheWorkCRSAndABandItHasNot() throws {
        let scratch = ScratchDir()
        let config = try raster(scratch, crs: nil) { _, _ in 30 }
        XCTAssertNoThrow(try RasterLayer(config, workCRS: .rdNew))
        var other = config
        other.band = 2
        XCTAssertThrowsError(try RasterLayer(other, workCRS: .rdNew)) { error in
            XCTAssertTrue("\(error)".contains("no band 2"), "\(error)")
        }
        var notRaster = config
        notRaster.path = scratch.write("not-a-raster.tif", "hello")
        XCTAssertThrowsError(try RasterLayer(notRaster, workCRS: .rdNew)) { error in
            XCTAssertTrue("\(error)".contains("GDAL cannot open it as a raster"), "\(error)")
        }
    }

    /// `terrein inspect` describes a raster: size, cell size, CRS, band, value range.
    func testInspectDescribesTheSampleHeatRaster() throws {
        let (status, out, err) = try runCLI(["inspect", repoRoot + "/SampleGIS/heat.tif"])
        XCTAssertEqual(status, 0, err)
        for line in ["raster: 416 × 436 cells, 1 band(s)", "cell size: 10.0 × 10.0 (north-up)", "crs: EPSG:28992",
                     "band 1: Float32, nodata -9999.0", "valid values: 23.3 to 42.9"] {
            XCTAssertTrue(out.contains(line), "\(line) in:\n\(out)")
        }
        let scratch = ScratchDir()
        let bad = scratch.write("broken.tif", "not a tiff")
        let (s2, _, e2) = try runCLI(["inspect", bad])
        XCTAssertEqual(s2, 3, e2)
        XCTAssertTrue(e2.contains("GDAL cannot open it as a raster"), e2)
    }

    /// The mask agrees with GEOS point by point on seeded star-shaped polygons whose
    /// vertices often sit exactly on cell centres or half-way between them (the hard cases:
    /// vertices on a row of centres, edges through centres, horizontal edges on a row).
    func testMaskAgreesWithGEOSOnPolygonsThroughCellCentres() throws {
        var state: UInt64 = 0x9E37_79B9
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        let grid = CellGrid(originX: 0, originY: 40, cellWidth: 1, cellHeight: -1, columns: 40, rows: 40)
        for _ in 0..<25 {
            var ring: [Double] = []
            let n = 5 + Int(next() % 8)
            for k in 0..<n {
                let angle = 2 * Double.pi * Double(k) / Double(n)
                let radius = 6 + Double(next() % 24) / 2            // whole or half metres
                let x = (20 + radius * cos(angle) * 2).rounded() / 2, y = (20 + radius * sin(angle) * 2).rounded() / 2
                ring += [x, y]
            }
            ring += [ring[0], ring[1]]
            let g = try Geometry.polygon(rings: [ring])
            guard try g.isValid else { continue }
            let prepared = try PreparedGeometry(g)
            let mask = try CellCentres.mask(of: g, prepared: prepared, grid: grid, column: 0, row: 0, width: 40, height: 40)
            for r in 0..<40 { for c in 0..<40 {
                let expected = try prepared.intersects(try Geometry.point(x: grid.centreX(c), y: grid.centreY(r)))
                XCTAssertEqual(mask[r * 40 + c], expected, "cell \(c), \(r) of \(ring)")
            } }
        }
    }

    /// A raster with rotation terms, or without georeferencing, is an error that says what to run.
    func testRotatedOrUngeoreferencedRasterIsAnError() throws {
        let scratch = ScratchDir()
        for (name, gt, expected) in [("rotated", [0, 1, 0.2, 10, 0, -1] as [Double]?, "rotation terms"),
                                     ("plain", nil, "no georeferencing")] {
            let path = scratch.path + "/\(name).tif"
            try GeoTIFFWriter.write(path: path, width: 10, height: 10, geoTransform: gt, crs: .rdNew,
                                    values: [Float](repeating: 30, count: 100), nodata: nil)
            let config = RasterLayerConfig(kind: .heat, path: path, declaredPath: path)
            XCTAssertThrowsError(try RasterLayer(config, workCRS: .rdNew), name) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
    }

    /// The cell-centre mask agrees with GEOS point by point on an irregular polygon with a hole.
    func testMaskAgreesWithGEOSPointByPoint() throws {
        let g = try Geometry.polygon(rings: [[0.3, 0.2, 9.1, 1.7, 8.4, 9.6, 2.5, 6.5, 0.3, 0.2],
                                             [4.5, 3.5, 6.5, 3.5, 5.5, 5.5, 4.5, 3.5]])
        let prepared = try PreparedGeometry(g)
        let grid = CellGrid(originX: 0, originY: 10, cellWidth: 1, cellHeight: -1, columns: 10, rows: 10)
        let mask = try CellCentres.mask(of: g, prepared: prepared, grid: grid, column: 0, row: 0, width: 10, height: 10)
        for r in 0..<10 { for c in 0..<10 {
            let expected = try prepared.intersects(try Geometry.point(x: grid.centreX(c), y: grid.centreY(r)))
            XCTAssertEqual(mask[r * 10 + c], expected, "cell \(c), \(r)")
        } }
    }
}
