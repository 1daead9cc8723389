import TerreinIO

/// The terrein's own columns: id, name, region and area (docs/indicators.md, "Per terrein"),
/// and the region table's member count.
public struct TerreinBasics: IndicatorFamily {
    public typealias Detail = TerreinArea
    public init() {}
    public var name: String { "terrein" }

    public func columns(_ p: Parameters) -> [ColumnSchema] {
        let f = name
        return [
            ColumnSchema("id", family: f, kind: .text,
                         label: .init(nl: "Id", en: "Id"),
                         description: .init(nl: "Id van het terrein, zoals in de bron (nooit aangepast).",
                                            en: "The terrein's id, as in the source (never altered)."),
                         region: .none, role: .identifier),
            ColumnSchema("name", family: f, kind: .text, formulaGuard: true,
                         label: .init(nl: "Naam", en: "Name"),
                         description: .init(nl: "Naam van het terrein.", en: "The terrein's name."),
                         region: .none, role: .label),
            ColumnSchema("region", family: f, kind: .text, formulaGuard: true,
                         label: .init(nl: "Regio", en: "Region"),
                         description: .init(nl: "Regio van het terrein (bijv. gemeente); leeg: geen regio.",
                                            en: "The terrein's region (e.g. municipality); empty: none."),
                         region: .key, role: .grouping),
            ColumnSchema("terreinen", family: f, kind: .count,
                         label: .init(nl: "Terreinen", en: "Business parks"),
                         description: .init(nl: "Aantal terreinen in de regio.", en: "Number of terreinen in the region."),
                         region: .memberCount),
            ColumnSchema("area_m2", family: f, kind: .number(decimals: 2), unit: "m²",
                         label: .init(nl: "Oppervlakte (m²)", en: "Area (m²)"),
                         description: .init(nl: "Oppervlakte van het terrein.", en: "Area of the terrein."),
                         region: .sum),
        ]
    }

    public func compute(_ t: TerreinContext) throws -> FamilyOutput {
        FamilyOutput(cells: [.text(t.terrein.id), optionalCell(t.terrein.name), optionalCell(t.terrein.region),
                             .null, .real(t.area)],
                     detail: TerreinArea(m2: t.area))
    }
}

/// The basics family's detail: area(T).
public struct TerreinArea: Codable, Sendable, Equatable { var m2: Double }

extension TerreinResult {
    /// area(T), m².
    public var areaM2: Double { detail(TerreinArea.self)?.m2 ?? 0 }
}
