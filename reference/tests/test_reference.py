"""Tests of the Python reference implementation on tiny hand-built layers.

Run: python -m pytest reference/tests -q
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
import yaml
from shapely.geometry import box, mapping

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import crosscheck  # noqa: E402
import geopandas_impl as ref  # noqa: E402

RD = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
X0, Y0 = 100_000.0, 450_000.0  # somewhere in the Netherlands, RD New


def rd_box(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def feature(geom, **props):
    g = geom if isinstance(geom, dict) or geom is None else mapping(geom)
    return {"type": "Feature", "properties": props, "geometry": g}


def write_fc(path: Path, features, crs=RD):
    doc = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        doc["crs"] = crs
    path.write_text(json.dumps(doc), encoding="utf-8")


def write_seq(path: Path, features, rs: bool = True):
    prefix = "\x1e" if rs else ""
    path.write_text("".join(prefix + json.dumps(f) + "\n" for f in features), encoding="utf-8")


def run_case(tmp_path: Path, terreinen, roofs, natura2000=None, landcover=None, inundation=None,
             parameters=None, roofs_as_sequence=False, extra_layers=None):
    layers = {}
    write_fc(tmp_path / "terreinen.geojson", terreinen)
    layers["terreinen"] = {"path": "terreinen.geojson"}
    if roofs_as_sequence:
        write_seq(tmp_path / "roofs.geojsonl", roofs)
        layers["roofs"] = {"path": "roofs.geojsonl", "crs": "EPSG:28992"}
    else:
        write_fc(tmp_path / "roofs.geojson", roofs)
        layers["roofs"] = {"path": "roofs.geojson"}
    if natura2000 is not None:
        write_fc(tmp_path / "n2k.geojson", natura2000)
        layers["natura2000"] = {"path": "n2k.geojson"}
    if landcover is not None:
        write_fc(tmp_path / "landcover.geojson", landcover)
        layers["landcover"] = {"path": "landcover.geojson",
                               "classes": {"sealed": ["verhard"], "green": ["groen"], "water": ["water"]}}
    if inundation is not None:
        write_fc(tmp_path / "inundation.geojson", inundation)
        layers["inundation"] = {"path": "inundation.geojson"}
    layers.update(extra_layers or {})
    pipeline = {"name": "test", "work_crs": "EPSG:28992", "layers": layers, "parameters": parameters or {}}
    (tmp_path / "pipeline.yml").write_text(yaml.safe_dump(pipeline), encoding="utf-8")
    out = tmp_path / "out"
    assert ref.main([str(tmp_path / "pipeline.yml"), "--out", str(out), "--quiet"]) == 0
    return read_csv(out / "indicators.csv"), read_csv(out / "regions.csv"), out


def read_csv(path: Path):
    with path.open(newline="", encoding="utf-8") as fh:
        return {row[next(iter(row))]: row for row in csv.DictReader(fh)}


TERREIN = rd_box(0, 0, 400, 400)
SOUTH_ROOF = feature(rd_box(100, 100, 200, 150), slope_deg=30, azimuth_deg=180, building_id="B1")


# --- the contract's worked example ----------------------------------------------------------------

def test_worked_example_south_facing(tmp_path):
    rows, _, _ = run_case(tmp_path, [feature(TERREIN, id="T1", name="Terrein 1", region="R")], [SOUTH_ROOF])
    r = rows["T1"]
    assert r["area_m2"] == "160000.00"
    assert r["roof_faces"] == "1"
    assert r["roof_area_m2"] == "5000.00"
    assert r["roof_surface_m2"] == "5773.50"
    assert r["solar_suitable_m2"] == "5773.50"
    assert r["solar_kwp"] == "923.76"
    assert r["solar_mwh_yr"] == "831.38"


def test_worked_example_north_facing_is_not_suitable(tmp_path):
    north = feature(rd_box(100, 100, 200, 150), slope_deg=30, azimuth_deg=0)
    rows, _, _ = run_case(tmp_path, [feature(TERREIN, id="T1")], [north])
    r = rows["T1"]
    assert r["roof_surface_m2"] == "5773.50"
    assert (r["solar_suitable_m2"], r["solar_kwp"], r["solar_mwh_yr"]) == ("0.00", "0.00", "0.00")


def test_nature_distance_250m(tmp_path):
    site = feature(rd_box(650, 0, 700, 100), name="Site A")
    rows, regions, _ = run_case(tmp_path, [feature(TERREIN, id="T1")], [SOUTH_ROOF], natura2000=[site],
                                parameters={"nature": {"bands_m": [100, 500]}})
    r = rows["T1"]
    assert r["n2k_distance_m"] == "250.0"
    assert r["n2k_nearest"] == "Site A"
    assert r["n2k_within_100m"] == "false"
    assert r["n2k_within_500m"] == "true"
    assert r["n2k_overlap_m2"] == "0.00"
    assert regions[""]["n2k_within_500m"] == "1" and regions[""]["n2k_within_100m"] == "0"


def test_default_band_and_wgs84_site_is_reprojected(tmp_path):
    to_wgs = pyproj.Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
    site_rd = rd_box(650, 0, 700, 100)
    site_wgs = shapely.transform(site_rd, lambda xy: np.column_stack(to_wgs.transform(*xy.T)))
    write_fc(tmp_path / "n2k_wgs.geojson", [feature(site_wgs, naam="Lon/Lat site")], crs=None)
    rows, _, _ = run_case(tmp_path, [feature(TERREIN, id="T1")], [SOUTH_ROOF], extra_layers={
        "natura2000": {"path": "n2k_wgs.geojson", "fields": {"name": "naam"}}})
    r = rows["T1"]
    assert abs(float(r["n2k_distance_m"]) - 250.0) <= 0.1
    assert r["n2k_nearest"] == "Lon/Lat site" and r["n2k_within_500m"] == "true"


# --- solar details -----------------------------------------------------------------------------------

def test_solar_flat_interpolated_invalid_and_split_faces(tmp_path):
    roofs = [
        feature(rd_box(10, 10, 30, 30), slope_deg=None),                      # flat, 400 m², f 0.87, u 0.6
        feature(rd_box(50, 10, 60, 30), slope_deg=37.5, azimuth_deg=157.5),   # dev 22.5 -> f 0.9725
        feature(rd_box(70, 10, 80, 30), slope_deg=30, azimuth_deg="south"),   # invalid attributes
        feature(rd_box(390, 10, 410, 30), slope_deg=0),                      # half inside T1, half in T2
        feature(rd_box(100, 10, 102, 14), slope_deg=0),                       # 8 m² < min_face_m2
    ]
    t2 = rd_box(400, 0, 800, 400)
    rows, _, _ = run_case(tmp_path, [feature(TERREIN, id="T1"), feature(t2, id="T2")], roofs)
    flat = 400 * 0.6 * 0.2
    pitched_s = 200 / math.cos(math.radians(37.5))
    pitched = pitched_s * 0.8 * 0.2
    half = 200 * 0.6 * 0.2
    r = rows["T1"]
    assert r["roof_faces"] == "5"
    assert r["roof_area_m2"] == "1008.00"
    assert float(r["roof_surface_m2"]) == pytest.approx(400 + pitched_s + 200 + 200 + 8, abs=0.005)
    assert float(r["solar_suitable_m2"]) == pytest.approx(400 + pitched_s + 200, abs=0.005)
    assert float(r["solar_kwp"]) == pytest.approx(flat + pitched + half, abs=0.005)
    expected_mwh = (flat * 900 * 0.87 + pitched * 900 * 0.9725 + half * 900 * 0.87) / 1000
    assert float(r["solar_mwh_yr"]) == pytest.approx(expected_mwh, abs=0.005)
    assert rows["T2"]["roof_faces"] == "1" and rows["T2"]["roof_area_m2"] == "200.00"


def test_custom_yield_table(tmp_path):
    table = {"slopes_deg": [0, 90], "deviations_deg": [0, 180], "factors": [[0.5, 0.5], [1.0, 0.0]]}
    rows, _, _ = run_case(tmp_path, [feature(TERREIN, id="T1")], [SOUTH_ROOF],
                          parameters={"solar": {"yield_factors": table}})
    # s = 30, dev = 0: 0.5 + (1.0 - 0.5) * 30/90
    kwp = 5000 / math.cos(math.radians(30)) * 0.8 * 0.2
    assert float(rows["T1"]["solar_mwh_yr"]) == pytest.approx(kwp * 900 * (0.5 + 0.5 / 3) / 1000, abs=0.005)


# --- paved, water, regions ----------------------------------------------------------------------------

def test_paved_green_water_and_inundation(tmp_path):
    roofs = [feature(rd_box(0, 0, 100, 100), slope_deg=0, building_id="B1"),
             feature(rd_box(100, 0, 200, 100), slope_deg=0, building_id="B1"),
             feature(rd_box(300, 300, 350, 350), slope_deg=0)]
    landcover = [feature(rd_box(0, 0, 200, 200), **{"class": "verhard"}),  # overlaps roofs
                 feature(rd_box(0, 150, 400, 250), **{"class": "groen"}),              # 50 m strip is sealed
                 feature(rd_box(0, 200, 400, 300), **{"class": "water"}),              # 50 m strip is green
                 feature(rd_box(0, 350, 400, 400), **{"class": "onbekend"})]
    inundation = [feature(rd_box(0, 0, 400, 40), depth_m=0.2),   # flood over both B1 faces
                  feature(rd_box(0, 0, 400, 20), depth_m=0.35),  # deep
                  feature(rd_box(0, 380, 400, 400), depth_m=0.05)]
    rows, regions, _ = run_case(tmp_path, [feature(TERREIN, id="T1", region="Katwijk")], roofs,
                                landcover=landcover, inundation=inundation)
    r = rows["T1"]
    assert r["sealed_m2"] == "42500.00"       # 200x200 + 50x50
    assert r["green_m2"] == "30000.00"        # 400x100 strip minus its 200x50 sealed corner
    assert r["water_m2"] == "20000.00"        # 400x100 strip minus its 400x50 green half
    assert r["paved_fraction"] == "0.2656"
    assert r["inundation_m2"] == "16000.00" and r["deep_inundation_m2"] == "8000.00"
    assert r["inundation_fraction"] == "0.1000" and r["water_exposure"] == "medium"
    assert r["buildings_exposed"] == "1"
    sealed, area = 42500.0, 160000.0
    assert float(r["runoff_m3"]) == pytest.approx(70 / 1000 * (sealed * 0.9 + (area - sealed) * 0.2), abs=0.005)
    assert r["storage_required_m3"] == "2550.00"
    assert regions["Katwijk"]["water_exposure"] == "medium"


def test_nulls_without_optional_layers_and_regions(tmp_path):
    terreinen = [feature(rd_box(0, 0, 100, 100), id="b", region="R1"),
                 feature(rd_box(200, 0, 300, 100), id="a", region="R1"),
                 feature(rd_box(400, 0, 500, 100), id=7)]
    roofs = [feature(rd_box(10, 10, 20, 20), slope_deg=0), feature(rd_box(210, 10, 230, 20), slope_deg=0)]
    rows, regions, out = run_case(tmp_path, terreinen, roofs)
    text = (out / "indicators.csv").read_text(encoding="utf-8")
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == ["7", "a", "b"]
    for col in ("n2k_distance_m", "n2k_nearest", "n2k_within_500m", "green_m2", "water_fraction",
                "inundation_m2", "buildings_exposed", "water_exposure"):
        assert rows["a"][col] == ""
    assert list(regions) == ["", "R1"]
    r1 = regions["R1"]
    assert r1["terreinen"] == "2" and r1["area_m2"] == "20000.00" and r1["roof_faces"] == "2"
    assert r1["roof_coverage"] == "0.0150" and r1["sealed_m2"] == "300.00"
    assert r1["n2k_distance_m"] == "" and r1["green_m2"] == "" and r1["water_exposure"] == ""


# --- input handling and formatting ---------------------------------------------------------------------

def test_sequence_unclosed_ring_gc_and_invalid_geometry(tmp_path):
    open_ring = {"type": "Polygon", "coordinates": [[[X0 + 100, Y0 + 100], [X0 + 200, Y0 + 100],
                                                     [X0 + 200, Y0 + 150], [X0 + 100, Y0 + 150]]]}
    gc = {"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [X0, Y0]}, mapping(rd_box(300, 300, 310, 310))]}
    bowtie = {"type": "Polygon", "coordinates": [[[X0, Y0 + 350], [X0 + 20, Y0 + 370], [X0 + 20, Y0 + 350],
                                                  [X0, Y0 + 370], [X0, Y0 + 350]]]}
    roofs = [feature(open_ring, slope_deg=30, azimuth_deg=180),
             feature(gc, slope_deg=0),
             feature(bowtie, slope_deg=0),
             feature({"type": "LineString", "coordinates": [[X0, Y0], [X0 + 5, Y0 + 5]]}, slope_deg=0),
             feature(None, slope_deg=0)]
    rows, _, out = run_case(tmp_path, [feature(TERREIN, id="T1")], roofs, roofs_as_sequence=True)
    assert rows["T1"]["roof_faces"] == "3"
    assert rows["T1"]["solar_kwp"] == f"{923.76 + 100 * 0.12 + 200 * 0.12:.2f}"
    manifest = json.loads((out / "reference_manifest.json").read_text())
    assert manifest["layers"]["roofs"]["repaired"] == 2 and manifest["layers"]["roofs"]["skipped"] == 2


def test_formatting_injection_quoting_and_negative_zero():
    assert ref.format_value(-1e-9, "num", 2) == "0.00"
    assert ref.format_value(-0.0, "num", 1) == "0.0"
    assert ref.format_value(0.125, "num", 2) == "0.12"  # %.2f of the double, as printf does
    assert ref.format_value("=SUM(A1)", "text", 0) == "'=SUM(A1)"
    assert ref.format_value("-x", "id", 0) == "-x"
    assert ref._csv_field('a,"b"') == '"a,""b"""'


def test_names_are_quoted_in_csv(tmp_path):
    rows, _, out = run_case(tmp_path, [feature(TERREIN, id="T1", name='Polder "Oost", Noord', region="+31")],
                            [SOUTH_ROOF])
    raw = (out / "indicators.csv").read_bytes()
    assert b'"Polder ""Oost"", Noord"' in raw and b"\r" not in raw and raw.endswith(b"\n")
    assert rows["T1"]["name"] == 'Polder "Oost", Noord' and rows["T1"]["region"] == "'+31"


@pytest.mark.parametrize("ids", [["x", "x"], ["x", None], ["x", 1.5]])
def test_bad_terrein_ids_are_errors(tmp_path, ids, capsys):
    write_fc(tmp_path / "t.geojson", [feature(TERREIN, id=i) for i in ids])
    write_fc(tmp_path / "r.geojson", [SOUTH_ROOF])
    (tmp_path / "p.yml").write_text(yaml.safe_dump({"layers": {"terreinen": {"path": "t.geojson"},
                                                               "roofs": {"path": "r.geojson"}}}))
    assert ref.main([str(tmp_path / "p.yml"), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "feature 1" in capsys.readouterr().err


def test_swapped_axes_are_an_error(tmp_path, capsys):
    swapped = shapely.transform(TERREIN, lambda xy: xy[:, ::-1])
    write_fc(tmp_path / "t.geojson", [feature(swapped, id="T1")])
    write_fc(tmp_path / "r.geojson", [SOUTH_ROOF])
    (tmp_path / "p.yml").write_text(yaml.safe_dump({"layers": {"terreinen": {"path": "t.geojson"},
                                                               "roofs": {"path": "r.geojson"}}}))
    assert ref.main([str(tmp_path / "p.yml"), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "swapped axes" in capsys.readouterr().err


# --- crosscheck ----------------------------------------------------------------------------------------

def _edit(path: Path, row_id: str, column: str, value: str):
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index(column)
    for row in rows[1:]:
        if row[0] == row_id:
            row[col] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def test_crosscheck(tmp_path, capsys):
    site = feature(rd_box(650, 0, 700, 100), name="Site A")
    _, _, out = run_case(tmp_path, [feature(TERREIN, id="T1")], [SOUTH_ROOF], natura2000=[site])
    other = tmp_path / "other"
    shutil.copytree(out, other)
    assert crosscheck.main([str(out), str(other)]) == 0
    assert "0 mismatches" in capsys.readouterr().out

    _edit(other / "indicators.csv", "T1", "solar_kwp", "923.77")        # one unit: fine
    _edit(other / "indicators.csv", "T1", "roof_coverage", "0.0311")   # 0.0312 +- 1e-4: fine
    assert crosscheck.main([str(out), str(other)]) == 0

    _edit(other / "indicators.csv", "T1", "solar_kwp", "923.79")
    _edit(other / "regions.csv", "", "roof_faces", "2")
    assert crosscheck.main([str(out), str(other)]) == 1
    printed = capsys.readouterr().out
    assert "solar_kwp" in printed and "roof_faces" in printed and "2 mismatches" in printed


def test_crosscheck_threshold_exception(tmp_path):
    site = feature(rd_box(650, 0, 700, 100), name="Site A")
    _, _, out = run_case(tmp_path, [feature(TERREIN, id="T1")], [SOUTH_ROOF], natura2000=[site],
                         parameters={"nature": {"bands_m": [250]}})
    other = tmp_path / "other"
    shutil.copytree(out, other)
    _edit(other / "indicators.csv", "T1", "n2k_within_250m", "false")  # distance 250.0 is on the band
    _edit(other / "regions.csv", "", "n2k_within_250m", "0")
    assert crosscheck.main([str(out), str(other)]) == 0
