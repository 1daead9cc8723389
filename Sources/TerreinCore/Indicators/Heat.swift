import TerreinGeometry
import TerreinIO

/// Heat stress figures of one terrein (docs/indicators.md, "Heat stress"): over the valid
/// cells of the heat raster whose centre lies in T.
public struct HeatResult: Equatable, Sendable, Codable {
    /// N, the valid cells lying in T.
    public var cells: Int
    /// Σ PET over those cells, unrounded.
    public var petSum: Double
    public var strongCells: Int
    public var extremeCells: Int
    /// How the raster covered the terrein (the manifest counts it).
    public var coverage = RasterCoverage(validCells: 0, coveredInPart: false)

    public var meanPetC: Double { petSum / Double(cells) }
    public var strongFraction: Double { Double(strongCells) / Double(cells) }
    public var extremeFraction: Double { Double(extremeCells) / Double(cells) }
}

public enum Heat {
    /// Counts the cells: p ≥ strong_pet_c is strong, p ≥ extreme_pet_c extreme (values
    /// compared unrounded, as doubles).
    static func compute(values: [Double], _ p: HeatParameters) -> HeatResult {
        var r = HeatResult(cells: values.count, petSum: 0, strongCells: 0, extremeCells: 0)
        for v in values {
            r.petSum += v
            if v >= p.strongPetC { r.strongCells += 1 }
            if v >= p.extremePetC { r.extremeCells += 1 }
        }
        return r
    }

    /// `heat_exposure` by the strong fraction.
    static func exposureScale(_ p: HeatParameters) -> ClassScale {
        ClassScale(thresholds: p.exposureFractions, labels: ["low", "medium", "high"])
    }
}

/// The heat family: one window read and one cell-centre mask per terrein.
public struct HeatFamily: IndicatorFamily {
    public typealias Detail = HeatResult
    public init() {}
    public var name: String { "heat" }

    public func columns(_ p: Parameters) -> [ColumnSchema] {
        let f = name
        let scale = Heat.exposureScale(p.heat)
        func fraction(_ n: String, cells: String, _ nl: String, _ en: String, _ dnl: String, _ den: String) -> ColumnSchema {
            ColumnSchema(n, family: f, kind: .number(decimals: 4), label: .init(nl: nl, en: en),
                         description: .init(nl: dnl, en: den), region: .ratio(numerator: cells, denominator: "heat_cells"))
        }
        return [
            ColumnSchema("heat_pet_mean_c", family: f, kind: .number(decimals: 1), unit: "°C",
                         label: .init(nl: "Gevoelstemperatuur (PET, °C)", en: "Felt temperature (PET, °C)"),
                         description: .init(nl: "Gemiddelde PET over de geldige cellen van de hittekaart in het terrein; per regio gewogen naar cellen.",
                                            en: "Mean PET over the valid heat-map cells in the terrein; per region weighted by cells."),
                         // The heat map's own classes: weak from 23 °C, moderate 29, strong 35, extreme 41.
                         mapRole: MapRole(palette: Palette.heat, breaks: .fixed([23, 29, 35, 41]), unitInLegend: true, menuOrder: 4),
                         region: .cellWeightedMean(sum: "heat_pet_sum", cells: "heat_cells")),
            fraction("heat_strong_fraction", cells: "heat_strong_cells", "Aandeel sterke hittestress", "Strong heat stress fraction",
                     "Aandeel van de cellen met PET van minstens strong_pet_c (\(p.heat.strongPetC) °C).",
                     "Share of the cells with PET of at least strong_pet_c (\(p.heat.strongPetC) °C)."),
            fraction("heat_extreme_fraction", cells: "heat_extreme_cells", "Aandeel extreme hittestress", "Extreme heat stress fraction",
                     "Aandeel van de cellen met PET van minstens extreme_pet_c (\(p.heat.extremePetC) °C).",
                     "Share of the cells with PET of at least extreme_pet_c (\(p.heat.extremePetC) °C)."),
            ColumnSchema("heat_exposure", family: f, kind: .classLabel(scale.labels),
                         label: .init(nl: "Blootstelling aan hittestress", en: "Heat exposure"),
                         description: .init(nl: "low onder \(p.heat.exposureFractions[0]) sterke hittestress, medium onder \(p.heat.exposureFractions[1]), anders high.",
                                            en: "low below \(p.heat.exposureFractions[0]) strong heat stress, medium below \(p.heat.exposureFractions[1]), else high."),
                         region: .classOf("heat_strong_fraction"), classScale: scale),
        ]
    }

    public func accumulators(_ p: Parameters) -> [AccumulatorSchema] {
        [AccumulatorSchema("heat_pet_sum", family: name, description: "Σ PET (°C) over the valid cells lying in the terrein"),
         AccumulatorSchema("heat_cells", family: name, description: "N: the valid cells lying in the terrein"),
         AccumulatorSchema("heat_strong_cells", family: name, description: "cells with PET ≥ strong_pet_c"),
         AccumulatorSchema("heat_extreme_cells", family: name, description: "cells with PET ≥ extreme_pet_c")]
    }

    public func compute(_ t: TerreinContext) throws -> FamilyOutput {
        let none = FamilyOutput(cells: [.null, .null, .null, .null], accumulators: [nil, nil, nil, nil])
        guard let raster = t.layers.rasters[.heat] else { return none }
        let cells = try raster.cells(in: t.terrein.geometry, prepared: t.frame.prepared)
        let values = cells?.validValues ?? []
        var r = Heat.compute(values: values, t.parameters.heat)
        r.coverage = raster.coverage(cells)
        // Without a valid cell in T the columns are null (docs/indicators.md); the detail
        // stays, for the manifest's coverage counts.
        guard !values.isEmpty else {
            var out = none
            out.detail = r
            return out
        }
        var display: [ProfileFeature] = []
        if t.collectDisplay, let cells {
            let p = t.parameters.heat
            for (kind, threshold) in [("strong", p.strongPetC), ("extreme", p.extremePetC)] {
                // NaN (invalid) compares false: never hot.
                if let a = try CellDisplay.area(cells, { cells.lying[$0] && cells.values[$0] >= threshold }) {
                    display.append(ProfileFeature(layer: .heat, kind: kind, value: Double(a.cells) * raster.info.cellArea,
                                                  count: a.cells, geometry: a.geometry))
                }
            }
        }
        return FamilyOutput(cells: [.real(r.meanPetC), .real(r.strongFraction), .real(r.extremeFraction),
                                    .text(Heat.exposureScale(t.parameters.heat).label(for: r.strongFraction))],
                            accumulators: [r.petSum, Double(r.cells), Double(r.strongCells), Double(r.extremeCells)],
                            detail: r, display: display)
    }
}

extension TerreinResult {
    /// nil without a heat layer, or when no valid cell lies in the terrein.
    public var heat: HeatResult? { detail(HeatResult.self).flatMap { $0.cells > 0 ? $0 : nil } }
    /// nil without a heat layer.
    public var heatCoverage: RasterCoverage? { detail(HeatResult.self)?.coverage }
}
