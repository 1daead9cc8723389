import Foundation

extension ReportWriter {
    // MARK: Map classes

    static let noDataColor = "#bdbdbd"

    struct MapIndicator {
        var column: String
        var label: String
        var classes: [Int]
        var colors: [String]
        var classLabels: [String]
        /// The class breaks (class k holds breaks[k-1] <= v < breaks[k]); the GeoPackage's
        /// QGIS style uses the same ones.
        var breaks: [Double] = []
    }

    /// The indicators the map can be coloured by: the table's columns whose schema has a
    /// map role, in menu order, with classes and colours.
    static func mapIndicators(_ t: Table, _ language: ReportLanguage) -> [MapIndicator] {
        let roles = t.columns.enumerated().compactMap { j, c -> (Int, ColumnSchema, MapRole)? in
            guard let s = c.schema, let role = s.mapRole else { return nil }
            return (j, s, role)
        }.sorted { $0.2.menuOrder != $1.2.menuOrder ? $0.2.menuOrder < $1.2.menuOrder : $0.0 < $1.0 }
        var out: [MapIndicator] = []
        for (j, schema, role) in roles {
            let values: [Double?] = t.rows.map { row in
                switch j < row.count ? row[j] : .null {
                case .real(let d): return d.isFinite ? d : nil
                case .integer(let i): return Double(i)
                default: return nil
                }
            }
            let breaks: [Double]
            switch role.breaks {
            case .fixed(let b): breaks = b
            case .quantiles: breaks = quantileBreaks(values.compactMap { $0 })
            }
            let colors = pick(role.palette, count: breaks.count + 1)
            let classes = values.map { v -> Int in
                guard let v else { return -1 }
                return breaks.reduce(0) { $0 + (v >= $1 ? 1 : 0) }
            }
            let suffix = role.percent ? "%" : (role.unitInLegend ? schema.unit.map { " " + $0 } ?? "" : "")
            func number(_ v: Double) -> String { niceNumber(role.percent ? v * 100 : v) }
            func text(_ v: Double) -> String { number(v) + suffix }
            var labels: [String] = []
            if breaks.isEmpty {
                let present = values.compactMap { $0 }
                labels = [present.isEmpty ? "–" : text(present[0])]
            } else {
                labels.append("< " + text(breaks[0]))
                for k in 1..<breaks.count { labels.append(number(breaks[k - 1]) + " – " + text(breaks[k])) }
                labels.append("≥ " + text(breaks[breaks.count - 1]))
            }
            out.append(MapIndicator(column: schema.name, label: schema.label.text(language.rawValue), classes: classes,
                                    colors: colors, classLabels: labels, breaks: breaks))
        }
        return out
    }

    /// Up to 4 increasing breaks at the quintiles, rounded to 2 significant digits.
    static func quantileBreaks(_ values: [Double]) -> [Double] {
        let sorted = values.sorted()
        guard sorted.count >= 2, sorted.first! < sorted.last! else { return [] }
        var breaks: [Double] = []
        for q in [0.2, 0.4, 0.6, 0.8] {
            let v = roundSignificant(sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.down)))], digits: 2)
            if v > sorted.first!, v <= sorted.last!, breaks.last.map({ v > $0 }) ?? true { breaks.append(v) }
        }
        return breaks
    }

    static func roundSignificant(_ v: Double, digits: Int) -> Double {
        guard v != 0, v.isFinite else { return v }
        let magnitude = pow(10, floor(log10(abs(v))) - Double(digits - 1))
        return (v / magnitude).rounded() * magnitude
    }

    /// A number for legends: up to 2 decimals, trailing zeros trimmed.
    static func niceNumber(_ v: Double) -> String {
        var s = Table.formatFixed(v, decimals: abs(v) >= 100 ? 0 : 2)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    static func pick(_ palette: [String], count: Int) -> [String] {
        if count >= palette.count { return palette }
        if count <= 1 { return [palette[palette.count / 2]] }
        return (0..<count).map { palette[Int((Double($0) * Double(palette.count - 1) / Double(count - 1)).rounded())] }
    }

}
