import TerreinGeometry

/// Nature figures of one terrein (docs/indicators.md, "Nature").
public struct NatureResult: Equatable, Sendable {
    public var distanceM: Double
    public var nearest: String?
    public var overlapM2: Double
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
        var best = Double.infinity
        var bestName: String?
        var bestSet = false
        for (lowerBound, i) in order {
            if lowerBound > best + tieTolerance { break }
            // The site is the big side: its prepared (indexed) form answers fast.
            let d = try prepared.prepared(i).distance(frame.terrein.geometry)
            let name = sites[i].name
            if !bestSet || d < best - tieTolerance {
                best = d; bestName = name; bestSet = true
            } else if abs(d - best) <= tieTolerance {
                if wins(name, over: bestName) { bestName = name }
                best = min(best, d)
            }
        }
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
        return NatureResult(distanceM: best, nearest: bestName, overlapM2: overlap)
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
