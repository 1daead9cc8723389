import Foundation
import GRDB

/// The QGIS default styles that `indicators.gpkg` carries in `layer_styles`, so the
/// layers open ready to read in QGIS (which applies a layer's default style from that
/// table when it loads the layer):
///
/// - `terreinen`: graduated by the report's first map indicator (the column whose map role
///   comes first in the menu: the solar yield), with the report's palette, class breaks
///   (quantile breaks computed from this run's values, as the report computes them) and
///   legend labels; labels by the terrein's name (the column with the `.label` role); field
///   aliases from the schema's labels, which QGIS shows as the attribute table's headers.
/// - `natura2000`: a hatched fill (QGIS brush `b_diagonal`) in the report's green with an
///   outline.
/// - `regions` (no geometry): field aliases only (and no SLD: nothing to draw).
///
/// Each style is QML (what QGIS reads) and SLD 1.1 / Symbology Encoding (for other tools:
/// GeoServer and QGIS's own SLD import). The table is created with the columns and types
/// QGIS's OGR provider creates it with (through GDAL's GPKG driver), and registered in
/// `gpkg_contents` as attributes, as GDAL does.
enum LayerStyles {
    struct Style: Equatable {
        var table: String
        var geometryColumn: String
        var name: String
        var description: String
        var qml: String
        var sld: String
    }

    /// The QGIS version the QML declares: the one these documents were checked with.
    static let qgisVersion = "3.22.16-Białowieża"
    static let natura2000Color = "#2e7d32"
    static let outlineColor = "#4d4d4d"

    /// The DDL that QGIS 3.22's OGR provider gets from GDAL 3.6 when it first saves a
    /// style into a GeoPackage (FID `id`; styleName, owner and ui 30 characters wide).
    static let createTable = """
        CREATE TABLE "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
        "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), \
        "f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, \
        "useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), \
        "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))
        """

    /// Writes the table and one default style per layer. `updateTime` is the GeoPackage's
    /// `last_change` text (SOURCE_DATE_EPOCH when set).
    static func write(_ db: Database, styles: [Style], updateTime: String) throws {
        try db.execute(sql: createTable)
        try db.execute(sql: """
            INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
            VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles (QML and SLD)', ?)
            """, arguments: [updateTime])
        for (i, s) in styles.enumerated() {
            // QGIS looks a layer's style up by f_table_schema = '' (not NULL), table and geometry column.
            try db.execute(sql: """
                INSERT INTO layer_styles (id, f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName,
                                          styleQML, styleSLD, useAsDefault, description, owner, ui, update_time)
                VALUES (?, '', '', ?, ?, ?, ?, ?, 1, ?, '', NULL, ?)
                """, arguments: [i + 1, s.table, s.geometryColumn, s.name, s.qml, s.sld, s.description, updateTime])
        }
    }

    /// The styles of a run's layers.
    static func styles(_ a: RunArtifacts, terreinColumns: [Column], siteColumns: [Column]) -> [Style] {
        let language = ReportLanguage(rawValue: a.language) ?? .nl
        return [terreinen(a, columns: terreinColumns, language: language),
                natura2000(columns: siteColumns, language: language),
                regions(a.regions.columns, language: language)]
    }

    // MARK: terreinen

    /// One class of the graduated style: QGIS's inclusive range and the report's class.
    struct Range: Equatable {
        /// QGIS includes both ends and takes the first range that holds a value, so every
        /// range but the last ends just below the next break (`nextDown`): a value on a
        /// break falls into the upper class, as in the report.
        var lower: Double
        var upper: Double
        /// The report's bounds: `>= from` (nil: open) and `< to` (nil: open), for the SLD.
        var from: Double?
        var to: Double?
        var color: String
        var label: String
    }

    /// The report's classes of its first map indicator as ranges over the run's values
    /// (empty when no terrein has a value).
    static func ranges(_ t: Table, language: ReportLanguage) -> (column: String, label: String, ranges: [Range])? {
        guard let ind = ReportWriter.mapIndicators(t, language).first, let j = t.columnIndex(ind.column) else { return nil }
        let values: [Double] = t.rows.compactMap { row in
            switch j < row.count ? Table.roundedValue(row[j], as: t.columns[j].kind) : .null {
            case .real(let d): return d.isFinite ? d : nil
            case .integer(let i): return Double(i)
            default: return nil
            }
        }
        guard let lo = values.min(), let hi = values.max() else { return (ind.column, ind.label, []) }
        let b = ind.breaks
        var out: [Range] = []
        for k in 0...b.count {
            let from = k == 0 ? nil : b[k - 1]
            let to = k == b.count ? nil : b[k]
            // The outer ranges reach the run's smallest and largest stored value; a class that
            // holds no stored value (the report's breaks come from unrounded values) stays,
            // as an empty range, so that the legend is the report's.
            var upper = to.map { $0.nextDown } ?? Swift.max(hi, b.last ?? hi)
            var lower = from ?? Swift.min(lo, upper)
            if lower > upper { (lower, upper) = (upper, upper) }
            out.append(Range(lower: lower, upper: upper, from: from, to: to,
                             color: ind.colors[Swift.min(k, ind.colors.count - 1)], label: ind.classLabels[k]))
        }
        return (ind.column, ind.label, out)
    }

    static func terreinen(_ a: RunArtifacts, columns: [Column], language: ReportLanguage) -> Style {
        let lang = language.rawValue
        let labelColumn = a.indicators.columnIndex(role: .label).map { a.indicators.columns[$0].name }
        let classes = ranges(a.indicators, language: language)
        let aliases = columns.map { ($0.name, $0.schema?.label.text(lang) ?? "") }
        let title = lang == "en" ? "Terreinen by \(classes?.label ?? "indicator")" : "Terreinen naar \(classes?.label ?? "indicator")"

        var q = qmlStart(labels: labelColumn != nil)
        if let classes, !classes.ranges.isEmpty {
            q.start("renderer-v2", [("type", "graduatedSymbol"), ("attr", classes.column), ("graduatedMethod", "GraduatedColor"),
                                    ("symbollevels", "0"), ("forceraster", "0"), ("enableorderby", "0")])
            q.start("ranges")
            for (k, r) in classes.ranges.enumerated() {
                q.empty("range", [("symbol", "\(k)"), ("lower", number(r.lower)), ("upper", number(r.upper)),
                                  ("label", r.label), ("render", "true")])
            }
            q.close()
            q.start("symbols")
            for (k, r) in classes.ranges.enumerated() {
                simpleFill(&q, name: "\(k)", color: r.color, style: "solid", outline: outlineColor, width: 0.26)
            }
            q.close()
            q.start("classificationMethod", [("id", "Custom")])
            q.empty("symmetricMode", [("enabled", "0"), ("symmetrypoint", "0"), ("astride", "0")])
            q.empty("labelFormat", [("format", "%1 - %2"), ("trimtrailingzeroes", "1"), ("labelprecision", "2")])
            q.close()
            q.close()
        } else {
            q.start("renderer-v2", [("type", "singleSymbol"), ("symbollevels", "0"), ("forceraster", "0"), ("enableorderby", "0")])
            q.start("symbols")
            simpleFill(&q, name: "0", color: ReportWriter.noDataColor, style: "solid", outline: outlineColor, width: 0.26)
            q.close()
            q.close()
        }
        if let labelColumn { qmlLabels(&q, field: labelColumn) }
        qmlAliases(&q, aliases)
        q.close()

        var s = sldStart(layer: "terreinen", title: title)
        if let classes, !classes.ranges.isEmpty {
            for r in classes.ranges {
                s.start("se:Rule")
                s.leaf("se:Name", r.label)
                s.start("se:Description")
                s.leaf("se:Title", r.label)
                s.close()
                sldRangeFilter(&s, property: classes.column, from: r.from, to: r.to)
                sldPolygon(&s, fill: r.color, stroke: outlineColor)
                s.close()
            }
        } else {
            s.start("se:Rule")
            s.leaf("se:Name", title)
            sldPolygon(&s, fill: ReportWriter.noDataColor, stroke: outlineColor)
            s.close()
        }
        if let labelColumn {
            s.start("se:Rule")
            s.leaf("se:Name", "Labels")
            s.start("se:TextSymbolizer")
            s.start("se:Label")
            s.leaf("ogc:PropertyName", labelColumn)
            s.close()
            s.start("se:Font")
            s.leaf("se:SvgParameter", [("name", "font-family")], "Sans-Serif")
            s.leaf("se:SvgParameter", [("name", "font-size")], "12")
            s.close()
            s.start("se:LabelPlacement")
            s.start("se:PointPlacement")
            s.start("se:AnchorPoint")
            s.leaf("se:AnchorPointX", "0.5")
            s.leaf("se:AnchorPointY", "0.5")
            s.close()
            s.close()
            s.close()
            s.start("se:Halo")
            s.leaf("se:Radius", "1")
            s.start("se:Fill")
            s.leaf("se:SvgParameter", [("name", "fill")], "#ffffff")
            s.close()
            s.close()
            s.start("se:Fill")
            s.leaf("se:SvgParameter", [("name", "fill")], "#323232")
            s.close()
            s.close()
            s.close()
        }
        return Style(table: "terreinen", geometryColumn: "geom", name: "terreinen", description: title,
                     qml: q.document, sld: sldEnd(s))
    }

    // MARK: natura2000, regions

    static func natura2000(columns: [Column], language: ReportLanguage) -> Style {
        let title = language == .en ? "Natura 2000 sites (hatched)" : "Natura 2000-gebieden (gearceerd)"
        var q = qmlStart(labels: false)
        q.start("renderer-v2", [("type", "singleSymbol"), ("symbollevels", "0"), ("forceraster", "0"), ("enableorderby", "0")])
        q.start("symbols")
        simpleFill(&q, name: "0", color: natura2000Color, style: "b_diagonal", outline: natura2000Color, width: 0.5)
        q.close()
        q.close()
        qmlAliases(&q, columns.map { ($0.name, $0.schema?.label.text(language.rawValue)
                                         ?? (language == .en ? "Natura 2000 site" : "Natura 2000-gebied")) })
        q.close()

        var s = sldStart(layer: "natura2000", title: title)
        s.start("se:Rule")
        s.leaf("se:Name", title)
        s.start("se:PolygonSymbolizer")
        s.start("se:Fill")
        s.start("se:GraphicFill")
        s.start("se:Graphic")
        s.start("se:Mark")
        s.leaf("se:WellKnownName", "shape://slash")
        s.start("se:Stroke")
        s.leaf("se:SvgParameter", [("name", "stroke")], natura2000Color)
        s.leaf("se:SvgParameter", [("name", "stroke-width")], "1")
        s.close()
        s.close()
        s.leaf("se:Size", "8")
        s.close()
        s.close()
        s.close()
        s.start("se:Stroke")
        s.leaf("se:SvgParameter", [("name", "stroke")], natura2000Color)
        s.leaf("se:SvgParameter", [("name", "stroke-width")], "2")
        s.close()
        s.close()
        s.close()
        return Style(table: "natura2000", geometryColumn: "geom", name: "natura2000", description: title,
                     qml: q.document, sld: sldEnd(s))
    }

    /// The attribute table has no geometry: its style holds the field aliases (QGIS looks
    /// it up with an empty geometry column); its SLD has no rule to draw.
    static func regions(_ columns: [Column], language: ReportLanguage) -> Style {
        let title = language == .en ? "Regions: column titles" : "Regio's: kolomtitels"
        var q = qmlStart(labels: false)
        qmlAliases(&q, columns.map { ($0.name, $0.schema?.label.text(language.rawValue) ?? "") })
        q.close()
        // An SLD without a rule to draw is not valid SLD: the table has none.
        return Style(table: "regions", geometryColumn: "", name: "regions", description: title, qml: q.document, sld: "")
    }

    // MARK: QML pieces

    static func qmlStart(labels: Bool) -> XMLText {
        var q = XMLText(prolog: "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>")
        q.start("qgis", [("version", qgisVersion), ("styleCategories", "AllStyleCategories"),
                         ("labelsEnabled", labels ? "1" : "0"), ("hasScaleBasedVisibilityFlag", "0"),
                         ("minScale", "100000000"), ("maxScale", "0"), ("readOnly", "0")])
        return q
    }

    /// A fill symbol of one SimpleFill layer (QGIS's property names and formats).
    static func simpleFill(_ q: inout XMLText, name: String, color: String, style: String, outline: String, width: Double) {
        q.start("symbol", [("type", "fill"), ("name", name), ("alpha", "1"), ("clip_to_extent", "1"), ("force_rhr", "0")])
        q.start("layer", [("class", "SimpleFill"), ("enabled", "1"), ("locked", "0"), ("pass", "0")])
        q.start("Option", [("type", "Map")])
        let props: [(String, String)] = [
            ("color", qgisColor(color)), ("joinstyle", "bevel"), ("offset", "0,0"), ("offset_unit", "MM"),
            ("outline_color", qgisColor(outline)), ("outline_style", "solid"), ("outline_width", number(width)),
            ("outline_width_unit", "MM"), ("style", style),
        ]
        for (k, v) in props { q.empty("Option", [("type", "QString"), ("name", k), ("value", v)]) }
        q.close()
        q.close()
        q.close()
    }

    /// Simple labels from a field, centred in the polygon, with a white buffer.
    static func qmlLabels(_ q: inout XMLText, field: String) {
        q.start("labeling", [("type", "simple")])
        q.start("settings", [("calloutType", "simple")])
        q.start("text-style", [("fieldName", field), ("isExpression", "0"), ("fontSize", "9"), ("fontSizeUnit", "Point"),
                               ("textColor", "50,50,50,255"), ("textOpacity", "1"), ("fontWeight", "50"),
                               ("fontItalic", "0"), ("namedStyle", "Regular")])
        q.empty("text-buffer", [("bufferDraw", "1"), ("bufferSize", "0.8"), ("bufferSizeUnits", "MM"),
                                ("bufferColor", "255,255,255,255"), ("bufferOpacity", "0.8"), ("bufferNoFill", "1"),
                                ("bufferJoinStyle", "128")])
        q.close()
        q.empty("text-format", [("wrapChar", ""), ("multilineAlign", "3"), ("formatNumbers", "0")])
        q.empty("placement", [("placement", "1"), ("centroidInside", "1"), ("centroidWhole", "0"), ("fitInPolygonOnly", "0"),
                              ("priority", "5"), ("dist", "0"), ("offsetType", "0"), ("xOffset", "0"), ("yOffset", "0")])
        q.empty("rendering", [("drawLabels", "1"), ("obstacle", "1"), ("obstacleType", "1"), ("scaleVisibility", "0"),
                              ("displayAll", "0"), ("upsidedownLabels", "0"), ("labelPerPart", "0"), ("mergeLines", "0"),
                              ("limitNumLabels", "0"), ("maxNumLabels", "2000"), ("minFeatureSize", "0")])
        q.close()
        q.close()
    }

    /// Field aliases: the attribute table's column headers and the identify results.
    /// `index` counts the layer's fields as QGIS sees them: `fid` first.
    static func qmlAliases(_ q: inout XMLText, _ aliases: [(String, String)]) {
        q.start("aliases")
        q.empty("alias", [("field", "fid"), ("index", "0"), ("name", "")])
        for (i, (field, alias)) in aliases.enumerated() {
            q.empty("alias", [("field", field), ("index", "\(i + 1)"), ("name", alias)])
        }
        q.close()
    }

    // MARK: SLD pieces

    static func sldStart(layer: String, title: String) -> XMLText {
        var s = XMLText()
        s.start("StyledLayerDescriptor", [
            ("xmlns", "http://www.opengis.net/sld"), ("xmlns:se", "http://www.opengis.net/se"),
            ("xmlns:ogc", "http://www.opengis.net/ogc"), ("xmlns:xlink", "http://www.w3.org/1999/xlink"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"), ("version", "1.1.0"),
            ("xsi:schemaLocation", "http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd"),
        ])
        s.start("NamedLayer")
        s.leaf("se:Name", layer)
        s.start("UserStyle")
        s.leaf("se:Name", layer)
        s.start("se:Description")
        s.leaf("se:Title", title)
        s.close()
        s.start("se:FeatureTypeStyle")
        return s
    }

    static func sldEnd(_ s: XMLText) -> String {
        var s = s
        s.close() // FeatureTypeStyle
        s.close() // UserStyle
        s.close() // NamedLayer
        s.close() // StyledLayerDescriptor
        return s.document
    }

    /// `from <= property < to`, either end open.
    static func sldRangeFilter(_ s: inout XMLText, property: String, from: Double?, to: Double?) {
        var parts: [(String, Double)] = []
        if let from { parts.append(("ogc:PropertyIsGreaterThanOrEqualTo", from)) }
        if let to { parts.append(("ogc:PropertyIsLessThan", to)) }
        guard !parts.isEmpty else { return }
        s.start("ogc:Filter")
        if parts.count > 1 { s.start("ogc:And") }
        for (op, v) in parts {
            s.start(op)
            s.leaf("ogc:PropertyName", property)
            s.leaf("ogc:Literal", number(v))
            s.close()
        }
        if parts.count > 1 { s.close() }
        s.close()
    }

    static func sldPolygon(_ s: inout XMLText, fill: String, stroke: String) {
        s.start("se:PolygonSymbolizer")
        s.start("se:Fill")
        s.leaf("se:SvgParameter", [("name", "fill")], fill)
        s.close()
        s.start("se:Stroke")
        s.leaf("se:SvgParameter", [("name", "stroke")], stroke)
        s.leaf("se:SvgParameter", [("name", "stroke-width")], "1")
        s.close()
        s.close()
    }

    // MARK: Values

    /// `#rrggbb` as QGIS's `r,g,b,a`.
    static func qgisColor(_ hex: String) -> String {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let v = UInt32(digits, radix: 16) else { return "0,0,0,255" }
        return "\((v >> 16) & 0xff),\((v >> 8) & 0xff),\(v & 0xff),255"
    }

    /// The shortest decimal text that reads back as the same double (Swift's description),
    /// without a trailing ".0" on whole numbers.
    static func number(_ v: Double) -> String {
        let s = "\(v)"
        return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }
}
