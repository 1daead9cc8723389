"""Checks of bench/duckdb_impl.py on hand-made layers: `python3 -m pytest bench/test_duckdb_impl.py`.

The numbers are the contract's worked examples (shared/spec/indicators.md) and values that
follow from the definitions by hand.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
X0, Y0 = 155_000.0, 463_000.0  # Amersfoort, inside RD New's area of use
RD = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}


def box(x0, y0, x1, y1, close=True):
    ring = [[X0 + x0, Y0 + y0], [X0 + x1, Y0 + y0], [X0 + x1, Y0 + y1], [X0 + x0, Y0 + y1]]
    return [ring + [ring[0]] if close else ring]


def feature(props, rings):
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": rings}}


def write_collection(path: Path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": RD, "features": features}))


def write_sequence(path: Path, features):
    path.write_text("".join(json.dumps(f) + "\n" for f in features))


def run(tmp_path: Path, layers: dict, parameters: str = "") -> tuple[dict, dict, str]:
    lines = ["name: test", "layers:"]
    for name, (fname, features, extra) in layers.items():
        (write_sequence if fname.endswith(".geojsonl") else write_collection)(tmp_path / fname, features)
        crs = ", crs: EPSG:28992" if fname.endswith(".geojsonl") else ""
        lines.append(f"  {name}: {{path: {fname}{crs}{extra}}}")
    (tmp_path / "p.yml").write_text("\n".join(lines) + "\n" + parameters)
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, str(HERE / "duckdb_impl.py"), str(tmp_path / "p.yml"), "--out", str(out),
                          "--quiet"], capture_output=True, text=True)
    if res.returncode != 0:
        return {}, {}, res.stderr
    with (out / "indicators.csv").open(newline="", encoding="utf-8") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    with (out / "regions.csv").open(newline="", encoding="utf-8") as fh:
        regions = {r["region"]: r for r in csv.DictReader(fh)}
    return rows, regions, res.stderr


def test_worked_solar_example_and_nature_distance(tmp_path):
    terreinen = [feature({"id": "T", "region": "R"}, box(0, 0, 300, 300)),
                 feature({"id": 2}, box(1000, 0, 1100, 100))]
    roofs = [feature({"slope_deg": 30, "azimuth_deg": 180, "building_id": "b1"}, box(10, 10, 110, 60)),
             feature({"slope_deg": 30, "azimuth_deg": 0, "building_id": "b2"}, box(10, 100, 110, 150))]
    sites = [feature({"name": "Duinen"}, box(-300, 0, -250, 100)),
             feature({"name": "Aduin"}, box(-350, 100, -250, 200))]  # a tie at 250 m: smallest name wins
    rows, regions, err = run(tmp_path, {
        "terreinen": ("t.geojson", terreinen, ""),
        "roofs": ("r.geojsonl", roofs, ""),
        "natura2000": ("n.geojson", sites, ""),
    })
    assert rows, err
    t = rows["T"]
    assert t["roof_faces"] == "2"
    assert t["roof_area_m2"] == "10000.00"
    assert t["roof_surface_m2"] == "11547.01"  # 2 x 5773.50
    assert t["solar_suitable_m2"] == "5773.50"  # the north face is not suitable
    assert t["solar_kwp"] == "923.76"
    assert t["solar_mwh_yr"] == "831.38"
    assert t["n2k_distance_m"] == "250.0"
    assert t["n2k_nearest"] == "Aduin"
    assert t["n2k_within_500m"] == "true"
    assert t["sealed_m2"] == "10000.00" and t["green_m2"] == "" and t["inundation_m2"] == ""
    assert t["runoff_m3"] == "%.2f" % (0.07 * (10000 * 0.9 + 80000 * 0.2))
    assert rows["2"]["roof_faces"] == "0" and rows["2"]["n2k_within_500m"] == "false"
    assert list(rows) == ["2", "T"]  # sorted by id as UTF-8 bytes
    assert list(regions) == ["", "R"]


def test_paved_green_water_flood_and_repairs(tmp_path):
    terreinen = [feature({"id": "A", "name": "=sum"}, box(0, 0, 100, 100, close=False))]  # open ring: repaired
    roofs = [feature({"slope_deg": None, "building_id": "b1"}, box(0, 0, 20, 20)),
             feature({"slope_deg": "steep"}, box(90, 90, 110, 110))]  # invalid attributes, half inside
    landcover = [feature({"class": "verhard"}, box(0, 0, 40, 100)),
                 feature({"class": "groen"}, box(30, 0, 70, 100)),
                 feature({"class": "water"}, box(60, 0, 100, 50)),
                 feature({"class": "akker"}, box(60, 50, 100, 100))]
    inundation = [feature({"depth_m": 0.2}, box(0, 0, 10, 100)), feature({"depth_m": 0.5}, box(95, 0, 100, 100))]
    rows, _, err = run(tmp_path, {
        "terreinen": ("t.geojson", terreinen, ""),
        "roofs": ("r.geojsonl", roofs, ""),
        "landcover": ("l.geojsonl", landcover, ", classes: {sealed: [verhard], green: [groen], water: [water]}"),
        "inundation": ("i.geojsonl", inundation, ""),
    })
    assert rows, err
    a = rows["A"]
    assert a["name"] == "'=sum"  # formula-injection guard
    assert a["roof_faces"] == "2" and a["roof_area_m2"] == "500.00"
    assert a["solar_suitable_m2"] == "400.00"  # flat 20 x 20; the invalid face never is
    assert a["solar_kwp"] == "48.00"  # 400 x 0.6 x 0.2
    assert a["solar_mwh_yr"] == "37.58"  # 48 x 900 x 0.87 / 1000
    assert a["sealed_m2"] == "4100.00"  # 40 x 100 + the 10 x 10 corner of the second face
    assert a["green_m2"] == "3000.00"  # 40..70 minus the sealed 30..40
    assert a["water_m2"] == "1500.00"  # 70..100 x 0..50: the water box minus green (60..70)
    assert a["inundation_m2"] == "1500.00" and a["deep_inundation_m2"] == "500.00"
    assert a["inundation_fraction"] == "0.1500" and a["water_exposure"] == "medium"
    assert a["buildings_exposed"] == "2"  # b1, and the face without a building id on its own


def test_errors(tmp_path):
    terreinen = [feature({"id": "A"}, box(0, 0, 10, 10)), feature({"id": "A"}, box(20, 0, 30, 10))]
    _, _, err = run(tmp_path, {"terreinen": ("t.geojson", terreinen, ""), "roofs": ("r.geojsonl", [], "")})
    assert "duplicate id 'A'" in err
    terreinen = [feature({"id": 1.5}, box(0, 0, 10, 10))]
    _, _, err = run(tmp_path, {"terreinen": ("t.geojson", terreinen, ""), "roofs": ("r.geojsonl", [], "")})
    assert "not a string or an integer" in err


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
