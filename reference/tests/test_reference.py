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
import rasterio
import shapely
import yaml
from rasterio.transform import Affine
from shapely.geometry import Polygon, box, mapping

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
                "inundation_m2", "buildings_exposed", "water_exposure", *HEAT):
        assert rows["a"][col] == ""
    assert list(regions) == ["", "R1"]
    r1 = regions["R1"]
    assert r1["terreinen"] == "2" and r1["area_m2"] == "20000.00" and r1["roof_faces"] == "2"
    assert r1["roof_coverage"] == "0.0150" and r1["sealed_m2"] == "300.00"
    assert r1["n2k_distance_m"] == "" and r1["green_m2"] == "" and r1["water_exposure"] == ""
    assert all(r1[c] == "" for c in HEAT)
    # every run writes every column, in the spec's order, the heat columns last
    assert text.splitlines()[0] == SPEC_HEADER
    assert (out / "regions.csv").read_text(encoding="utf-8").splitlines()[0] == SPEC_REGIONS_HEADER


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


# --- heat (a raster layer) -----------------------------------------------------------------------------

HEAT = ("heat_pet_mean_c", "heat_strong_fraction", "heat_extreme_fraction", "heat_exposure")
SPEC_HEADER = (
    "id,name,region,area_m2,roof_faces,roof_area_m2,roof_surface_m2,solar_suitable_m2,solar_kwp,solar_mwh_yr,"
    "roof_coverage,n2k_distance_m,n2k_nearest,n2k_within_500m,n2k_overlap_m2,sealed_m2,green_m2,water_m2,"
    "paved_fraction,green_fraction,water_fraction,inundation_m2,deep_inundation_m2,inundation_fraction,"
    "deep_inundation_fraction,buildings_exposed,water_exposure,runoff_m3,storage_required_m3,"
    "heat_pet_mean_c,heat_strong_fraction,heat_extreme_fraction,heat_exposure")
SPEC_REGIONS_HEADER = (
    "region,terreinen,area_m2,roof_faces,roof_area_m2,roof_surface_m2,solar_suitable_m2,solar_kwp,solar_mwh_yr,"
    "roof_coverage,n2k_distance_m,n2k_within_500m,n2k_overlap_m2,sealed_m2,green_m2,water_m2,"
    "paved_fraction,green_fraction,water_fraction,inundation_m2,deep_inundation_m2,inundation_fraction,"
    "deep_inundation_fraction,buildings_exposed,water_exposure,runoff_m3,storage_required_m3,"
    "heat_pet_mean_c,heat_strong_fraction,heat_extreme_fraction,heat_exposure")

# 10 x 10 cells of 1 m over the terrein (0, 0)-(10, 10): PET 30 in the west half, 42 in the east half
WEST_EAST = np.where(np.arange(10) < 5, 30.0, 42.0)[None, :].repeat(10, axis=0)
HEAT_T = rd_box(0, 0, 10, 10)


def write_raster(path: Path, data, x0=0.0, top=10.0, cell=1.0, south_up=False, crs="EPSG:28992", dtype="float32",
                 nodata=None, scale=None, offset=None, mask=None):
    """A GeoTIFF of `data` (bands, rows, cols; or rows, cols), row 0 the northern row, west edge at X0 + x0 and
    north edge at Y0 + top (local metres); `south_up` stores the rows the other way round."""
    data = np.asarray(data, dtype=dtype)
    data = data[None] if data.ndim == 2 else data
    bands, height, width = data.shape
    if south_up:
        transform = Affine(cell, 0, X0 + x0, 0, cell, Y0 + top - height * cell)
        data, mask = data[:, ::-1], None if mask is None else np.asarray(mask)[::-1]
    else:
        transform = Affine(cell, 0, X0 + x0, 0, -cell, Y0 + top)
    with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=bands, dtype=dtype,
                       crs=crs, transform=transform, nodata=nodata) as ds:
        ds.write(data)
        if scale is not None or offset is not None:
            ds.scales = (1.0 if scale is None else scale,) * bands
            ds.offsets = (0.0 if offset is None else offset,) * bands
        if mask is not None:
            ds.write_mask(np.where(mask, 255, 0).astype("uint8"))
    return path


def run_heat(tmp_path, terreinen, layer=None, parameters=None):
    """run_case with no roofs and heat.tif (written by the caller) as the heat layer."""
    return run_case(tmp_path, terreinen, [], parameters=parameters,
                    extra_layers={"heat": {"path": "heat.tif", **(layer or {})}})


def heat_of(row):
    return tuple(row[c] for c in HEAT)


def test_heat_west_30_east_42(tmp_path):
    write_raster(tmp_path / "heat.tif", WEST_EAST)
    rows, regions, out = run_heat(tmp_path, [feature(HEAT_T, id="T1", region="R")])
    assert heat_of(rows["T1"]) == ("36.0", "0.5000", "0.5000", "high")
    assert heat_of(regions["R"]) == ("36.0", "0.5000", "0.5000", "high")
    assert (out / "indicators.csv").read_text(encoding="utf-8").splitlines()[0] == SPEC_HEADER
    manifest = json.loads((out / "reference_manifest.json").read_text())
    assert manifest["parameters"]["heat"] == {"strong_pet_c": 35.0, "extreme_pet_c": 41.0,
                                              "exposure_fractions": [0.25, 0.5]}
    assert manifest["heat_raster"]["orientation"] == "north-up" and manifest["heat_raster"]["band"] == 1


def test_heat_east_half_nodata(tmp_path):
    data = np.where(WEST_EAST == 42.0, -9999.0, WEST_EAST)
    write_raster(tmp_path / "heat.tif", data, nodata=-9999.0)
    rows, _, _ = run_heat(tmp_path, [feature(HEAT_T, id="T1")])
    assert heat_of(rows["T1"]) == ("30.0", "0.0000", "0.0000", "low")


def test_heat_nan_nodata_and_nan_or_infinite_cells(tmp_path):
    write_raster(tmp_path / "heat.tif", np.where(WEST_EAST == 42.0, np.nan, WEST_EAST), nodata=float("nan"))
    rows, _, _ = run_heat(tmp_path, [feature(HEAT_T, id="T1")])
    assert heat_of(rows["T1"]) == ("30.0", "0.0000", "0.0000", "low")
    # without a nodata value NaN and ±inf are invalid all the same
    data = WEST_EAST.copy()
    data[:, 5], data[:, 6] = np.nan, np.inf
    data[:, 7] = -np.inf
    write_raster(tmp_path / "heat.tif", data)
    rows, _, _ = run_heat(tmp_path, [feature(HEAT_T, id="T1")])
    assert heat_of(rows["T1"]) == ("33.4", "0.2857", "0.2857", "medium")  # 50 × 30 and 20 × 42 over 70 cells


def test_heat_band_mask(tmp_path):
    write_raster(tmp_path / "heat.tif", WEST_EAST, mask=WEST_EAST == 30.0)  # no nodata: the mask hides the east
    rows, _, _ = run_heat(tmp_path, [feature(HEAT_T, id="T1")])
    assert heat_of(rows["T1"]) == ("30.0", "0.0000", "0.0000", "low")


def test_heat_scale_and_offset(tmp_path):
    raw = (WEST_EAST - 10.0) / 0.5  # 40 and 64, stored as integers: PET = raw × 0.5 + 10
    write_raster(tmp_path / "heat.tif", raw, dtype="int16", nodata=-1, scale=0.5, offset=10.0)
    rows, _, _ = run_heat(tmp_path, [feature(HEAT_T, id="T1")])
    assert heat_of(rows["T1"]) == ("36.0", "0.5000", "0.5000", "high")


def test_heat_terrein_the_raster_does_not_reach(tmp_path):
    write_raster(tmp_path / "heat.tif", WEST_EAST)
    far = rd_box(500, 500, 510, 510)
    rows, regions, out = run_heat(tmp_path, [feature(HEAT_T, id="T1", region="R"),
                                             feature(far, id="T2", region="S")])
    assert heat_of(rows["T2"]) == ("", "", "", "")
    assert heat_of(regions["S"]) == ("", "", "", "")
    assert heat_of(rows["T1"]) == ("36.0", "0.5000", "0.5000", "high")
    assert json.loads((out / "reference_manifest.json").read_text())["heat_raster"]["terreinen_without_cells"] == 1


def test_heat_cell_centres_on_the_boundary_lie_in(tmp_path):
    write_raster(tmp_path / "heat.tif", WEST_EAST)
    # an edge at x = 5.5 runs through the centres of column 5 (PET 42): it lies in both terreinen
    west, east = rd_box(0, 0, 5.5, 10), rd_box(5.5, 0, 10, 10)
    # the hypotenuse x + y = 10 runs through the centres (i + 0.5, 9.5 - i): 55 cells, not 45
    triangle = Polygon([(X0, Y0), (X0 + 10, Y0), (X0, Y0 + 10)])
    # an edge at y = 4.5 runs through the centres of the fifth row from the south
    south = rd_box(0, 0, 10, 4.5)
    rows, _, _ = run_heat(tmp_path, [feature(west, id="W"), feature(east, id="E"), feature(triangle, id="V"),
                                     feature(south, id="S")])
    assert heat_of(rows["W"]) == ("32.0", "0.1667", "0.1667", "low")    # 50 × 30 + 10 × 42 over 60 cells
    assert heat_of(rows["E"]) == ("42.0", "1.0000", "1.0000", "high")   # 50 cells
    # triangle: columns 0-4 hold 10 + 9 + 8 + 7 + 6 = 40 cells of 30, columns 5-9 hold 5 + 4 + 3 + 2 + 1 = 15 of 42
    assert heat_of(rows["V"]) == (f"{(40 * 30 + 15 * 42) / 55:.1f}", f"{15 / 55:.4f}", f"{15 / 55:.4f}", "medium")
    assert heat_of(rows["S"]) == ("36.0", "0.5000", "0.5000", "high")   # 5 rows of 10


def test_heat_region_is_cell_weighted(tmp_path):
    # 40 x 10 cells: 100 cells of 30 under T1, 300 cells of 42 under T2
    write_raster(tmp_path / "heat.tif", np.where(np.arange(40) < 10, 30.0, 42.0)[None, :].repeat(10, axis=0))
    terreinen = [feature(rd_box(0, 0, 10, 10), id="T1", region="R"),
                 feature(rd_box(10, 0, 40, 10), id="T2", region="R"),
                 feature(rd_box(500, 0, 510, 10), id="T3", region="R")]  # no cells: adds nothing
    rows, regions, _ = run_heat(tmp_path, terreinen)
    assert heat_of(rows["T1"]) == ("30.0", "0.0000", "0.0000", "low")
    assert heat_of(rows["T2"]) == ("42.0", "1.0000", "1.0000", "high")
    # weighted 1:3, not the mean of the means (36.0, 0.5000)
    assert heat_of(regions["R"]) == ("39.0", "0.7500", "0.7500", "high")


def test_heat_region_mean_from_unrounded_sums(tmp_path):
    # T1: 100 cells of 30.06 (printed 30.1), T2: 300 cells of 30.17 (printed 30.2). The region's mean is
    # (100 × 30.06 + 300 × 30.17) / 400 = 30.1425 -> 30.1; weighting the printed means would give 30.175 -> 30.2.
    data = np.full((10, 40), 30.06)
    data[:, 10:] = 30.17
    write_raster(tmp_path / "heat.tif", data, dtype="float64")
    terreinen = [feature(rd_box(0, 0, 10, 10), id="T1", region="R"),
                 feature(rd_box(10, 0, 40, 10), id="T2", region="R")]
    rows, regions, _ = run_heat(tmp_path, terreinen)
    assert rows["T1"]["heat_pet_mean_c"] == "30.1" and rows["T2"]["heat_pet_mean_c"] == "30.2"
    assert regions["R"]["heat_pet_mean_c"] == "30.1"


def test_heat_south_up_raster_and_band(tmp_path):
    # band 1 is noise, band 2 has PET 42 in the north half and 30 in the south half, stored south-up
    north_south = np.where(np.arange(10) < 5, 42.0, 30.0)[:, None].repeat(10, axis=1)
    write_raster(tmp_path / "heat.tif", np.stack([np.zeros((10, 10)), north_south]), south_up=True)
    south, north = rd_box(0, 0, 10, 5.5), rd_box(0, 5.5, 10, 10)  # the row of centres at y = 5.5 is in both
    rows, _, out = run_heat(tmp_path, [feature(south, id="S"), feature(north, id="N")], layer={"band": 2})
    assert heat_of(rows["S"]) == ("32.0", "0.1667", "0.1667", "low")   # 5 rows of 30 and the row at 5.5 of 42
    assert heat_of(rows["N"]) == ("42.0", "1.0000", "1.0000", "high")  # 5 rows of 42
    assert json.loads((out / "reference_manifest.json").read_text())["heat_raster"]["orientation"] == "south-up"


def test_heat_parameters(tmp_path):
    write_raster(tmp_path / "heat.tif", WEST_EAST)
    rows, _, _ = run_heat(tmp_path, [feature(HEAT_T, id="T1")], parameters={
        "heat": {"strong_pet_c": 30, "extreme_pet_c": 42, "exposure_fractions": [0.5, 0.9]}})
    assert heat_of(rows["T1"]) == ("36.0", "1.0000", "0.5000", "high")  # thresholds are >=
    rows, _, _ = run_heat(tmp_path, [feature(HEAT_T, id="T1")], parameters={
        "heat": {"strong_pet_c": 40, "exposure_fractions": [0.4, 0.6]}})
    assert heat_of(rows["T1"]) == ("36.0", "0.5000", "0.5000", "medium")


@pytest.mark.parametrize("heat, message", [
    ({"strong_pet_c": 41, "extreme_pet_c": 41}, "extreme_pet_c"),
    ({"exposure_fractions": [0.5, 0.25]}, "exposure_fractions"),
    ({"exposure_fractions": [0.25, 1.0]}, "exposure_fractions"),
    ({"exposure_fractions": [0.25]}, "exposure_fractions"),
    ({"strong_pet_c": "hot"}, "strong_pet_c"),
])
def test_heat_bad_parameters_are_errors(tmp_path, heat, message, capsys):
    write_raster(tmp_path / "heat.tif", WEST_EAST)
    with pytest.raises(AssertionError):
        run_heat(tmp_path, [feature(HEAT_T, id="T1")], parameters={"heat": heat})
    assert message in capsys.readouterr().err


def test_heat_raster_in_another_crs_is_an_error(tmp_path, capsys):
    write_raster(tmp_path / "heat.tif", WEST_EAST, crs="EPSG:3035")
    with pytest.raises(AssertionError):
        run_heat(tmp_path, [feature(HEAT_T, id="T1")])
    err = capsys.readouterr().err
    assert "EPSG:3035" in err and "EPSG:28992" in err and "gdalwarp -t_srs EPSG:28992" in err


def test_heat_raster_crs_by_equivalence_or_from_the_pipeline(tmp_path, capsys):
    # a VRT keeps its WKT verbatim: RD New without any EPSG code is still the work CRS
    write_raster(tmp_path / "cells.tif", WEST_EAST)
    wkt = pyproj.CRS.from_json_dict({k: v for k, v in pyproj.CRS("EPSG:28992").to_json_dict().items()
                                     if k != "id"}).to_wkt()
    assert "28992" not in wkt
    with rasterio.open(tmp_path / "cells.tif") as ds:
        t = ds.transform
    vrt = (f'<VRTDataset rasterXSize="10" rasterYSize="10"><SRS>{wkt.replace("&", "&amp;").replace("<", "&lt;")}'
           f'</SRS><GeoTransform>{t.c}, {t.a}, 0, {t.f}, 0, {t.e}</GeoTransform>'
           '<VRTRasterBand dataType="Float32" band="1"><SimpleSource><SourceFilename relativeToVRT="1">cells.tif'
           '</SourceFilename><SourceBand>1</SourceBand></SimpleSource></VRTRasterBand></VRTDataset>')
    (tmp_path / "heat.vrt").write_text(vrt, encoding="utf-8")
    rows, _, _ = run_case(tmp_path, [feature(HEAT_T, id="T1")], [], extra_layers={"heat": {"path": "heat.vrt"}})
    assert heat_of(rows["T1"]) == ("36.0", "0.5000", "0.5000", "high")

    # a raster without a CRS takes the pipeline's crs:, and without one it is an error
    write_raster(tmp_path / "heat.tif", WEST_EAST, crs=None)
    rows, _, _ = run_heat(tmp_path, [feature(HEAT_T, id="T1")], layer={"crs": "EPSG:28992"})
    assert heat_of(rows["T1"]) == ("36.0", "0.5000", "0.5000", "high")
    with pytest.raises(AssertionError):
        run_heat(tmp_path, [feature(HEAT_T, id="T1")])
    assert "no CRS" in capsys.readouterr().err


def test_heat_missing_band_is_an_error(tmp_path, capsys):
    write_raster(tmp_path / "heat.tif", WEST_EAST)
    with pytest.raises(AssertionError):
        run_heat(tmp_path, [feature(HEAT_T, id="T1")], layer={"band": 2})
    assert "band 2" in capsys.readouterr().err


def test_cell_window_reads_only_the_envelope():
    north_up = Affine(1, 0, X0, 0, -1, Y0 + 1000)
    south_up = Affine(1, 0, X0, 0, 1, Y0)
    for transform in (north_up, south_up):
        w = ref.cell_window(transform, 1000, 1000, (X0 + 100, Y0 + 200, X0 + 110, Y0 + 210))
        assert w.width <= 12 and w.height <= 12  # the envelope's 10 x 10 cells and at most one cell of slack
        xs = transform.c + (w.col_off + np.arange(w.width) + 0.5) * transform.a
        ys = transform.f + (w.row_off + np.arange(w.height) + 0.5) * transform.e
        assert xs.min() < X0 + 100.5 and xs.max() > X0 + 109.5 and ys.min() < Y0 + 200.5 and ys.max() > Y0 + 209.5
        assert ref.cell_window(transform, 1000, 1000, (X0 - 50, Y0 - 50, X0 - 10, Y0 - 10)) is None
        edge = ref.cell_window(transform, 1000, 1000, (X0 - 5, Y0 - 5, X0 + 0.5, Y0 + 0.5))  # reaches one centre
        assert edge is not None and edge.col_off == 0 and edge.width <= 2


def test_crosscheck_heat_columns(tmp_path, capsys):
    write_raster(tmp_path / "heat.tif", WEST_EAST)
    _, _, out = run_heat(tmp_path, [feature(HEAT_T, id="T1")])
    other = tmp_path / "other"
    shutil.copytree(out, other)
    _edit(other / "indicators.csv", "T1", "heat_pet_mean_c", "36.1")   # one unit of a temperature: fine
    assert crosscheck.main([str(out), str(other)]) == 0
    _edit(other / "indicators.csv", "T1", "heat_pet_mean_c", "36.2")
    _edit(other / "regions.csv", "", "heat_strong_fraction", "0.5002")
    _edit(other / "indicators.csv", "T1", "heat_exposure", "medium")   # strong fraction 0.5000 is on a threshold
    assert crosscheck.main([str(out), str(other)]) == 1
    printed = capsys.readouterr().out
    assert "heat_pet_mean_c" in printed and "heat_strong_fraction" in printed and "2 mismatches" in printed
    assert "heat_exposure" not in printed

    # a heat column on one side only is a mismatch, and the other columns are still compared
    shutil.rmtree(other)
    shutil.copytree(out, other)
    for name in ("indicators.csv", "regions.csv"):
        with (other / name).open(newline="", encoding="utf-8") as fh:
            table = [r[:-4] for r in csv.reader(fh)]
        with (other / name).open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows(table)
    _edit(other / "indicators.csv", "T1", "area_m2", "101.00")
    assert crosscheck.main([str(out), str(other)]) == 1
    printed = capsys.readouterr().out
    assert "MISMATCH indicators.csv '-' heat_exposure: A='present' B='missing'" in printed
    assert "area_m2" in printed and "9 mismatches" in printed
    # both sides without the heat columns (older runs): still comparable
    assert crosscheck.main([str(other), str(other)]) == 0


# --- inundation as a depth raster ----------------------------------------------------------------------

WATER = ("inundation_m2", "deep_inundation_m2", "inundation_fraction", "deep_inundation_fraction",
         "buildings_exposed", "water_exposure")
# 10 x 10 cells of 1 m over (0, 0)-(10, 10): columns 0-2 at 0.50 m (deep), 3-5 at 0.20 m, 6-9 at 0.05 m (dry)
DEPTHS = np.select([np.arange(10) < 3, np.arange(10) < 6], [0.5, 0.2], 0.05)[None, :].repeat(10, axis=0)


def run_flood(tmp_path, terreinen, roofs=(), layer=None):
    return run_case(tmp_path, terreinen, list(roofs),
                    extra_layers={"inundation": {"path": "depth.tif", **(layer or {})}})


def water_of(row):
    return tuple(row[c] for c in WATER)


def test_raster_flood_and_deep_cells(tmp_path):
    write_raster(tmp_path / "depth.tif", DEPTHS)
    rows, regions, out = run_flood(tmp_path, [feature(HEAT_T, id="T1", region="R")])
    assert water_of(rows["T1"]) == ("60.00", "30.00", "0.6000", "0.3000", "0", "high")
    assert water_of(regions["R"]) == ("60.00", "30.00", "0.6000", "0.3000", "0", "high")
    manifest = json.loads((out / "reference_manifest.json").read_text())
    assert manifest["inundation_raster"]["terreinen_covered_in_part"] == 0
    assert "inundation" not in manifest["layers"]


def test_raster_flood_boundary_centres_nodata_mask_and_scale(tmp_path):
    # an edge through a column of centres: columns 0-5 lie in (0.5, 0)-(5.5, 10); fraction above 1
    write_raster(tmp_path / "depth.tif", np.full((10, 10), 0.2))
    rows, _, _ = run_flood(tmp_path, [feature(rd_box(0.5, 0, 5.5, 10), id="T1")])
    assert water_of(rows["T1"])[:3] == ("60.00", "0.00", "1.2000")
    # nodata in column 0, NaN in column 1, a masked column 2, one infinite cell
    data = np.full((10, 10), 0.35)
    data[:, 0], data[:, 1], data[0, 3] = -9999, np.nan, np.inf
    mask = np.ones((10, 10), dtype=bool)
    mask[:, 2] = False
    write_raster(tmp_path / "depth.tif", data, nodata=-9999.0, mask=mask)
    rows, _, _ = run_flood(tmp_path, [feature(HEAT_T, id="T1")])
    assert water_of(rows["T1"])[:2] == ("69.00", "69.00")
    # stored 10 and 30 with scale 0.01: the thresholds 0.10 and 0.30 are reached exactly
    raw = np.select([np.arange(10) == 1, np.arange(10) == 2, np.arange(10) == 3], [10, 30, 40], 5)[None, :].repeat(10, 0)
    write_raster(tmp_path / "depth.tif", raw, dtype="int16", scale=0.01)
    rows, _, _ = run_flood(tmp_path, [feature(HEAT_T, id="T1")])
    assert water_of(rows["T1"])[:2] == ("30.00", "20.00")


def test_raster_flood_south_up_and_buildings_exposed(tmp_path):
    # columns 0-2 flooded, stored south-up
    write_raster(tmp_path / "depth.tif", np.where(np.arange(10) < 3, 0.5, 0.0)[None, :].repeat(10, 0), south_up=True)
    roofs = [feature(rd_box(3, 1, 5, 2), building_id="edge"),      # touches a flooded square along x = 3 only
             feature(rd_box(2.5, 3, 3.5, 4), building_id="half"),  # 0.5 m² over the flood
             feature(rd_box(0, 5, 1, 6), building_id="two"), feature(rd_box(1, 5, 2, 6), building_id="two"),
             feature(rd_box(0, 7, 1, 8)), feature(rd_box(0, 8, 1, 9)),  # no building id: each counts
             feature(rd_box(5, 5, 9, 9), building_id="dry")]
    rows, _, _ = run_flood(tmp_path, [feature(HEAT_T, id="T1")], roofs)
    assert water_of(rows["T1"]) == ("30.00", "30.00", "0.3000", "0.3000", "4", "high")


def test_raster_flood_without_valid_cells_and_partial_coverage(tmp_path):
    write_raster(tmp_path / "depth.tif", np.full((10, 10), 0.2))
    rows, _, out = run_flood(tmp_path, [feature(HEAT_T, id="in"), feature(rd_box(5, 0, 15, 10), id="part"),
                                        feature(rd_box(100, 100, 110, 110), id="away")])
    assert water_of(rows["part"])[:3] == ("50.00", "0.00", "0.5000")
    assert water_of(rows["away"]) == ("", "", "", "", "", "")
    assert rows["away"]["runoff_m3"] == "1.40"
    info = json.loads((out / "reference_manifest.json").read_text())["inundation_raster"]
    assert (info["terreinen_without_valid_cells"], info["terreinen_covered_in_part"]) == (1, 1)


def test_raster_flood_refuses_polygon_keys(tmp_path, capsys):
    write_raster(tmp_path / "depth.tif", DEPTHS)
    with pytest.raises(AssertionError):
        run_flood(tmp_path, [feature(HEAT_T, id="T1")], layer={"fields": {"depth_m": "diepte"}})
    assert "cell value" in capsys.readouterr().err
