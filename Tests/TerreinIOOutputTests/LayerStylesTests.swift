import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GRDB
import XCTest
@testable import TerreinIO

/// The QGIS styles in `layer_styles`: the table as QGIS creates it, and QML and SLD
/// documents whose structure, classes, colours, labels and aliases are known for the
/// fixture run. (QGIS itself is not installed for the tests: `scripts/qgis-style-check.py`
/// loads the styles in PyQGIS where it is.)
final class LayerStylesTests: XCTestCase {
    let date = Date(timeIntervalSince1970: 1_704_164_645) // 2024-01-02T03:04:05Z

    func styles(_ name: String = #function) throws -> [String: (qml: String, sld: String, row: Row)] {
        let path = try temporaryDirectory(name) + "/indicators.gpkg"
        try GeoPackageWriter.write(try Fixtures.artifacts(), to: path, lastChange: date)
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var out: [String: (String, String, Row)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM layer_styles ORDER BY id") {
                out[row["f_table_name"]] = (row["styleQML"], row["styleSLD"], row)
            }
            return out
        }
    }

    func xml(_ text: String) throws -> XMLDocument {
        try XMLDocument(data: Data(text.utf8), options: [])
    }

    func values(_ doc: XMLDocument, _ xpath: String) throws -> [String] {
        try doc.nodes(forXPath: xpath).map { $0.stringValue ?? "" }
    }

    func testTableIsTheOneQGISCreatesAndIsRegistered() throws {
        let path = try temporaryDirectory() + "/indicators.gpkg"
        try GeoPackageWriter.write(try Fixtures.artifacts(), to: path, lastChange: date)
        let queue = try DatabaseQueue(path: path)
        try queue.read { db in
            let info = try Row.fetchAll(db, sql: "PRAGMA table_info(layer_styles)")
            XCTAssertEqual(info.map { $0["name"] as String }, [
                "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML",
                "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"])
            XCTAssertEqual(info.map { $0["type"] as String }, [
                "INTEGER", "TEXT(256)", "TEXT(256)", "TEXT(256)", "TEXT(256)", "TEXT(30)", "TEXT", "TEXT", "BOOLEAN",
                "TEXT", "TEXT(30)", "TEXT(30)", "DATETIME"])
            let contents = try Row.fetchOne(db, sql: "SELECT data_type, identifier, last_change FROM gpkg_contents WHERE table_name = 'layer_styles'")
            XCTAssertEqual(contents?[0] as String?, "attributes")
            XCTAssertEqual(contents?[1] as String?, "layer_styles")
            XCTAssertEqual(contents?[2] as String?, "2024-01-02T03:04:05.000Z")
            let rows = try Row.fetchAll(db, sql: """
                SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, useAsDefault, owner, update_time
                FROM layer_styles ORDER BY id
                """)
            XCTAssertEqual(rows.map { $0[2] as String }, ["terreinen", "natura2000", "regions"])
            XCTAssertEqual(rows.map { $0[3] as String }, ["geom", "geom", ""])
            for r in rows {
                // QGIS finds a layer's style by f_table_schema = '' (NULL would not match).
                XCTAssertEqual(r[0] as String?, "")
                XCTAssertEqual(r[1] as String?, "")
                XCTAssertEqual(r[5] as Int, 1)
                XCTAssertEqual(r[6] as String?, "")
                XCTAssertEqual(r[7] as String, "2024-01-02T03:04:05.000Z")
                XCTAssertLessThanOrEqual((r[4] as String).count, 30)
            }
        }
        try queue.close()
    }

    /// The fixture's solar yields are 831.3849, 0 and -0.0001: the report's quintile breaks
    /// are 0 and 830 (two significant digits), three classes with the palette's colours 0,
    /// 2 and 4; QGIS's inclusive ranges end just below the next break.
    func testTerreinenQMLIsGraduatedBySolarYieldWithLabelsAndAliases() throws {
        let qml = try XCTUnwrap(try styles()["terreinen"]).qml
        XCTAssertTrue(qml.hasPrefix("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis "))
        let doc = try xml(qml)
        XCTAssertEqual(doc.rootElement()?.name, "qgis")
        XCTAssertEqual(try values(doc, "/qgis/@labelsEnabled"), ["1"])
        XCTAssertEqual(try values(doc, "/qgis/renderer-v2/@type"), ["graduatedSymbol"])
        XCTAssertEqual(try values(doc, "/qgis/renderer-v2/@attr"), ["solar_mwh_yr"])
        // The first class holds no stored value (-0.0001 is stored as 0): an empty range just below 0.
        XCTAssertEqual(try values(doc, "/qgis/renderer-v2/ranges/range/@lower").map { Double($0)! },
                       [(0.0).nextDown, 0, 830])
        XCTAssertEqual(try values(doc, "/qgis/renderer-v2/ranges/range/@upper").map { Double($0)! },
                       [(0.0).nextDown, (830.0).nextDown, 831.38])
        XCTAssertEqual(try values(doc, "/qgis/renderer-v2/ranges/range/@label"), ["< 0", "0 – 830", "≥ 830"])
        XCTAssertEqual(try values(doc, "/qgis/renderer-v2/ranges/range/@symbol"), ["0", "1", "2"])
        XCTAssertEqual(try values(doc, "/qgis/renderer-v2/symbols/symbol/@name"), ["0", "1", "2"])
        XCTAssertEqual(try values(doc, "/qgis/renderer-v2/symbols/symbol/layer/@class"), ["SimpleFill", "SimpleFill", "SimpleFill"])
        XCTAssertEqual(try values(doc, "/qgis/renderer-v2/symbols/symbol/layer/Option/Option[@name='color']/@value"),
                       ["255,243,184,255", "253,174,74,255", "198,79,11,255"]) // Palette.solar 0, 2, 4
        XCTAssertEqual(try values(doc, "/qgis/labeling/@type"), ["simple"])
        XCTAssertEqual(try values(doc, "/qgis/labeling/settings/text-style/@fieldName"), ["name"])
        XCTAssertEqual(try values(doc, "/qgis/aliases/alias[@field='solar_mwh_yr']/@name"), ["Zonne-opbrengst (MWh/jaar)"])
        XCTAssertEqual(try values(doc, "/qgis/aliases/alias[@field='area_m2']/@name"), ["Oppervlakte (m²)"])
        // index counts the fields as QGIS sees them: fid, then the columns (geom is not a field).
        XCTAssertEqual(try values(doc, "/qgis/aliases/alias/@field"), ["fid"] + Fixtures.columns.map(\.name))
        XCTAssertEqual(try values(doc, "/qgis/aliases/alias[@field='id']/@index"), ["1"])
    }

    func testTerreinenSLDHasRangeRulesAndATextSymbolizer() throws {
        let sld = try XCTUnwrap(try styles()["terreinen"]).sld
        let doc = try xml(sld)
        let root = try XCTUnwrap(doc.rootElement())
        XCTAssertEqual(root.localName, "StyledLayerDescriptor")
        XCTAssertEqual(root.uri, "http://www.opengis.net/sld")
        XCTAssertEqual(root.attributes?.first { $0.name == "version" }?.stringValue, "1.1.0")
        let rules = "/*[local-name()='StyledLayerDescriptor']/*[local-name()='NamedLayer']/*[local-name()='UserStyle']/*[local-name()='FeatureTypeStyle']/*[local-name()='Rule']"
        XCTAssertEqual(try doc.nodes(forXPath: rules).count, 4) // three classes, one for labels
        func inRule(_ k: Int, _ path: String) throws -> [String] { try values(doc, "\(rules)[\(k)]\(path)") }
        // Class 1: v < 0; class 2: 0 <= v < 830; class 3: v >= 830.
        XCTAssertEqual(try inRule(1, "/*[local-name()='Filter']/*[local-name()='PropertyIsLessThan']/*[local-name()='Literal']"), ["0"])
        XCTAssertEqual(try inRule(2, "/*[local-name()='Filter']/*[local-name()='And']/*/*[local-name()='Literal']"), ["0", "830"])
        XCTAssertEqual(try inRule(2, "/*[local-name()='Filter']/*[local-name()='And']/*/*[local-name()='PropertyName']"),
                       ["solar_mwh_yr", "solar_mwh_yr"])
        XCTAssertEqual(try inRule(3, "/*[local-name()='Filter']/*[local-name()='PropertyIsGreaterThanOrEqualTo']/*[local-name()='Literal']"), ["830"])
        XCTAssertEqual(try inRule(3, "/*[local-name()='PolygonSymbolizer']/*[local-name()='Fill']/*[local-name()='SvgParameter']"), ["#c64f0b"])
        XCTAssertEqual(try inRule(4, "/*[local-name()='TextSymbolizer']/*[local-name()='Label']/*[local-name()='PropertyName']"), ["name"])
        // Namespaces: Symbology Encoding for the rules, OGC filters.
        let literal = try XCTUnwrap(try doc.nodes(forXPath: "\(rules)[3]//*[local-name()='Literal']").first as? XMLElement)
        XCTAssertEqual(literal.uri, "http://www.opengis.net/ogc")
        let symbolizer = try XCTUnwrap(try doc.nodes(forXPath: "\(rules)[3]/*[local-name()='PolygonSymbolizer']").first as? XMLElement)
        XCTAssertEqual(symbolizer.uri, "http://www.opengis.net/se")
    }

    func testNatura2000IsHatchedWithAnOutline() throws {
        let s = try XCTUnwrap(try styles()["natura2000"])
        let qml = try xml(s.qml)
        XCTAssertEqual(try values(qml, "/qgis/renderer-v2/@type"), ["singleSymbol"])
        let layer = "/qgis/renderer-v2/symbols/symbol/layer/Option/Option"
        XCTAssertEqual(try values(qml, "\(layer)[@name='style']/@value"), ["b_diagonal"])
        XCTAssertEqual(try values(qml, "\(layer)[@name='color']/@value"), ["46,125,50,255"])
        XCTAssertEqual(try values(qml, "\(layer)[@name='outline_style']/@value"), ["solid"])
        XCTAssertEqual(try values(qml, "\(layer)[@name='outline_width']/@value"), ["0.5"])
        let sld = try xml(s.sld)
        XCTAssertEqual(try values(sld, "//*[local-name()='GraphicFill']//*[local-name()='WellKnownName']"), ["shape://slash"])
        XCTAssertEqual(try values(sld, "//*[local-name()='PolygonSymbolizer']/*[local-name()='Stroke']/*[local-name()='SvgParameter'][@name='stroke']"),
                       ["#2e7d32"])
    }

    func testRegionsStyleHoldsTheAliases() throws {
        let s = try XCTUnwrap(try styles()["regions"])
        let qml = try xml(s.qml)
        XCTAssertEqual(try qml.nodes(forXPath: "/qgis/renderer-v2").count, 0)
        XCTAssertEqual(try values(qml, "/qgis/aliases/alias[@field='terreinen']/@name"), ["Terreinen"])
        XCTAssertEqual(try values(qml, "/qgis/aliases/alias[@field='n2k_within_500m']/@index"), ["6"])
        XCTAssertEqual(s.sld, "")
    }

    func testEnglishLabels() throws {
        var a = try Fixtures.artifacts()
        a.language = "en"
        let style = LayerStyles.styles(a, terreinColumns: a.indicators.columns, siteColumns: [Column("name", .text)])
        let doc = try xml(style[0].qml)
        XCTAssertEqual(try values(doc, "/qgis/aliases/alias[@field='solar_mwh_yr']/@name"), ["Solar yield (MWh/yr)"])
        XCTAssertEqual(try values(try xml(style[1].qml), "/qgis/aliases/alias[@field='name']/@name"), ["Natura 2000 site"])
    }

    /// No terrein has a value: one grey symbol instead of empty classes.
    func testWithoutValuesASingleSymbol() throws {
        var a = try Fixtures.artifacts()
        let j = try XCTUnwrap(a.indicators.columnIndex("solar_mwh_yr"))
        for i in a.indicators.rows.indices { a.indicators.rows[i][j] = .null }
        let s = LayerStyles.terreinen(a, columns: a.indicators.columns, language: .nl)
        let doc = try xml(s.qml)
        XCTAssertEqual(try values(doc, "/qgis/renderer-v2/@type"), ["singleSymbol"])
        XCTAssertEqual(try values(doc, "/qgis/renderer-v2/symbols/symbol/layer/Option/Option[@name='color']/@value"), ["189,189,189,255"])
        XCTAssertEqual(try xml(s.sld).nodes(forXPath: "//*[local-name()='Filter']").count, 0)
    }

    func testXMLEscaping() throws {
        let hostile = Fixtures.hostileName + "\u{1}\t\n"
        XCTAssertEqual(XMLText.escape(hostile),
                       "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &apos;single&apos;&#9;&#10;")
        var x = XMLText()
        x.start("a", [("v", hostile)])
        x.leaf("b", hostile)
        x.close()
        let doc = try xml(x.document)
        XCTAssertEqual(doc.rootElement()?.attribute(forName: "v")?.stringValue, Fixtures.hostileName + "\t\n")
        XCTAssertEqual(try values(doc, "/a/b"), [Fixtures.hostileName + "\t\n"])
    }

    func testQGISColourAndNumbers() {
        XCTAssertEqual(LayerStyles.qgisColor("#2e7d32"), "46,125,50,255")
        XCTAssertEqual(LayerStyles.number(830), "830")
        XCTAssertEqual(LayerStyles.number(0.25), "0.25")
        XCTAssertEqual(Double(LayerStyles.number((830.0).nextDown)), (830.0).nextDown)
    }
}
