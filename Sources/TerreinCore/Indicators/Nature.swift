import TerreinGeometry
import TerreinIO

/// Nature figures of one terrein (docs/indicators.md, "Nature").
public struct NatureResult: Equatable, Sendable, Codable {
    public var distanceM: Double
    public var nearest: String?
    public var overlapM2: Double
    /// The position of the nearest site in the layer (ties as for `nearest`; among sites of
    /// the winning name, the first in feature order).
    public var nearestSite: Int? = nil
}

public enum Nature {
    static let tieTolerance = 1e-6

    /// Distance to the nearest site (ties by name as UTF-8 bytes, unnamed sites last) and
    /// the area of T within the union of sites. Nil when there are no sites.
    static func compute(_ frame: TerreinFrame, sites: [Site], index: SpatialIndex,
                        prepared: PreparedPerThread) throws -> NatureResult? {
        guard !sites.isEmpty, let tb = frame.terrein.geometry.bounds else { return nil }
        // Visit sites by envelope distance (a lower bound of the true distance) and stop
        // once no unvisited site can be nearer than the best so far.
        let order = sites.indices.map { i -> (Double, Int) in
            guard let sb = sites[i].geometry.bounds else { return (.infinity, i) }
            let dx = max(0, max(sb.minX - tb.maxX, tb.minX - sb.maxX))
            let dy = max(0, max(sb.minY - tb.maxY, tb.minY - sb.maxY))
            return ((dx * dx + dy * dy).squareRoot(), i)
        }.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        // The search bound is the best distance so far; ties are judged at the end
        // against the final minimum, so the winner does not depend on the visiting order.
        var best = Double.infinity
        var candidates: [(distance: Double, name: String?)] = []
        var positions: [Int] = []
        for (lowerBound, i) in order {
            if lowerBound > best + tieTolerance { break }
            // The site is the big side: its prepared (indexed) form answers fast.
            let d = try prepared.prepared(i).distance(frame.terrein.geometry)
            candidates.append((d, sites[i].name))
            positions.append(i)
            best = min(best, d)
        }
        let (distance, nearest) = Self.nearest(candidates)
        let winners = candidates.indices.filter {
            candidates[$0].distance <= distance + tieTolerance && (candidates[$0].name ?? "") == (nearest ?? "")
        }
        let nearestSite = winners.map { positions[$0] }.min()
        // Overlap: area(T ∩ ⋃sites), the union taken in feature order. Only sites at
        // distance 0 can overlap; a site wholly containing T contributes T itself.
        var pieces: [Geometry] = []
        for i in index.query(frame.terrein.geometry) {
            let site = try prepared.prepared(i)
            guard try site.intersects(frame.terrein.geometry) else { continue }
            if try site.containsProperly(frame.terrein.geometry) {
                pieces.append(frame.terrein.geometry)
            } else if let part = try frame.terrein.geometry.intersection(sites[i].geometry).polygonalPart() {
                pieces.append(part)
            }
        }
        let overlap = try Geometry.unionAll(pieces)?.area() ?? 0
        return NatureResult(distanceM: distance, nearest: nearest, overlapM2: overlap, nearestSite: nearestSite)
    }

    /// The minimum distance and the name that wins among the sites within `tieTolerance`
    /// of that minimum (not of a running best: a chain of near-ties must not carry a site
    /// that is more than the tolerance from the final minimum).
    static func nearest(_ candidates: [(distance: Double, name: String?)]) -> (Double, String?) {
        guard let minimum = candidates.map(\.distance).min() else { return (.infinity, nil) }
        var name: String?
        var first = true
        for c in candidates where c.distance <= minimum + tieTolerance {
            if first || wins(c.name, over: name) { name = c.name }
            first = false
        }
        return (minimum, name)
    }

    /// Tie-break: the smallest name as UTF-8 bytes wins; an unnamed site (no, null or an
    /// empty name) loses to a named one.
    static func wins(_ a: String?, over b: String?) -> Bool {
        let a = a?.isEmpty == true ? nil : a, b = b?.isEmpty == true ? nil : b
        switch (a, b) {
        case (nil, _): return false
        case (.some, nil): return true
        case (let x?, let y?): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        }
    }
}

/// The nature family's columns (one `n2k_within_<b>m` per band) and their computation.
public struct NatureFamily: IndicatorFamily {
    public typealias Detail = NatureResult
    public init() {}
    public var name: String { "nature" }

    public func columns(_ p: Parameters) -> [ColumnSchema] {
        let f = name
        var c = [
            ColumnSchema("n2k_distance_m", family: f, kind: .number(decimals: 1), unit: "m",
                         label: .init(nl: "Afstand tot Natura 2000 (m)", en: "Distance to Natura 2000 (m)"),
                         description: .init(nl: "Kortste afstand van het terrein tot een Natura 2000-gebied (0 bij raken of overlap).",
                                            en: "Shortest distance from the terrein to a Natura 2000 site (0 when they touch or overlap)."),
                         mapRole: MapRole(palette: Palette.distance, breaks: .fixed([500, 1000, 2500, 5000]),
                                          unitInLegend: true, menuOrder: 3),
                         region: .min),
            ColumnSchema("n2k_nearest", family: f, kind: .text, formulaGuard: true,
                         label: .init(nl: "Dichtstbijzijnde Natura 2000-gebied", en: "Nearest Natura 2000 site"),
                         description: .init(nl: "Naam van het gebied op die afstand (bij gelijke afstand de kleinste naam).",
                                            en: "Name of the site at that distance (ties: the smallest name)."),
                         region: .none),
        ]
        c += p.nature.bandsM.map(withinColumn)
        c.append(ColumnSchema("n2k_overlap_m2", family: f, kind: .number(decimals: 2), unit: "m²",
                              label: .init(nl: "Overlap met Natura 2000 (m²)", en: "Overlap with Natura 2000 (m²)"),
                              description: .init(nl: "Oppervlakte van het terrein binnen Natura 2000-gebieden.",
                                                 en: "Area of the terrein within Natura 2000 sites."),
                              region: .sum))
        return c
    }

    func withinColumn(_ band: Int) -> ColumnSchema {
        ColumnSchema("n2k_within_\(band)m", family: name, kind: .boolean,
                     label: .init(nl: "Binnen \(band) m van Natura 2000", en: "Within \(band) m of Natura 2000"),
                     description: .init(nl: "Of het terrein binnen \(band) m van een Natura 2000-gebied ligt; per regio: het aantal terreinen.",
                                        en: "Whether the terrein lies within \(band) m of a Natura 2000 site; per region: the number of terreinen."),
                     region: .countTrue)
    }

    /// Also the band columns of other runs, `n2k_within_<b>m` for any plain decimal b.
    public func column(named name: String) -> ColumnSchema? {
        if name.hasPrefix("n2k_within_"), name.hasSuffix("m") {
            let digits = name.dropFirst("n2k_within_".count).dropLast()
            if let b = Int(digits), b > 0, String(b) == digits { return withinColumn(b) }
        }
        return columns(Parameters()).first { $0.name == name }
    }

    public func compute(_ t: TerreinContext) throws -> FamilyOutput {
        let bands = t.parameters.nature.bandsM
        guard let sites = t.layers.natura2000, let index = t.indexed.sites, let prepared = t.indexed.preparedSites,
              let n = try Nature.compute(t.frame, sites: sites, index: index, prepared: prepared) else {
            // No natura2000 layer, or an empty one: null, not 0.
            return FamilyOutput(cells: [.null, .null] + bands.map { _ in Cell.null } + [.null])
        }
        var display: [ProfileFeature] = []
        // The distance line: from the terrein to its nearest site (none when they touch).
        if t.collectDisplay, n.distanceM > 0, let i = n.nearestSite,
           let points = try prepared.prepared(i).nearestPoints(t.terrein.geometry) {
            display.append(ProfileFeature(layer: .nature, kind: "nearest", name: n.nearest, value: n.distanceM,
                                          geometry: try Geometry.lineString([points.toX, points.toY, points.fromX, points.fromY])))
        }
        return FamilyOutput(cells: [.real(n.distanceM), optionalCell(n.nearest)]
                                + bands.map { .boolean(n.distanceM <= Double($0)) } + [.real(n.overlapM2)],
                            detail: n, display: display)
    }
}

extension TerreinResult {
    /// nil without sites.
    public var nature: NatureResult? { detail(NatureResult.self) }
}
