"""Tests of the reference reading vector layers through OGR (pyogrio): GeoPackage and Shapefile.

The files are made with ogr2ogr (Debian's gdal-bin), from SampleGIS or from small CSV files with
a WKT column.  Run: python -m pytest reference/tests -q
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas_impl as ref  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "Pipelines" / "sample.yml"
SAMPLE_GIS = REPO / "SampleGIS"
X0, Y0 = 100_000.0, 450_000.0  # somewhere in the Netherlands, RD New

pytestmark = pytest.mark.skipif(shutil.which("ogr2ogr") is None,
                                reason="ogr2ogr (Debian gdal-bin) is not installed")


def ogr2ogr(*args):
    subprocess.run(["ogr2ogr", *map(str, args)], check=True, capture_output=True)


def read_csv_text(out: Path) -> dict[str, str]:
    return {f: (out / f).read_text(encoding="utf-8") for f in ("indicators.csv", "regions.csv")}


def run(pipeline: Path, out: Path) -> int:
    return ref.main([str(pipeline), "--out", str(out), "--quiet"])


def sample_pipeline(tmp_path: Path, terreinen: Path, layer: str | None, roofs: Path, roofs_crs: bool = False) -> Path:
    """Pipelines/sample.yml with terreinen and roofs from other files, the rest from SampleGIS."""
    doc = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    for name, spec in doc["layers"].items():
        for source in spec.get("sources", [spec]):  # land cover comes from several sources
            source["path"] = str((SAMPLE.parent / source["path"]).resolve())
    doc["layers"]["terreinen"]["path"] = str(terreinen)
    doc["layers"]["terreinen"].pop("layer", None)  # the sample names its GeoPackage layer
    if layer is not None:
        doc["layers"]["terreinen"]["layer"] = layer
    doc["layers"]["roofs"]["path"] = str(roofs)
    if not roofs_crs:
        del doc["layers"]["roofs"]["crs"]  # the Shapefile's .prj supplies it
    doc["outputs"]["directory"] = str(tmp_path / "unused")
    path = tmp_path / "p.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory):
    """parks.gpkg (layers terreinen and sites), roofs.shp (with .prj), and the GeoJSON sample's tables."""
    d = tmp_path_factory.mktemp("ogr")
    ogr2ogr("-f", "GPKG", d / "parks.gpkg", SAMPLE_GIS / "terreinen.geojson", "-nln", "terreinen")
    ogr2ogr("-f", "GPKG", "-update", d / "parks.gpkg", SAMPLE_GIS / "natura2000.geojson", "-nln", "sites")
    ogr2ogr("-f", "ESRI Shapefile", d / "roofs.shp", SAMPLE_GIS / "roofs.geojsonl", "-a_srs", "EPSG:28992")
    assert run(SAMPLE, d / "geojson") == 0
    return d


# --- the sample through GeoPackage and Shapefile ---------------------------------------------------------

def test_geopackage_and_shapefile_give_the_same_tables_as_geojson(sample_files, tmp_path):
    d = sample_files
    p = sample_pipeline(tmp_path, d / "parks.gpkg", "terreinen", d / "roofs.shp")
    assert run(p, tmp_path / "ogr") == 0
    assert read_csv_text(tmp_path / "ogr") == read_csv_text(d / "geojson")
    layers = json.loads((tmp_path / "ogr" / "reference_manifest.json").read_text())["layers"]
    assert layers["terreinen"]["ogr_layer"] == "terreinen" and layers["terreinen"]["source_crs"] == "EPSG:28992"
    assert layers["roofs"]["ogr_layer"] == "roofs" and layers["roofs"]["source_crs"] == "EPSG:28992"
    assert layers["roofs"]["features_used"] == 522
    assert layers["natura2000"]["ogr_layer"] == "natura2000"  # the sample's Shapefile
    assert "ogr_layer" not in layers["landcover"]


def test_several_layers_and_no_layer_key_is_an_error_naming_them(sample_files, tmp_path, capsys):
    p = sample_pipeline(tmp_path, sample_files / "parks.gpkg", None, sample_files / "roofs.shp")
    assert run(p, tmp_path / "x") == 2
    err = capsys.readouterr().err
    assert "2 layers" in err and '"terreinen", "sites"' in err and "layers.terreinen.layer" in err


def test_missing_layer_is_an_error_listing_the_layers(sample_files, tmp_path, capsys):
    p = sample_pipeline(tmp_path, sample_files / "parks.gpkg", "parken", sample_files / "roofs.shp")
    assert run(p, tmp_path / "x") == 2
    err = capsys.readouterr().err
    assert 'no layer "parken"' in err and '"terreinen", "sites"' in err


def test_shapefile_without_prj_needs_crs(sample_files, tmp_path, capsys):
    for ext in ("shp", "shx", "dbf"):
        shutil.copy(sample_files / f"roofs.{ext}", tmp_path / f"roofs.{ext}")
    p = sample_pipeline(tmp_path, sample_files / "parks.gpkg", "terreinen", tmp_path / "roofs.shp")
    assert run(p, tmp_path / "x") == 2
    err = capsys.readouterr().err
    assert "no CRS" in err and "crs: EPSG:28992" in err
    p = sample_pipeline(tmp_path, sample_files / "parks.gpkg", "terreinen", tmp_path / "roofs.shp", roofs_crs=True)
    assert run(p, tmp_path / "y") == 0
    assert read_csv_text(tmp_path / "y") == read_csv_text(sample_files / "geojson")


def test_layer_key_on_a_geojson_file_is_an_error(tmp_path, capsys):
    p = sample_pipeline(tmp_path, SAMPLE_GIS / "terreinen.geojson", "terreinen", SAMPLE_GIS / "roofs.geojsonl",
                        roofs_crs=True)
    assert run(p, tmp_path / "x") == 2
    err = capsys.readouterr().err
    assert "layers.terreinen.layer" in err and "GeoJSON" in err


def test_unreadable_file_is_an_error(tmp_path, capsys):
    (tmp_path / "t.gpkg").write_bytes(b"not a geopackage")
    p = sample_pipeline(tmp_path, tmp_path / "t.gpkg", None, SAMPLE_GIS / "roofs.geojsonl", roofs_crs=True)
    assert run(p, tmp_path / "x") == 2
    assert "cannot open" in capsys.readouterr().err


# --- attribute types, reading order, geometry preparation --------------------------------------------------

def wkt_box(x0, y0, x1, y1) -> str:
    x0, y0, x1, y1 = X0 + x0, Y0 + y0, X0 + x1, Y0 + y1
    return f"POLYGON (({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"


def write_csv_layer(path: Path, header: list[str], rows: list[list], types: str) -> None:
    """A CSV with a WKT column and the given OGR field types (a .csvt beside it)."""
    def cell(v):
        return "" if v is None else '"' + str(v).replace('"', '""') + '"'
    lines = [",".join(["WKT", *header])] + [",".join(cell(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.with_suffix(".csvt").write_text("WKT," + types + "\n", encoding="utf-8")


def gpkg_pipeline(tmp_path: Path, layers: dict[str, tuple[list[str], list[list], str]], extra=None) -> Path:
    """One GeoPackage with a layer per entry (made from CSV with ogr2ogr), and a pipeline reading them."""
    gpkg = tmp_path / "layers.gpkg"
    spec = {}
    for i, (name, (header, rows, types)) in enumerate(layers.items()):
        csv_path = tmp_path / f"{name}.csv"
        write_csv_layer(csv_path, header, rows, types)
        ogr2ogr("-f", "GPKG", *(["-update"] if i else []), gpkg, csv_path, "-nln", name, "-a_srs", "EPSG:28992")
        spec[name] = {"path": "layers.gpkg", "layer": name}
    spec.update(extra or {})
    if "landcover" in spec:
        spec["landcover"]["classes"] = {"sealed": [1], "green": ["groen"], "water": []}
    path = tmp_path / "p.yml"
    path.write_text(yaml.safe_dump({"name": "t", "work_crs": "EPSG:28992", "layers": spec}), encoding="utf-8")
    return path


def rows_of(out: Path) -> dict[str, dict]:
    import csv
    with (out / "indicators.csv").open(newline="", encoding="utf-8") as fh:
        return {r["id"]: r for r in csv.DictReader(fh)}


def test_integer_ids_are_decimal_text_and_null_reals_are_missing(tmp_path):
    p = gpkg_pipeline(tmp_path, {
        "terreinen": (["id", "name", "region"], [[wkt_box(0, 0, 400, 400), 7, "Zeven", None],
                                                 [wkt_box(500, 0, 900, 400), 12, "Twaalf", 3]],
                      "Integer,String,Integer"),
        "roofs": (["slope_deg", "azimuth_deg", "building_id"],
                  [[wkt_box(100, 100, 200, 150), 30.0, 180.0, 1],
                   [wkt_box(600, 100, 700, 150), None, None, None]],  # null slope: missing, so flat
                  "Real,Real,Integer"),
        "landcover": (["class"], [[wkt_box(0, 0, 50, 400), 1], [wkt_box(500, 0, 550, 400), None]], "Integer"),
    })
    assert run(p, tmp_path / "o") == 0
    rows = rows_of(tmp_path / "o")
    assert list(rows) == ["12", "7"]  # sorted by id as text, not as numbers; never "7.0"
    assert rows["7"]["region"] == "" and rows["12"]["region"] == "3"
    assert rows["7"]["solar_kwp"] == "923.76"  # the contract's worked example
    assert rows["12"]["solar_kwp"] == f"{5000 * 0.6 * 0.2:.2f}"  # null slope = 0: flat, valid
    assert rows["7"]["sealed_m2"] == f"{50 * 400 + 100 * 50:.2f}"  # class 1 (integer) is sealed
    manifest = json.loads((tmp_path / "o" / "reference_manifest.json").read_text())
    assert manifest["roof_faces_invalid_attributes"] == 0
    assert manifest["landcover"]["unmapped"] == [""]


def test_text_ids_and_reading_order_positions(tmp_path):
    # Feature indices are positions in reading order (a GeoPackage's FIDs start at 1).
    p = gpkg_pipeline(tmp_path, {
        "terreinen": (["id"], [[wkt_box(0, 0, 400, 400), "T1"]], "String"),
        "roofs": (["slope_deg", "azimuth_deg"],
                  [[wkt_box(100, 100, 200, 150), 30, 180],
                   [f"LINESTRING ({X0} {Y0},{X0 + 5} {Y0 + 5})", 0, None],
                   [None, 0, None],
                   # unclosed ring: closed (repaired)
                   [f"POLYGON (({X0 + 300} {Y0 + 300},{X0 + 310} {Y0 + 300},{X0 + 310} {Y0 + 310},"
                    f"{X0 + 300} {Y0 + 310}))", 0, None],
                   # a collection: its polygon counts, its point is dropped
                   [f"GEOMETRYCOLLECTION (POINT ({X0} {Y0}),{wkt_box(0, 300, 20, 310)})", 0, None],
                   # a bow tie: MakeValid (repaired)
                   [f"POLYGON (({X0} {Y0 + 350},{X0 + 20} {Y0 + 370},{X0 + 20} {Y0 + 350},"
                    f"{X0} {Y0 + 370},{X0} {Y0 + 350}))", 0, None]],
                  "Integer,Integer"),
    })
    assert run(p, tmp_path / "o") == 0
    rows = rows_of(tmp_path / "o")
    assert rows["T1"]["roof_faces"] == "4"
    assert rows["T1"]["solar_kwp"] == f"{923.76 + (100 + 200 + 200) * 0.12:.2f}"
    roofs = json.loads((tmp_path / "o" / "reference_manifest.json").read_text())["layers"]["roofs"]
    assert roofs["skipped"] == 2 and roofs["skipped_first"] == [1, 2]
    assert roofs["repaired"] == 2 and roofs["repaired_first"] == [3, 5]


def circle(cx, cy, r) -> str:
    return (f"CURVEPOLYGON (CIRCULARSTRING ({X0 + cx - r} {Y0 + cy},{X0 + cx} {Y0 + cy + r},{X0 + cx + r} {Y0 + cy},"
            f"{X0 + cx} {Y0 + cy - r},{X0 + cx - r} {Y0 + cy}))")


def test_curves_are_linearised_and_surfaces_skipped(tmp_path):
    # pyogrio linearises curves as OGR_G_GetLinearGeometry does for Terrein; TINs, triangles and
    # polyhedral surfaces are other geometry types, skipped as in Terrein.
    tri = f"(({X0 + 300} {Y0 + 300},{X0 + 310} {Y0 + 300},{X0 + 300} {Y0 + 310},{X0 + 300} {Y0 + 300}))"
    p = gpkg_pipeline(tmp_path, {
        "terreinen": (["id"], [[wkt_box(0, 0, 400, 400), "T1"]], "String"),
        "roofs": (["slope_deg"], [[circle(100, 100, 10), 0], [f"MULTISURFACE ({circle(200, 200, 10)})", 0],
                                  [f"TIN ({tri})", 0], [f"TRIANGLE {tri}", 0], [f"POLYHEDRALSURFACE ({tri})", 0]],
                  "Integer"),
    })
    assert run(p, tmp_path / "o") == 0
    r = rows_of(tmp_path / "o")["T1"]
    assert r["roof_faces"] == "2"
    assert float(r["roof_area_m2"]) == pytest.approx(2 * math.pi * 100, rel=2e-3)
    roofs = json.loads((tmp_path / "o" / "reference_manifest.json").read_text())["layers"]["roofs"]
    assert roofs["skipped_first"] == [2, 3, 4] and roofs["repaired"] == 0


def test_collection_with_a_curve_is_an_error(tmp_path, capsys):
    p = gpkg_pipeline(tmp_path, {
        "terreinen": (["id"], [[wkt_box(0, 0, 400, 400), "T1"]], "String"),
        "roofs": (["slope_deg"], [[f"GEOMETRYCOLLECTION ({circle(100, 100, 10)})", 0]], "Integer"),
    })
    assert run(p, tmp_path / "o") == 2
    err = capsys.readouterr().err
    assert "feature 0" in err and "CurvePolygon" in err and "CONVERT_TO_LINEAR" in err


def test_field_values_keep_their_ogr_types():
    nan = math.nan
    assert ref.ogr_field_values(np.array([1.0, nan]), "OFTInteger", "t") == [1, None]  # pyogrio: ints with nulls
    assert ref.ogr_field_values(np.array([7, 8], dtype=np.int64), "OFTInteger64", "t") == [7, 8]
    assert ref.ogr_field_values(np.array([True, False]), "OFTInteger", "t") == [1, 0]  # a boolean subtype
    assert ref.ogr_field_values(np.array([1.5, nan], dtype=np.float32), "OFTReal", "t") == [1.5, None]
    assert ref.ogr_field_values(np.array(["a", None], dtype=object), "OFTString", "t") == ["a", None]
    assert ref.ogr_field_values(np.array(["2024-01-02"], dtype=object), "OFTDate", "t") == ["2024/01/02"]
    assert ref.ogr_field_values(np.array(["2024-01-02T03:04:05Z", "2024-01-02T03:04:05+05:30"], dtype=object),
                                "OFTDateTime", "t") == ["2024/01/02 03:04:05+00", "2024/01/02 03:04:05+0530"]
    with pytest.raises(ref.PipelineError, match="2\\^53"):
        ref.ogr_field_values(np.array([2.0 ** 60, nan]), "OFTInteger64", "t")
