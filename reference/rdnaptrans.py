"""RD New done right (docs/rd-new.md): between a CRS on the ETRS89 or WGS84 datum and RD New
(EPSG:28992, or the horizontal part of EPSG:7415), the explicit PROJ pipeline through NSGI's
RDNAPTRANS2018 horizontal correction grid (rdtrans2018, variant 2), built by the same rules as
Terrein's (Sources/TerreinGeometry/RDNAPTRANS.swift) so that both run the same PROJ string:

  source -> its own geographic lon/lat (PROJ's conversion, no datum change; WGS84 taken as ETRS89)
  -> radians -> inverse hgridshift with the grid (ETRS89 -> RD-Bessel) -> degrees
  -> PROJ's own conversion of EPSG:28992 from its geographic CRS (oblique stereographic on Bessel).

No fallback: a point outside the grid is an error. Other CRS pairs: PROJ's default choice.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import pyproj
from pyproj.crs import GeographicCRS
from pyproj.crs.coordinate_system import Ellipsoidal2DCS
from pyproj.crs.enums import Ellipsoidal2DCSAxis
from pyproj.enums import ProjVersion

GRID_FILE = "terrein_rdtrans2018.tif"
GRID_EXTENT = "50–56° N, 2–8° E"

# EPSG codes of the ETRS89 and WGS84 datum ensembles and their realizations.
ETRS89_OR_WGS84_DATUMS = {
    "6258", "6326",
    "1178", "1179", "1180", "1181", "1182", "1183", "1184", "1185", "1186", "1204", "1206", "1382",
    "1166", "1152", "1153", "1154", "1155", "1156", "1309", "1383",
}
DATUM_NAMES = {"European Terrestrial Reference System 1989", "European Terrestrial Reference System 1989 ensemble",
               "World Geodetic System 1984", "World Geodetic System 1984 ensemble"}


class GridMissing(RuntimeError):
    pass


def search_directories(env=os.environ) -> list[str]:
    """$TERREIN_GRID_DIR, /usr/local/share/terrein/grids, ${XDG_DATA_HOME:-~/.local/share}/terrein/grids."""
    dirs = [env["TERREIN_GRID_DIR"]] if env.get("TERREIN_GRID_DIR") else []
    dirs.append("/usr/local/share/terrein/grids")
    data = env.get("XDG_DATA_HOME") or os.path.join(env.get("HOME") or str(Path.home()), ".local/share")
    dirs.append(os.path.join(data, "terrein/grids"))
    return dirs


def locate_grid() -> str:
    for d in search_directories():
        p = os.path.join(d, GRID_FILE)
        if os.access(p, os.R_OK):
            return p
    raise GridMissing(f"the RDNAPTRANS2018 grid {GRID_FILE} is in none of {', '.join(search_directories())}; "
                      f"run `bash scripts/setup.sh` (or `terrein grid install --wheel ...`)")


def _horizontal(crs: pyproj.CRS) -> pyproj.CRS:
    if crs.is_compound:
        return _horizontal(crs.sub_crs_list[0])
    if crs.is_bound:
        return _horizontal(crs.source_crs)
    return crs


def _datum(crs: pyproj.CRS):
    g = _horizontal(crs).geodetic_crs
    return None if g is None else (g.datum if g.datum is not None else g.datum_ensemble)


@functools.cache
def _datum_names() -> frozenset[str]:
    # pyproj's datum of a CRS carries no id, so the EPSG datums are matched by their EPSG names.
    return frozenset({pyproj.crs.Datum.from_epsg(c).name for c in ETRS89_OR_WGS84_DATUMS} | DATUM_NAMES)


def is_etrs89_or_wgs84(crs: pyproj.CRS) -> bool:
    d = _datum(crs)
    return d is not None and d.name in _datum_names()


def is_rd_new(crs: pyproj.CRS) -> bool:
    h = _horizontal(crs)
    if h.to_authority() == ("EPSG", "28992") or (h.list_authority() and
                                                  any(a.auth_name == "EPSG" and a.code == "28992" and a.confidence == 100
                                                      for a in h.list_authority())):
        return True
    return h.is_projected and h.equals(pyproj.CRS.from_epsg(28992))


def _steps(proj_string: str) -> list[str]:
    t = proj_string.strip()
    if not t.startswith("+proj=pipeline"):
        return [] if t == "+proj=noop" else [t]
    parts = t.split(" +step ")
    if parts[0] != "+proj=pipeline":
        raise ValueError(f"PROJ gave a pipeline with global options: {t}")
    return [p.strip() for p in parts[1:] if p.strip() != "+proj=noop"]


def _unit_pair(step: str):
    w = step.split(" ")
    if len(w) == 3 and w[0] == "+proj=unitconvert" and w[1].startswith("+xy_in=") and w[2].startswith("+xy_out="):
        return w[1][7:], w[2][8:]
    return None


def _inverted(step: str) -> str:
    u = _unit_pair(step)
    if u:
        return f"+proj=unitconvert +xy_in={u[1]} +xy_out={u[0]}"
    return step[5:] if step.startswith("+inv ") else "+inv " + step


def _simplified(steps: list[str]) -> list[str]:
    out: list[str] = []
    for s in steps:
        if out and _inverted(out[-1]) == s:
            out.pop()
        else:
            out.append(s)
    return out


def _to_own_geographic(crs: pyproj.CRS) -> list[str]:
    h = _horizontal(crs)
    lonlat = GeographicCRS(name="lon/lat", datum=_datum(h),
                           ellipsoidal_cs=Ellipsoidal2DCS(axis=Ellipsoidal2DCSAxis.LONGITUDE_LATITUDE))
    t = pyproj.Transformer.from_crs(h, lonlat, always_xy=True)
    return _steps(t.to_proj4(version=ProjVersion.PROJ_5))


def pipeline(source: pyproj.CRS, target: pyproj.CRS) -> str | None:
    """The RDNAPTRANS2018 pipeline from source to target (x = east, y = north on both ends),
    or None when the pair is not ETRS89/WGS84 <-> RD New."""
    if is_etrs89_or_wgs84(source) and is_rd_new(target):
        forward, etrs, rd = True, source, target
    elif is_rd_new(source) and is_etrs89_or_wgs84(target):
        forward, etrs, rd = False, target, source
    else:
        return None
    s = _to_own_geographic(etrs)
    s += ["+proj=unitconvert +xy_in=deg +xy_out=rad", f"+inv +proj=hgridshift +grids={GRID_FILE}",
          "+proj=unitconvert +xy_in=rad +xy_out=deg"]
    s += [_inverted(x) for x in reversed(_to_own_geographic(rd))]
    s = _simplified(s)
    if not forward:
        s = [_inverted(x) for x in reversed(s)]
    if not s:
        return "+proj=noop"
    return s[0] if len(s) == 1 else "+proj=pipeline" + "".join(" +step " + x for x in s)


def transformer(source: pyproj.CRS, target: pyproj.CRS) -> tuple[pyproj.Transformer, str, str | None]:
    """(transformer, its PROJ definition, the grid path or None). The grid's directory is
    added to pyproj's data directories; a missing grid raises GridMissing."""
    p = pipeline(source, target)
    if p is None:
        t = pyproj.Transformer.from_crs(source, target, always_xy=True)
        return t, t.to_proj4(version=ProjVersion.PROJ_5) or t.definition, None
    grid = locate_grid()
    d = os.path.dirname(grid)
    if d not in pyproj.datadir.get_data_dir().split(os.pathsep):
        pyproj.datadir.append_data_dir(d)
    return pyproj.Transformer.from_pipeline(p), p, grid
