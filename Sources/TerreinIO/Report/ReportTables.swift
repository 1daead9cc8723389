import TerreinJSON

extension ReportWriter {
    // MARK: Charts and tables

    static func barChart(_ t: Table, column j: Int, title: String, color: String, _ L: Labels) -> String {
        var h = "<figure class=\"chart\">\n<figcaption>\(esc(title))</figcaption>\n"
        let kind = t.columns[j].kind
        let idIndex = t.columnIndex(role: .identifier), nameIndex = t.columnIndex(role: .label)
        var entries: [(value: Double, row: Int)] = []
        for (i, row) in t.rows.enumerated() where j < row.count {
            switch Table.roundedValue(row[j], as: kind) {
            case .real(let d) where d.isFinite && d > 0: entries.append((d, i))
            case .integer(let n) where n > 0: entries.append((Double(n), i))
            default: break
            }
        }
        // Largest first; ties in table (id) order.
        entries.sort { $0.value != $1.value ? $0.value > $1.value : $0.row < $1.row }
        let top = entries.prefix(10)
        guard let maxValue = top.first?.value else { return h + "<p class=\"hint\">\(L.chartEmpty)</p>\n</figure>\n" }
        h += "<table class=\"bars\">\n"
        for e in top {
            let row = t.rows[e.row]
            var label = idIndex.map { Table.format(row[$0], as: .text) } ?? String(e.row + 1)
            if let nameIndex, case .text(let n) = row[nameIndex], !n.isEmpty { label += " · " + n }
            let pct = Table.formatFixed(max(0.5, 100 * e.value / maxValue), decimals: 1)
            h += "<tr><th scope=\"row\">\(esc(label))</th><td class=\"barcell\"><span class=\"bar\" style=\"width:\(pct)%;background:\(color)\"></span></td>"
            h += "<td class=\"num\">\(esc(Table.format(row[j], as: kind)))</td></tr>\n"
        }
        return h + "</table>\n</figure>\n"
    }

    static func isNumeric(_ kind: ColumnKind) -> Bool {
        switch kind {
        case .integer, .real: return true
        default: return false
        }
    }

    /// A sortable HTML table with the printed values (as in the CSV, without formula guard).
    /// `links`: per row, the href of the row's identifier cell (the terrein's profile).
    /// `limit`: render only the first `limit` rows (the paged table: the script renders the
    /// other pages from `rowsJSON`); nil: every row.
    static func htmlTable(_ t: Table, id: String, emptyRegion: String?, emptyText: String, links: [String]? = nil, limit: Int? = nil) -> String {
        if t.columns.isEmpty { return "<p>\(emptyText)</p>\n" }
        var h = "<div class=\"scroll\"><table class=\"data sortable\" id=\"\(id)\">\n<thead><tr>"
        for c in t.columns {
            h += "<th scope=\"col\" data-type=\"\(isNumeric(c.kind) ? "num" : "text")\" tabindex=\"0\">\(esc(c.name))</th>"
        }
        h += "</tr></thead>\n<tbody>\n"
        let regionIndex = emptyRegion == nil ? nil : t.columnIndex(role: .grouping)
        let linkIndex = links == nil ? nil : t.columnIndex(role: .identifier)
        for (i, row) in t.rows.prefix(limit ?? t.rows.count).enumerated() {
            h += "<tr>"
            for (j, c) in t.columns.enumerated() {
                let cell = j < row.count ? row[j] : .null
                let text = Table.format(cell, as: c.kind)
                if j == linkIndex, let links, i < links.count {
                    h += "<td><a href=\"\(esc(links[i]))\">\(esc(text))</a></td>"
                } else if j == regionIndex, text.isEmpty, let emptyRegion {
                    h += "<td><i>\(esc(emptyRegion))</i></td>"
                } else {
                    h += isNumeric(c.kind) ? "<td class=\"num\">\(esc(text))</td>" : "<td>\(esc(text))</td>"
                }
            }
            h += "</tr>\n"
        }
        if t.rows.isEmpty { h += "<tr><td colspan=\"\(t.columns.count)\">\(emptyText)</td></tr>\n" }
        return h + "</tbody>\n</table></div>\n"
    }

    /// Every row's printed cells (as `htmlTable` prints them) as one JSON array of arrays of
    /// strings: the paged table's data, which the script searches, filters, sorts and renders
    /// a page at a time from (3,800 rows as HTML took ~20 s to open; as JSON, well under 1 s).
    static func rowsJSON(_ t: Table) -> String {
        var json = "["
        json.reserveCapacity(t.rows.count * t.columns.count * 8)
        for (i, row) in t.rows.enumerated() {
            json += i == 0 ? "[" : ",["
            for (j, c) in t.columns.enumerated() {
                if j > 0 { json += "," }
                json += JSONText.quote(Table.format(j < row.count ? row[j] : .null, as: c.kind))
            }
            json += "]"
        }
        return json + "]"
    }

    /// HTML text and attribute escaping.
    static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab/LF/CR are not allowed in HTML text.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" && ch != "\r" { out += "\u{FFFD}" }
                else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

}
