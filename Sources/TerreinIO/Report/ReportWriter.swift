import TerreinJSON
import Foundation
import TerreinGeometry


/// Renders `report.html`: one self-contained file (inline CSS, JS and SVG; no network).
///
/// - a summary table per region;
/// - an SVG map of the terreinen in the map CRS (coordinates rounded to 1 m, y flipped),
///   coloured by an indicator picked in a `<select>` (solar yield, paved fraction,
///   inundation fraction, distance to Natura 2000), with a legend per indicator (classes,
///   colours and "no data" grey), the Natura 2000 sites in green hatch and a scale bar;
/// - bar charts of the top 10 terreinen by solar yield, sealed area and inundated area;
/// - the full indicators table, paged (`pageSize` rows; every row in the JSON, the script renders
///   the current page), sortable by clicking a header, searchable and filtered by region.
///
/// The colours of every indicator are computed here and embedded as JSON; the page's
/// script swaps fills and legends, sorts the small tables and pages the full one, and the
/// page works without it (first indicator shown, the table's first page). Every data text is HTML-escaped; the JSON uses
/// `JSONText.quote`, safe inside `<script>`. The output depends only on the input.
public enum ReportWriter {
    /// `profileFiles`: per row, the file name of its profile under `profiles/` (the table's
    /// ids and the map link to them); nil: no profiles, no links.
    public static func render(_ data: ReportData, language: ReportLanguage, profileFiles: [String]? = nil) -> String {
        let L = Labels(language)
        var h = ""
        h.reserveCapacity(1 << 20)
        let title = "\(L.title): \(data.pipelineName)"
        h += "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(esc(title))</title>\n<style>\n\(css)</style>\n</head>\n<body>\n"
        h += "<header>\n<h1>\(esc(title))</h1>\n"
        let crsText = data.mapCRS.description
        h += "<p class=\"meta\">\(data.indicators.rows.count) \(L.terreinen) · \(data.regions.rows.count) \(L.regionsCount) · \(L.mapIn) \(esc(crsText))</p>\n"
        h += "<nav><a href=\"#regions\">\(L.regionsTitle)</a> · <a href=\"#map\">\(L.mapTitle)</a> · <a href=\"#charts\">\(L.chartsTitle)</a> · <a href=\"#all\">\(L.tableTitle)</a></nav>\n</header>\n"

        // Regions
        h += "<section id=\"regions\">\n<h2>\(L.regionsTitle)</h2>\n"
        h += htmlTable(data.regions, id: "regions-table", emptyRegion: L.noRegion, emptyText: L.noRows)
        h += "</section>\n"

        // Map
        let indicators = mapIndicators(data.indicators, language)
        var maps: [(key: String, classes: [Int], colors: [String])] = []
        h += "<section id=\"map\">\n<h2>\(L.mapTitle)</h2>\n"
        if indicators.isEmpty {
            h += "<p>\(L.noIndicators)</p>\n"
        } else {
            h += "<p><label for=\"indicator\">\(L.indicator)</label> <select id=\"indicator\">\n"
            for (i, ind) in indicators.enumerated() {
                h += "<option value=\"\(esc(ind.column))\"\(i == 0 ? " selected" : "")>\(esc(ind.label))</option>\n"
            }
            h += "</select></p>\n"
        }
        for ind in indicators {
            maps.append((ind.column, ind.classes, ind.colors))
        }
        h += "<div class=\"mapbox\">\n"
        h += mapSVG(data, first: indicators.first, L)
        h += "<div class=\"legends\">\n"
        for (i, ind) in indicators.enumerated() {
            h += "<div class=\"legend\" data-key=\"\(esc(ind.column))\"\(i == 0 ? "" : " hidden")>\n<h3>\(esc(ind.label))</h3>\n<ul>\n"
            for (k, label) in ind.classLabels.enumerated() {
                h += "<li><span class=\"sw\" style=\"background:\(ind.colors[k])\"></span>\(esc(label))</li>\n"
            }
            h += "<li><span class=\"sw\" style=\"background:\(noDataColor)\"></span>\(L.noData)</li>\n</ul>\n</div>\n"
        }
        if !data.natura2000.isEmpty {
            h += "<ul class=\"n2k-key\"><li><span class=\"sw n2k\"></span>\(L.natura2000)</li></ul>\n"
        }
        h += "</div>\n</div>\n</section>\n"

        // Charts
        h += "<section id=\"charts\">\n<h2>\(L.chartsTitle)</h2>\n<div class=\"charts\">\n"
        // One top-10 chart per column whose schema asks for one, in column order.
        for (j, c) in data.indicators.columns.enumerated() {
            guard let s = c.schema, let chart = s.chart else { continue }
            h += barChart(data.indicators, column: j, title: s.label.text(language.rawValue), color: chart.color, L)
        }
        h += "</div>\n</section>\n"

        // Full table
        h += "<section id=\"all\">\n<h2>\(L.tableTitle)</h2>\n<p class=\"hint\">\(L.sortHint)</p>\n"
        h += filterBar(data, L)
        let links = profileFiles.map { $0.map { "profiles/" + $0 } }
        // Paged: the first page as HTML (readable without the script), every row in the JSON.
        h += htmlTable(data.indicators, id: "indicators-table", emptyRegion: nil, emptyText: L.noRows, links: links, limit: pageSize)
        h += pager(data.indicators.rows.count, L)
        h += "</section>\n<footer>\(L.footer)</footer>\n"

        // Data for the script
        var json = "{\"noData\":" + JSONText.quote(noDataColor) + ",\"maps\":{"
        for (i, m) in maps.enumerated() {
            if i > 0 { json += "," }
            json += JSONText.quote(m.key) + ":{\"colors\":[" + m.colors.map(JSONText.quote).joined(separator: ",")
            json += "],\"classes\":[" + m.classes.map { String($0) }.joined(separator: ",") + "]"
            // The values as the tooltip prints them.
            if let j = data.indicators.columnIndex(m.key) {
                let kind = data.indicators.columns[j].kind
                let unit = data.indicators.columns[j].schema?.unit.map { " " + $0 } ?? ""
                json += ",\"values\":[" + data.indicators.rows.map { row -> String in
                    let t = j < row.count ? Table.format(row[j], as: kind) : ""
                    return JSONText.quote(t.isEmpty ? L.noData : t + unit)
                }.joined(separator: ",") + "]"
            }
            json += "}"
        }
        json += "}"
        json += tooltipJSON(data, indicators: indicators, links: links, language)
        json += ",\"pageSize\":\(pageSize),\"pageLabel\":" + JSONText.quote(L.page)
        json += ",\"rows\":" + rowsJSON(data.indicators)
        json += "}"
        h += "<div id=\"tip\" role=\"tooltip\" hidden></div>\n"
        h += "<script type=\"application/json\" id=\"report-data\">\(json)</script>\n"
        h += "<script>\n\(script)</script>\n</body>\n</html>\n"
        return h
    }

    /// Rows per page of the full indicators table.
    static let pageSize = 100

    /// The pager below the full table: previous/next and "page k / n" (the script keeps it
    /// up to date; hidden when everything fits on one page).
    static func pager(_ rowCount: Int, _ L: Labels) -> String {
        let pages = max(1, (rowCount + pageSize - 1) / pageSize)
        var h = "<div class=\"pager\" id=\"pager\"\(pages > 1 ? "" : " hidden")><button type=\"button\" id=\"page-prev\" disabled>\(L.previousPage)</button> "
        h += "<span id=\"page-info\" class=\"hint\">\(L.page) 1 / \(pages)</span> "
        h += "<button type=\"button\" id=\"page-next\"\(pages > 1 ? "" : " disabled")>\(L.nextPage)</button></div>\n"
        return h
    }

    /// Search box, region filter and the count of rows shown, above the full table.
    static func filterBar(_ data: ReportData, _ L: Labels) -> String {
        var h = "<div class=\"filters\"><label>\(L.search) <input type=\"search\" id=\"search\" placeholder=\"\(L.searchHint)\"></label> "
        h += "<label>\(L.regionFilter) <select id=\"region-filter\"><option value=\"\" selected>\(L.allRegions)</option>"
        var regions: [String] = []
        if let r = data.indicators.columnIndex(role: .grouping) {
            var seen: Set<String> = []
            for row in data.indicators.rows where r < row.count {
                let t = Table.format(row[r], as: .text)
                if !t.isEmpty, seen.insert(t).inserted { regions.append(t) }
            }
        }
        for r in regions.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            h += "<option value=\"\(esc(r))\">\(esc(r))</option>"
        }
        h += "</select></label> <span id=\"row-count\" class=\"hint\">\(data.indicators.rows.count) / \(data.indicators.rows.count)</span></div>\n"
        return h
    }

    /// The tooltip's texts (labels per terrein, the menu labels) and the profile links, as
    /// members of the script's JSON.
    static func tooltipJSON(_ data: ReportData, indicators: [MapIndicator], links: [String]?, _ language: ReportLanguage) -> String {
        let t = data.indicators
        let idIndex = t.columnIndex(role: .identifier), nameIndex = t.columnIndex(role: .label), regionIndex = t.columnIndex(role: .grouping)
        var json = ",\"labels\":[" + t.rows.map { row -> String in
            var label = idIndex.map { $0 < row.count ? Table.format(row[$0], as: .text) : "" } ?? ""
            if let nameIndex, nameIndex < row.count, case .text(let n) = row[nameIndex], !n.isEmpty { label += " · " + n }
            return JSONText.quote(label)
        }.joined(separator: ",") + "]"
        json += ",\"regions\":[" + t.rows.map { row in
            JSONText.quote(regionIndex.map { $0 < row.count ? Table.format(row[$0], as: .text) : "" } ?? "")
        }.joined(separator: ",") + "]"
        json += ",\"names\":{" + indicators.map { JSONText.quote($0.column) + ":" + JSONText.quote($0.label) }.joined(separator: ",") + "}"
        json += ",\"columns\":{\"id\":\(idIndex ?? -1),\"name\":\(nameIndex ?? -1),\"region\":\(regionIndex ?? -1)}"
        if let links { json += ",\"links\":[" + links.map(JSONText.quote).joined(separator: ",") + "]" }
        json += ",\"profileHint\":" + JSONText.quote(language == .nl ? "klik voor het profiel" : "click for the profile")
        return json
    }

}
