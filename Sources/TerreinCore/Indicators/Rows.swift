import Foundation
import TerreinGeometry
import TerreinIO

/// Everything computed for one terrein.
public struct TerreinResult: Sendable {
    public var id: String
    public var name: String?
    public var region: String?
    public var areaM2: Double
    public var solar: SolarResult
    public var nature: NatureResult?
    public var paved: PavedResult
    public var water: WaterResult
    /// CPU seconds spent per family on this terrein (for the manifest's profile).
    public var cpuSeconds = FamilyTimes()
}

/// CPU time per indicator family, summed over terreinen (so over all threads).
public struct FamilyTimes: Sendable {
    public var solar = 0.0, nature = 0.0, paved = 0.0, water = 0.0
    public init() {}
    public static func + (a: FamilyTimes, b: FamilyTimes) -> FamilyTimes {
        var r = a
        r.solar += b.solar; r.nature += b.nature; r.paved += b.paved; r.water += b.water
        return r
    }
}

/// CPU time of the calling thread, in seconds.
func threadCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Builds the rows of indicators.csv and regions.csv in one place.
public enum IndicatorTables {
    /// From `n2k_overlap_m2` to the end, the same in both tables.
    static let overlapToStorageColumns: [Column] = [
        Column("n2k_overlap_m2", .real(decimals: 2)), Column("sealed_m2", .real(decimals: 2)),
        Column("green_m2", .real(decimals: 2)), Column("water_m2", .real(decimals: 2)),
        Column("paved_fraction", .real(decimals: 4)), Column("green_fraction", .real(decimals: 4)),
        Column("water_fraction", .real(decimals: 4)), Column("inundation_m2", .real(decimals: 2)),
        Column("deep_inundation_m2", .real(decimals: 2)), Column("inundation_fraction", .real(decimals: 4)),
        Column("deep_inundation_fraction", .real(decimals: 4)), Column("buildings_exposed", .integer),
        Column("water_exposure", .text), Column("runoff_m3", .real(decimals: 2)),
        Column("storage_required_m3", .real(decimals: 2)),
    ]

    public static func indicatorColumns(bands: [Int]) -> [Column] {
        var c: [Column] = [
            Column("id", .text), Column("name", .text), Column("region", .text),
            Column("area_m2", .real(decimals: 2)), Column("roof_faces", .integer),
            Column("roof_area_m2", .real(decimals: 2)), Column("roof_surface_m2", .real(decimals: 2)),
            Column("solar_suitable_m2", .real(decimals: 2)), Column("solar_kwp", .real(decimals: 2)),
            Column("solar_mwh_yr", .real(decimals: 2)), Column("roof_coverage", .real(decimals: 4)),
            Column("n2k_distance_m", .real(decimals: 1)), Column("n2k_nearest", .text),
        ]
        c += bands.map { Column("n2k_within_\($0)m", .boolean) }
        return c + overlapToStorageColumns
    }

    public static func regionColumns(bands: [Int]) -> [Column] {
        var c: [Column] = [
            Column("region", .text), Column("terreinen", .integer),
            Column("area_m2", .real(decimals: 2)), Column("roof_faces", .integer),
            Column("roof_area_m2", .real(decimals: 2)), Column("roof_surface_m2", .real(decimals: 2)),
            Column("solar_suitable_m2", .real(decimals: 2)), Column("solar_kwp", .real(decimals: 2)),
            Column("solar_mwh_yr", .real(decimals: 2)), Column("roof_coverage", .real(decimals: 4)),
            Column("n2k_distance_m", .real(decimals: 1)),
        ]
        c += bands.map { Column("n2k_within_\($0)m", .integer) }
        return c + overlapToStorageColumns
    }

    static func ratio(_ a: Double?, _ area: Double) -> Cell {
        guard let a else { return .null }
        return .real(area > 0 ? a / area : 0)
    }

    static func opt(_ v: Double?) -> Cell { v.map(Cell.real) ?? .null }

    /// One row per terrein; `results` must already be sorted by id.
    public static func indicators(_ results: [TerreinResult], bands: [Int]) -> Table {
        var table = Table(columns: indicatorColumns(bands: bands))
        for r in results {
            var row: [Cell] = [.text(r.id), r.name.map(Cell.text) ?? .null, r.region.map(Cell.text) ?? .null,
                               .real(r.areaM2), .integer(r.solar.roofFaces), .real(r.solar.roofAreaM2),
                               .real(r.solar.roofSurfaceM2), .real(r.solar.suitableM2), .real(r.solar.kwp),
                               .real(r.solar.mwhPerYear), ratio(r.solar.roofAreaM2, r.areaM2)]
            if let n = r.nature {
                row.append(.real(n.distanceM))
                row.append(n.nearest.map(Cell.text) ?? .null)
                row += bands.map { .boolean(n.distanceM <= Double($0)) }
                row.append(.real(n.overlapM2))
            } else {
                row += [.null, .null] + bands.map { _ in Cell.null } + [.null]
            }
            row += [.real(r.paved.sealedM2), opt(r.paved.greenM2), opt(r.paved.waterM2),
                    ratio(r.paved.sealedM2, r.areaM2), ratio(r.paved.greenM2, r.areaM2), ratio(r.paved.waterM2, r.areaM2),
                    opt(r.water.inundationM2), opt(r.water.deepInundationM2),
                    ratio(r.water.inundationM2, r.areaM2), ratio(r.water.deepInundationM2, r.areaM2),
                    r.water.buildingsExposed.map(Cell.integer) ?? .null,
                    r.water.inundationM2.map { .text(WaterExposure(inundationFraction: r.areaM2 > 0 ? $0 / r.areaM2 : 0).rawValue) } ?? .null,
                    .real(r.water.runoffM3), .real(r.water.storageRequiredM3)]
            table.rows.append(row)
        }
        return table
    }

    /// One row per region, sorted by region as UTF-8 bytes; sums taken in id order.
    public static func regions(_ results: [TerreinResult], bands: [Int]) -> Table {
        var groups: [String: [TerreinResult]] = [:]
        for r in results { groups[r.region ?? "", default: []].append(r) }
        let names = groups.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var table = Table(columns: regionColumns(bands: bands))
        for name in names {
            let members = groups[name]!  // already in id order
            func sum(_ f: (TerreinResult) -> Double) -> Double { members.reduce(0) { $0 + f($1) } }
            /// Sum over the members with a value; null when no member has one.
            func sumOpt(_ f: (TerreinResult) -> Double?) -> Double? {
                let values = members.compactMap(f)
                return values.isEmpty ? nil : values.reduce(0, +)
            }
            let area = sum(\.areaM2)
            let roofArea = sum(\.solar.roofAreaM2)
            let natures = members.compactMap(\.nature)
            let sealed = sum(\.paved.sealedM2)
            let green = sumOpt(\.paved.greenM2)
            let water = sumOpt(\.paved.waterM2)
            let inundation = sumOpt(\.water.inundationM2)
            let deep = sumOpt(\.water.deepInundationM2)
            let exposed = members.compactMap(\.water.buildingsExposed)
            var row: [Cell] = [.text(name), .integer(members.count), .real(area),
                               .integer(members.reduce(0) { $0 + $1.solar.roofFaces }),
                               .real(roofArea), .real(sum(\.solar.roofSurfaceM2)), .real(sum(\.solar.suitableM2)),
                               .real(sum(\.solar.kwp)), .real(sum(\.solar.mwhPerYear)), ratio(roofArea, area)]
            if natures.isEmpty {
                row += [.null] + bands.map { _ in Cell.null } + [.null]
            } else {
                row.append(.real(natures.map(\.distanceM).min()!))
                row += bands.map { b in .integer(natures.filter { $0.distanceM <= Double(b) }.count) }
                row.append(.real(natures.reduce(0) { $0 + $1.overlapM2 }))
            }
            row += [.real(sealed), opt(green), opt(water),
                    ratio(sealed, area), ratio(green, area), ratio(water, area),
                    opt(inundation), opt(deep), ratio(inundation, area), ratio(deep, area),
                    exposed.isEmpty ? .null : .integer(exposed.reduce(0, +)),
                    inundation.map { .text(WaterExposure(inundationFraction: area > 0 ? $0 / area : 0).rawValue) } ?? .null,
                    .real(sum(\.water.runoffM3)), .real(sum(\.water.storageRequiredM3))]
            table.rows.append(row)
        }
        return table
    }
}
