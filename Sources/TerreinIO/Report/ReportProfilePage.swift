import Foundation
import TerreinGeometry

/// The labels of a profile page.
struct ProfileLabels {
    let profile, back, region, noRegion, map, indicators, indicator, value, unit, percentile, regionMedian, runMedian: String
    let trend, noHistory, oneRun, runs, first, last, change, roofs, water, heat, nature, outline, distanceLine: String
    let noMap, noProfileData, percentileNote, nearestAt, touches, footer: String
    let roofClass: [RoofDisplayClass: String]
    let waterKinds: [String: String], heatKinds: [String: String]

    init(_ language: ReportLanguage) {
        switch language {
        case .nl:
            profile = "Terreinprofiel"; back = "← Overzicht"; region = "Regio"; noRegion = "(geen regio)"; map = "Kaart"
            indicators = "Indicatoren"; indicator = "Indicator"; value = "Waarde"; unit = "Eenheid"
            percentile = "Percentiel (run)"; regionMedian = "Mediaan regio"; runMedian = "Mediaan run"
            trend = "Verloop"; noHistory = "Geen geschiedenis: er zijn nog geen eerdere runs van dit terrein bewaard."
            oneRun = "Eén run in de geschiedenis: nog geen verloop."; runs = "Runs"; first = "Eerste"; last = "Laatste"; change = "Verschil"
            roofs = "Dakvlakken (zonnegeschiktheid)"; water = "Inundatie"; heat = "Hittestress"; nature = "Natura 2000"
            outline = "Terrein"; distanceLine = "Kortste afstand"
            noMap = "Geen geometrie om te tonen."; noProfileData = "Deze uitvoer bewaart geen dakvlakken, inundatie- of hittegebieden (geen indicators.gpkg met profiellagen)."
            percentileNote = "Percentiel: het aandeel terreinen in deze run met een lagere waarde (gelijke waarden voor de helft). Medianen over de terreinen met een waarde."
            nearestAt = "dichtstbijzijnde Natura 2000-gebied"; touches = "raakt of overlapt een Natura 2000-gebied"
            footer = "Gemaakt met Terrein. Definities: docs/indicators.md."
            roofClass = [.good: "geschikt, opbrengstfactor ≥ 0,85", .fair: "geschikt, 0,70–0,85", .moderate: "geschikt, < 0,70",
                         .unsuitable: "niet geschikt", .invalid: "ongeldige helling/oriëntatie"]
            waterKinds = ["flooded": "inundatie ≥ min_depth_m", "deep": "diep ≥ deep_depth_m"]
            heatKinds = ["strong": "sterke hittestress (PET ≥ strong_pet_c)", "extreme": "extreme hittestress (PET ≥ extreme_pet_c)"]
        case .en:
            profile = "Business park profile"; back = "← Overview"; region = "Region"; noRegion = "(no region)"; map = "Map"
            indicators = "Indicators"; indicator = "Indicator"; value = "Value"; unit = "Unit"
            percentile = "Percentile (run)"; regionMedian = "Region median"; runMedian = "Run median"
            trend = "Trend"; noHistory = "No history: no earlier runs of this business park are kept yet."
            oneRun = "One run in the history: no trend yet."; runs = "Runs"; first = "First"; last = "Last"; change = "Change"
            roofs = "Roof faces (solar suitability)"; water = "Inundation"; heat = "Heat stress"; nature = "Natura 2000"
            outline = "Business park"; distanceLine = "Shortest distance"
            noMap = "No geometry to show."; noProfileData = "This output keeps no roof faces, inundation or heat areas (no indicators.gpkg with profile layers)."
            percentileNote = "Percentile: the share of business parks in this run with a lower value (equal values count half). Medians over the parks with a value."
            nearestAt = "nearest Natura 2000 site"; touches = "touches or overlaps a Natura 2000 site"
            footer = "Made with Terrein. Definitions: docs/indicators.md."
            roofClass = [.good: "suitable, yield factor ≥ 0.85", .fair: "suitable, 0.70–0.85", .moderate: "suitable, < 0.70",
                         .unsuitable: "not suitable", .invalid: "invalid slope/azimuth"]
            waterKinds = ["flooded": "inundation ≥ min_depth_m", "deep": "deep ≥ deep_depth_m"]
            heatKinds = ["strong": "strong heat stress (PET ≥ strong_pet_c)", "extreme": "extreme heat stress (PET ≥ extreme_pet_c)"]
        }
    }
}

extension ProfileSet {
    static let roofColors: [RoofDisplayClass: String] = [.good: "#1a9850", .fair: "#91cf60", .moderate: "#fee08b",
                                                         .unsuitable: "#9e9e9e", .invalid: "#f2f2f2"]
    static let waterColors = ["flooded": "#6baed6", "deep": "#08519c"]
    static let heatColors = ["strong": "#fd8d3c", "extreme": "#bd0026"]

    static let css = """
    body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:900px;padding:0 1rem 2rem;color:#1d1d1b;background:#fff}
    h1{font-size:1.5rem;margin:1rem 0 .2rem}h2{font-size:1.15rem;margin:1.4rem 0 .5rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
    .meta,.hint,footer{color:#555;font-size:.85rem}a{color:#1a5d8f}
    .mapbox{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
    #profile-map{flex:1 1 520px;max-width:100%;max-height:70vh;border:1px solid #ddd;background:#fbfbf8}
    #profile-map path{fill-rule:evenodd;vector-effect:non-scaling-stroke}
    .outline{fill:#f4f4ef;stroke:#222;stroke-width:1.6px}.outline-top{fill:none;stroke:#222;stroke-width:1.6px}
    .roof{stroke:#444;stroke-width:.4px}.area{stroke:none}
    .site{fill:url(#p-hatch);stroke:#2e7d32;stroke-width:1px}
    .dist{stroke:#1b5e20;stroke-width:2px;stroke-dasharray:6 4;vector-effect:non-scaling-stroke;fill:none}
    .legend{flex:0 0 14rem;font-size:.8rem}.legend ul{list-style:none;padding:0;margin:0 0 .6rem}.legend li{margin:.12rem 0}
    .legend h3{font-size:.85rem;margin:.2rem 0}
    .sw{display:inline-block;width:1.1em;height:.85em;margin-right:.4em;border:1px solid #888;vertical-align:middle}
    .sw.site{background:repeating-linear-gradient(45deg,#2e7d32 0 1px,#eef5ee 1px 4px);border-color:#2e7d32}
    .sw.line{border:none;border-top:2px dashed #1b5e20;height:0;vertical-align:middle}
    table.data{border-collapse:collapse;font-size:.8rem;width:100%}
    table.data th,table.data td{padding:.15rem .4rem;border-bottom:1px solid #eee;text-align:left}
    table.data thead th{background:#f3f3f0}
    td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    .pbar{display:inline-block;width:3.5em;height:.6em;background:#eee;margin-left:.3em;vertical-align:middle;position:relative}
    .pbar i{position:absolute;left:0;top:0;bottom:0;background:#3274b2}
    svg.spark{vertical-align:middle}
    @page{size:A4;margin:12mm}
    @media print{body{max-width:none;padding:0;font-size:9pt}nav{display:none}#profile-map{max-height:120mm;flex-basis:100%}
      .legend{flex-basis:100%;columns:2}.legend ul{break-inside:avoid}.legend h3{break-after:avoid}h2{break-after:avoid}tr{break-inside:avoid}section{break-inside:auto}
      a{color:inherit;text-decoration:none}}

    """

    /// The profile page of row `i`.
    public func render(_ i: Int) throws -> String {
        let t = data.indicators
        let row = t.rows[i]
        func text(_ j: Int?) -> String {
            guard let j, j < row.count else { return "" }
            return Table.format(row[j], as: t.columns[j].kind)
        }
        let id = text(idIndex), name = text(nameIndex), region = text(regionIndex)
        let title = name.isEmpty ? id : "\(name) (\(id))"
        var h = ""
        h.reserveCapacity(64 << 10)
        h += "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(ReportWriter.esc(L.profile + ": " + title))</title>\n<style>\n\(Self.css)</style>\n</head>\n<body>\n"
        h += "<nav><a href=\"../report.html\">\(L.back)</a></nav>\n"
        h += "<header>\n<h1>\(ReportWriter.esc(title))</h1>\n"
        h += "<p class=\"meta\">\(L.profile) · \(ReportWriter.esc(data.pipelineName)) · \(L.region): \(ReportWriter.esc(region.isEmpty ? L.noRegion : region))</p>\n</header>\n"

        h += "<section id=\"map\">\n<h2>\(L.map)</h2>\n"
        h += try mapSection(i)
        h += "</section>\n"

        h += "<section id=\"indicators\">\n<h2>\(L.indicators)</h2>\n"
        h += indicatorTable(i, region: region)
        h += "<p class=\"hint\">\(L.percentileNote)</p>\n</section>\n"

        h += "<section id=\"trend\">\n<h2>\(L.trend)</h2>\n"
        h += trendSection(id)
        h += "</section>\n<footer>\(L.footer)</footer>\n</body>\n</html>\n"
        return h
    }

    // MARK: Map

    func mapSection(_ i: Int) throws -> String {
        let rings = i < data.terreinRings.count ? data.terreinRings[i] : []
        let shapes = i < data.profiles.count ? data.profiles[i] : []
        var box: Bounds?
        for p in rings { for r in p { var k = 0; while k + 1 < r.count {
            let b = Bounds(minX: r[k], minY: r[k + 1], maxX: r[k], maxY: r[k + 1])
            if box == nil { box = b } else { box!.formUnion(b) }
            k += 2
        } } }
        guard var frame = box else { return "<p>\(L.noMap)</p>\n" }
        let size = max(frame.maxX - frame.minX, frame.maxY - frame.minY)
        let line = shapes.first { $0.layer == .nature && $0.line.count >= 4 }
        // The distance line's far end widens the frame when it is near enough (within
        // 1.5 km or twice the terrein's size); else the line runs to the frame's edge.
        if let l = line, l.value <= max(1500, 2 * size) {
            frame.formUnion(Bounds(minX: l.line[2], minY: l.line[3], maxX: l.line[2], maxY: l.line[3]))
        }
        let pad = max(40, 0.08 * max(frame.maxX - frame.minX, frame.maxY - frame.minY))
        frame = frame.expanded(by: pad)
        // Decimetres: roof faces of a few metres keep their shape.
        let scale = 10.0
        let ox = floor(frame.minX), oy = ceil(frame.maxY)
        let width = Int(ceil((frame.maxX - ox) * scale)), height = Int(ceil((oy - frame.minY) * scale))
        func path(_ polygons: [[[Double]]]) -> String { ReportWriter.pathData(polygons, ox: ox, oy: oy, scale: scale) }
        func sx(_ x: Double) -> String { String(Int(((x - ox) * scale).rounded())) }
        func sy(_ y: Double) -> String { String(Int(((oy - y) * scale).rounded())) }

        var s = "<div class=\"mapbox\">\n<svg id=\"profile-map\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">\n"
        let hatch = max(1, width / 120)
        s += "<defs><pattern id=\"p-hatch\" patternUnits=\"userSpaceOnUse\" width=\"\(hatch)\" height=\"\(hatch)\" patternTransform=\"rotate(45)\">"
        s += "<rect width=\"\(hatch)\" height=\"\(hatch)\" fill=\"#2e7d32\" fill-opacity=\"0.06\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"\(hatch)\" stroke=\"#2e7d32\" stroke-width=\"\(max(1, hatch / 4))\" stroke-opacity=\"0.6\"/></pattern></defs>\n"
        s += "<rect width=\"\(width)\" height=\"\(height)\" fill=\"#fbfbf8\"/>\n"
        // Natura 2000 sites in the frame, clipped to it by GEOS.
        var siteNames: [String] = []
        s += "<g id=\"p-sites\">\n"
        for site in sites where site.bounds.intersects(frame) {
            let part = try site.geometry.clipped(minX: frame.minX, minY: frame.minY, maxX: frame.maxX, maxY: frame.maxY)
            let d = path(try part.polygonRings())
            if d.isEmpty { continue }
            siteNames.append(site.name)
            s += "<path class=\"site\" d=\"\(d)\"><title>\(ReportWriter.esc(site.name))</title></path>\n"
        }
        s += "</g>\n"
        s += "<path class=\"outline\" d=\"\(path(rings))\"/>\n"
        var present: Set<String> = []
        for (layer, colors, opacity) in [(ProfileLayer.heat, Self.heatColors, "0.55"), (.water, Self.waterColors, "0.6")] {
            s += "<g id=\"p-\(layer.rawValue)\">\n"
            for shape in shapes where shape.layer == layer {
                let d = path(shape.polygons)
                if d.isEmpty { continue }
                present.insert(layer.rawValue + "." + shape.kind)
                s += "<path class=\"area\" data-kind=\"\(ReportWriter.esc(shape.kind))\" fill=\"\(colors[shape.kind] ?? "#888")\" fill-opacity=\"\(opacity)\" d=\"\(d)\"/>\n"
            }
            s += "</g>\n"
        }
        s += "<g id=\"p-roofs\">\n"
        for shape in shapes where shape.layer == .roofs {
            let d = path(shape.polygons)
            if d.isEmpty { continue }
            let c = RoofDisplayClass(rawValue: shape.kind)
            present.insert("roofs." + shape.kind)
            s += "<path class=\"roof\" data-kind=\"\(ReportWriter.esc(shape.kind))\" fill=\"\(c.flatMap { Self.roofColors[$0] } ?? "#888")\" d=\"\(d)\"/>\n"
        }
        s += "</g>\n"
        s += "<path class=\"outline-top\" d=\"\(path(rings))\"/>\n"
        if let l = line {
            // Clip the segment to the frame (it starts on the terrein, inside it).
            var x1 = l.line[2], y1 = l.line[3]
            let x0 = l.line[0], y0 = l.line[1]
            var tMax = 1.0
            if x1 > frame.maxX { tMax = min(tMax, (frame.maxX - x0) / (x1 - x0)) }
            if x1 < frame.minX { tMax = min(tMax, (frame.minX - x0) / (x1 - x0)) }
            if y1 > frame.maxY { tMax = min(tMax, (frame.maxY - y0) / (y1 - y0)) }
            if y1 < frame.minY { tMax = min(tMax, (frame.minY - y0) / (y1 - y0)) }
            x1 = x0 + (x1 - x0) * tMax; y1 = y0 + (y1 - y0) * tMax
            let fs = max(10, width / 45)
            s += "<g id=\"p-distance\"><line class=\"dist\" x1=\"\(sx(x0))\" y1=\"\(sy(y0))\" x2=\"\(sx(x1))\" y2=\"\(sy(y1))\"/>"
            s += "<circle cx=\"\(sx(x0))\" cy=\"\(sy(y0))\" r=\"\(max(2, fs / 4))\" fill=\"#1b5e20\"/>"
            if tMax >= 1 { s += "<circle cx=\"\(sx(x1))\" cy=\"\(sy(y1))\" r=\"\(max(2, fs / 4))\" fill=\"#1b5e20\"/>" }
            let label = Self.distanceText(l.value) + (l.name.map { " · " + $0 } ?? "")
            // The label at the line's middle when the site's end is in the frame; else beside
            // the terrein's end, running away from the line so that it stays in the frame.
            let (lx, ly, anchor) = tMax >= 1 ? ((x0 + x1) / 2, (y0 + y1) / 2, "middle") : (x0, y0, x1 < x0 ? "start" : "end")
            s += "<text x=\"\(sx(lx))\" y=\"\(sy(ly))\" dy=\"-0.4em\" font-size=\"\(fs)\" font-family=\"sans-serif\" fill=\"#1b5e20\" stroke=\"#fff\" stroke-width=\"\(max(1, fs / 5))\" paint-order=\"stroke\" text-anchor=\"\(anchor)\">\(ReportWriter.esc(label))</text></g>\n"
        }
        s += Self.scaleBar(width: width, height: height, scale: scale)
        s += "</svg>\n"

        // Legend: only what the map shows.
        s += "<div class=\"legend\">\n<ul>\n<li><span class=\"sw\" style=\"background:#f4f4ef;border-color:#222\"></span>\(L.outline)</li>\n</ul>\n"
        let roofKeys = RoofDisplayClass.allCases.filter { present.contains("roofs." + $0.rawValue) }
        if !roofKeys.isEmpty {
            s += "<h3>\(L.roofs)</h3>\n<ul>\n"
            for c in roofKeys { s += "<li><span class=\"sw\" style=\"background:\(Self.roofColors[c]!)\"></span>\(ReportWriter.esc(L.roofClass[c]!))</li>\n" }
            s += "</ul>\n"
        }
        for (layer, title, colors, kinds, names) in [(ProfileLayer.water, L.water, Self.waterColors, ["flooded", "deep"], L.waterKinds),
                                                     (.heat, L.heat, Self.heatColors, ["strong", "extreme"], L.heatKinds)] {
            let keys = kinds.filter { present.contains(layer.rawValue + "." + $0) }
            if keys.isEmpty { continue }
            s += "<h3>\(title)</h3>\n<ul>\n"
            for k in keys { s += "<li><span class=\"sw\" style=\"background:\(colors[k]!)\"></span>\(ReportWriter.esc(names[k]!))</li>\n" }
            s += "</ul>\n"
        }
        if !siteNames.isEmpty || line != nil || isTouchingSite(i) {
            s += "<h3>\(L.nature)</h3>\n<ul>\n"
            for n in siteNames { s += "<li><span class=\"sw site\"></span>\(ReportWriter.esc(n))</li>\n" }
            if let l = line {
                s += "<li><span class=\"sw line\"></span>\(L.distanceLine): \(Self.distanceText(l.value))\(l.name.map { ", " + L.nearestAt + " " + ReportWriter.esc($0) } ?? "")</li>\n"
            } else if isTouchingSite(i) {
                s += "<li>\(L.touches)</li>\n"
            }
            s += "</ul>\n"
        }
        if data.profiles.isEmpty { s += "<p class=\"hint\">\(L.noProfileData)</p>\n" }
        s += "</div>\n</div>\n"
        return s
    }

    func isTouchingSite(_ i: Int) -> Bool {
        guard let j = data.indicators.columnIndex("n2k_distance_m"), j < data.indicators.rows[i].count,
              let d = Self.number(data.indicators.rows[i][j]) else { return false }
        return d == 0
    }

    static func distanceText(_ m: Double) -> String {
        m >= 1000 ? Table.formatFixed(m / 1000, decimals: 2) + " km" : Table.formatFixed(m, decimals: 0) + " m"
    }

    /// A scale bar, bottom left (lengths in map units of 1/scale m).
    static func scaleBar(width: Int, height: Int, scale: Double) -> String {
        let target = Double(width) / scale / 5
        var length = pow(10, floor(log10(max(target, 1))))
        if length * 5 <= target { length *= 5 } else if length * 2 <= target { length *= 2 }
        let px = Int(length * scale)
        let fs = max(10, width / 50)
        let x0 = width / 30, y0 = height - height / 25
        let barH = max(2, fs / 3)
        let lengthText = length >= 1000 ? ReportWriter.niceNumber(length / 1000) + " km" : ReportWriter.niceNumber(length) + " m"
        var s = "<g id=\"p-scalebar\" font-size=\"\(fs)\" font-family=\"sans-serif\">"
        s += "<rect x=\"\(x0)\" y=\"\(y0 - barH)\" width=\"\(px / 2)\" height=\"\(barH)\" fill=\"#222\"/>"
        s += "<rect x=\"\(x0 + px / 2)\" y=\"\(y0 - barH)\" width=\"\(px - px / 2)\" height=\"\(barH)\" fill=\"#fff\" stroke=\"#222\" stroke-width=\"\(max(1, barH / 6))\"/>"
        s += "<text x=\"\(x0)\" y=\"\(y0 - barH - fs / 3)\">0</text>"
        s += "<text x=\"\(x0 + px)\" y=\"\(y0 - barH - fs / 3)\" text-anchor=\"middle\">\(lengthText)</text></g>\n"
        return s
    }

    // MARK: Indicators

    func indicatorTable(_ i: Int, region: String) -> String {
        let t = data.indicators
        let row = t.rows[i]
        var h = "<table class=\"data\" id=\"profile-indicators\">\n<thead><tr><th scope=\"col\">\(L.indicator)</th><th scope=\"col\">\(L.value)</th>"
        h += "<th scope=\"col\">\(L.unit)</th><th scope=\"col\">\(L.percentile)</th><th scope=\"col\">\(L.regionMedian)</th><th scope=\"col\">\(L.runMedian)</th></tr></thead>\n<tbody>\n"
        for (k, j) in columns.enumerated() {
            let c = t.columns[j]
            let cell = j < row.count ? row[j] : .null
            let label = c.schema?.label.text(language.rawValue) ?? c.name
            func fmt(_ v: Double?) -> String {
                guard let v else { return "–" }
                switch c.kind {
                case .real(let d): return Table.formatFixed(v, decimals: d)
                case .integer: return v == v.rounded() ? String(Int(v)) : Table.formatFixed(v, decimals: 1)
                default: return "–"
                }
            }
            var valueText = Table.format(cell, as: c.kind)
            if case .boolean(let b) = cell { valueText = language == .nl ? (b ? "ja" : "nee") : (b ? "yes" : "no") }
            if valueText.isEmpty { valueText = "–" }
            h += "<tr data-column=\"\(ReportWriter.esc(c.name))\"><th scope=\"row\" title=\"\(ReportWriter.esc(c.name))\">\(ReportWriter.esc(label))</th>"
            h += "<td class=\"num\">\(ReportWriter.esc(valueText))</td><td>\(ReportWriter.esc(c.schema?.unit ?? ""))</td>"
            if let v = Self.number(Table.roundedValue(cell, as: c.kind)), !sorted[k].isEmpty {
                let p = Self.percentile(v, in: sorted[k])
                h += "<td class=\"num\">\(Table.formatFixed(p, decimals: 0))<span class=\"pbar\"><i style=\"width:\(Table.formatFixed(p, decimals: 0))%\"></i></span></td>"
            } else {
                h += "<td class=\"num\">–</td>"
            }
            let numeric: Bool
            switch c.kind { case .real, .integer: numeric = true; default: numeric = false }
            h += "<td class=\"num\">\(numeric ? fmt(Self.median(byRegion[k][region] ?? [])) : "–")</td>"
            h += "<td class=\"num\">\(numeric ? fmt(Self.median(sorted[k])) : "–")</td></tr>\n"
        }
        return h + "</tbody>\n</table>\n"
    }

    // MARK: Trend

    func trendSection(_ id: String) -> String {
        let points = (data.trends[id] ?? []).sorted { $0.runID < $1.runID }
        if points.isEmpty { return "<p class=\"hint\" id=\"no-history\">\(L.noHistory)</p>\n" }
        if points.count == 1 { return "<p class=\"hint\" id=\"no-history\">\(L.oneRun)</p>\n" }
        let t = data.indicators
        var h = "<p class=\"meta\">\(L.runs): " + points.map { "#\($0.runID) (\(ReportWriter.esc($0.finished)))" }.joined(separator: ", ") + "</p>\n"
        h += "<table class=\"data\" id=\"profile-trend\">\n<thead><tr><th scope=\"col\">\(L.indicator)</th><th scope=\"col\">\(L.trend)</th>"
        h += "<th scope=\"col\">\(L.first)</th><th scope=\"col\">\(L.last)</th><th scope=\"col\">\(L.change)</th></tr></thead>\n<tbody>\n"
        var rows = 0
        for j in columns {
            let c = t.columns[j]
            let series: [(Int, Double)] = points.enumerated().compactMap { k, p in
                guard let v = p.values[c.name], let v, v.isFinite else { return nil }
                return (k, v)
            }
            guard series.count >= 2 else { continue }
            let decimals: Int
            if case .real(let d) = c.kind { decimals = d } else { decimals = 0 }
            let first = series.first!.1, last = series.last!.1
            h += "<tr data-column=\"\(ReportWriter.esc(c.name))\"><th scope=\"row\">\(ReportWriter.esc(c.schema?.label.text(language.rawValue) ?? c.name))</th>"
            h += "<td>\(Self.sparkline(series, count: points.count))</td>"
            h += "<td class=\"num\">\(Table.formatFixed(first, decimals: decimals))</td><td class=\"num\">\(Table.formatFixed(last, decimals: decimals))</td>"
            let change = last - first
            h += "<td class=\"num\">\(change > 0 ? "+" : "")\(Table.formatFixed(change, decimals: decimals))</td></tr>\n"
            rows += 1
        }
        if rows == 0 { return "<p class=\"hint\" id=\"no-history\">\(L.oneRun)</p>\n" }
        return h + "</tbody>\n</table>\n"
    }

    /// A small line of the values over the runs (x: the run's position, y: min to max).
    static func sparkline(_ series: [(Int, Double)], count: Int) -> String {
        let w = 120.0, hgt = 24.0
        let lo = series.map(\.1).min()!, hi = series.map(\.1).max()!
        func x(_ k: Int) -> String { Table.formatFixed(2 + (w - 4) * Double(k) / Double(max(1, count - 1)), decimals: 1) }
        func y(_ v: Double) -> String { Table.formatFixed(hi == lo ? hgt / 2 : 2 + (hgt - 4) * (hi - v) / (hi - lo), decimals: 1) }
        let pts = series.map { "\(x($0.0)),\(y($0.1))" }.joined(separator: " ")
        let end = series.last!
        return "<svg class=\"spark\" width=\"\(Int(w))\" height=\"\(Int(hgt))\" viewBox=\"0 0 \(Int(w)) \(Int(hgt))\" role=\"img\">"
            + "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"#3274b2\" stroke-width=\"1.5\"/>"
            + "<circle cx=\"\(x(end.0))\" cy=\"\(y(end.1))\" r=\"2\" fill=\"#3274b2\"/></svg>"
    }
}
