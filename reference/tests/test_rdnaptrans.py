"""RD New done right (docs/rd-new.md): Terrein's ETRS89/WGS84 -> RD New agrees with pyrdnap, an
independent RDNAPTRANS2018 implementation certified by NSGI, within 1 mm on 10,000 seeded points
across the Netherlands; the inverse goes back; a point outside the grid is an error; and the
reference implementation builds the very same PROJ pipeline as Terrein.

Needs the terrein binary (scripts/test.sh builds it first; TERREIN_BIN overrides the path) and
the grid (scripts/setup.sh installs it)."""
from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyproj
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "reference"))

import crosscheck  # noqa: E402
import rdnaptrans  # noqa: E402

TERREIN = Path(os.environ.get("TERREIN_BIN", ROOT / ".build/debug/terrein"))
needs_terrein = pytest.mark.skipif(not TERREIN.exists(), reason=f"{TERREIN} is not built (scripts/test.sh builds it)")

N = 10_000
TOLERANCE_M = 0.001


@pytest.fixture(scope="module")
def points():
    """Seeded ETRS89 points over a land-ish box of the Netherlands (inside the grid)."""
    rng = np.random.default_rng(2018)
    return rng.uniform(50.75, 53.7, N), rng.uniform(3.2, 7.3, N)


def terrein_transform(src: str, dst: str, xs, ys, show=False):
    text = "".join(f"{float(x)!r} {float(y)!r}\n" for x, y in zip(xs, ys))
    args = [str(TERREIN), "transform", "--from", src, "--to", dst] + (["--show-operation"] if show else [])
    r = subprocess.run(args, input=text, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    out = np.array([[float(v) for v in line.split()[:2]] for line in r.stdout.splitlines()])
    return out[:, 0], out[:, 1], r.stderr.strip()


@pytest.fixture(scope="module")
def pyrdnap_rd(points):
    from pyrdnap import RDNAP2018v2
    t = RDNAP2018v2()
    lat, lon = points
    rd = [t.forward(a, o, None) for a, o in zip(lat, lon)]
    return np.array([r.RDx for r in rd]), np.array([r.RDy for r in rd])


@needs_terrein
def test_etrs89_to_rd_new_within_1_mm_of_pyrdnap(points, pyrdnap_rd):
    lat, lon = points
    for src in ("EPSG:4258", "EPSG:4326", "OGC:CRS84"):  # WGS84 taken as ETRS89, as NSGI does
        x, y, _ = terrein_transform(src, "EPSG:28992", lon, lat)
        d = np.hypot(x - pyrdnap_rd[0], y - pyrdnap_rd[1])
        print(f"{src} -> EPSG:28992, {N} points: max deviation from pyrdnap {d.max() * 1000:.3f} mm, "
              f"mean {d.mean() * 1000:.3f} mm")
        assert d.max() < TOLERANCE_M


@needs_terrein
def test_rd_new_to_etrs89_inverts_pyrdnap(points, pyrdnap_rd):
    # RD New -> ETRS89 of pyrdnap's RD coordinates gives the ETRS89 points back. (pyrdnap
    # 26.8.18's own RDNAP2018v2.reverse is no reference here: it applies the variant-1 3D
    # similarity on top of the variant-2 grid, about 110 m off at Amersfoort; its
    # RDNAP2018v1.reverse and NSGI's variant-2 procedure agree with this inverse.)
    lat, lon = points
    back_lon, back_lat, _ = terrein_transform("EPSG:28992", "EPSG:4258", *pyrdnap_rd)
    metres = np.hypot((back_lat - lat) * 111_320, (back_lon - lon) * 111_320 * np.cos(np.radians(lat)))
    print(f"EPSG:28992 -> EPSG:4258 of pyrdnap's RD: max {metres.max() * 1000:.4f} mm from the ETRS89 points")
    assert metres.max() < TOLERANCE_M


@needs_terrein
def test_point_outside_the_grid_is_an_error():
    # One good point, then one outside the grid (west of it, south of it; RD coordinates whose
    # RD-Bessel latitude is south of 50° N): exit 3, the line named, nothing written.
    for src, dst, good, bad in (("EPSG:4326", "EPSG:28992", "5.3 52.1", "1.5 52.0"),
                                ("EPSG:4258", "EPSG:28992", "5.3 52.1", "5.0 49.9"),
                                ("EPSG:28992", "EPSG:4326", "155000 463000", "155000 -100000")):
        r = subprocess.run([str(TERREIN), "transform", "--from", src, "--to", dst], input=f"{good}\n{bad}\n",
                           capture_output=True, text=True, check=False)
        assert r.returncode == 3, (src, r.stdout, r.stderr)
        assert "stdin:2" in r.stderr and "vertex outside the RDNAPTRANS2018 grid (50–56° N, 2–8° E)" in r.stderr
        assert r.stdout == ""


@needs_terrein
@pytest.mark.parametrize("src,dst", [("OGC:CRS84", "EPSG:28992"), ("EPSG:4326", "EPSG:28992"),
                                     ("EPSG:4258", "EPSG:28992"), ("EPSG:3035", "EPSG:28992"),
                                     ("EPSG:25831", "EPSG:28992"), ("EPSG:32631", "EPSG:28992"),
                                     ("EPSG:3035", "EPSG:7415"), ("EPSG:28992", "OGC:CRS84"),
                                     ("EPSG:28992", "EPSG:25832")])
def test_reference_builds_the_same_pipeline(src, dst):
    r = subprocess.run([str(TERREIN), "transform", "--from", src, "--to", dst, "--show-operation"],
                       input="", capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    ours = rdnaptrans.pipeline(pyproj.CRS(src), pyproj.CRS(dst))
    assert ours is not None and f"+proj=hgridshift +grids={rdnaptrans.GRID_FILE}" in ours
    assert r.stderr.strip() == ours


def test_reference_transformer_within_1_mm_of_pyrdnap(points, pyrdnap_rd):
    lat, lon = points
    t, op, grid = rdnaptrans.transformer(pyproj.CRS("EPSG:4326"), pyproj.CRS("EPSG:28992"))
    assert grid is not None and rdnaptrans.GRID_FILE in op
    x, y = t.transform(lon, lat, errcheck=True)
    assert np.hypot(x - pyrdnap_rd[0], y - pyrdnap_rd[1]).max() < TOLERANCE_M


def test_other_pairs_keep_projs_choice():
    assert rdnaptrans.pipeline(pyproj.CRS("EPSG:4289"), pyproj.CRS("EPSG:28992")) is None  # Amersfoort itself
    assert rdnaptrans.pipeline(pyproj.CRS("EPSG:3035"), pyproj.CRS("EPSG:25831")) is None
    assert rdnaptrans.pipeline(pyproj.CRS("EPSG:2056"), pyproj.CRS("EPSG:28992")) is None   # CH1903+


def test_crosscheck_fails_when_the_operations_differ(tmp_path, capsys):
    header = "id,area_m2\n"
    for side, op in (("a", "+proj=pipeline +step +inv +proj=hgridshift +grids=terrein_rdtrans2018.tif"),
                     ("b", "+proj=pipeline +step +proj=helmert +x=565")):
        d = tmp_path / side
        d.mkdir()
        (d / "indicators.csv").write_text(header + "T1,1.00\n", encoding="utf-8")
        (d / "regions.csv").write_text("region,area_m2\n,1.00\n", encoding="utf-8")
    (tmp_path / "a" / "manifest.json").write_text(
        '{"inputs": [{"layer": "natura2000", "operation": "+proj=pipeline +step +inv +proj=hgridshift"}]}', encoding="utf-8")
    (tmp_path / "b" / "reference_manifest.json").write_text(
        '{"layers": {"natura2000": {"operation": "+proj=pipeline +step +proj=helmert"}}}', encoding="utf-8")
    assert crosscheck.main([str(tmp_path / "a"), str(tmp_path / "b")]) == 1
    assert "MISMATCH operation of layer natura2000" in capsys.readouterr().out
    (tmp_path / "b" / "reference_manifest.json").write_text(
        '{"layers": {"natura2000": {"operation": "+proj=pipeline +step +inv +proj=hgridshift"}}}', encoding="utf-8")
    assert crosscheck.main([str(tmp_path / "a"), str(tmp_path / "b")]) == 0
