#!/usr/bin/python3
"""Opens a run's indicators.gpkg in QGIS (PyQGIS, offscreen) and checks that the layers come
up with the default styles Terrein wrote into layer_styles, as an analyst would see them:

- terreinen: a graduated renderer on the report's first map column, one range per report
  class, every feature drawn in the colour of its class (compared with the class the
  report's rule gives: v >= break moves up a class), labels on by the name field, and the
  column titles as field aliases (the attribute table's headers);
- natura2000: one symbol, a hatched (b_diagonal) fill with an outline;
- regions: the column titles as aliases;
- each layer's SLD is read by QGIS's own SLD import without an error (terreinen: as many
  filter rules as classes, plus the label rule).

With --png PATH it also renders the two layers to a PNG to look at.

Needs Debian's python3-qgis (not installed by scripts/setup.sh: QGIS is large); run with
/usr/bin/python3. Exit 0 and one summary line when every check holds.
"""
import json
import os
import sqlite3
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="qgis-runtime-"))

from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsRectangle,  # noqa: E402
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402


def fail(msg):
    print(f"qgis-style-check: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def main(argv):
    if len(argv) < 2:
        fail("usage: qgis-style-check.py OUTPUT_DIR/indicators.gpkg [--png PATH]")
    gpkg = argv[1]
    png = argv[argv.index("--png") + 1] if "--png" in argv else None
    app = QgsApplication([], False)
    app.initQgis()

    db = sqlite3.connect(gpkg)
    styles = {r[0]: (r[1], r[2]) for r in db.execute("SELECT f_table_name, styleQML, styleSLD FROM layer_styles")}
    titles = {(t, c): title for t, c, title in db.execute("SELECT table_name, column_name, title FROM gpkg_data_columns")}
    db.close()

    layers = {}
    for name in ("terreinen", "natura2000", "regions"):
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        check(layer.isValid(), f"QGIS cannot open layer {name}")
        # What QGIS does when a layer is added: the default style from the data source.
        message, ok = layer.loadDefaultStyle()
        check(ok, f"{name}: QGIS did not load a default style from layer_styles: {message}")
        layers[name] = layer
        for field in layer.fields():
            want = titles.get((name, field.name()))
            if want is not None:
                check(field.alias() == want, f"{name}.{field.name()}: alias {field.alias()!r}, expected the title {want!r}")

    t = layers["terreinen"]
    r = t.renderer()
    check(r.type() == "graduatedSymbol", f"terreinen: renderer {r.type()}, expected graduatedSymbol")
    column = r.classAttribute()
    ranges = r.ranges()
    check(len(ranges) >= 1, "terreinen: no classes")
    check(t.labelsEnabled(), "terreinen: labels are off")
    label_field = t.labeling().settings().fieldName
    check(label_field == "name", f"terreinen: labels by {label_field!r}, expected name")
    # Every terrein in its report class's colour.
    breaks = [rg.lowerValue() for rg in ranges[1:]]
    colours = [rg.symbol().color().name() for rg in ranges]
    drawn = 0
    for feature in t.getFeatures():
        v = feature[column]
        if v is None or (isinstance(v, float) and v != v):
            continue
        cls = sum(1 for b in breaks if v >= b)
        symbols = r.symbolsForFeature(feature, _context(t))
        check(len(symbols) == 1, f"terreinen fid {feature.id()}: {len(symbols)} symbols for {column}={v}")
        got = symbols[0].color().name()
        check(got == colours[cls], f"terreinen fid {feature.id()}: {column}={v} drawn {got}, the report's class {cls} is {colours[cls]}")
        drawn += 1

    n = layers["natura2000"]
    check(n.renderer().type() == "singleSymbol", f"natura2000: renderer {n.renderer().type()}")
    sl = n.renderer().symbol().symbolLayer(0)
    props = sl.properties()
    check(props.get("style") == "b_diagonal", f"natura2000: fill style {props.get('style')!r}, expected b_diagonal")
    check(props.get("outline_style") == "solid", "natura2000: no outline")

    # QGIS's own SLD import.
    sld_rules = {}
    for name in ("terreinen", "natura2000"):
        with tempfile.NamedTemporaryFile("w", suffix=".sld", delete=False, encoding="utf-8") as f:
            f.write(styles[name][1])
        probe = QgsVectorLayer(f"{gpkg}|layername={name}", name + "-sld", "ogr")
        message, ok = probe.loadSldStyle(f.name)
        os.unlink(f.name)
        check(ok, f"{name}: QGIS cannot read the SLD: {message}")
        sld_rules[name] = len(probe.renderer().rootRule().children()) if probe.renderer().type() == "RuleRenderer" else 1
    check(sld_rules["terreinen"] >= len(ranges), f"terreinen SLD: {sld_rules['terreinen']} rules for {len(ranges)} classes")

    if png:
        settings = QgsMapSettings()
        settings.setLayers([t, n])
        settings.setDestinationCrs(t.crs())
        extent = QgsRectangle(t.extent())
        extent.combineExtentWith(n.extent())
        extent.scale(1.05)
        settings.setExtent(extent)
        settings.setOutputSize(QSize(1200, 900))
        settings.setBackgroundColor(QColor("white"))
        job = QgsMapRendererParallelJob(settings)
        job.start()
        job.waitForFinished()
        job.renderedImage().save(png, "PNG")

    print(json.dumps({"qgis": __import__("qgis.core").core.Qgis.QGIS_VERSION, "terreinen_renderer": r.type(),
                      "column": column, "classes": len(ranges), "features_checked": drawn,
                      "labels": label_field, "natura2000_fill": props.get("style"),
                      "sld_rules": sld_rules}, ensure_ascii=False))
    app.exitQgis()


def _context(layer):
    from qgis.core import QgsRenderContext
    ctx = QgsRenderContext()
    layer.renderer().startRender(ctx, layer.fields())
    return ctx


if __name__ == "__main__":
    main(sys.argv)
