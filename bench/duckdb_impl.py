#!/usr/bin/env python3
"""The Terrein indicators in DuckDB spatial SQL: a benchmark peer.

    python3 bench/duckdb_impl.py PIPELINE.yml --out DIR [--threads N] [--strict] [--quiet]

Reads the same pipeline YAML as Terrein and writes DIR/indicators.csv and DIR/regions.csv
as the indicator contract (shared/spec/indicators.md) prescribes, plus
DIR/duckdb_manifest.json (parameters used, repairs, skips, stage timings).

It is written the way an analyst would write it in DuckDB: every layer is read by DuckDB's
JSON reader (GeoJSON FeatureCollections and GeoJSON text sequences alike; the raw JSON
properties keep the contract's typing rules exact, which GDAL's type inference would not),
geometries are built with ST_GeomFromGeoJSON, reprojected with ST_Transform(always_xy),
repaired with ST_MakeValid, joined with ST_Intersects (DuckDB plans these as R-tree spatial
joins), dissolved with ST_Union_Agg per terrein, and the nearest Natura 2000 site is found
with a bounding-box lower bound and exact ST_Distance_GEOS.  Python only reads the YAML, checks
the CRS metadata (pyproj) and prints the two small result tables.

DuckDB spatial is loaded from the file that `pip install duckdb-ext-spatial` drops into
site-packages (no network access needed); see shared/notes/tooling.md.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import re
import site
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spec_format  # noqa: E402  (bench/spec_format.py)

DEFAULT_WORK_CRS = "EPSG:28992"
DEFAULTS = {
    "solar": {
        "flat_max_slope_deg": 10.0, "min_face_m2": 10.0, "max_slope_deg": 60.0,
        "max_dev_from_south_deg": 90.0, "kwp_per_m2": 0.2, "usable_fraction_flat": 0.6,
        "usable_fraction_pitched": 0.8, "specific_yield_kwh_per_kwp": 900.0,
    },
    "water": {
        "min_depth_m": 0.10, "deep_depth_m": 0.30, "design_storm_mm": 70.0,
        "c_sealed": 0.9, "c_unsealed": 0.2, "storage_mm_per_sealed_m2": 60.0,
    },
}
DEFAULT_BANDS = [500]
DEFAULT_YIELD = {
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
LAYER_ATTRIBUTES = {
    "terreinen": ("id", "name", "region"),
    "roofs": ("slope_deg", "azimuth_deg", "building_id"),
    "natura2000": ("name",),
    "landcover": ("class",),
    "inundation": ("depth_m",),
}
SEQUENCE_SUFFIXES = (".geojsonl", ".geojsons", ".geojsonseq", ".jsonl", ".ndjson")
EPS_AREA = 1e-6  # m²
EPS_TIE = 1e-6  # m
AREA_OF_USE_MARGIN_M = 50_000.0
MAX_JSON_OBJECT = 2**31 - 1


class PipelineError(Exception):
    """Configuration or data error: message on stderr, exit code 2."""


# ----------------------------------------------------------------------------------------
# Pipeline file
# ----------------------------------------------------------------------------------------


@dataclass
class LayerSpec:
    name: str
    path: Path
    crs: str | None
    fields: dict[str, str]
    classes: dict[str, str] = field(default_factory=dict)  # class value -> sealed/green/water/other


@dataclass
class Pipeline:
    name: str
    work_crs: str
    layers: dict[str, LayerSpec]
    solar: dict
    water: dict
    bands: list[int]
    yield_table: dict


def _value_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _number(section: str, key: str, v) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise PipelineError(f"parameters.{section}.{key} must be a number, got {v!r}")
    return float(v)


def load_pipeline(path: Path) -> Pipeline:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PipelineError(f"cannot read pipeline {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise PipelineError(f"{path}: not a mapping")
    base = path.resolve().parent

    layers: dict[str, LayerSpec] = {}
    for name, spec in (doc.get("layers") or {}).items():
        if name not in LAYER_ATTRIBUTES:
            print(f"warning: unknown layer {name!r} ignored", file=sys.stderr)
            continue
        if not isinstance(spec, dict) or not spec.get("path"):
            raise PipelineError(f"layers.{name}.path is required")
        fields = {a: a for a in LAYER_ATTRIBUTES[name]}
        fields.update({str(k): str(v) for k, v in (spec.get("fields") or {}).items()})
        classes: dict[str, str] = {}
        if name == "landcover":
            for target, values in (spec.get("classes") or {}).items():
                if target not in ("sealed", "green", "water", "other"):
                    raise PipelineError(f"layers.landcover.classes.{target}: unknown class")
                for v in values or []:
                    classes[_value_text(v)] = target
        layers[name] = LayerSpec(name, base / str(spec["path"]), spec.get("crs"), fields, classes)
    for required in ("terreinen", "roofs"):
        if required not in layers:
            raise PipelineError(f"layer {required} is required")

    params = doc.get("parameters") or {}
    groups = {}
    for section in ("solar", "water"):
        values = dict(DEFAULTS[section])
        for k, v in (params.get(section) or {}).items():
            if section == "solar" and k == "yield_factors":
                continue
            if k not in values:
                print(f"warning: unknown parameter {section}.{k} ignored", file=sys.stderr)
                continue
            values[k] = _number(section, k, v)
        groups[section] = values
    bands = (params.get("nature") or {}).get("bands_m", DEFAULT_BANDS)
    if (not isinstance(bands, list) or not bands
            or any(isinstance(b, bool) or not isinstance(b, int) or b <= 0 for b in bands)
            or any(b2 <= b1 for b1, b2 in zip(bands, bands[1:]))):
        raise PipelineError(f"parameters.nature.bands_m must be strictly increasing positive integers: {bands!r}")
    table = (params.get("solar") or {}).get("yield_factors") or DEFAULT_YIELD
    slopes = [float(x) for x in table.get("slopes_deg", [])]
    devs = [float(x) for x in table.get("deviations_deg", [])]
    factors = [[float(x) for x in row] for row in table.get("factors", [])]
    if (not slopes or not devs or len(factors) != len(slopes) or any(len(r) != len(devs) for r in factors)
            or any(b <= a for a, b in zip(slopes, slopes[1:])) or any(b <= a for a, b in zip(devs, devs[1:]))):
        raise PipelineError("parameters.solar.yield_factors: strictly increasing slopes_deg and deviations_deg, "
                            "one row of factors per slope and one column per deviation")
    return Pipeline(
        name=str(doc.get("name") or path.stem),
        work_crs=str(doc.get("work_crs") or DEFAULT_WORK_CRS),
        layers=layers, solar=groups["solar"], water=groups["water"], bands=list(bands),
        yield_table={"slopes_deg": slopes, "deviations_deg": devs, "factors": factors},
    )


# ----------------------------------------------------------------------------------------
# CRS metadata (pyproj; the data itself is transformed by DuckDB's ST_Transform)
# ----------------------------------------------------------------------------------------


class WorkCRS:
    def __init__(self, text: str):
        import pyproj

        self._pyproj = pyproj
        try:
            self.crs = pyproj.CRS.from_user_input(text)
        except pyproj.exceptions.CRSError as exc:
            raise PipelineError(f"unknown work_crs {text!r}") from exc
        if not self.crs.is_projected:
            raise PipelineError(f"work_crs {text} is not a projected CRS (a geographic work CRS is an error)")
        if any(a.unit_name not in ("metre", "meter") for a in self.crs.axis_info):
            raise PipelineError(f"work_crs {text} is not in metres")
        self.text = text
        self.bounds = None
        aou = self.crs.area_of_use
        if aou is not None:
            t = pyproj.Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
            w, s, e, n = t.transform_bounds(aou.west, aou.south, aou.east, aou.north, densify_pts=21)
            m = AREA_OF_USE_MARGIN_M
            self.bounds = (w - m, s - m, e + m, n + m)

    def same_as(self, crs_text: str) -> bool:
        try:
            return self._pyproj.CRS.from_user_input(crs_text).equals(self.crs)
        except self._pyproj.exceptions.CRSError as exc:
            raise PipelineError(f"unknown CRS {crs_text!r}") from exc


def legacy_crs_name(member) -> str | None:
    if not isinstance(member, dict):
        return None
    props = member.get("properties") or {}
    if member.get("type") == "name" and isinstance(props.get("name"), str):
        return props["name"]
    if member.get("type") == "EPSG" and props.get("code") is not None:
        return f"EPSG:{props['code']}"
    return None


# ----------------------------------------------------------------------------------------
# DuckDB
# ----------------------------------------------------------------------------------------


def spatial_extension_path() -> str:
    version = duckdb.__version__
    roots = list(site.getsitepackages()) + [site.getusersitepackages()] + sys.path
    for root in roots:
        hits = glob.glob(os.path.join(root, "duckdb_ext", "extensions", f"v{version}", "*",
                                      "spatial.duckdb_extension"))
        if hits:
            return hits[0]
    raise PipelineError(f"spatial.duckdb_extension for DuckDB {version} not found: "
                        f"pip install duckdb-ext-spatial (see reference/requirements.txt)")


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def json_pointer(field_name: str) -> str:
    return sql_str("/" + field_name.replace("~", "~0").replace("/", "~1"))


MACROS = r"""
-- JSON property helpers: the contract's typing rules on raw JSON values.
CREATE OR REPLACE TEMP MACRO j_is_num(v) AS coalesce(json_type(v) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT'), false);
CREATE OR REPLACE TEMP MACRO j_num(v) AS CASE WHEN j_is_num(v) THEN v::DOUBLE END;
CREATE OR REPLACE TEMP MACRO j_missing(v) AS (v IS NULL OR json_type(v) = 'NULL');
CREATE OR REPLACE TEMP MACRO j_text(v) AS CASE
    WHEN j_missing(v) THEN NULL
    WHEN json_type(v) = 'VARCHAR' THEN v ->> '$'
    WHEN json_type(v) = 'DOUBLE' AND v::DOUBLE = round(v::DOUBLE) AND abs(v::DOUBLE) < 1e15
        THEN CAST(v::DOUBLE::BIGINT AS VARCHAR)
    ELSE v::VARCHAR END;

-- Geometry repair: close open rings (dropping degenerate ones), MakeValid (linework),
-- keep the polygonal part.
CREATE OR REPLACE TEMP MACRO close_ring(r) AS CASE WHEN ST_IsClosed(r) THEN r
    ELSE ST_MakeLine(list_append(list_transform(ST_Dump(ST_Points(r)), d -> d.geom), ST_StartPoint(r))) END;
CREATE OR REPLACE TEMP MACRO close_polygon(p) AS CASE
    WHEN ST_IsEmpty(p) OR ST_NPoints(close_ring(ST_ExteriorRing(p))) < 4 THEN NULL
    ELSE ST_MakePolygon(close_ring(ST_ExteriorRing(p)),
        list_filter(list_transform(range(1, ST_NInteriorRings(p) + 1),
                                   i -> close_ring(ST_InteriorRingN(p, i::INTEGER))),
                    h -> ST_NPoints(h) >= 4)) END;
CREATE OR REPLACE TEMP MACRO repair(g) AS ST_CollectionExtract(ST_MakeValid(ST_Collect(
    list_filter(list_transform(ST_Dump(g), d -> close_polygon(d.geom)), p -> p IS NOT NULL))), 3);

-- Yield-factor table lookup: clamped bilinear interpolation.
CREATE OR REPLACE TEMP MACRO knot(xs, x) AS greatest(1, least(len(xs) - 1, len(list_filter(xs, v -> v <= x))));
CREATE OR REPLACE TEMP MACRO knot_t(xs, x) AS
    greatest(0.0, least(1.0, (x - xs[knot(xs, x)]) / (xs[knot(xs, x) + 1] - xs[knot(xs, x)])));
CREATE OR REPLACE TEMP MACRO bilinear(xs, ys, f, x, y) AS
      (1 - knot_t(xs, x)) * (1 - knot_t(ys, y)) * f[knot(xs, x)][knot(ys, y)]
    + (1 - knot_t(xs, x)) * knot_t(ys, y)       * f[knot(xs, x)][knot(ys, y) + 1]
    + knot_t(xs, x)       * (1 - knot_t(ys, y)) * f[knot(xs, x) + 1][knot(ys, y)]
    + knot_t(xs, x)       * knot_t(ys, y)       * f[knot(xs, x) + 1][knot(ys, y) + 1];
"""


class Run:
    def __init__(self, pipeline: Pipeline, threads: int | None, strict: bool, quiet: bool):
        self.p = pipeline
        self.strict = strict
        self.quiet = quiet
        self.work = WorkCRS(pipeline.work_crs)
        self.con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
        self.con.execute(f"LOAD {sql_str(spatial_extension_path())}")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute(f"SET temp_directory = {sql_str(tempfile.gettempdir())}")
        self.con.execute(MACROS)
        self.timings: dict[str, float] = {}
        self.layer_info: dict[str, dict] = {}
        self._clock = time.perf_counter()
        self._tmp = tempfile.TemporaryDirectory(prefix="terrein-duckdb-")

    def sql(self, text: str, params=None):
        return self.con.execute(text, params) if params is not None else self.con.execute(text)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(now - self._clock, 4)
        self._clock = now

    # -- reading ------------------------------------------------------------------------

    def _source(self, spec: LayerSpec) -> tuple[str, str | None]:
        """A table <layer>_src(props JSON, gj JSON) in file order; returns (table, legacy crs)."""
        path = spec.path
        if not path.is_file():
            raise PipelineError(f"layer {spec.name}: cannot read {path}")
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        table = f"{spec.name}_src"
        legacy = None
        sequence = path.suffix.lower() in SEQUENCE_SUFFIXES or stripped[:1] == b"\x1e"
        if not sequence and b'"FeatureCollection"' not in head and b'"features"' not in head:
            sequence = True  # one Feature per line under a .geojson name
        if sequence:
            src = str(path)
            if stripped[:1] == b"\x1e":  # RFC 8142 record separators: make it newline-delimited
                src = os.path.join(self._tmp.name, f"{spec.name}.ndjson")
                with path.open("rb") as fin, open(src, "wb") as fout:
                    for chunk in iter(lambda: fin.read(1 << 24), b""):
                        fout.write(chunk.replace(b"\x1e", b"\n"))
            self.sql(f"""
                CREATE OR REPLACE TEMP TABLE {table} AS
                SELECT properties AS props, geometry AS gj
                FROM read_json({sql_str(src)}, format = 'newline_delimited',
                               columns = {{type: 'VARCHAR', properties: 'JSON', geometry: 'JSON'}},
                               maximum_object_size = {MAX_JSON_OBJECT})""")
        else:
            try:
                self.sql(f"""
                    CREATE OR REPLACE TEMP TABLE {table}_fc AS
                    SELECT type, crs, features
                    FROM read_json({sql_str(str(path))}, format = 'unstructured',
                                   columns = {{type: 'VARCHAR', crs: 'JSON', features: 'JSON[]'}},
                                   maximum_object_size = {MAX_JSON_OBJECT})""")
            except duckdb.Error as exc:
                raise PipelineError(f"layer {spec.name}: {path} is not a GeoJSON FeatureCollection: {exc}") from exc
            row = self.sql(f"SELECT type, crs FROM {table}_fc LIMIT 1").fetchone()
            if row is None or row[0] != "FeatureCollection":
                raise PipelineError(f"layer {spec.name}: {path} is not a GeoJSON FeatureCollection")
            legacy = legacy_crs_name(json.loads(row[1])) if row[1] else None
            self.sql(f"""
                CREATE OR REPLACE TEMP TABLE {table} AS
                SELECT f -> 'properties' AS props, f -> 'geometry' AS gj
                FROM (SELECT unnest(features) AS f FROM {table}_fc)""")
            self.sql(f"DROP TABLE {table}_fc")
        return table, legacy

    def load_layer(self, name: str) -> None:
        """Table <name>(fid, props, geom): used features, geometry in the work CRS, repaired."""
        spec = self.p.layers[name]
        src, legacy = self._source(spec)
        crs_text = spec.crs or legacy or "OGC:CRS84"
        transform = not self.work.same_as(crs_text)
        g = "g"
        if transform:
            g = f"ST_Transform(g, {sql_str(crs_text)}, {sql_str(self.work.text)}, always_xy := true)"
        # rowid = position in the file (insertion order is preserved).
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE {name}_prep AS
            WITH parsed AS (
                SELECT rowid AS fid, props, TRY(ST_Force2D(ST_GeomFromGeoJSON(gj))) AS g0 FROM {src}
            ), polygonal AS (
                SELECT fid, props,
                       CASE ST_GeometryType(g0)
                           WHEN 'POLYGON' THEN g0
                           WHEN 'MULTIPOLYGON' THEN g0
                           WHEN 'GEOMETRYCOLLECTION' THEN ST_CollectionExtract(g0, 3)
                       END AS g
                FROM parsed
            ), projected AS (
                SELECT fid, props, CASE WHEN g IS NOT NULL AND NOT ST_IsEmpty(g) THEN {g} END AS g
                FROM polygonal
            ), checked AS (
                SELECT fid, props, g, g IS NOT NULL AND NOT ST_IsValid(g) AS invalid FROM projected
            )
            SELECT fid, props, invalid,
                   CASE WHEN invalid THEN TRY(repair(g)) ELSE g END AS geom
            FROM checked""")
        self.sql(f"DROP TABLE {src}")
        total, repaired, skipped, first_rep, first_skip = self.sql(f"""
            SELECT count(*),
                   count(*) FILTER (WHERE invalid AND geom IS NOT NULL AND NOT ST_IsEmpty(geom)),
                   count(*) FILTER (WHERE geom IS NULL OR ST_IsEmpty(geom)),
                   list(fid ORDER BY fid) FILTER (WHERE invalid AND geom IS NOT NULL AND NOT ST_IsEmpty(geom))[1:5],
                   list(fid ORDER BY fid) FILTER (WHERE geom IS NULL OR ST_IsEmpty(geom))[1:5]
            FROM {name}_prep""").fetchone()
        if self.strict and (repaired or skipped):
            what, first = ("repaired", first_rep) if repaired else ("skipped", first_skip)
            raise PipelineError(f"layer {name}: features {first} would be {what} (--strict)")
        self.layer_info[name] = {
            "path": str(spec.path), "source_crs": crs_text, "reprojected": transform,
            "features": total, "used": total - skipped, "repaired": repaired, "repaired_first": first_rep or [],
            "skipped": skipped, "skipped_first": first_skip or [],
        }
        if name != "terreinen":
            self.sql(f"DELETE FROM {name}_prep WHERE geom IS NULL OR ST_IsEmpty(geom)")
        self._check_area_of_use(name)

    def _check_area_of_use(self, name: str) -> None:
        if self.work.bounds is None:
            return
        row = self.sql(f"""SELECT min(ST_XMin(geom)), min(ST_YMin(geom)), max(ST_XMax(geom)), max(ST_YMax(geom))
                           FROM {name}_prep WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom)""").fetchone()
        if row[0] is None:
            return
        x0, y0, x1, y1 = row
        w, s, e, n = self.work.bounds
        if x1 < w or x0 > e or y1 < s or y0 > n or not all(map(math.isfinite, row)):
            raise PipelineError(
                f"layer {name}: bounding box ({x0:.1f}, {y0:.1f}, {x1:.1f}, {y1:.1f}) in the work CRS lies wholly "
                f"outside the area of use of {self.work.text}: swapped axes or a wrong CRS?")

    # -- layers with attributes ---------------------------------------------------------

    def build_terreinen(self) -> None:
        f = self.p.layers["terreinen"].fields
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE terreinen_attr AS
            SELECT fid, geom,
                   props -> {json_pointer(f['id'])} AS id_json,
                   j_text(props -> {json_pointer(f['name'])}) AS name,
                   j_text(props -> {json_pointer(f['region'])}) AS region
            FROM terreinen_prep""")
        bad = self.sql("""
            SELECT fid, id_json::VARCHAR FROM terreinen_attr
            WHERE NOT (coalesce(json_type(id_json) = 'VARCHAR', false)
                       OR (j_is_num(id_json) AND regexp_full_match(id_json::VARCHAR, '-?(0|[1-9][0-9]*)')))
            ORDER BY fid LIMIT 1""").fetchone()
        if bad:
            problem = "is missing" if bad[1] in (None, "null") else f"{bad[1]} is not a string or an integer"
            raise PipelineError(f"terreinen feature {bad[0]}: id {problem}")
        self.sql("""
            CREATE OR REPLACE TEMP TABLE terreinen AS
            SELECT fid, CASE WHEN json_type(id_json) = 'VARCHAR' THEN id_json ->> '$' ELSE id_json::VARCHAR END AS id,
                   name, region, geom
            FROM terreinen_attr""")
        dup = self.sql("""
            SELECT id, list(fid ORDER BY fid) FROM terreinen GROUP BY id HAVING count(*) > 1
            ORDER BY min(fid) LIMIT 1""").fetchone()
        if dup:
            raise PipelineError(f"terreinen feature {dup[1][1]}: duplicate id {dup[0]!r} (also feature {dup[1][0]})")
        empty = self.sql("""SELECT id, fid FROM terreinen WHERE geom IS NULL OR ST_IsEmpty(geom)
                            ORDER BY fid LIMIT 1""").fetchone()
        if empty:
            raise PipelineError(f"terrein {empty[0]!r} (feature {empty[1]}): no polygon (empty after repair, "
                                f"or not a polygon)")
        # tid: dense key used by the joins.
        self.sql("""
            CREATE OR REPLACE TEMP TABLE t AS
            SELECT row_number() OVER (ORDER BY fid)::INTEGER AS tid, id, name, region, geom, ST_Area(geom) AS area
            FROM terreinen""")
        self.sql("DROP TABLE terreinen_attr; DROP TABLE terreinen_prep; DROP TABLE terreinen")

    def build_roofs(self) -> None:
        f = self.p.layers["roofs"].fields
        s = self.p.solar
        yt = self.p.yield_table
        slopes, devs, factors = yt["slopes_deg"], yt["deviations_deg"], yt["factors"]
        if len(slopes) == 1:  # a one-row table: duplicate it so interpolation has a segment
            slopes, factors = slopes + [slopes[0] + 1.0], factors + [factors[0]]
        if len(devs) == 1:
            devs, factors = devs + [devs[0] + 1.0], [r + [r[0]] for r in factors]
        lit = lambda xs: "[" + ", ".join(repr(float(x)) for x in xs) + "]::DOUBLE[]"  # noqa: E731
        flit = "[" + ", ".join(lit(r) for r in factors) + "]::DOUBLE[][]"
        flat_factor = factors[0][0]
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE roofs AS
            WITH a AS (
                SELECT fid AS rid, geom, ST_Area(geom) AS face_area,
                       props -> {json_pointer(f['slope_deg'])} AS s_json,
                       props -> {json_pointer(f['azimuth_deg'])} AS a_json,
                       nullif(j_text(props -> {json_pointer(f['building_id'])}), '') AS building
                FROM roofs_prep
            ), b AS (
                SELECT *, CASE WHEN j_missing(s_json) THEN 0.0 ELSE j_num(s_json) END AS s, j_num(a_json) AS az
                FROM a
            ), c AS (
                SELECT *, coalesce(s >= 0 AND s < 90, false) AS slope_ok,
                       coalesce(s <= {s['flat_max_slope_deg']}, false) AS flat
                FROM b
            ), d AS (
                SELECT *, slope_ok AND (flat OR coalesce(az >= 0 AND az <= 360, false)) AS valid,
                       CASE WHEN NOT flat THEN abs(fmod(az - 180 + 540, 360) - 180) END AS dev
                FROM c
            )
            SELECT rid, geom, building, valid, flat, face_area,
                   CASE WHEN valid THEN 1.0 / cos(radians(s)) ELSE 1.0 END AS incline,
                   valid AND face_area >= {s['min_face_m2']} AND s <= {s['max_slope_deg']}
                         AND (flat OR dev <= {s['max_dev_from_south_deg']}) AS suitable,
                   CASE WHEN flat THEN {s['usable_fraction_flat']} ELSE {s['usable_fraction_pitched']} END
                       * {s['kwp_per_m2']} AS kwp_per_m2,
                   CASE WHEN NOT valid THEN NULL
                        WHEN flat THEN {flat_factor}
                        ELSE bilinear({lit(slopes)}, {lit(devs)}, {flit}, s, dev) END AS yield_factor
            FROM d""")
        self.sql("DROP TABLE roofs_prep")

    def build_classed(self, name: str) -> None:
        """landcover(cls, geom) with cls in sealed/green/water/other; inundation(depth, geom)."""
        f = self.p.layers[name].fields
        if name == "landcover":
            mapping = self.p.layers[name].classes
            values = ", ".join(f"({sql_str(k)}, {sql_str(v)})" for k, v in mapping.items()) or "(NULL, NULL)"
            self.sql(f"CREATE OR REPLACE TEMP TABLE class_map(value, cls) AS VALUES {values}")
            self.sql(f"""
                CREATE OR REPLACE TEMP TABLE landcover AS
                SELECT coalesce(m.cls, 'other') AS cls, p.value, p.geom
                FROM (SELECT j_text(props -> {json_pointer(f['class'])}) AS value, geom FROM landcover_prep) p
                LEFT JOIN class_map m ON m.value = p.value""")
            self.unmapped = [r[0] for r in self.sql(
                "SELECT DISTINCT coalesce(value, '') FROM landcover WHERE cls = 'other' ORDER BY 1").fetchall()]
        else:
            self.sql(f"""
                CREATE OR REPLACE TEMP TABLE inundation AS
                SELECT j_num(props -> {json_pointer(f['depth_m'])}) AS depth, geom FROM inundation_prep""")
        self.sql(f"DROP TABLE {name}_prep")

    # -- indicators ---------------------------------------------------------------------

    def pieces(self, target: str, source: str, columns: str, where: str = "true") -> None:
        """target(tid, <columns>, piece): every feature clipped to every terrein it meets.

        A feature properly inside its terrein is used as is (no overlay); the polygonal part of
        the intersection otherwise.
        """
        # Two statements on purpose: with the emptiness filter in the same query, DuckDB pushes it
        # into the join condition and replaces the R-tree SPATIAL_JOIN by a nested-loop join.
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE {target} AS
            SELECT t.tid, {", ".join("f." + c.strip() for c in columns.split(","))},
                   CASE WHEN ST_ContainsProperly(t.geom, f.geom) THEN f.geom
                        ELSE ST_CollectionExtract(ST_Intersection(t.geom, f.geom), 3) END AS piece
            FROM t JOIN (SELECT * FROM {source} WHERE {where}) f ON ST_Intersects(t.geom, f.geom)""")
        self.sql(f"DELETE FROM {target} WHERE ST_IsEmpty(piece)")

    def solar(self) -> None:
        self.pieces("roof_pieces", "roofs", "rid")
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE faces AS
            SELECT tid, rid, piece, a_r FROM (SELECT *, ST_Area(piece) AS a_r FROM roof_pieces)
            WHERE a_r > {EPS_AREA}""")
        ys = self.p.solar["specific_yield_kwh_per_kwp"]
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE solar AS
            SELECT f.tid,
                   count(*) AS roof_faces,
                   sum(f.a_r) AS roof_area_m2,
                   sum(f.a_r * r.incline) AS roof_surface_m2,
                   coalesce(sum(f.a_r * r.incline) FILTER (WHERE r.suitable), 0) AS solar_suitable_m2,
                   coalesce(sum(f.a_r * r.incline * r.kwp_per_m2) FILTER (WHERE r.suitable), 0) AS solar_kwp,
                   coalesce(sum(f.a_r * r.incline * r.kwp_per_m2 * {ys} * r.yield_factor)
                            FILTER (WHERE r.suitable), 0) / 1000.0 AS solar_mwh_yr
            FROM faces f JOIN roofs r USING (rid)
            GROUP BY f.tid""")

    def nature(self) -> bool:
        if "natura2000" not in self.p.layers:
            return False
        nf = self.p.layers["natura2000"].fields
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE sites AS
            SELECT row_number() OVER (ORDER BY fid)::INTEGER AS sid,
                   j_text(props -> {json_pointer(nf['name'])}) AS name, geom,
                   ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1
            FROM natura2000_prep""")
        self.sql("DROP TABLE natura2000_prep")
        if self.sql("SELECT count(*) FROM sites").fetchone()[0] == 0:
            return False
        # Nearest site: the bounding-box distance is a lower bound of the true distance; the true
        # distance to the site whose box is nearest is an upper bound of the minimum.  Only the
        # sites whose box lies within that bound need the exact distance.  ST_Distance_GEOS, not
        # the native ST_Distance: in spatial 1.4.4 the latter returns 0 for disjoint polygons
        # whose edges lie on a common line (e.g. two boxes with the same ymin, 250 m apart).
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE nearest AS
            WITH boxes AS (
                SELECT t.tid, s.sid,
                       sqrt(greatest(0, s.x0 - ST_XMax(t.geom), ST_XMin(t.geom) - s.x1) ** 2
                          + greatest(0, s.y0 - ST_YMax(t.geom), ST_YMin(t.geom) - s.y1) ** 2) AS dbox
                FROM t CROSS JOIN sites s
            ), bound AS (
                SELECT b.tid, ST_Distance_GEOS(t.geom, s.geom) AS ub
                FROM (SELECT tid, arg_min(sid, dbox) AS sid FROM boxes GROUP BY tid) b
                JOIN t USING (tid) JOIN sites s USING (sid)
            ), exact AS (
                SELECT b.tid, s.name, ST_Distance_GEOS(t.geom, s.geom) AS d
                FROM boxes b JOIN bound USING (tid) JOIN t USING (tid) JOIN sites s USING (sid)
                WHERE b.dbox <= bound.ub + {EPS_TIE}
            ), best AS (SELECT tid, min(d) AS dmin FROM exact GROUP BY tid)
            SELECT e.tid, b.dmin AS n2k_distance_m,
                   min(e.name) FILTER (WHERE e.d <= b.dmin + {EPS_TIE}) AS n2k_nearest
            FROM exact e JOIN best b USING (tid)
            GROUP BY e.tid, b.dmin""")
        self.pieces("site_pieces", "sites", "sid")
        self.sql("""
            CREATE OR REPLACE TEMP TABLE overlap AS
            SELECT tid, ST_Area(ST_Union_Agg(piece)) AS n2k_overlap_m2 FROM site_pieces GROUP BY tid""")
        return True

    def paved(self, has_landcover: bool) -> None:
        if has_landcover:
            self.pieces("lc_pieces", "landcover", "cls", "cls IN ('sealed', 'green', 'water')")
        else:
            self.sql("CREATE OR REPLACE TEMP TABLE lc_pieces(tid INTEGER, cls VARCHAR, piece GEOMETRY)")
        self.sql("""
            CREATE OR REPLACE TEMP TABLE sealed AS
            SELECT tid, ST_Union_Agg(piece) AS g FROM (
                SELECT tid, piece FROM roof_pieces
                UNION ALL SELECT tid, piece FROM lc_pieces WHERE cls = 'sealed'
            ) GROUP BY tid""")
        self.sql("""
            CREATE OR REPLACE TEMP TABLE covers AS
            SELECT tid, ST_Union_Agg(piece) FILTER (WHERE cls = 'green') AS green,
                        ST_Union_Agg(piece) FILTER (WHERE cls = 'water') AS water
            FROM lc_pieces WHERE cls IN ('green', 'water') GROUP BY tid""")
        self.sql("""
            CREATE OR REPLACE TEMP TABLE paved AS
            WITH g AS (
                SELECT c.tid, c.water, s.g AS sealed,
                       CASE WHEN s.g IS NULL OR c.green IS NULL THEN c.green
                            ELSE ST_Difference(c.green, s.g) END AS green
                FROM covers c LEFT JOIN sealed s USING (tid)
            ), w AS (
                SELECT tid, green,
                       CASE WHEN water IS NULL THEN NULL
                            WHEN sealed IS NULL AND green IS NULL THEN water
                            WHEN green IS NULL THEN ST_Difference(water, sealed)
                            WHEN sealed IS NULL THEN ST_Difference(water, green)
                            ELSE ST_Difference(ST_Difference(water, sealed), green) END AS water
                FROM g
            )
            SELECT t.tid, coalesce(ST_Area(s.g), 0) AS sealed_m2,
                   coalesce(ST_Area(w.green), 0) AS green_m2, coalesce(ST_Area(w.water), 0) AS water_m2
            FROM t LEFT JOIN sealed s USING (tid) LEFT JOIN w USING (tid)""")

    def water(self) -> None:
        w = self.p.water
        lo, deep = w["min_depth_m"], w["deep_depth_m"]
        self.pieces("flood_pieces", "inundation", "depth", f"depth >= {min(lo, deep)}")
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE flood AS
            SELECT tid, ST_Union_Agg(piece) FILTER (WHERE depth >= {lo}) AS f,
                        ST_Union_Agg(piece) FILTER (WHERE depth >= {deep}) AS d
            FROM flood_pieces GROUP BY tid""")
        # Faces with area(r ∩ F) > 1e-6: candidates from an R-tree join with the flooding
        # features, then the exact area against the dissolved flood region.
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE exposed AS
            WITH cand AS (
                SELECT DISTINCT f.tid, f.rid
                FROM faces f JOIN (SELECT geom FROM inundation WHERE depth >= {lo}) i ON ST_Intersects(f.piece, i.geom)
            ), wet AS (
                SELECT c.tid, c.rid
                FROM cand c JOIN faces f USING (tid, rid) JOIN flood fl USING (tid)
                WHERE fl.f IS NOT NULL AND ST_Area(ST_Intersection(f.piece, fl.f)) > {EPS_AREA}
            )
            SELECT w.tid, count(DISTINCT r.building) + count(DISTINCT w.rid) FILTER (WHERE r.building IS NULL)
                   AS buildings_exposed
            FROM wet w JOIN roofs r USING (rid) GROUP BY w.tid""")

    def indicators(self, has_nature: bool, has_landcover: bool, has_inundation: bool) -> None:
        w = self.p.water
        nature_cols = ("n.n2k_distance_m, n.n2k_nearest, coalesce(o.n2k_overlap_m2, 0) AS n2k_overlap_m2"
                       if has_nature else
                       "NULL::DOUBLE AS n2k_distance_m, NULL::VARCHAR AS n2k_nearest, NULL::DOUBLE AS n2k_overlap_m2")
        bands = ", ".join(f"n2k_distance_m <= {b} AS n2k_within_{b}m" for b in self.p.bands)
        green = ("p.green_m2, p.water_m2, p.green_m2 / t.area AS green_fraction, p.water_m2 / t.area AS water_fraction"
                 if has_landcover else
                 "NULL::DOUBLE AS green_m2, NULL::DOUBLE AS water_m2, NULL::DOUBLE AS green_fraction, "
                 "NULL::DOUBLE AS water_fraction")
        flood = ("coalesce(ST_Area(fl.f), 0) AS inundation_m2, coalesce(ST_Area(fl.d), 0) AS deep_inundation_m2, "
                 "coalesce(e.buildings_exposed, 0) AS buildings_exposed"
                 if has_inundation else
                 "NULL::DOUBLE AS inundation_m2, NULL::DOUBLE AS deep_inundation_m2, NULL::BIGINT AS buildings_exposed")
        joins = []
        if has_nature:
            joins.append("LEFT JOIN nearest n USING (tid) LEFT JOIN overlap o USING (tid)")
        if has_inundation:
            joins.append("LEFT JOIN flood fl USING (tid) LEFT JOIN exposed e USING (tid)")
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE indicators AS
            WITH base AS (
                SELECT t.tid, t.id, t.name, t.region, t.area AS area_m2,
                       coalesce(s.roof_faces, 0) AS roof_faces, coalesce(s.roof_area_m2, 0) AS roof_area_m2,
                       coalesce(s.roof_surface_m2, 0) AS roof_surface_m2,
                       coalesce(s.solar_suitable_m2, 0) AS solar_suitable_m2,
                       coalesce(s.solar_kwp, 0) AS solar_kwp, coalesce(s.solar_mwh_yr, 0) AS solar_mwh_yr,
                       {nature_cols},
                       p.sealed_m2, {green},
                       {flood}
                FROM t LEFT JOIN solar s USING (tid) LEFT JOIN paved p USING (tid) {" ".join(joins)}
            )
            SELECT *, roof_area_m2 / area_m2 AS roof_coverage, {bands},
                   sealed_m2 / area_m2 AS paved_fraction,
                   inundation_m2 / area_m2 AS inundation_fraction,
                   deep_inundation_m2 / area_m2 AS deep_inundation_fraction,
                   CASE WHEN inundation_m2 IS NULL THEN NULL
                        WHEN inundation_m2 / area_m2 < 0.05 THEN 'low'
                        WHEN inundation_m2 / area_m2 < 0.20 THEN 'medium' ELSE 'high' END AS water_exposure,
                   {w['design_storm_mm']} / 1000.0 * (sealed_m2 * {w['c_sealed']}
                       + (area_m2 - sealed_m2) * {w['c_unsealed']}) AS runoff_m3,
                   sealed_m2 * {w['storage_mm_per_sealed_m2']} / 1000.0 AS storage_required_m3
            FROM base""")

    def regions(self) -> None:
        sums = ["area_m2", "roof_faces", "roof_area_m2", "roof_surface_m2", "solar_suitable_m2", "solar_kwp",
                "solar_mwh_yr", "n2k_overlap_m2", "sealed_m2", "green_m2", "water_m2", "inundation_m2",
                "deep_inundation_m2", "buildings_exposed", "runoff_m3", "storage_required_m3"]
        within = ", ".join(f"sum(n2k_within_{b}m::INTEGER) AS n2k_within_{b}m" for b in self.p.bands)
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE regions AS
            WITH r AS (
                SELECT coalesce(region, '') AS region, count(*) AS terreinen,
                       {", ".join(f"sum({c}) AS {c}" for c in sums)},
                       min(n2k_distance_m) AS n2k_distance_m, {within}
                FROM indicators GROUP BY coalesce(region, '')
            )
            SELECT *, roof_area_m2 / area_m2 AS roof_coverage, sealed_m2 / area_m2 AS paved_fraction,
                   green_m2 / area_m2 AS green_fraction, water_m2 / area_m2 AS water_fraction,
                   inundation_m2 / area_m2 AS inundation_fraction,
                   deep_inundation_m2 / area_m2 AS deep_inundation_fraction,
                   CASE WHEN inundation_m2 IS NULL THEN NULL
                        WHEN inundation_m2 / area_m2 < 0.05 THEN 'low'
                        WHEN inundation_m2 / area_m2 < 0.20 THEN 'medium' ELSE 'high' END AS water_exposure
            FROM r""")

    def fetch(self, table: str) -> list[dict]:
        cur = self.sql(f"SELECT * FROM {table}")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    # -- the run ------------------------------------------------------------------------

    def run(self, out_dir: Path) -> dict:
        present = [n for n in ("terreinen", "roofs", "natura2000", "landcover", "inundation") if n in self.p.layers]
        for name in present:
            self.load_layer(name)
        self.build_terreinen()
        self.build_roofs()
        for name in ("landcover", "inundation"):
            if name in present:
                self.build_classed(name)
        self.lap("read")
        self.solar()
        self.lap("solar")
        has_nature = self.nature()
        self.lap("nature")
        self.paved("landcover" in present)
        self.lap("paved")
        if "inundation" in present:
            self.water()
        self.lap("water")
        self.indicators(has_nature, "landcover" in present, "inundation" in present)
        self.regions()
        rows = sorted(self.fetch("indicators"), key=lambda r: r["id"].encode("utf-8"))
        regions = sorted(self.fetch("regions"), key=lambda r: r["region"].encode("utf-8"))
        out_dir.mkdir(parents=True, exist_ok=True)
        spec_format.write_table(out_dir / "indicators.csv", spec_format.indicator_columns(self.p.bands), rows)
        spec_format.write_table(out_dir / "regions.csv", spec_format.region_columns(self.p.bands), regions)
        self.lap("write")
        invalid_faces = self.sql("SELECT count(*) FILTER (WHERE NOT valid) FROM roofs").fetchone()[0]
        manifest = {
            "implementation": "bench/duckdb_impl.py",
            "pipeline": self.p.name,
            "work_crs": self.work.text,
            "parameters": {"solar": self.p.solar, "nature": {"bands_m": self.p.bands}, "water": self.p.water,
                           "yield_factors": self.p.yield_table},
            "layers": self.layer_info,
            "roof_faces_invalid_attributes": invalid_faces,
            **({"landcover_unmapped": self.unmapped} if "landcover" in present else {}),
            "terreinen": len(rows), "regions": len(regions),
            "timings_s": self.timings,
            "versions": self.versions(),
        }
        (out_dir / "duckdb_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if not self.quiet:
            total = sum(self.timings.values())
            stages = ", ".join(f"{k} {v:.2f}s" for k, v in self.timings.items())
            print(f"duckdb: {len(rows)} terreinen, {self.layer_info['roofs']['used']} roof faces, "
                  f"{len(regions)} regions -> {out_dir} ({total:.2f}s: {stages})", file=sys.stderr)
        return manifest

    def versions(self) -> dict:
        v = {"duckdb": duckdb.__version__}
        for key, query in (("spatial", "SELECT extension_version FROM duckdb_extensions() "
                                       "WHERE extension_name = 'spatial'"),
                           ("proj", "SELECT DuckDB_Proj_Version()")):
            try:
                v[key] = self.sql(query).fetchone()[0]
            except duckdb.Error:
                pass
        return v


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Terrein indicators in DuckDB spatial SQL (benchmark peer).")
    ap.add_argument("pipeline", type=Path, help="pipeline YAML file")
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--threads", type=int, default=None, help="DuckDB worker threads (default: all cores)")
    ap.add_argument("--strict", action="store_true", help="treat geometry repairs and skips as errors")
    ap.add_argument("--quiet", action="store_true", help="no summary on stderr")
    args = ap.parse_args(argv)
    try:
        Run(load_pipeline(args.pipeline), args.threads, args.strict, args.quiet).run(args.out)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
