import Foundation
import XCTest
import TerreinGDAL
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO

/// The water family on an inundation raster (docs/indicators.md, "Water nuisance", raster
/// form, and "Rasters"), on hand-built depth grids whose answers are known exactly. Grids
/// are 1 m cells in RD New with the corner at (0, 10) unless a test says otherwise: cell
/// (column c, row r) is the square [c, c + 1] × [9 − r, 10 − r], centre (c + 0.5, 9.5 − r).
final class WaterRasterTests: XCTestCase {
    /// A `columns × rows` depth GeoTIFF, north-up unless `southUp`, depth by column and row.
    func depthRaster(_ scratch: ScratchDir, columns: Int = 10, rows: Int = 10, cell: Double = 1, nodata: Double? = -9999,
                     crs: CRSIdentifier? = .rdNew, scale: Double = 1, offset: Double = 0, southUp: Bool = false,
                     name: String? = nil, depth: (Int, Int) -> Float) throws -> RasterLayerConfig {
        let path = scratch.path + "/" + (name ?? "depth-\(UUID().uuidString).tif")
        var values: [Float] = []
        for r in 0..<rows { for c in 0..<columns { values.append(depth(c, r)) } }
        let gt: [Double] = southUp ? [0, cell, 0, 0, 0, cell] : [0, cell, 0, Double(rows) * cell, 0, -cell]
        try GeoTIFFWriter.write(path: path, width: columns, height: rows, geoTransform: gt,
                                crs: crs, values: values, nodata: nodata, scale: scale, offset: offset)
        return RasterLayerConfig(kind: .inundation, path: path, declaredPath: path)
    }

    func water(_ terreinen: [Terrein], _ config: RasterLayerConfig, roofs: [RoofFace] = [],
               parameters: Parameters = Parameters()) throws -> [TerreinResult] {
        try compute(terreinen: terreinen, roofs: roofs, inundationRaster: config, parameters: parameters)
    }

    /// The formatted values of the named columns of the indicators table.
    func columns(_ r: TerreinResult, _ names: [String] = ["inundation_m2", "deep_inundation_m2", "inundation_fraction",
                                                           "deep_inundation_fraction", "buildings_exposed", "water_exposure"])
        -> [String] {
        let table = IndicatorSchema(parameters: Parameters()).indicatorTable([r])
        return names.map { name in
            let i = table.columnIndex(name)!
            return Table.format(table.rows[0][i], as: table.columns[i].kind)
        }
    }

    /// Columns 0–2 at 0.50 m (deep), 3–5 at 0.20 m (flooded), 6–9 at 0.05 m (dry): 60 m² and 30 m².
    func testFloodAndDeepCellsUnderASquareTerrein() throws {
        let scratch = ScratchDir()
        let config = try depthRaster(scratch) { c, _ in c < 3 ? 0.5 : (c < 6 ? 0.2 : 0.05) }
        let r = try water([terrein("T", try rect(0, 0, 10, 10))], config)[0]
        XCTAssertEqual(columns(r), ["60.00", "30.00", "0.6000", "0.3000", "0", "high"])
        XCTAssertEqual(r.water.rasterCoverage, RasterCoverage(validCells: 100, coveredInPart: false))
    }

    /// 10 m cells: a 25 × 25 m terrein from (10, 10) holds the centres x, y = 15, 25, 35 on
    /// its boundary and inside: 3 × 3 cells of 100 m², not clipped (900 m² of a 625 m² terrein).
    func testTenMetreCellsAreCountedWholeNotClipped() throws {
        let scratch = ScratchDir()
        let config = try depthRaster(scratch, columns: 6, rows: 6, cell: 10) { c, r in r == 2 ? 0.4 : 0.15 }
        let r = try water([terrein("T", try rect(10, 10, 35, 35))], config)[0]
        // Centres x = 15, 25, 35 (columns 1–3) and y = 35, 25, 15 (rows 2–4); row 2 is deep.
        XCTAssertEqual(columns(r), ["900.00", "300.00", "1.4400", "0.4800", "0", "high"])
    }

    /// An edge at a half-cell offset runs through a column of centres: that column counts.
    func testACellCentreOnTheBoundaryCounts() throws {
        let scratch = ScratchDir()
        let config = try depthRaster(scratch) { _, _ in 0.2 }
        let r = try water([terrein("T", try rect(0.5, 0, 5.5, 10))], config)[0]
        XCTAssertEqual(columns(r).prefix(3), ["60.00", "0.00", "1.2000"], "columns 0–5: the fraction may exceed 1")
    }

    /// Nodata (column 0), NaN (column 1) and infinite cells (column 2, row 0) are invalid:
    /// neither flooded nor dry; only the rest count, and they are all flooded.
    func testNodataNaNAndInfiniteCellsAreIgnored() throws {
        let scratch = ScratchDir()
        let config = try depthRaster(scratch) { c, r in
            c == 0 ? -9999 : (c == 1 ? .nan : (c == 2 && r == 0 ? .infinity : 0.35))
        }
        let r = try water([terrein("T", try rect(0, 0, 10, 10))], config)[0]
        XCTAssertEqual(columns(r).prefix(4), ["79.00", "79.00", "0.7900", "0.7900"])
        XCTAssertEqual(r.water.rasterCoverage?.validCells, 79)
    }

    /// Cells masked by the band's mask (a per-dataset mask band in a VRT) are invalid.
    func testMaskedCellsAreIgnored() throws {
        let scratch = ScratchDir()
        _ = try depthRaster(scratch, nodata: nil, name: "depth.tif") { _, _ in 0.5 }
        _ = try depthRaster(scratch, nodata: nil, name: "mask.tif") { c, _ in c < 4 ? 0 : 255 }
        let vrt = scratch.write("masked.vrt", """
            <VRTDataset rasterXSize="10" rasterYSize="10">
              <SRS>EPSG:28992</SRS>
              <GeoTransform>0, 1, 0, 10, 0, -1</GeoTransform>
              <VRTRasterBand dataType="Float32" band="1">
                <SimpleSource><SourceFilename relativeToVRT="1">depth.tif</SourceFilename><SourceBand>1</SourceBand></SimpleSource>
              </VRTRasterBand>
              <MaskBand>
                <VRTRasterBand dataType="Byte">
                  <SimpleSource><SourceFilename relativeToVRT="1">mask.tif</SourceFilename><SourceBand>1</SourceBand></SimpleSource>
                </VRTRasterBand>
              </MaskBand>
            </VRTDataset>
            """)
        let config = RasterLayerConfig(kind: .inundation, path: vrt, declaredPath: vrt)
        XCTAssertTrue(try RasterLayer(config, workCRS: .rdNew).info.hasMask)
        let r = try water([terrein("T", try rect(0, 0, 10, 10))], config)[0]
        XCTAssertEqual(columns(r).prefix(2), ["60.00", "60.00"], "columns 0–3 are masked")
    }

    /// Stored 5, 10, 30, 40 with scale 0.01: 0.05, 0.10, 0.30, 0.40 m, the thresholds
    /// reached exactly (≥); an offset shifts the stored value the same way.
    func testScaleAndOffsetAreAppliedAndThresholdsAreInclusive() throws {
        let scratch = ScratchDir()
        let scaled = try depthRaster(scratch, scale: 0.01) { c, _ in [5, 10, 30, 40, 5, 5, 5, 5, 5, 5][c] }
        let r = try water([terrein("T", try rect(0, 0, 10, 10))], scaled)[0]
        XCTAssertEqual(columns(r).prefix(2), ["30.00", "20.00"], "0.10, 0.30 and 0.40 flood; 0.30 and 0.40 are deep")
        let shifted = try depthRaster(scratch, offset: -1) { c, _ in c < 2 ? 1.5 : 1.0 }
        XCTAssertEqual(columns(try water([terrein("T", try rect(0, 0, 10, 10))], shifted)[0]).prefix(2), ["20.00", "20.00"])
    }

    /// A south-up raster (positive pixel height): row 0 is the southern row.
    func testSouthUpRaster() throws {
        let scratch = ScratchDir()
        let config = try depthRaster(scratch, southUp: true) { _, r in r < 4 ? 0.5 : 0 }
        let southern = try roof(try rect(1, 1, 3, 3), building: "S"), northern = try roof(try rect(1, 7, 3, 9), building: "N")
        let r = try water([terrein("T", try rect(0, 0, 10, 10))], config, roofs: [southern, northern])[0]
        XCTAssertEqual(columns(r), ["40.00", "40.00", "0.4000", "0.4000", "1", "high"], "the rows y < 4 are flooded, under S")
    }

    /// Columns 0–2 (x < 3) flooded. A face touching them only along x = 3 is not exposed; a
    /// face overlapping them by 0.5 m² is; two faces of one building count once; faces
    /// without a building id count on their own.
    func testBuildingsExposed() throws {
        let scratch = ScratchDir()
        let config = try depthRaster(scratch) { c, _ in c < 3 ? 0.5 : 0 }
        let faces = [try roof(try rect(3, 1, 5, 2), building: "edge", index: 0),
                     try roof(try rect(2.5, 3, 3.5, 4), building: "half", index: 1),
                     try roof(try rect(0, 5, 1, 6), building: "two", index: 2),
                     try roof(try rect(1, 5, 2, 6), building: "two", index: 3),
                     try roof(try rect(0, 7, 1, 8), building: nil, index: 4),
                     try roof(try rect(0, 8, 1, 9), building: nil, index: 5),
                     try roof(try rect(5, 5, 9, 9), building: "dry", index: 6)]
        let r = try water([terrein("T", try rect(0, 0, 10, 10))], config, roofs: faces)[0]
        XCTAssertEqual(r.water.buildingsExposed, 4, "half, two, and the two faces without an id")
        // Only the edge face: not exposed.
        XCTAssertEqual(try water([terrein("T", try rect(0, 0, 10, 10))], config, roofs: [faces[0]])[0].water.buildingsExposed, 0)
        // The face is clipped to T first: a face over flooded cells outside T is not exposed in T.
        let outside = try roof(try rect(0, 1, 4, 2), building: "clipped")
        XCTAssertEqual(try water([terrein("T", try rect(3, 0, 10, 10))], config, roofs: [outside])[0].water.buildingsExposed, 0)
    }

    /// No valid cell lies in T: the inundation columns, buildings_exposed and water_exposure
    /// are null (a terrein beyond the raster, or one over nodata only); runoff stays.
    func testATerreinWithoutAValidCellIsNull() throws {
        let scratch = ScratchDir()
        let config = try depthRaster(scratch, columns: 20) { c, _ in c < 10 ? 0.5 : -9999 }
        let rs = try water([terrein("A", try rect(100, 100, 110, 110)), terrein("B", try rect(10, 0, 20, 10))], config)
        for r in rs {
            XCTAssertEqual(columns(r), ["", "", "", "", "", ""], r.id)
            XCTAssertEqual(columns(r, ["runoff_m3"]), ["1.40"], "70 mm × 0.2 × 100 m²")
            XCTAssertEqual(r.water.rasterCoverage?.validCells, 0)
        }
    }

    /// A terrein half beyond the raster's east edge: its cells inside count, and it is
    /// covered in part; one wholly inside is not.
    func testPartialCoverage() throws {
        let scratch = ScratchDir()
        let config = try depthRaster(scratch) { _, _ in 0.2 }
        let rs = try water([terrein("in", try rect(0, 0, 10, 10)), terrein("part", try rect(5, 0, 15, 10))], config)
        XCTAssertEqual(rs.map { $0.water.rasterCoverage?.coveredInPart }, [false, true])
        XCTAssertEqual(columns(rs[1]).prefix(3), ["50.00", "0.00", "0.5000"])
    }

    /// A region sums the cell areas and recomputes its fractions.
    func testRegionSums() throws {
        let scratch = ScratchDir()
        let config = try depthRaster(scratch, columns: 20) { c, _ in c < 5 ? 0.5 : 0 }
        let rs = try water([terrein("A", try rect(0, 0, 10, 10), region: "R"), terrein("B", try rect(10, 0, 20, 10), region: "R")], config)
        let table = IndicatorSchema(parameters: Parameters()).regionTable(rs)
        XCTAssertEqual(Table.format(table.rows[0][table.columnIndex("inundation_m2")!], as: .real(decimals: 2)), "50.00")
        XCTAssertEqual(Table.format(table.rows[0][table.columnIndex("inundation_fraction")!], as: .real(decimals: 4)), "0.2500")
        XCTAssertEqual(table.rows[0][table.columnIndex("water_exposure")!], .text("high"))
    }

    /// The same bytes whatever the thread count.
    func testDeterministicAcrossThreads() throws {
        let scratch = ScratchDir()
        let config = try depthRaster(scratch, columns: 60, rows: 60) { c, r in Float((c * 7 + r * 13) % 50) / 100 }
        var ts: [Terrein] = [], faces: [RoofFace] = []
        for k in 0..<12 {
            let x = Double(k % 4) * 15 + 0.3, y = Double(k / 4) * 18 + 0.7
            ts.append(terrein("T\(k)", try rect(x, y, x + 14.2, y + 16.6), index: k))
            faces.append(try roof(try rect(x + 1.25, y + 1.5, x + 6.75, y + 4.25), building: "b\(k % 5)", index: k))
        }
        func csv(_ threads: Int) throws -> [[String]] {
            var layers = LoadedLayers()
            layers.terreinen = ts
            layers.roofs = faces
            layers.rasters[.inundation] = try RasterLayer(config, workCRS: .rdNew)
            let results = try Runner.compute(try IndexedLayers(layers), parameters: Parameters(), threads: threads)
            let table = IndicatorSchema(parameters: Parameters()).indicatorTable(results)
            return table.rows.map { row in zip(row, table.columns).map { Table.format($0, as: $1.kind) } }
        }
        XCTAssertEqual(try csv(1), try csv(3))
    }

    /// A whole run: the pipeline takes a raster inundation layer by its extension, the
    /// manifest describes it and counts the terreinen without valid cells and those covered
    /// in part, for the heat raster as well.
    func testRunWithAnInundationRasterCountsCoverageInTheManifest() throws {
        let scratch = ScratchDir()
        let x0 = 100_000.0, y0 = 450_000.0
        // 10 × 10 cells of 10 m from (x0, y0): T1 inside, T2 half beyond the east edge, T3 beyond.
        for name in ["depth.tif", "heat.tif"] {
            let path = scratch.path + "/" + name
            try GeoTIFFWriter.write(path: path, width: 10, height: 10, geoTransform: [x0, 10, 0, y0 + 100, 0, -10], crs: .rdNew,
                                    values: (0..<100).map { name == "heat.tif" ? 36 : ($0 % 10 < 5 ? 0.25 : 0) }, nodata: -9999)
        }
        _ = scratch.write("terreinen.geojson", rdCollection([
            polygonFeature(#""id":"T1""#, x0, y0, x0 + 50, y0 + 50),
            polygonFeature(#""id":"T2""#, x0 + 60, y0, x0 + 140, y0 + 50),
            polygonFeature(#""id":"T3""#, x0 + 300, y0, x0 + 350, y0 + 50)]))
        _ = scratch.write("roofs.geojson", rdCollection([polygonFeature(#""building_id":"B""#, x0 + 10, y0 + 10, x0 + 20, y0 + 20)]))
        let yml = scratch.write("p.yml", """
            name: rasterflood
            layers:
              terreinen: {path: terreinen.geojson}
              roofs: {path: roofs.geojson}
              inundation: {path: depth.tif}
              heat: {path: heat.tif}
            outputs: {directory: out, formats: [csv]}
            """)
        let (status, _, err) = try runCLI(["run", yml, "--quiet"])
        XCTAssertEqual(status, 0, err)
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path + "/out/manifest.json"))) as? [String: Any])
        let rasters = try XCTUnwrap(manifest["raster_inputs"] as? [[String: Any]])
        XCTAssertEqual(rasters.map { $0["layer"] as? String }, ["inundation", "heat"])
        for r in rasters {
            XCTAssertEqual(r["terreinen_without_valid_cells"] as? Int, 1, "T3")
            XCTAssertEqual(r["terreinen_covered_in_part"] as? Int, 1, "T2")
        }
        let csv = try String(contentsOfFile: scratch.path + "/out/indicators.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        func value(_ row: Int, _ name: String) -> String { lines[row][header.firstIndex(of: name)!] }
        XCTAssertEqual([value(1, "inundation_m2"), value(1, "buildings_exposed"), value(1, "water_exposure")], ["2500.00", "1", "high"])
        XCTAssertEqual([value(2, "inundation_m2"), value(2, "inundation_fraction")], ["0.00", "0.0000"], "T2's cells inside are dry")
        XCTAssertEqual([value(3, "inundation_m2"), value(3, "buildings_exposed"), value(3, "water_exposure")], ["", "", ""])
    }
}
