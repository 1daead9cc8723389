#!/usr/bin/env python3
"""Independent Python reference implementation of the Terrein indicators.

    python reference/geopandas_impl.py PIPELINE.yml --out DIR [--strict] [--quiet]

Reads the same pipeline YAML as Terrein and writes DIR/indicators.csv and
DIR/regions.csv exactly as the indicator contract (shared/spec/indicators.md)
prescribes, plus DIR/reference_manifest.json (parameters used, repairs, skips,
timings).  It is written the way a GIS analyst would write it with GeoPandas and
Shapely 2: bulk STRtree queries, vectorised geometry operations, one
`shapely.union_all` per terrein.  It shares no code with the Swift pipeline and is
used to cross-check (reference/crosscheck.py) and to benchmark it.

The heat layer is a raster (any raster GDAL reads, GeoTIFF first), read with
rasterio one window per terrein; a cell lies in a terrein when its centre does
(shapely.intersects_xy over the window's valid cells).  The inundation layer
may be a depth raster too (by its path's extension: .tif, .tiff, .vrt, ...): the
flood region F is then the union of the squares (shapely boxes) of the valid
cells lying in T at or above min_depth_m, its area the count × the cell area.

Layers are GeoJSON FeatureCollections (a legacy `crs` member is honoured, else
WGS84) or GeoJSON text sequences (.geojsonl/.geojsons/.geojsonseq, one feature
per line or RS-separated; WGS84 unless the pipeline gives `crs`).  They are
parsed with the json module rather than GDAL because GDAL rejects unclosed rings
(which the contract repairs) and infers attribute types (which would hide the
id errors the contract requires).

A vector layer whose file is not GeoJSON by its extension (GeoPackage,
Shapefile, FlatGeobuf, GML, ...) is read with pyogrio, as Terrein reads it
through OGR: `layer:` names the OGR layer of a file with several; features in
reading (FID) order, the feature index being the position in it; attribute
values by their OGR field types (integers, reals, text, null); the CRS is the
pipeline's `crs:`, else the source's SRS by its authority code.  The WKB
geometries go through the same preparation as GeoJSON ones (an unclosed ring is
rebuilt by the same fallback).  pyogrio linearises a curved geometry
(OGR_G_GetLinearGeometry) as Terrein does, with the same options
(OGR_ARC_STEPSIZE 1 degree, OGR_ARC_MAX_GAP 0.1, set below); a GeometryCollection
with a curved member it hands over as it is, and that is an error here.  A GML
file is opened with WRITE_GFS=NO, so no .gfs is written beside the input.

Land cover may come from several sources (`layers.landcover.sources`), each
with a class field and its mapping (`classes`) or one class for the whole
source (`class`); they are read in order and concatenated.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import struct
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import pyogrio.raw
import pyproj
import rasterio
import rasterio.errors
import shapely
import yaml
from rasterio.windows import Window

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rdnaptrans  # noqa: E402  (beside this file: the RDNAPTRANS2018 pipeline, docs/rd-new.md)

# --------------------------------------------------------------------------
# Contract defaults
# --------------------------------------------------------------------------

DEFAULT_WORK_CRS = "EPSG:28992"

DEFAULT_PARAMETERS = {
    "solar": {
        "flat_max_slope_deg": 10.0,
        "min_face_m2": 10.0,
        "max_slope_deg": 60.0,
        "max_dev_from_south_deg": 90.0,
        "kwp_per_m2": 0.2,
        "usable_fraction_flat": 0.6,
        "usable_fraction_pitched": 0.8,
        "specific_yield_kwh_per_kwp": 900.0,
    },
    "nature": {"bands_m": [500]},
    "water": {
        "min_depth_m": 0.10,
        "deep_depth_m": 0.30,
        "design_storm_mm": 70.0,
        "c_sealed": 0.9,
        "c_unsealed": 0.2,
        "storage_mm_per_sealed_m2": 60.0,
    },
    "heat": {
        "strong_pet_c": 35.0,
        "extreme_pet_c": 41.0,
        "exposure_fractions": [0.25, 0.50],
    },
}

DEFAULT_YIELD_FACTORS = {
    "slopes_deg": [0, 15, 30, 45, 60, 90],
    "deviations_deg": [0, 45, 90, 135, 180],
    "factors": [
        [0.87, 0.87, 0.87, 0.87, 0.87],
        [0.97, 0.94, 0.86, 0.78, 0.74],
        [1.00, 0.96, 0.84, 0.70, 0.64],
        [0.99, 0.94, 0.80, 0.62, 0.52],
        [0.93, 0.88, 0.74, 0.55, 0.43],
        [0.69, 0.66, 0.56, 0.41, 0.30],
    ],
}

# spec attribute name -> default file field name, per layer
LAYER_FIELDS = {
    "terreinen": ("id", "name", "region"),
    "roofs": ("slope_deg", "azimuth_deg", "building_id"),
    "natura2000": ("name",),
    "landcover": ("class",),
    "inundation": ("depth_m",),
}
RASTER_LAYERS = ("heat",)  # layers that are one band of a raster, not features
# layers that are polygons or a raster; a raster by its path's extension (as Terrein decides)
EITHER_LAYERS = ("inundation",)
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".asc", ".img", ".nc", ".bil", ".flt", ".grd", ".jp2")
REQUIRED_LAYERS = ("terreinen", "roofs")
SEQUENCE_SUFFIXES = (".geojsonl", ".geojsons", ".geojsonseq")
# read by the GeoJSON reader (by extension, as Terrein decides); any other file goes through OGR
GEOJSON_SUFFIXES = (".geojson", ".json", ".geojsonl", ".geojsons", ".geojsonseq", ".jsonl", ".ndjson")
AREA_EPS = 1e-6  # m²: a face "counts" / a building is "exposed" above this
TIE_EPS = 1e-6  # m: nearest-site distance ties
AREA_OF_USE_MARGIN = 50_000.0  # m

EMPTY = shapely.from_wkt("POLYGON EMPTY")


class PipelineError(Exception):
    """A configuration or data error: reported and exit code 2."""


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------


@dataclass
class LayerConfig:
    name: str
    path: Path
    crs: str | None
    fields: dict[str, str]
    classes: dict[str, list[str]] = field(default_factory=dict)
    band: int = 1  # raster layers: the band, counted from 1
    layer: str | None = None  # vector files with several layers (a GeoPackage): the OGR layer
    constant_class: str | None = None  # land cover: one class for the whole source (`class:`)
    raster: bool = False  # one band of a raster (heat; inundation given as a depth grid)

    @property
    def is_geojson(self) -> bool:
        return self.path.suffix.lower() in GEOJSON_SUFFIXES


@dataclass
class Config:
    name: str
    work_crs: pyproj.CRS
    layers: dict[str, LayerConfig]
    solar: dict
    yield_factors: dict
    bands_m: list[int]
    water: dict
    heat: dict
    landcover_sources: list[LayerConfig] = field(default_factory=list)


LANDCOVER_CLASSES = ("sealed", "green", "water", "other")


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _merge_numbers(section: str, given: dict | None) -> dict:
    out = dict(DEFAULT_PARAMETERS[section])
    for key, value in (given or {}).items():
        if key not in out:
            if section == "solar" and key == "yield_factors":
                continue
            print(f"warning: unknown parameter {section}.{key} ignored", file=sys.stderr)
            continue
        if section == "nature" or (section == "heat" and key == "exposure_fractions"):
            out[key] = value  # lists: validated by the caller
            continue
        if not _is_number(value):
            raise PipelineError(f"parameters.{section}.{key} must be a number, got {value!r}")
        out[key] = float(value)
    return out


def _yield_table(given: dict | None) -> dict:
    table = given or DEFAULT_YIELD_FACTORS
    if not isinstance(table, dict):
        raise PipelineError("parameters.solar.yield_factors must be a mapping")
    slopes = np.asarray(table.get("slopes_deg"), dtype=float)
    devs = np.asarray(table.get("deviations_deg"), dtype=float)
    factors = np.asarray(table.get("factors"), dtype=float)
    if slopes.ndim != 1 or devs.ndim != 1 or factors.shape != (len(slopes), len(devs)):
        raise PipelineError("parameters.solar.yield_factors: factors must have one row per slope "
                            "and one column per deviation")
    if len(slopes) == 0 or len(devs) == 0 or np.any(np.diff(slopes) <= 0) or np.any(np.diff(devs) <= 0):
        raise PipelineError("parameters.solar.yield_factors: slopes_deg and deviations_deg must be "
                            "non-empty and strictly increasing")
    return {"slopes_deg": slopes, "deviations_deg": devs, "factors": factors}


def _heat_parameters(given: dict | None) -> dict:
    """parameters.heat: extreme above strong, exposure fractions two increasing numbers in (0, 1)."""
    heat = _merge_numbers("heat", given)
    if not heat["extreme_pet_c"] > heat["strong_pet_c"]:
        raise PipelineError(f"parameters.heat.extreme_pet_c ({heat['extreme_pet_c']:g}) must be above "
                            f"strong_pet_c ({heat['strong_pet_c']:g})")
    fractions = heat["exposure_fractions"]
    if (not isinstance(fractions, list) or len(fractions) != 2 or not all(_is_number(f) for f in fractions)
            or not 0 < fractions[0] < fractions[1] < 1):
        raise PipelineError("parameters.heat.exposure_fractions must be two increasing numbers in (0, 1), "
                            f"got {fractions!r}")
    heat["exposure_fractions"] = [float(f) for f in fractions]
    return heat


def load_config(path: Path) -> Config:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PipelineError(f"cannot read pipeline {path}: {exc}") from exc
    base = path.resolve().parent

    try:
        work_crs = pyproj.CRS.from_user_input(doc.get("work_crs") or DEFAULT_WORK_CRS)
    except pyproj.exceptions.CRSError as exc:
        raise PipelineError(f"unknown work_crs {doc.get('work_crs')!r}") from exc
    if not work_crs.is_projected:
        raise PipelineError(f"work_crs {work_crs.to_string()} is not a projected CRS")
    units = {axis.unit_name for axis in work_crs.axis_info}
    if not units <= {"metre", "meter"}:
        raise PipelineError(f"work_crs {work_crs.to_string()} is not in metres ({units})")

    layers = {}
    landcover_sources: list[LayerConfig] = []
    for name, spec in (doc.get("layers") or {}).items():
        if name not in LAYER_FIELDS and name not in RASTER_LAYERS:
            print(f"warning: unknown layer {name!r} ignored", file=sys.stderr)
            continue
        if name == "landcover" and isinstance(spec, dict) and "sources" in spec:
            sources = spec["sources"]
            if not isinstance(sources, list) or not sources:
                raise PipelineError("layers.landcover.sources must be a non-empty list of sources")
            landcover_sources = [_vector_layer(name, s, base, f"layers.landcover.sources[{i}]")
                                 for i, s in enumerate(sources)]
            layers[name] = landcover_sources[0]
            continue
        if not spec or not spec.get("path"):
            raise PipelineError(f"layers.{name}.path is required")
        if name in RASTER_LAYERS or (name in EITHER_LAYERS and Path(spec["path"]).suffix.lower() in RASTER_SUFFIXES):
            band = spec.get("band", 1)
            if not isinstance(band, int) or isinstance(band, bool) or band < 1:
                raise PipelineError(f"layers.{name}.band must be a positive integer (counted from 1), got {band!r}")
            if name in EITHER_LAYERS and (spec.get("fields") or spec.get("layer")):
                raise PipelineError(f"layers.{name}: a raster's depth is the cell value; fields: and layer: are for polygons")
            layers[name] = LayerConfig(name, base / spec["path"], spec.get("crs"), {}, band=band, raster=True)
            continue
        if name in EITHER_LAYERS and "band" in spec:
            raise PipelineError(f"layers.{name}.band is for a raster; {spec['path']} is read as polygons "
                                f"(a raster's path ends in one of {', '.join(RASTER_SUFFIXES)})")
        layers[name] = _vector_layer(name, spec, base, f"layers.{name}")
        if name == "landcover":
            landcover_sources = [layers[name]]
    for name in REQUIRED_LAYERS:
        if name not in layers:
            raise PipelineError(f"layer {name} is required")

    params = doc.get("parameters") or {}
    solar_given = params.get("solar") or {}
    nature = _merge_numbers("nature", params.get("nature"))
    bands = nature["bands_m"]
    if (not isinstance(bands, list) or not bands
            or not all(isinstance(b, int) and not isinstance(b, bool) and b > 0 for b in bands)
            or any(b2 <= b1 for b1, b2 in zip(bands, bands[1:]))):
        raise PipelineError(f"parameters.nature.bands_m must be strictly increasing positive integers, got {bands!r}")
    return Config(
        name=str(doc.get("name") or path.stem),
        work_crs=work_crs,
        layers=layers,
        solar=_merge_numbers("solar", solar_given),
        yield_factors=_yield_table(solar_given.get("yield_factors")),
        bands_m=list(bands),
        water=_merge_numbers("water", params.get("water")),
        heat=_heat_parameters(params.get("heat")),
        landcover_sources=landcover_sources,
    )


def _vector_layer(name: str, spec, base: Path, key: str) -> LayerConfig:
    """One vector layer (or one land cover source) of the pipeline file."""
    if not isinstance(spec, dict) or not spec.get("path"):
        raise PipelineError(f"{key}.path is required")
    fields = {attr: attr for attr in LAYER_FIELDS[name]}
    fields.update({k: str(v) for k, v in (spec.get("fields") or {}).items()})
    classes = {}
    constant = None
    if name == "landcover":
        if ("classes" in spec) == ("class" in spec):
            raise PipelineError(f"{key}: give either `classes` (a mapping of the class field's values) or "
                                f"`class` (one class for the whole source)")
        if "class" in spec:
            constant = spec["class"]
            if constant not in LANDCOVER_CLASSES:
                raise PipelineError(f"{key}.class: unknown class {constant!r}; one of {', '.join(LANDCOVER_CLASSES)}")
        else:
            for cls in ("sealed", "green", "water"):
                classes[cls] = [_text(v) for v in ((spec.get("classes") or {}).get(cls) or [])]
    cfg = LayerConfig(name, base / spec["path"], spec.get("crs"), fields, classes, constant_class=constant)
    if spec.get("layer") is not None:
        if not isinstance(spec["layer"], str) or not spec["layer"]:
            raise PipelineError(f"{key}.layer must be a layer name, got {spec['layer']!r}")
        if cfg.is_geojson:
            raise PipelineError(f"{key}.layer: a GeoJSON file has one layer; `layer:` is for files "
                                f"with several, such as a GeoPackage")
        cfg.layer = spec["layer"]
    return cfg


def landcover_class_names(cfg: LayerConfig, raw) -> list[str]:
    """Each land cover feature's class (sealed, green, water, other) from its raw class value:
    the source's one class, else the mapping, else other."""
    if cfg.constant_class is not None:
        return [cfg.constant_class] * len(raw)
    lookup = {v: cls for cls, values in cfg.classes.items() for v in values}
    return [lookup.get(_text(v), "other") for v in raw]


# --------------------------------------------------------------------------
# Reading and geometry preparation
# --------------------------------------------------------------------------


def _text(v) -> str | None:
    """Attribute value as text: strings as is, integers in decimal."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return json.dumps(v, ensure_ascii=False)


def read_features(path: Path) -> tuple[list[dict], str | None]:
    """Features of a GeoJSON file or text sequence, and its legacy crs name (if any)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PipelineError(f"cannot read layer file {path}: {exc}") from exc
    text = raw.decode("utf-8-sig")
    is_sequence = path.suffix.lower() in SEQUENCE_SUFFIXES or text.lstrip()[:1] == "\x1e"
    try:
        if not is_sequence:
            try:
                doc = json.loads(text)
            except json.JSONDecodeError:
                is_sequence = True  # one feature per line under a .geojson name
        if is_sequence:
            records = text.split("\x1e") if "\x1e" in text else text.split("\n")
            return [json.loads(r) for r in records if r.strip()], None
    except json.JSONDecodeError as exc:
        raise PipelineError(f"{path}: invalid JSON: {exc}") from exc
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "FeatureCollection":
        features = doc.get("features") or []
    elif kind == "Feature":
        features = [doc]
    else:
        raise PipelineError(f"{path}: not a GeoJSON FeatureCollection or Feature")
    return features, _legacy_crs_name(doc.get("crs"))


def _legacy_crs_name(member) -> str | None:
    if not isinstance(member, dict):
        return None
    props = member.get("properties") or {}
    if member.get("type") == "name":
        return props.get("name")
    if member.get("type") == "EPSG" and props.get("code") is not None:
        return f"EPSG:{props['code']}"
    return None


def _object_array(values: list) -> np.ndarray:
    """A 1-D object array (np.array would turn lists of lists into 2-D)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _object_series(values) -> pd.Series:
    """Attribute columns stay raw Python objects (pandas would infer `str` and turn None into NaN)."""
    return pd.Series(_object_array(list(values)), dtype=object)


def _polygonal_part(geom):
    """The polygonal members of any geometry (recursively), or None."""
    if geom is None or geom.is_empty:
        return None
    polys = []
    stack = [geom]
    while stack:
        g = stack.pop()
        kind = shapely.get_type_id(g)
        if kind == 3:  # Polygon
            if not g.is_empty:
                polys.append(g)
        elif kind in (6, 7):  # MultiPolygon, GeometryCollection
            stack.extend(reversed(shapely.get_parts(g).tolist()))
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _polygon_from_rings(rings) -> tuple[object, bool]:
    """Fallback builder for rings GEOS refuses: closes open rings, drops degenerate ones."""
    repaired = False
    closed = []
    for ring in rings:
        pts = [(float(c[0]), float(c[1])) for c in ring]
        if pts and pts[0] != pts[-1]:
            pts.append(pts[0])
            repaired = True
        if len(pts) < 4:
            repaired = True
            if not closed:  # degenerate shell: no polygon
                return None, True
            continue
        closed.append(pts)
    if not closed:
        return None, repaired
    return shapely.Polygon(closed[0], closed[1:]), repaired


def _geometry_fallback(g) -> tuple[object, bool]:
    """Build a GeoJSON geometry dict that shapely.from_geojson rejected."""
    kind = g.get("type")
    coords = g.get("coordinates")
    if kind == "Polygon":
        return _polygon_from_rings(coords or [])
    if kind == "MultiPolygon":
        parts, repaired = [], False
        for rings in coords or []:
            poly, rep = _polygon_from_rings(rings)
            repaired |= rep
            if poly is not None:
                parts.append(poly)
        return (shapely.MultiPolygon(parts) if parts else None), repaired
    if kind == "GeometryCollection":
        parts, repaired = [], False
        for member in g.get("geometries") or []:
            geom = shapely.from_geojson(json.dumps(member), on_invalid="ignore")
            if geom is None and isinstance(member, dict):
                geom, rep = _geometry_fallback(member)
                repaired |= rep
            if geom is not None:
                parts.append(geom)
        return shapely.GeometryCollection(parts), repaired
    return None, False


@dataclass
class Layer:
    name: str
    gdf: gpd.GeoDataFrame  # geometry in the work CRS; attribute columns by spec name; 'feature' = file index
    repaired: list[int]
    skipped: list[int]
    source_crs: str
    ogr_layer: str | None = None  # the OGR layer read, for a file that is not GeoJSON
    operation: str = ""  # the PROJ definition of the operation to the work CRS

    def __len__(self) -> int:
        return len(self.gdf)


def prepare_geometries(features: list[dict], src_crs: pyproj.CRS, work_crs: pyproj.CRS):
    """Parse, clean and reproject the geometries of a polygon layer.

    Returns (geometry array in the work CRS, None where skipped; repaired mask; skipped mask;
    mask of polygon features that repair left empty).
    """
    return finish_geometries(*_parse_geojson_geometries(features), src_crs, work_crs)


def _parse_geojson_geometries(features: list[dict]):
    """Shapely geometries of GeoJSON features (None where missing or unreadable), the mask of
    those whose rings had to be closed or dropped, and the mask of Polygon/MultiPolygon features."""
    n = len(features)
    geoms_json = [f.get("geometry") if isinstance(f, dict) else None for f in features]
    has_geom = np.array([isinstance(g, dict) for g in geoms_json], dtype=bool)
    geoms = np.full(n, None, dtype=object)
    repaired = np.zeros(n, dtype=bool)

    # Fast path: GEOS's GeoJSON reader, vectorised.  It refuses unclosed rings, which the fallback repairs.
    idx = np.flatnonzero(has_geom)
    if len(idx):
        geoms[idx] = shapely.from_geojson([json.dumps(geoms_json[i]) for i in idx], on_invalid="ignore")
    for i in idx[shapely.is_missing(geoms[idx])]:
        try:
            geoms[i], repaired[i] = _geometry_fallback(geoms_json[i])
        except (TypeError, ValueError, IndexError, shapely.errors.GEOSException):
            geoms[i] = None
    was_polygon = np.array([isinstance(g, dict) and g.get("type") in ("Polygon", "MultiPolygon")
                            for g in geoms_json], dtype=bool)
    return geoms, repaired, was_polygon


def finish_geometries(geoms: np.ndarray, repaired: np.ndarray, was_polygon: np.ndarray,
                      src_crs: pyproj.CRS, work_crs: pyproj.CRS):
    """The format-independent preparation steps, on parsed geometries (see prepare_geometries)."""
    # z/m ignored; GeometryCollections contribute their polygonal members; other types are skipped.
    present = ~shapely.is_missing(geoms)
    geoms[present] = shapely.force_2d(geoms[present])
    kinds = shapely.get_type_id(geoms)
    for i in np.flatnonzero(kinds == 7):
        geoms[i] = _polygonal_part(geoms[i])
    kinds = shapely.get_type_id(geoms)
    polygonal = np.isin(kinds, (3, 6)) & ~shapely.is_empty(geoms)
    geoms[~polygonal] = None

    # Reproject to the work CRS (PROJ, always x = east, y = north): ETRS89/WGS84 <-> RD New
    # through the RDNAPTRANS2018 grid, with no fallback (rdnaptrans.py), else PROJ's choice.
    if polygonal.any() and not src_crs.equals(work_crs):
        if rdnaptrans.pipeline(src_crs, work_crs) is None:
            series = gpd.GeoSeries(geoms[polygonal], crs=src_crs).to_crs(work_crs)
            geoms[polygonal] = series.to_numpy()
        else:
            idx = np.flatnonzero(polygonal)
            t, _, _ = rdnaptrans.transformer(src_crs, work_crs)
            xy = shapely.get_coordinates(geoms[idx])
            x, y = t.transform(xy[:, 0], xy[:, 1])
            bad = ~(np.isfinite(x) & np.isfinite(y))
            if bad.any():
                i = int(np.repeat(idx, shapely.get_num_coordinates(geoms[idx]))[np.flatnonzero(bad)[0]])
                raise PipelineError(f"feature {i}: vertex outside the RDNAPTRANS2018 grid ({rdnaptrans.GRID_EXTENT})")
            geoms[idx] = shapely.set_coordinates(geoms[idx].copy(), np.column_stack([x, y]))

    # Repair invalid polygons with MakeValid (linework) and keep the polygonal part.
    invalid = polygonal & ~shapely.is_valid(geoms)
    for i in np.flatnonzero(invalid):
        geoms[i] = _polygonal_part(shapely.make_valid(geoms[i]))
        repaired[i] = True
    skipped = shapely.is_missing(geoms)
    repaired &= ~skipped
    # Polygons that repair (closing rings, dropping degenerate ones, MakeValid) left empty.
    return geoms, repaired, skipped, was_polygon & skipped


# --------------------------------------------------------------------------
# Layers read through OGR (pyogrio): any vector file that is not GeoJSON
# --------------------------------------------------------------------------

WKB_TYPES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
             6: "MultiPolygon", 7: "GeometryCollection", 8: "CircularString", 9: "CompoundCurve",
             10: "CurvePolygon", 11: "MultiCurve", 12: "MultiSurface", 13: "Curve", 14: "Surface",
             15: "PolyhedralSurface", 16: "TIN", 17: "Triangle"}
WKB_CURVES = range(8, 15)  # pyogrio linearises these, except as members of a GeometryCollection
# How OGR strokes arcs into segments, as Terrein sets it (TerreinGDAL.ArcLinearisation): steps of
# at most 1 degree seen from the centre; the maximum gap is set alike, though GDAL honours it only
# for DXF/DWG arcs.
ARC_OPTIONS = {"OGR_ARC_STEPSIZE": "1", "OGR_ARC_MAX_GAP": "0.1"}


class CurvedGeometry(Exception):
    """A curved WKB geometry, which the reference cannot linearise as OGR does."""


def _wkb_header(buf: bytes, pos: int) -> tuple[int, int, str, int]:
    """(base type code, coordinate dimension, struct byte order, offset after the header) of the
    geometry at `pos`; ISO (1000s) and EWKB (flag bits, SRID) dimension encodings both."""
    order = "<" if buf[pos] == 1 else ">"
    code = struct.unpack_from(order + "I", buf, pos + 1)[0]
    pos += 5
    z, m = bool(code & 0x80000000), bool(code & 0x40000000)
    if code & 0x20000000:
        pos += 4  # EWKB SRID
    code &= 0x0FFFFFFF
    z |= code // 1000 in (1, 3)
    m |= code // 1000 in (2, 3)
    return code % 1000, 2 + z + m, order, pos


def _wkb_points(buf: bytes, pos: int, order: str, dim: int) -> tuple[list, int]:
    n = struct.unpack_from(order + "I", buf, pos)[0]
    flat = struct.unpack_from(f"{order}{n * dim}d", buf, pos + 4)
    return [list(flat[k:k + dim]) for k in range(0, n * dim, dim)], pos + 4 + 8 * n * dim


def _wkb_rings(buf: bytes, pos: int, order: str, dim: int) -> tuple[list, int]:
    n = struct.unpack_from(order + "I", buf, pos)[0]
    pos += 4
    rings = []
    for _ in range(n):
        ring, pos = _wkb_points(buf, pos, order, dim)
        rings.append(ring)
    return rings, pos


def wkb_to_geojson(buf: bytes, pos: int = 0) -> tuple[dict, int]:
    """A GeoJSON-like dict of the WKB geometry at `pos` (polygonal types with coordinates, any other
    type by name only) and the offset after it, for the GeoJSON fallback builder; raises
    CurvedGeometry for curves."""
    kind, dim, order, pos = _wkb_header(buf, pos)
    name = WKB_TYPES.get(kind, f"WKB type {kind}")
    if kind in WKB_CURVES:
        raise CurvedGeometry(name)
    if kind == 1:
        return {"type": name}, pos + 8 * dim
    if kind in (2, 3, 17):  # a LineString's points, or a Polygon's / Triangle's rings
        coords, pos = (_wkb_points if kind == 2 else _wkb_rings)(buf, pos, order, dim)
        return ({"type": "Polygon", "coordinates": coords} if kind == 3 else {"type": name}), pos
    n = struct.unpack_from(order + "I", buf, pos)[0]
    pos += 4
    members = []
    for _ in range(n):
        member, pos = wkb_to_geojson(buf, pos)
        members.append(member)
    if kind == 6:
        return {"type": name, "coordinates": [m.get("coordinates") or [] for m in members]}, pos
    if kind == 7:
        return {"type": name, "geometries": members}, pos
    return {"type": name}, pos


def _parse_wkb_geometries(wkbs: np.ndarray, where: str):
    """Shapely geometries of OGR's WKB (None where missing, of another type, or unreadable), the
    mask of those whose rings had to be closed or dropped, and the mask of Polygon/MultiPolygon
    features; the same fast path and fallback as for GeoJSON."""
    n = len(wkbs)
    geoms = np.full(n, None, dtype=object)
    repaired = np.zeros(n, dtype=bool)
    kinds = np.zeros(n, dtype=np.int64)
    for i, b in enumerate(wkbs):
        if b is not None and len(b) >= 5:
            kinds[i] = _wkb_header(b, 0)[0]
            if kinds[i] in WKB_CURVES:
                raise PipelineError(f"{where}: feature {i} is a {WKB_TYPES[kinds[i]]} that pyogrio did not "
                                    f"linearise; convert the layer with `ogr2ogr -nlt CONVERT_TO_LINEAR`")
    parsed = {}  # GeometryCollections: checked for curves first
    for i in np.flatnonzero(kinds == 7):
        try:
            parsed[i] = wkb_to_geojson(wkbs[i])[0]
        except CurvedGeometry as exc:
            raise PipelineError(f"{where}: feature {i} is a GeometryCollection with a {exc}; the reference "
                                f"cannot linearise curves as OGR does for Terrein: convert the layer with "
                                f"`ogr2ogr -nlt CONVERT_TO_LINEAR`") from None
        except (struct.error, IndexError):
            parsed[i] = None
    idx = np.flatnonzero(np.isin(kinds, (3, 6, 7)))
    if len(idx):
        geoms[idx] = shapely.from_wkb(wkbs[idx].tolist(), on_invalid="ignore")
    for i in idx[shapely.is_missing(geoms[idx])]:
        try:
            g = parsed[i] if i in parsed else wkb_to_geojson(wkbs[i])[0]
            geoms[i], repaired[i] = _geometry_fallback(g) if g is not None else (None, False)
        except (struct.error, TypeError, ValueError, IndexError, shapely.errors.GEOSException):
            geoms[i] = None
    return geoms, repaired, np.isin(kinds, (3, 6))


def _ogr_datetime(v: str) -> str:
    """pyogrio's ISO 8601 date-time as OGR_F_GetFieldAsString writes it (2024/01/02 03:04:05+00)."""
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)(Z|[+-]\d\d:\d\d)?", v)
    if not m:
        return v
    tz = m.group(5) or ""
    if tz == "Z":
        tz = "+00"
    elif tz:
        tz = tz[:3] + ("" if tz[4:] == "00" else tz[4:])
    return f"{m.group(1)}/{m.group(2)}/{m.group(3)} {m.group(4)}{tz}"


def ogr_field_values(values: np.ndarray, ogr_type: str, where: str) -> list:
    """One OGR field's values as Terrein takes them: integer fields (booleans included) as int,
    real fields as float, everything else as text (OGR's string form), nulls as None.

    pyogrio returns an integer field that has nulls as float64 with NaN, and a null real as NaN:
    both become None (a real NaN cannot be told from a null)."""
    out = []
    for v in values.tolist():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        elif ogr_type in ("OFTInteger", "OFTInteger64"):
            if isinstance(v, float) and abs(v) > 2 ** 53:
                raise PipelineError(f"{where}: integer {v:.0f} in a field with nulls lies beyond 2^53, where "
                                    f"pyogrio's float64 cannot hold it exactly")
            out.append(int(v))
        elif ogr_type == "OFTReal":
            out.append(float(v))
        elif ogr_type == "OFTDate":
            out.append(str(v).replace("-", "/"))
        elif ogr_type == "OFTDateTime":
            out.append(_ogr_datetime(str(v)))
        elif ogr_type == "OFTBinary":
            out.append(bytes(v).hex().upper())
        elif ogr_type.endswith("List"):
            items = list(v)
            fmt = (lambda x: "%.16g" % x) if ogr_type == "OFTRealList" else str
            out.append(f"({len(items)}:{','.join(fmt(x) for x in items)})")
        else:
            out.append(str(v))
    return out


def _quoted(names) -> str:
    return ", ".join(f'"{n}"' for n in names)


def read_ogr(cfg: LayerConfig) -> tuple[str, str, np.ndarray, dict[str, list]]:
    """(CRS name, OGR layer name, WKB per feature, values by field name) of a layer read with
    pyogrio, in reading (FID) order; the CRS is the pipeline's `crs:`, else the source's SRS by
    its authority code."""
    key = f"layers.{cfg.name}"
    pyogrio.set_gdal_config_options(ARC_OPTIONS)
    # GML: GDAL would write a .gfs beside the input after working out its schema; not here.
    open_options = {"WRITE_GFS": "NO"} if cfg.path.suffix.lower() in (".gml", ".xml") else {}
    try:
        if open_options and cfg.layer is not None:
            names = [cfg.layer]  # listing the layers would open the file without the option
        else:
            names = [str(row[0]) for row in pyogrio.list_layers(cfg.path)]
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise PipelineError(f"layer {cfg.name}: GDAL cannot open {cfg.path} as a vector file ({exc}); check it "
                            f"with `ogrinfo {cfg.path}`; a Shapefile needs its .shx and .dbf beside it") from exc
    if cfg.layer is not None:
        if cfg.layer not in names:
            raise PipelineError(f"layer {cfg.name}: {cfg.path} has no layer \"{cfg.layer}\"; its layers: "
                                f"{_quoted(names)} ({key}.layer)")
        name = cfg.layer
    elif len(names) == 1:
        name = names[0]
    elif not names:
        raise PipelineError(f"layer {cfg.name}: {cfg.path} has no vector layer; check it with `ogrinfo {cfg.path}`")
    else:
        raise PipelineError(f"layer {cfg.name}: {cfg.path} has {len(names)} layers and the pipeline names none; "
                            f"set {key}.layer to one of {_quoted(names)}")
    wanted = list(dict.fromkeys(cfg.fields[attr] for attr in LAYER_FIELDS[cfg.name]))
    if cfg.constant_class is not None:
        wanted = []  # a source of one class reads no class field
    try:
        meta, _fids, wkbs, data = pyogrio.raw.read(cfg.path, layer=name, columns=wanted, return_fids=True,
                                                  datetime_as_string=True, **open_options)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise PipelineError(f"layer {cfg.name}: cannot read layer \"{name}\" of {cfg.path}: {exc}") from exc
    where = f"layer {cfg.name} ({cfg.path}, layer \"{name}\")"
    values = {str(f): ogr_field_values(a, t, where) for f, a, t in zip(meta["fields"], data, meta["ogr_types"])}
    n = len(wkbs) if wkbs is not None else len(_fids)
    if wkbs is None:
        wkbs = np.full(n, None, dtype=object)
    crs_name = cfg.crs
    if crs_name is None:
        src = meta.get("crs")
        if src is None:
            raise PipelineError(f"{where}: the layer has no CRS (a Shapefile without .prj?); set `crs:` for "
                                f"{key} in the pipeline file, e.g. crs: EPSG:28992")
        if not re.fullmatch(r"[A-Za-z][\w.-]*:\w+", src):  # pyogrio gives AUTHORITY:CODE, else the WKT
            raise PipelineError(f"{where}: the layer's CRS has no authority code; set `crs:` for {key} in the "
                                f"pipeline file, e.g. crs: EPSG:28992")
        crs_name = src
    return crs_name, name, np.asarray(wkbs, dtype=object), {f: values.get(f, [None] * n) for f in wanted}


def check_area_of_use(layer_name: str, geoms: np.ndarray, work_crs: pyproj.CRS) -> None:
    aou = work_crs.area_of_use
    if aou is None or len(geoms) == 0:
        return
    to_work = pyproj.Transformer.from_crs("EPSG:4326", work_crs, always_xy=True)
    w, s, e, n = to_work.transform_bounds(aou.west, aou.south, aou.east, aou.north, densify_pts=21)
    w, s, e, n = w - AREA_OF_USE_MARGIN, s - AREA_OF_USE_MARGIN, e + AREA_OF_USE_MARGIN, n + AREA_OF_USE_MARGIN
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    if not (np.isfinite([x0, y0, x1, y1]).all()) or x1 < w or x0 > e or y1 < s or y0 > n:
        raise PipelineError(
            f"layer {layer_name}: bounding box ({x0:.1f}, {y0:.1f}, {x1:.1f}, {y1:.1f}) in the work CRS lies "
            f"wholly outside the area of use of {work_crs.to_string()}: swapped axes or a wrong CRS?")


def _source_crs(cfg: LayerConfig, crs_name: str) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(crs_name)
    except pyproj.exceptions.CRSError as exc:
        raise PipelineError(f"layer {cfg.name}: unknown CRS {crs_name!r}") from exc


def read_layer(cfg: LayerConfig, work_crs: pyproj.CRS, strict: bool) -> Layer:
    if cfg.is_geojson:
        features, legacy = read_features(cfg.path)
        src_crs = _source_crs(cfg, cfg.crs or legacy or "OGC:CRS84")
        geoms, repaired, skipped, emptied = _in_layer(cfg, prepare_geometries, features, src_crs, work_crs)
        props = [(f.get("properties") if isinstance(f, dict) else None) or {} for f in features]
        columns = {attr: _object_array([p.get(cfg.fields[attr]) for p in props]) for attr in LAYER_FIELDS[cfg.name]}
        n, ogr_layer = len(features), None
    else:
        crs_name, ogr_layer, wkbs, values = read_ogr(cfg)
        src_crs = _source_crs(cfg, crs_name)
        parsed = _parse_wkb_geometries(wkbs, f"layer {cfg.name} ({cfg.path})")
        geoms, repaired, skipped, emptied = _in_layer(cfg, finish_geometries, *parsed, src_crs, work_crs)
        n = len(wkbs)
        columns = {attr: _object_array(values.get(cfg.fields[attr], [None] * n)) for attr in LAYER_FIELDS[cfg.name]}
    if cfg.name == "terreinen":
        columns["id"] = _object_array(_terrein_ids(columns["id"]))
        if emptied.any():
            i = int(np.flatnonzero(emptied)[0])
            raise PipelineError(f"terrein {columns['id'][i]!r} (feature {i}): polygon is empty after repair")
    if strict and (repaired.any() or skipped.any()):
        what = "repaired" if repaired.any() else "skipped"
        first = np.flatnonzero(repaired if repaired.any() else skipped)[:5].tolist()
        raise PipelineError(f"layer {cfg.name}: features {first} would be {what} (--strict)")

    gdf = gpd.GeoDataFrame({"feature": np.arange(n),
                            **{k: _object_series(v) for k, v in columns.items()}},
                           geometry=gpd.GeoSeries(geoms, crs=work_crs))
    gdf = gdf[~skipped].reset_index(drop=True)
    check_area_of_use(cfg.name, gdf.geometry.to_numpy(), work_crs)
    return Layer(cfg.name, gdf, np.flatnonzero(repaired).tolist(), np.flatnonzero(skipped).tolist(),
                 src_crs.to_string(), ogr_layer, _operation(src_crs, work_crs))


def _in_layer(cfg: LayerConfig, prepare, *args):
    """Runs a preparation step, naming the layer and file in its errors (a vertex outside the grid)."""
    try:
        return prepare(*args)
    except PipelineError as exc:
        raise PipelineError(f"layer {cfg.name} ({cfg.path}): {exc}") from exc
    except rdnaptrans.GridMissing as exc:
        raise PipelineError(str(exc)) from exc


def _operation(src_crs: pyproj.CRS, work_crs: pyproj.CRS) -> str:
    """The PROJ definition of the operation from the layer's CRS to the work CRS, as Terrein's manifest has it."""
    if src_crs.equals(work_crs):
        return "+proj=noop"
    return rdnaptrans.pipeline(src_crs, work_crs) or rdnaptrans.transformer(src_crs, work_crs)[1]


def _terrein_ids(values) -> list[str]:
    """Terrein ids as text: strings as is, integers in decimal; anything else or a duplicate is an error."""
    ids, seen = [], {}
    for i, value in enumerate(values):
        if isinstance(value, str):
            tid = value
        elif isinstance(value, int) and not isinstance(value, bool):
            tid = str(value)
        else:
            raise PipelineError(f"terreinen feature {i}: id {value!r} is missing or not a string or integer")
        if tid in seen:
            raise PipelineError(f"terreinen feature {i}: duplicate id {tid!r} (also feature {seen[tid]})")
        seen[tid] = i
        ids.append(tid)
    return ids


def load_terreinen(cfg: LayerConfig, work_crs: pyproj.CRS, strict: bool) -> Layer:
    """Terreinen: like any layer, plus id rules; rows sorted by id as UTF-8 bytes."""
    layer = read_layer(cfg, work_crs, strict)
    gdf = layer.gdf
    gdf["name"] = _object_series(_text(v) for v in gdf["name"])
    gdf["region"] = _object_series(_text(v) for v in gdf["region"])
    order = sorted(range(len(gdf)), key=lambda k: gdf["id"].iloc[k].encode("utf-8"))
    layer.gdf = gdf.iloc[order].reset_index(drop=True)
    return layer


# --------------------------------------------------------------------------
# Vectorised helpers
# --------------------------------------------------------------------------


def pairs_intersecting(terreinen: gpd.GeoDataFrame, layer: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(terrein index, feature index) of every intersecting pair, sorted by terrein then feature."""
    if len(layer) == 0 or len(terreinen) == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    t_idx, f_idx = layer.sindex.query(terreinen.geometry, predicate="intersects")
    order = np.lexsort((f_idx, t_idx))
    return t_idx[order], f_idx[order]


def clip_to_terreinen(tgeoms, fgeoms, t_idx, f_idx, shortcut: bool = False) -> np.ndarray:
    """feature ∩ terrein for each pair; with `shortcut`, a feature wholly inside its terrein is used as is."""
    pieces = np.empty(len(t_idx), dtype=object)
    todo = np.ones(len(t_idx), dtype=bool)
    if shortcut and len(t_idx):
        inside = shapely.contains_properly(tgeoms[t_idx], fgeoms[f_idx])  # terreinen are prepared
        pieces[inside] = fgeoms[f_idx[inside]]
        todo = ~inside
    pieces[todo] = shapely.intersection(tgeoms[t_idx[todo]], fgeoms[f_idx[todo]])
    return pieces


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Drop lower-dimensional debris from overlay results (vectorised for the common case)."""
    geoms = geoms.copy()
    mixed = np.flatnonzero(shapely.get_type_id(geoms) == 7)
    for i in mixed:
        geoms[i] = _polygonal_part(geoms[i]) or EMPTY
    return geoms


def union_by_terrein(t_idx: np.ndarray, pieces: np.ndarray, n: int) -> np.ndarray:
    """⋃ pieces per terrein (one shapely.union_all per terrein); EMPTY where there are none."""
    out = np.full(n, EMPTY, dtype=object)
    if len(t_idx) == 0:
        return out
    order = np.argsort(t_idx, kind="stable")
    t_sorted, p_sorted = t_idx[order], pieces[order]
    starts = np.flatnonzero(np.r_[True, t_sorted[1:] != t_sorted[:-1]])
    for start, end in zip(starts, np.r_[starts[1:], len(t_sorted)]):
        group = p_sorted[start:end]
        out[t_sorted[start]] = group[0] if len(group) == 1 else shapely.union_all(group)
    return _polygonal(out)


def sum_by_terrein(t_idx: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per-terrein sums, accumulated in (terrein, feature) order."""
    return np.bincount(t_idx, weights=values, minlength=n).astype(float)


# --------------------------------------------------------------------------
# Indicator families
# --------------------------------------------------------------------------


def _numbers(values, missing: float) -> np.ndarray:
    """JSON numbers as floats; missing/null -> `missing`; anything else -> NaN (invalid)."""
    out = np.empty(len(values), dtype=float)
    for i, v in enumerate(values):
        out[i] = missing if v is None else (float(v) if _is_number(v) else math.nan)
    return out


def yield_factor(table: dict, slope: np.ndarray, dev: np.ndarray) -> np.ndarray:
    """Bilinear interpolation in the yield-factor table, clamped to its edges."""
    xs, ys, z = table["slopes_deg"], table["deviations_deg"], table["factors"]

    def cell(grid, v):
        v = np.clip(v, grid[0], grid[-1])
        i0 = np.clip(np.searchsorted(grid, v, side="right") - 1, 0, len(grid) - 1)
        i1 = np.minimum(i0 + 1, len(grid) - 1)
        span = grid[i1] - grid[i0]
        w = np.where(span > 0, (v - grid[i0]) / np.where(span > 0, span, 1.0), 0.0)
        return i0, i1, w

    i0, i1, wx = cell(xs, slope)
    j0, j1, wy = cell(ys, dev)
    return ((1 - wx) * (1 - wy) * z[i0, j0] + (1 - wx) * wy * z[i0, j1]
            + wx * (1 - wy) * z[i1, j0] + wx * wy * z[i1, j1])


def face_attributes(roofs: gpd.GeoDataFrame, solar: dict, table: dict) -> dict[str, np.ndarray]:
    """Per roof face: validity, suitability and the per-m² factors of the solar formulas."""
    s = _numbers(roofs["slope_deg"], missing=0.0)
    a = _numbers(roofs["azimuth_deg"], missing=math.nan)
    slope_ok = (s >= 0) & (s < 90)  # NaN compares False
    flat = slope_ok & (s <= solar["flat_max_slope_deg"])
    pitched = slope_ok & ~flat
    valid = flat | (pitched & (a >= 0) & (a <= 360))
    dev = np.abs(np.mod(a - 180 + 540, 360) - 180)
    suitable = (valid & (roofs.geometry.area.to_numpy() >= solar["min_face_m2"])
                & (s <= solar["max_slope_deg"]) & (flat | (dev <= solar["max_dev_from_south_deg"])))
    f = np.where(flat, yield_factor(table, np.zeros(1), np.zeros(1))[0],
                 yield_factor(table, np.where(valid, s, 0.0), np.where(valid, dev, 0.0)))
    u = np.where(flat, solar["usable_fraction_flat"], solar["usable_fraction_pitched"])
    return {
        "valid": valid,
        "suitable": suitable,
        "inclination": np.where(valid, 1.0 / np.cos(np.radians(np.where(valid, s, 0.0))), 1.0),
        "kwp_per_m2": u * solar["kwp_per_m2"],
        "kwh_per_kwp": solar["specific_yield_kwh_per_kwp"] * f,
    }


@dataclass
class RoofPieces:
    """Every (terrein, face) pair that intersects, with face ∩ terrein."""
    t_idx: np.ndarray
    r_idx: np.ndarray
    pieces: np.ndarray
    area: np.ndarray

    @property
    def counts(self) -> np.ndarray:
        return self.area > AREA_EPS


def roof_pieces(terreinen: gpd.GeoDataFrame, roofs: gpd.GeoDataFrame) -> RoofPieces:
    tgeoms, rgeoms = terreinen.geometry.to_numpy(), roofs.geometry.to_numpy()
    t_idx, r_idx = pairs_intersecting(terreinen, roofs)
    pieces = clip_to_terreinen(tgeoms, rgeoms, t_idx, r_idx, shortcut=True)
    return RoofPieces(t_idx, r_idx, pieces, shapely.area(pieces))


def solar_indicators(n: int, area: np.ndarray, rp: RoofPieces, faces: dict) -> dict:
    c = rp.counts
    t, r, a_r = rp.t_idx[c], rp.r_idx[c], rp.area[c]
    s_r = a_r * faces["inclination"][r]
    kwp = s_r * faces["kwp_per_m2"][r]
    kwh = kwp * faces["kwh_per_kwp"][r]
    suit = faces["suitable"][r]
    roof_area = sum_by_terrein(t, a_r, n)
    return {
        "roof_faces": np.bincount(t, minlength=n),
        "roof_area_m2": roof_area,
        "roof_surface_m2": sum_by_terrein(t, s_r, n),
        "solar_suitable_m2": sum_by_terrein(t, np.where(suit, s_r, 0.0), n),
        "solar_kwp": sum_by_terrein(t, np.where(suit, kwp, 0.0), n),
        "solar_mwh_yr": sum_by_terrein(t, np.where(suit, kwh, 0.0), n) / 1000.0,
        "roof_coverage": _ratio(roof_area, area),
    }


def _site_name_key(name: str | None):
    return (0, name.encode("utf-8")) if name else (1, b"")


def nature_indicators(terreinen: gpd.GeoDataFrame, sites: gpd.GeoDataFrame | None, bands: list[int]) -> dict:
    n = len(terreinen)
    if sites is None or len(sites) == 0:
        nulls = np.full(n, None, dtype=object)
        out = {"n2k_distance_m": nulls, "n2k_nearest": nulls, "n2k_overlap_m2": nulls}
        out.update({f"n2k_within_{b}m": nulls for b in bands})
        return out
    tgeoms, sgeoms = terreinen.geometry.to_numpy(), sites.geometry.to_numpy()
    names = [_text(v) for v in sites["name"]]

    # Nearest distance, then every site within that distance + 1e-6 is a tie candidate.
    (t_near, _), dist = sites.sindex.nearest(terreinen.geometry, return_all=False, return_distance=True)
    dmin = np.full(n, np.inf)
    np.minimum.at(dmin, t_near, dist)
    t_cand, s_cand = sites.sindex.query(terreinen.geometry, predicate="dwithin", distance=dmin + TIE_EPS)
    d_cand = shapely.distance(tgeoms[t_cand], sgeoms[s_cand])
    nearest: list[str | None] = [None] * n
    best_key: list[tuple | None] = [None] * n
    for t, s, d in zip(t_cand, s_cand, d_cand):
        if d <= dmin[t] + TIE_EPS:
            key = _site_name_key(names[s])
            if best_key[t] is None or key < best_key[t]:
                best_key[t], nearest[t] = key, names[s]

    t_idx, s_idx = pairs_intersecting(terreinen, sites)
    overlap = union_by_terrein(t_idx, _polygonal(clip_to_terreinen(tgeoms, sgeoms, t_idx, s_idx)), n)
    out = {
        "n2k_distance_m": dmin,
        "n2k_nearest": np.array(nearest, dtype=object),
        "n2k_overlap_m2": shapely.area(overlap),
    }
    out.update({f"n2k_within_{b}m": dmin <= b for b in bands})
    return out


def _class_subset(landcover: gpd.GeoDataFrame, values: list[str]) -> gpd.GeoDataFrame:
    wanted = set(values)
    mask = np.array([_text(v) in wanted for v in landcover["class"]], dtype=bool)
    return landcover[mask].reset_index(drop=True)


def _cover(terreinen: gpd.GeoDataFrame, layer: gpd.GeoDataFrame) -> np.ndarray:
    """⋃layer ∩ T for every terrein."""
    t_idx, f_idx = pairs_intersecting(terreinen, layer)
    pieces = clip_to_terreinen(terreinen.geometry.to_numpy(), layer.geometry.to_numpy(), t_idx, f_idx)
    return union_by_terrein(t_idx, pieces, len(terreinen))


def paved_indicators(terreinen: gpd.GeoDataFrame, rp: RoofPieces, landcover: gpd.GeoDataFrame | None,
                     classes: dict, area: np.ndarray) -> dict:
    """Sealed P = (⋃roofs ∪ ⋃sealed) ∩ T, green G = (⋃green ∩ T) − P, water W = (⋃water ∩ T) − P − G."""
    n = len(terreinen)
    t_idx, pieces = rp.t_idx, _polygonal(rp.pieces)
    if landcover is not None:
        sealed_lc = _class_subset(landcover, classes.get("sealed", []))
        ts, fs = pairs_intersecting(terreinen, sealed_lc)
        lc_pieces = clip_to_terreinen(terreinen.geometry.to_numpy(), sealed_lc.geometry.to_numpy(), ts, fs)
        t_idx, pieces = np.r_[t_idx, ts], np.r_[pieces, _polygonal(lc_pieces)]
    sealed_region = union_by_terrein(t_idx, pieces, n)
    sealed = shapely.area(sealed_region)
    out = {"sealed_m2": sealed, "paved_fraction": _ratio(sealed, area)}
    if landcover is None:
        nulls = np.full(n, None, dtype=object)
        out.update({"green_m2": nulls, "water_m2": nulls, "green_fraction": nulls, "water_fraction": nulls})
        return out
    green_region = shapely.difference(_cover(terreinen, _class_subset(landcover, classes.get("green", []))),
                                      sealed_region)
    water_region = shapely.difference(
        shapely.difference(_cover(terreinen, _class_subset(landcover, classes.get("water", []))), sealed_region),
        green_region)
    green, water = shapely.area(green_region), shapely.area(water_region)
    out.update({"green_m2": green, "water_m2": water,
                "green_fraction": _ratio(green, area), "water_fraction": _ratio(water, area)})
    return out


def water_class(fraction) -> str | None:
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return None
    return "low" if fraction < 0.05 else ("medium" if fraction < 0.20 else "high")


def water_indicators(terreinen: gpd.GeoDataFrame, roofs: gpd.GeoDataFrame, rp: RoofPieces,
                     inundation: gpd.GeoDataFrame | None, water: dict, area: np.ndarray,
                     sealed: np.ndarray) -> dict:
    n = len(terreinen)
    out = {
        "runoff_m3": water["design_storm_mm"] / 1000.0
        * (sealed * water["c_sealed"] + (area - sealed) * water["c_unsealed"]),
        "storage_required_m3": sealed * water["storage_mm_per_sealed_m2"] / 1000.0,
    }
    if inundation is None:
        nulls = np.full(n, None, dtype=object)
        out.update({k: nulls for k in ("inundation_m2", "deep_inundation_m2", "inundation_fraction",
                                       "deep_inundation_fraction", "buildings_exposed", "water_exposure")})
        return out
    depth = _numbers(inundation["depth_m"], missing=math.nan)  # NaN never reaches a threshold
    flood = _cover(terreinen, inundation[depth >= water["min_depth_m"]].reset_index(drop=True))
    deep = _cover(terreinen, inundation[depth >= water["deep_depth_m"]].reset_index(drop=True))
    flooded, deep_m2 = shapely.area(flood), shapely.area(deep)
    fraction = _ratio(flooded, area)

    # Buildings exposed: distinct building ids among counting faces with area(r ∩ F) > 1e-6.
    c = rp.counts & ~shapely.is_empty(flood[rp.t_idx])
    t, r = rp.t_idx[c], rp.r_idx[c]
    rgeoms = roofs.geometry.to_numpy()
    hit = shapely.intersects(flood[t], rgeoms[r])
    t, r = t[hit], r[hit]
    wet = shapely.area(shapely.intersection(rgeoms[r], flood[t])) > AREA_EPS
    building = [_text(v) for v in roofs["building_id"]]
    exposed = [set() for _ in range(n)]
    for ti, ri in zip(t[wet], r[wet]):
        exposed[ti].add(("id", building[ri]) if building[ri] not in (None, "") else ("face", int(ri)))
    out.update({
        "inundation_m2": flooded,
        "deep_inundation_m2": deep_m2,
        "inundation_fraction": fraction,
        "deep_inundation_fraction": _ratio(deep_m2, area),
        "buildings_exposed": np.array([len(s) for s in exposed]),
        "water_exposure": np.array([water_class(f) for f in fraction], dtype=object),
    })
    return out


def water_raster_indicators(terreinen: gpd.GeoDataFrame, roofs: gpd.GeoDataFrame, rp: RoofPieces, cfg: LayerConfig,
                            work_crs: pyproj.CRS, water: dict, area: np.ndarray) -> tuple[dict, dict]:
    """The inundation columns from a depth raster: F is the union of the squares of the valid cells lying in T
    with depth >= min_depth_m (D likewise); areas are cell counts × cell area. A counting roof piece r ∩ T is
    exposed when area(r ∩ T ∩ F) > 1e-6, with F built from shapely boxes. Null where no valid cell lies in T.

    Also returns the raster's manifest entry, with the coverage counts."""
    n = len(terreinen)
    geoms = terreinen.geometry.to_numpy()
    bounds = shapely.bounds(geoms)
    flood_n, deep_n, valid_n = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    covered_in_part = np.zeros(n, dtype=bool)
    regions = np.full(n, None, dtype=object)  # F per terrein, as a union of boxes
    ds, crs = open_raster(cfg, work_crs)
    with ds:
        t = ds.transform
        for i in range(n):
            window = cell_window(t, ds.width, ds.height, bounds[i])
            if window is None:
                continue
            rows, cols, values = valid_cells_in(ds, cfg.band, geoms[i], window)
            valid_n[i] = len(values)
            if len(values) == 0:
                continue
            wet = values >= water["min_depth_m"]
            flood_n[i] = np.count_nonzero(wet)
            deep_n[i] = np.count_nonzero(values >= water["deep_depth_m"])
            c, r = window.col_off + cols[wet], window.row_off + rows[wet]
            x0, x1 = t.c + c * t.a, t.c + (c + 1) * t.a
            y0, y1 = t.f + r * t.e, t.f + (r + 1) * t.e
            boxes = shapely.box(np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1))
            regions[i] = shapely.union_all(boxes) if len(boxes) else EMPTY
            covered_in_part[i] = _covered_in_part(t, ds.width, ds.height, geoms[i], bounds[i])
        info = {"path": str(cfg.path), "band": cfg.band, "source_crs": crs.to_string(),
                "width": ds.width, "height": ds.height, "cell_size_m": [abs(t.a), abs(t.e)],
                "terreinen_without_valid_cells": int(np.count_nonzero(valid_n == 0)),
                "terreinen_covered_in_part": int(np.count_nonzero(covered_in_part & (valid_n > 0)))}
        cell_area = abs(t.a * t.e)
    has = valid_n > 0
    flooded = np.where(has, flood_n * cell_area, np.nan)
    deep_m2 = np.where(has, deep_n * cell_area, np.nan)
    fraction = _ratio(flooded, area)
    exposed = [set() for _ in range(n)]
    building = [_text(v) for v in roofs["building_id"]]
    for ti, ri, piece, counts in zip(rp.t_idx, rp.r_idx, rp.pieces, rp.counts):
        f = regions[ti]
        if not counts or f is None or shapely.is_empty(f):
            continue
        if shapely.area(shapely.intersection(piece, f)) > AREA_EPS:
            exposed[ti].add(("id", building[ri]) if building[ri] not in (None, "") else ("face", int(ri)))
    out = {
        "inundation_m2": _nullable(flooded),
        "deep_inundation_m2": _nullable(deep_m2),
        "inundation_fraction": _nullable(fraction),
        "deep_inundation_fraction": _nullable(_ratio(deep_m2, area)),
        "buildings_exposed": np.array([len(e) if h else None for e, h in zip(exposed, has)], dtype=object),
        "water_exposure": np.array([water_class(f) if h else None for f, h in zip(fraction, has)], dtype=object),
    }
    return out, info


def _nullable(values: np.ndarray) -> np.ndarray:
    return np.array([None if math.isnan(v) else float(v) for v in values], dtype=object)


def _covered_in_part(transform, width: int, height: int, geom, bounds) -> bool:
    """Whether cell centres of the raster's grid, extended beyond its edges, lie in `geom` outside the raster."""
    t = transform
    minx, miny, maxx, maxy = bounds
    cols = sorted(((minx - t.c) / t.a - 0.5, (maxx - t.c) / t.a - 0.5))
    rows = sorted(((miny - t.f) / t.e - 0.5, (maxy - t.f) / t.e - 0.5))
    c = np.arange(math.ceil(cols[0]) - 1, math.floor(cols[1]) + 2)
    r = np.arange(math.ceil(rows[0]) - 1, math.floor(rows[1]) + 2)
    cc, rr = np.meshgrid(c, r)
    outside = (cc < 0) | (cc >= width) | (rr < 0) | (rr >= height)
    if not outside.any():
        return False
    cc, rr = cc[outside], rr[outside]
    return bool(shapely.intersects_xy(geom, t.c + (cc + 0.5) * t.a, t.f + (rr + 0.5) * t.e).any())


# --------------------------------------------------------------------------
# Heat stress (a raster layer)
# --------------------------------------------------------------------------


HEAT_COLUMNS = ("heat_pet_mean_c", "heat_strong_fraction", "heat_extreme_fraction", "heat_exposure")
# the unrounded sums and counts behind them, carried in the per-terrein rows for the region table
HEAT_SUMS = ("_heat_cells", "_heat_pet_sum", "_heat_strong", "_heat_extreme")


@dataclass
class HeatCells:
    """Per terrein, over the valid cells lying in it: their count, Σ PET and the counts at the thresholds.

    Kept unrounded: the region table weights by cells."""
    cells: np.ndarray
    pet_sum: np.ndarray
    strong: np.ndarray
    extreme: np.ndarray
    info: dict  # for the manifest


def open_raster(cfg: LayerConfig, work_crs: pyproj.CRS):
    """Open a raster layer and check the contract's conditions: georeferenced, no rotation, band exists,
    in the work CRS (PROJ equivalence; a raster without a CRS takes the pipeline's `crs:`).

    Returns (dataset, the CRS it is taken to be in)."""
    where = f"layer {cfg.name} ({cfg.path})"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", rasterio.errors.NotGeoreferencedWarning)
            ds = rasterio.open(cfg.path)
    except rasterio.errors.NotGeoreferencedWarning as exc:
        raise PipelineError(f"{where}: the raster has no geotransform (not georeferenced)") from exc
    except (rasterio.errors.RasterioIOError, OSError) as exc:
        raise PipelineError(f"cannot read {where}: {exc}") from exc
    try:
        if not 1 <= cfg.band <= ds.count:
            raise PipelineError(f"{where}: band {cfg.band} does not exist (the raster has {ds.count})")
        t = ds.transform
        if t.b != 0 or t.d != 0:
            raise PipelineError(f"{where}: the geotransform has rotation terms ({t.b:g}, {t.d:g}); "
                                "only north-up or south-up rasters are supported")
        if t.a == 0 or t.e == 0:
            raise PipelineError(f"{where}: the geotransform has a zero pixel size")
        if ds.crs is not None:
            try:
                crs = pyproj.CRS.from_user_input(ds.crs.to_wkt())
            except pyproj.exceptions.CRSError as exc:
                raise PipelineError(f"{where}: PROJ cannot read the raster's CRS: {exc}") from exc
            if cfg.crs and not _same_crs(cfg.crs, crs):
                print(f"warning: {where} has its own CRS ({_crs_label(crs)}); layers.{cfg.name}.crs "
                      f"({cfg.crs}) is only for a raster without one and is ignored", file=sys.stderr)
        elif cfg.crs:
            try:
                crs = pyproj.CRS.from_user_input(cfg.crs)
            except pyproj.exceptions.CRSError as exc:
                raise PipelineError(f"layer {cfg.name}: unknown CRS {cfg.crs!r}") from exc
        else:
            raise PipelineError(f"{where}: the raster has no CRS; give it as layers.{cfg.name}.crs")
        if crs != work_crs:  # PROJ's equivalence test, not string equality
            target = work_crs.to_string()
            raise PipelineError(
                f"{where} is in {_crs_label(crs)}, not in the work CRS {_crs_label(work_crs)}; reproject it "
                f"first, e.g.: gdalwarp -t_srs {target} -r bilinear {cfg.path} "
                f"{cfg.path.with_name(cfg.path.stem + '_work_crs.tif')}")
    except Exception:
        ds.close()
        raise
    return ds, crs


def _same_crs(given: str, crs: pyproj.CRS) -> bool:
    try:
        return pyproj.CRS.from_user_input(given) == crs
    except pyproj.exceptions.CRSError:
        return False


def _crs_label(crs: pyproj.CRS) -> str:
    code = crs.to_authority(min_confidence=100)
    return f"{crs.name} ({code[0]}:{code[1]})" if code else crs.name


def cell_window(transform, width: int, height: int, bounds) -> Window | None:
    """The window of cells whose centres may lie in the envelope `bounds`, or None when the raster misses it.

    One cell of slack on each side keeps a centre exactly on the envelope in, whatever the rounding;
    intersects_xy decides which cells lie in the polygon."""
    minx, miny, maxx, maxy = bounds
    # fractional column/row of x/y, less the half cell that puts centres on integers
    cols = sorted(((minx - transform.c) / transform.a - 0.5, (maxx - transform.c) / transform.a - 0.5))
    rows = sorted(((miny - transform.f) / transform.e - 0.5, (maxy - transform.f) / transform.e - 0.5))
    c0, c1 = max(math.ceil(cols[0]) - 1, 0), min(math.floor(cols[1]) + 1, width - 1)
    r0, r1 = max(math.ceil(rows[0]) - 1, 0), min(math.floor(rows[1]) + 1, height - 1)
    if c0 > c1 or r0 > r1:
        return None
    return Window(c0, r0, c1 - c0 + 1, r1 - r0 + 1)


def _nodata_cells(raw: np.ndarray, nodata) -> np.ndarray:
    """Cells equal to the band's nodata value, compared in the band's type as GDAL does."""
    if nodata is None:
        return np.zeros(raw.shape, dtype=bool)
    if math.isnan(nodata):
        return np.isnan(raw) if raw.dtype.kind in "fc" else np.zeros(raw.shape, dtype=bool)
    if raw.dtype.kind in "fc":
        return raw == np.asarray(nodata).astype(raw.dtype)
    return raw.astype(np.float64) == nodata  # an integer band: a nodata it cannot hold matches nothing


def cell_values_in(ds, band: int, geom, window: Window) -> np.ndarray:
    """Values (scale and offset applied, float64) of the valid cells of `window` whose centre lies in `geom`."""
    return valid_cells_in(ds, band, geom, window)[2]


def valid_cells_in(ds, band: int, geom, window: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The valid cells of `window` whose centre lies in `geom`: their rows and columns in the window, and their
    values (scale and offset applied, float64)."""
    raw = ds.read(band, window=window)
    valid = ds.read_masks(band, window=window) != 0
    valid &= ~_nodata_cells(raw, ds.nodata)
    scale, offset = ds.scales[band - 1], ds.offsets[band - 1]
    values = raw.astype(np.float64) * (1.0 if scale is None else scale) + (0.0 if offset is None else offset)
    valid &= np.isfinite(values)
    rows, cols = np.nonzero(valid)
    if len(rows) == 0:
        return rows, cols, values[valid]
    t = ds.transform
    xs = t.c + (window.col_off + cols + 0.5) * t.a
    ys = t.f + (window.row_off + rows + 0.5) * t.e
    inside = shapely.intersects_xy(geom, xs, ys)  # centre in T or on its boundary
    return rows[inside], cols[inside], values[rows[inside], cols[inside]]


def heat_cells(terreinen: gpd.GeoDataFrame, cfg: LayerConfig, work_crs: pyproj.CRS, heat: dict) -> HeatCells:
    """One window read per terrein, covering its envelope."""
    n = len(terreinen)
    cells, strong, extreme = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    pet_sum = np.zeros(n)
    geoms = terreinen.geometry.to_numpy()
    bounds = shapely.bounds(geoms)
    ds, crs = open_raster(cfg, work_crs)
    with ds:
        for i in range(n):
            window = cell_window(ds.transform, ds.width, ds.height, bounds[i])
            if window is None:
                continue
            p = cell_values_in(ds, cfg.band, geoms[i], window)
            cells[i] = len(p)
            pet_sum[i] = p.sum()
            strong[i] = np.count_nonzero(p >= heat["strong_pet_c"])
            extreme[i] = np.count_nonzero(p >= heat["extreme_pet_c"])
        t = ds.transform
        info = {
            "path": str(cfg.path), "band": cfg.band, "source_crs": crs.to_string(),
            "crs_from_pipeline": ds.crs is None, "driver": ds.driver, "dtype": ds.dtypes[cfg.band - 1],
            "width": ds.width, "height": ds.height, "cell_size_m": [abs(t.a), abs(t.e)],
            "orientation": "north-up" if t.e < 0 else "south-up",
            "nodata": None if ds.nodata is None or math.isnan(ds.nodata) else ds.nodata,
            "nodata_is_nan": ds.nodata is not None and math.isnan(ds.nodata),
            "scale": ds.scales[cfg.band - 1], "offset": ds.offsets[cfg.band - 1],
            "terreinen_without_cells": int(np.count_nonzero(cells == 0)),
        }
    return HeatCells(cells, pet_sum, strong, extreme, info)


def heat_class(fraction, fractions: list[float]) -> str | None:
    if _is_null(fraction):
        return None
    return "low" if fraction < fractions[0] else ("medium" if fraction < fractions[1] else "high")


def heat_indicators(n: int, hc: HeatCells | None, heat: dict) -> dict:
    """The four heat columns, null without a heat layer and for a terrein in which no valid cell lies;
    plus their sums and counts (HEAT_SUMS) for the region table."""
    if hc is None:
        nulls = np.full(n, None, dtype=object)
        return {c: nulls for c in HEAT_COLUMNS + HEAT_SUMS}
    strong = _ratio(hc.strong, hc.cells)
    return {
        **dict(zip(HEAT_SUMS, (hc.cells, hc.pet_sum, hc.strong, hc.extreme))),
        "heat_pet_mean_c": _ratio(hc.pet_sum, hc.cells),
        "heat_strong_fraction": strong,
        "heat_extreme_fraction": _ratio(hc.extreme, hc.cells),
        "heat_exposure": np.array([heat_class(f, heat["exposure_fractions"]) for f in strong], dtype=object),
    }


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


# --------------------------------------------------------------------------
# Output tables
# --------------------------------------------------------------------------

# (column, kind, decimals); kind: text, int, num, bool, class
def indicator_columns(bands: list[int]) -> list[tuple[str, str, int]]:
    return [
        ("id", "id", 0), ("name", "text", 0), ("region", "text", 0), ("area_m2", "num", 2),
        ("roof_faces", "int", 0), ("roof_area_m2", "num", 2), ("roof_surface_m2", "num", 2),
        ("solar_suitable_m2", "num", 2), ("solar_kwp", "num", 2), ("solar_mwh_yr", "num", 2),
        ("roof_coverage", "num", 4), ("n2k_distance_m", "num", 1), ("n2k_nearest", "text", 0),
        *[(f"n2k_within_{b}m", "bool", 0) for b in bands],
        ("n2k_overlap_m2", "num", 2), ("sealed_m2", "num", 2), ("green_m2", "num", 2), ("water_m2", "num", 2),
        ("paved_fraction", "num", 4), ("green_fraction", "num", 4), ("water_fraction", "num", 4),
        ("inundation_m2", "num", 2), ("deep_inundation_m2", "num", 2), ("inundation_fraction", "num", 4),
        ("deep_inundation_fraction", "num", 4), ("buildings_exposed", "int", 0), ("water_exposure", "class", 0),
        ("runoff_m3", "num", 2), ("storage_required_m3", "num", 2),
        ("heat_pet_mean_c", "num", 1), ("heat_strong_fraction", "num", 4), ("heat_extreme_fraction", "num", 4),
        ("heat_exposure", "class", 0),
    ]


def region_columns(bands: list[int]) -> list[tuple[str, str, int]]:
    skip = {"id", "name", "n2k_nearest"}
    cols = [("region", "text", 0), ("terreinen", "int", 0)]
    for name, kind, nd in indicator_columns(bands):
        if name in skip or name == "region":
            continue
        cols.append((name, "int" if kind == "bool" else kind, nd))
    return cols


def _is_null(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def format_value(v, kind: str, decimals: int) -> str:
    if _is_null(v):
        return ""
    if kind == "num":
        s = "%.*f" % (decimals, float(v))
        return s[1:] if s.startswith("-") and float(s) == 0 else s
    if kind == "int":
        return str(int(v))
    if kind == "bool":
        return "true" if v else "false"
    s = str(v)
    if kind == "text" and s[:1] in ("=", "+", "-", "@", "\t", "\r"):
        s = "'" + s  # spreadsheet formula injection
    return s


def _csv_field(s: str) -> str:
    if any(ch in s for ch in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def write_csv(path: Path, columns: list[tuple[str, str, int]], rows: list[dict]) -> None:
    lines = [",".join(_csv_field(c) for c, _, _ in columns)]
    for row in rows:
        lines.append(",".join(_csv_field(format_value(row[c], k, d)) for c, k, d in columns))
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def region_rows(rows: list[dict], bands: list[int], exposure_fractions: list[float]) -> list[dict]:
    """Aggregate the per-terrein rows (already in id order, so sums accumulate in id order).

    Heat is cell-weighted: from the rows' unrounded sums and counts (HEAT_SUMS), not their means."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["region"] or "", []).append(row)

    def total(members, col):
        vals = [m[col] for m in members if not _is_null(m[col])]
        if not vals:
            return None
        acc = 0
        for v in vals:
            acc += v
        return acc

    def ratio(a, b):
        return None if a is None or not b else a / b

    out = []
    for region in sorted(groups, key=lambda r: r.encode("utf-8")):
        m = groups[region]
        agg = {"region": region, "terreinen": len(m)}
        for col in ("area_m2", "roof_faces", "roof_area_m2", "roof_surface_m2", "solar_suitable_m2", "solar_kwp",
                    "solar_mwh_yr", "n2k_overlap_m2", "sealed_m2", "green_m2", "water_m2", "inundation_m2",
                    "deep_inundation_m2", "buildings_exposed", "runoff_m3", "storage_required_m3"):
            agg[col] = total(m, col)
        dists = [x["n2k_distance_m"] for x in m if not _is_null(x["n2k_distance_m"])]
        agg["n2k_distance_m"] = min(dists) if dists else None
        for b in bands:
            flags = [x[f"n2k_within_{b}m"] for x in m if not _is_null(x[f"n2k_within_{b}m"])]
            agg[f"n2k_within_{b}m"] = sum(bool(f) for f in flags) if flags else None
        area = agg["area_m2"]
        agg["roof_coverage"] = ratio(agg["roof_area_m2"], area)
        agg["paved_fraction"] = ratio(agg["sealed_m2"], area)
        agg["green_fraction"] = ratio(agg["green_m2"], area)
        agg["water_fraction"] = ratio(agg["water_m2"], area)
        agg["inundation_fraction"] = ratio(agg["inundation_m2"], area)
        agg["deep_inundation_fraction"] = ratio(agg["deep_inundation_m2"], area)
        agg["water_exposure"] = water_class(agg["inundation_fraction"])
        cells, pet_sum, strong, extreme = (total(m, k) for k in HEAT_SUMS)
        agg["heat_pet_mean_c"] = ratio(pet_sum, cells)  # None without a heat layer or without cells
        agg["heat_strong_fraction"] = ratio(strong, cells)
        agg["heat_extreme_fraction"] = ratio(extreme, cells)
        agg["heat_exposure"] = heat_class(agg["heat_strong_fraction"], exposure_fractions)
        out.append(agg)
    return out


# --------------------------------------------------------------------------
# Pipeline
# --------------------------------------------------------------------------


def overlapping_pairs(terreinen: gpd.GeoDataFrame) -> int:
    a, b = terreinen.sindex.query(terreinen.geometry, predicate="intersects")
    keep = a < b
    g = terreinen.geometry.to_numpy()
    return int(np.count_nonzero(shapely.area(shapely.intersection(g[a[keep]], g[b[keep]])) > AREA_EPS))


def run(pipeline: Path, out_dir: Path, strict: bool = False, quiet: bool = False) -> dict:
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 4)
        clock = now

    cfg = load_config(pipeline)
    terreinen_layer = load_terreinen(cfg.layers["terreinen"], cfg.work_crs, strict)
    layers = {"terreinen": terreinen_layer}
    for name in ("roofs", "natura2000", "inundation"):
        if name in cfg.layers and not cfg.layers[name].raster:
            layers[name] = read_layer(cfg.layers[name], cfg.work_crs, strict)
    # Land cover: every source in order, each feature's class resolved by its source's rule, and
    # the sources concatenated (source order, then feature order) into one layer.
    landcover_parts = [read_layer(src, cfg.work_crs, strict) for src in cfg.landcover_sources]
    unmapped_per_source = []
    for src, part in zip(cfg.landcover_sources, landcover_parts):
        raw = part.gdf["class"].to_numpy()
        part.gdf["source_class"] = raw
        part.gdf["class"] = _object_array(landcover_class_names(src, raw))
        mapped = {v for vals in src.classes.values() for v in vals}
        unmapped_per_source.append([] if src.constant_class is not None
                                   else sorted({_text(v) or "" for v in raw} - mapped))
    for name in ("inundation", "heat"):  # fail before the vector work if a raster is unusable
        if name in cfg.layers and cfg.layers[name].raster:
            open_raster(cfg.layers[name], cfg.work_crs)[0].close()
    lap("read")

    terreinen = terreinen_layer.gdf
    shapely.prepare(terreinen.geometry.to_numpy())
    n = len(terreinen)
    area = terreinen.geometry.area.to_numpy()
    roofs = layers["roofs"].gdf
    sites = layers["natura2000"].gdf if "natura2000" in layers else None
    landcover = (gpd.GeoDataFrame(pd.concat([p.gdf for p in landcover_parts], ignore_index=True),
                                  geometry="geometry", crs=cfg.work_crs) if landcover_parts else None)
    if landcover_parts:  # the manifest's layers entry: all sources together (per source: "landcover")
        first = landcover_parts[0]
        layers["landcover"] = Layer("landcover", landcover, [i for p in landcover_parts for i in p.repaired],
                                    [i for p in landcover_parts for i in p.skipped], first.source_crs, first.ogr_layer)
    inundation = layers["inundation"].gdf if "inundation" in layers else None

    values: dict[str, np.ndarray] = {
        "id": terreinen["id"].to_numpy(), "name": terreinen["name"].to_numpy(),
        "region": terreinen["region"].to_numpy(), "area_m2": area,
    }
    rp = roof_pieces(terreinen, roofs)
    faces = face_attributes(roofs, cfg.solar, cfg.yield_factors)
    values.update(solar_indicators(n, area, rp, faces))
    lap("solar")
    values.update(nature_indicators(terreinen, sites, cfg.bands_m))
    lap("nature")
    # The classes are resolved per source above: the paved family sees sealed/green/water only.
    classes = {cls: [cls] for cls in ("sealed", "green", "water")} if landcover is not None else {}
    paved = paved_indicators(terreinen, rp, landcover, classes, area)
    values.update(paved)
    lap("paved")
    values.update(water_indicators(terreinen, roofs, rp, inundation, cfg.water, area, paved["sealed_m2"]))
    inundation_raster = None
    if "inundation" in cfg.layers and cfg.layers["inundation"].raster:
        raster_values, inundation_raster = water_raster_indicators(terreinen, roofs, rp, cfg.layers["inundation"],
                                                                   cfg.work_crs, cfg.water, area)
        values.update(raster_values)
    lap("water")
    hc = heat_cells(terreinen, cfg.layers["heat"], cfg.work_crs, cfg.heat) if "heat" in cfg.layers else None
    values.update(heat_indicators(n, hc, cfg.heat))
    lap("heat")

    columns = indicator_columns(cfg.bands_m)
    keys = [c for c, _, _ in columns] + list(HEAT_SUMS)  # the sums are not written, only aggregated
    rows = [{c: _scalar(values[c][i]) for c in keys} for i in range(n)]
    regions = region_rows(rows, cfg.bands_m, cfg.heat["exposure_fractions"])
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(out_dir / "indicators.csv", columns, rows)
    write_csv(out_dir / "regions.csv", region_columns(cfg.bands_m), regions)
    lap("regions+write")

    landcover_classes = {}
    if landcover is not None:
        landcover_classes["unmapped"] = sorted({v for u in unmapped_per_source for v in u})
        landcover_classes["sources"] = [
            {"path": str(src.path), "features_used": len(part), "repaired": len(part.repaired),
             "skipped": len(part.skipped), "unmapped": u,
             **({"class": src.constant_class} if src.constant_class is not None else {}),
             **({"ogr_layer": part.ogr_layer} if part.ogr_layer is not None else {})}
            for src, part, u in zip(cfg.landcover_sources, landcover_parts, unmapped_per_source)]
    manifest = {
        "implementation": "reference/geopandas_impl.py",
        "pipeline": str(pipeline),
        "work_crs": cfg.work_crs.to_string(),
        "parameters": {"solar": cfg.solar, "nature": {"bands_m": cfg.bands_m}, "water": cfg.water,
                       "heat": cfg.heat,
                       "yield_factors": {k: np.asarray(v).tolist() for k, v in cfg.yield_factors.items()}},
        "layers": {name: {"path": str(cfg.layers[name].path), "source_crs": layer.source_crs,
                          "operation": layer.operation,
                          "features_used": len(layer), "repaired": len(layer.repaired),
                          "repaired_first": layer.repaired[:5], "skipped": len(layer.skipped),
                          "skipped_first": layer.skipped[:5],
                          **({"ogr_layer": layer.ogr_layer} if layer.ogr_layer is not None else {})}
                   for name, layer in layers.items()},
        **({"heat_raster": hc.info} if hc is not None else {}),
        **({"inundation_raster": inundation_raster} if inundation_raster is not None else {}),
        "roof_faces_invalid_attributes": int(np.count_nonzero(~faces["valid"])),
        "overlapping_terrein_pairs": overlapping_pairs(terreinen),
        **({"landcover": landcover_classes} if landcover_classes else {}),
        "timings_s": timings,
        "versions": {"geopandas": gpd.__version__, "shapely": shapely.__version__,
                     "geos": shapely.geos_version_string, "pyproj": pyproj.__version__,
                     "proj": pyproj.proj_version_str, "rasterio": rasterio.__version__,
                     "gdal": rasterio.__gdal_version__, "pyogrio": pyogrio.__version__,
                     "pyogrio_gdal": pyogrio.__gdal_version_string__},
    }
    (out_dir / "reference_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if not quiet:
        total = sum(timings.values())
        stages = ", ".join(f"{k} {v:.3f}s" for k, v in timings.items())
        print(f"reference: {n} terreinen, {len(roofs)} roof faces, {len(regions)} regions -> {out_dir} "
              f"({total:.3f}s: {stages})", file=sys.stderr)
    return manifest


def _scalar(v):
    if isinstance(v, np.generic):
        return v.item()
    return v


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pipeline", type=Path, help="pipeline YAML file")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--strict", action="store_true", help="treat geometry repairs and skips as errors")
    parser.add_argument("--quiet", action="store_true", help="no summary on stderr")
    args = parser.parse_args(argv)
    try:
        run(args.pipeline, args.out, strict=args.strict, quiet=args.quiet)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
