import Foundation
import TerreinGeometry
import XCTest
@testable import TerreinIO
import TerreinCore

/// A small run in RD New: three terreinen (one with a hole and a clockwise shell, one
/// MultiPolygon), two regions and one Natura 2000 site.
enum Fixtures {
    static let hostileName = "<script>alert(1)</script> & \"quoted\" 'single'"

    /// The schema of Terrein's families, as a real run attaches it to its columns.
    static let catalog = IndicatorFamilies.catalog()
    static func col(_ name: String, _ kind: ColumnKind) -> Column { Column(name, kind, schema: catalog.schema(name)) }
    static func regionCol(_ name: String, _ kind: ColumnKind) -> Column {
        Column(name, kind, schema: catalog.schema(name))
    }

    static let columns: [Column] = [
        col("id", .text), col("name", .text), col("region", .text),
        col("area_m2", .real(decimals: 2)), col("roof_faces", .integer),
        col("solar_mwh_yr", .real(decimals: 2)), col("n2k_distance_m", .real(decimals: 1)),
        col("n2k_within_500m", .boolean), col("sealed_m2", .real(decimals: 2)),
        col("paved_fraction", .real(decimals: 4)), col("inundation_m2", .real(decimals: 2)),
        col("inundation_fraction", .real(decimals: 4)), col("water_exposure", .text),
    ]

    static func artifacts() throws -> RunArtifacts {
        // T1: counter-clockwise shell 200 x 100 m with a 20 x 20 m hole (given counter-clockwise too).
        let t1 = try Geometry.polygon(rings: [
            [155000, 463000, 155200, 463000, 155200, 463100, 155000, 463100, 155000, 463000],
            [155050, 463040, 155070, 463040, 155070, 463060, 155050, 463060, 155050, 463040],
        ])
        // T2: clockwise shell.
        let t2 = try Geometry.polygon(rings: [
            [156000.123456, 464000.987654, 156000.5, 464300.25, 156400.75, 464300.5, 156400, 464000, 156000.123456, 464000.987654],
        ])
        // T3: a MultiPolygon of two squares.
        let t3 = try Geometry.fromWKT("MULTIPOLYGON (((157000 462000, 157100 462000, 157100 462100, 157000 462100, 157000 462000)), ((157300 462000, 157350 462000, 157350 462050, 157300 462050, 157300 462000)))")
        let rows: [[Cell]] = [
            [.text("T1"), .text(hostileName), .text("Ede"), .real(19600.004999), .integer(12), .real(831.3849),
             .real(0), .boolean(true), .real(5000.555), .real(0.255128), .real(1200.1), .real(0.0612244), .text("medium")],
            [.text("T2"), .text("=SUM(A1)"), .text(""), .real(120000.5), .integer(0), .real(0),
             .real(812.349), .boolean(false), .real(0), .real(0), .null, .null, .null],
            [.text("T3"), .text("Park, \"Oost\""), .text("Ede"), .real(12500), .integer(3), .real(-0.0001),
             .real(1500.04), .boolean(false), .real(9000), .real(0.72), .real(0), .real(0), .text("low")],
        ]
        let indicators = Table(columns: columns, rows: rows)
        let regions = Table(columns: [regionCol("region", .text), regionCol("terreinen", .integer), regionCol("area_m2", .real(decimals: 2)),
                                      regionCol("solar_mwh_yr", .real(decimals: 2)), regionCol("paved_fraction", .real(decimals: 4)),
                                      regionCol("n2k_within_500m", .integer)],
                            rows: [[.text(""), .integer(1), .real(120000.5), .real(0), .real(0), .integer(0)],
                                   [.text("Ede"), .integer(2), .real(32100.004999), .real(831.3849), .real(0.43642), .integer(1)]])
        let site = try Geometry.polygon(rings: [[154000, 462500, 155100, 462500, 155100, 463050, 154000, 463050, 154000, 462500]])
        return RunArtifacts(pipelineName: "Test <Run> & co", indicators: indicators, regions: regions,
                            terreinGeometries: [t1, t2, t3], natura2000Display: [(name: "Veluwe <N2K>", geometry: site)],
                            workCRS: .rdNew)
    }

}

extension XCTestCase {
    /// A fresh directory for one test, removed when the test ends.
    func temporaryDirectory(_ name: String = #function) throws -> String {
        let base = NSTemporaryDirectory() + "terrein-output-tests-\(getpid())-" + name.filter { $0.isLetter || $0.isNumber }
        try? FileManager.default.removeItem(atPath: base)
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: base) }
        return base
    }
}
