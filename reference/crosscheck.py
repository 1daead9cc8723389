#!/usr/bin/env python3
"""Compare the indicator tables of two Terrein output directories.

    python reference/crosscheck.py A_DIR B_DIR [--show N]

Implements the "Cross-checks" rule of the indicator contract: both directories'
indicators.csv and regions.csv must have the same header and the same rows (by id
/ region, in the same order); every number must agree within one unit in its last
printed decimal or a relative 1e-6, whichever is larger; counts, classes, names
and booleans must agree exactly, except where the value they derive from lies
within that margin of a threshold:

* `water_exposure` is compared only when neither side's inundation_fraction is
  within 1e-4 (one unit of its 4 decimals) of 0.05 or 0.20;
* `heat_exposure` likewise, from heat_strong_fraction and the exposure_fractions
  the runs used (their manifests' parameters.heat, else 0.25 and 0.50);
* `n2k_within_<b>m` (indicators) is compared only when neither side's
  n2k_distance_m is within 0.1 m of b;
* `n2k_within_<b>m` (regions, a count) may differ by at most the number of that
  region's terreinen (in either side's indicators.csv) whose distance is within
  0.1 m of b.

Every column of the header is compared (the heat columns included); a column
that only one side has is a mismatch, and the columns both have are still
compared.  Nulls (empty fields) must match nulls.  Exit 0 when everything agrees,
1 on any mismatch (a missing file or a differing header included).
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from pathlib import Path

TEXT_COLUMNS = {"id", "name", "region", "n2k_nearest"}
CLASS_COLUMNS = {"water_exposure", "heat_exposure"}
COUNT_COLUMNS = {"roof_faces", "buildings_exposed", "terreinen"}
WITHIN = re.compile(r"^n2k_within_(\d+)m$")
EXPOSURE_THRESHOLDS = (0.05, 0.20)
HEAT_EXPOSURE_THRESHOLDS = (0.25, 0.50)  # the contract's default parameters.heat.exposure_fractions
# class column -> (the fraction it is derived from, its thresholds)
CLASS_SOURCES = {"water_exposure": ("inundation_fraction", EXPOSURE_THRESHOLDS),
                 "heat_exposure": ("heat_strong_fraction", HEAT_EXPOSURE_THRESHOLDS)}
FRACTION_MARGIN = 1e-4
DISTANCE_MARGIN = 0.1
FLOAT_SLACK = 1e-9  # parsing noise on top of the printed-decimal margin


def decimals(column: str) -> int:
    if column.endswith("_fraction") or column == "roof_coverage":
        return 4
    if column in ("n2k_distance_m", "heat_pet_mean_c"):  # distances and temperatures
        return 1
    return 2


# Relative margin for numbers. Both implementations run the same PROJ pipeline between
# ETRS89/WGS84 and RD New (the RDNAPTRANS2018 grid, docs/rd-new.md), whatever their PROJ
# versions, so no wider margin is needed; `main` checks that the operations are the same.
RELATIVE_MARGIN = 1e-6


def number_margin(a: float, b: float, column: str) -> float:
    return max(10.0 ** -decimals(column), RELATIVE_MARGIN * max(abs(a), abs(b))) * (1 + FLOAT_SLACK) + 1e-12


def _manifest(directory: Path) -> dict:
    """Terrein's manifest.json, else the reference's reference_manifest.json, else {}."""
    import json
    for name in ("manifest.json", "reference_manifest.json"):
        f = directory / name
        if f.exists():
            try:
                return json.loads(f.read_text(encoding="utf-8"))
            except ValueError:
                continue
    return {}


def heat_thresholds(*directories: Path) -> tuple[float, ...]:
    """The exposure fractions either run used (both manifests record parameters.heat), else the defaults."""
    out = set()
    for d in directories:
        try:
            out.update(float(f) for f in _manifest(d)["parameters"]["heat"]["exposure_fractions"])
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(sorted(out)) or HEAT_EXPOSURE_THRESHOLDS


def layer_operations(directory: Path) -> dict[str, str]:
    """Layer -> the PROJ definition of its operation to the work CRS, from Terrein's manifest.json
    (inputs[].operation) or the reference's reference_manifest.json (layers.<name>.operation)."""
    m = _manifest(directory)
    out = {}
    for entry in m.get("inputs") or []:
        if isinstance(entry, dict) and entry.get("operation"):
            out[entry["layer"]] = entry["operation"]
    for name, entry in (m.get("layers") or {}).items():
        if isinstance(entry, dict) and entry.get("operation"):
            out[name] = entry["operation"]
    return out


def read_table(path: Path, key: str):
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        rows = [dict(zip(header, r)) for r in reader]
    keys = [r.get(key, "") for r in rows]
    return header, keys, {k: r for k, r in zip(keys, rows)}


def _float(s: str) -> float | None:
    return None if s == "" else float(s)


def near(value: str, thresholds, margin: float) -> bool:
    v = _float(value) if value is not None else None
    return v is not None and any(abs(v - t) <= max(margin, 1e-6 * abs(t)) * (1 + FLOAT_SLACK) for t in thresholds)


class Comparison:
    def __init__(self) -> None:
        self.compared = 0
        self.skipped = 0
        self.mismatches: list[tuple[str, str, str, str, str]] = []

    def bad(self, file: str, key: str, column: str, a: str, b: str) -> None:
        self.mismatches.append((file, key, column, a, b))

    def values(self, file: str, key: str, column: str, a: str, b: str, slack: int = 0) -> None:
        """Compare one field; `slack` = allowed difference for counts."""
        self.compared += 1
        if a == b:
            return
        if a == "" or b == "":
            return self.bad(file, key, column, a, b)
        if column in TEXT_COLUMNS or column in CLASS_COLUMNS or a in ("true", "false") or b in ("true", "false"):
            return self.bad(file, key, column, a, b)
        try:
            x, y = float(a), float(b)
        except ValueError:
            return self.bad(file, key, column, a, b)
        if column in COUNT_COLUMNS or WITHIN.match(column):
            if abs(x - y) > slack:
                self.bad(file, key, column, a, b)
            return
        if not (math.isfinite(x) and math.isfinite(y)) or abs(x - y) > number_margin(x, y, column):
            self.bad(file, key, column, a, b)


def borderline_counts(indicators: list[dict], bands: list[int]) -> dict[tuple[str, int], int]:
    """(region, band) -> number of terreinen whose distance is within the margin of the band."""
    out: dict[tuple[str, int], int] = {}
    for row in indicators:
        for b in bands:
            if near(row.get("n2k_distance_m", ""), (b,), DISTANCE_MARGIN):
                out[(row.get("region", ""), b)] = out.get((row.get("region", ""), b), 0) + 1
    return out


def compare_file(cmp: Comparison, file: str, key: str, a_dir: Path, b_dir: Path, borderline=None,
                 class_sources=None):
    class_sources = class_sources or CLASS_SOURCES
    pa, pb = a_dir / file, b_dir / file
    for p in (pa, pb):
        if not p.is_file():
            cmp.bad(file, "-", "(file)", str(pa) if pa.is_file() else "missing", str(pb) if pb.is_file() else "missing")
            return None
    ha, ka, ra = read_table(pa, key)
    hb, kb, rb = read_table(pb, key)
    # Columns of a family one side does not compute at all (DuckDB has no rasters).
    ha = [c for c in ha if not c.startswith(SKIP_PREFIXES)]
    hb = [c for c in hb if not c.startswith(SKIP_PREFIXES)]
    if ha != hb:
        # A column on one side only is a mismatch of its own; the common columns are still compared.
        for column in ha:
            if column not in hb:
                cmp.bad(file, "-", column, "present", "missing")
        for column in hb:
            if column not in ha:
                cmp.bad(file, "-", column, "missing", "present")
        if [c for c in ha if c in hb] != [c for c in hb if c in ha]:
            cmp.bad(file, "-", "(header order)", ",".join(ha), ",".join(hb))
        if key not in ha or key not in hb:
            return None
    for k in sorted(set(ka) - set(kb)):
        cmp.bad(file, k, "(row)", "present", "missing")
    for k in sorted(set(kb) - set(ka)):
        cmp.bad(file, k, "(row)", "missing", "present")
    for keys, name in ((ka, "A"), (kb, "B")):
        if len(set(keys)) != len(keys):
            cmp.bad(file, "-", "(row)", f"duplicate {key} in {name}", "")
    common = [k for k in ka if k in rb]
    if common != [k for k in kb if k in ra]:
        cmp.bad(file, "-", "(row order)", "differs", "differs")
    bands = [int(m.group(1)) for c in ha if (m := WITHIN.match(c))]
    columns = [c for c in ha if c in hb]
    for k in common:
        a, b = ra[k], rb[k]
        for column in columns:
            if column in class_sources and a[column] != b[column]:
                source, thresholds = class_sources[column]
                if (near(a.get(source), thresholds, FRACTION_MARGIN)
                        or near(b.get(source), thresholds, FRACTION_MARGIN)):
                    cmp.skipped += 1
                    continue
            slack = 0
            m = WITHIN.match(column)
            if m and file == "indicators.csv":
                band = int(m.group(1))
                if (near(a.get("n2k_distance_m"), (band,), DISTANCE_MARGIN)
                        or near(b.get("n2k_distance_m"), (band,), DISTANCE_MARGIN)) and a[column] != b[column]:
                    cmp.skipped += 1
                    continue
            if m and file == "regions.csv" and borderline is not None:
                slack = borderline.get((k, int(m.group(1))), 0)
            cmp.values(file, k, column, a[column], b[column], slack)
    return [ra[k] for k in ka], bands


SKIP_PREFIXES: tuple[str, ...] = ()


def crosscheck(a_dir: Path, b_dir: Path) -> Comparison:
    cmp = Comparison()
    sources = {**CLASS_SOURCES, "heat_exposure": ("heat_strong_fraction", heat_thresholds(a_dir, b_dir))}
    result = compare_file(cmp, "indicators.csv", "id", a_dir, b_dir, class_sources=sources)
    borderline = None
    if result is not None:
        rows_a, bands = result
        _, _, rows_b = read_table(b_dir / "indicators.csv", "id")
        borderline = borderline_counts(rows_a, bands)
        for key, count in borderline_counts(list(rows_b.values()), bands).items():
            borderline[key] = max(borderline.get(key, 0), count)
    compare_file(cmp, "regions.csv", "region", a_dir, b_dir, borderline, class_sources=sources)
    return cmp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cross-check two Terrein output directories.")
    parser.add_argument("a_dir", type=Path)
    parser.add_argument("b_dir", type=Path)
    parser.add_argument("--show", type=int, default=50, help="print at most this many mismatches (default 50)")
    parser.add_argument("--skip-columns", action="append", default=[], metavar="PREFIX",
                        help="leave out the columns starting with PREFIX on both sides, for a peer that does not "
                             "compute that family (e.g. heat_ for DuckDB, which reads no rasters); repeatable")
    args = parser.parse_args(argv)
    global SKIP_PREFIXES
    SKIP_PREFIXES = tuple(args.skip_columns)
    # Like with like: a layer both runs reprojected must have gone through the same PROJ operation.
    oa, ob = layer_operations(args.a_dir), layer_operations(args.b_dir)
    differing = sorted(k for k in oa.keys() & ob.keys() if oa[k] != ob[k])
    for k in differing:
        print(f"MISMATCH operation of layer {k}: A={oa[k]!r} B={ob[k]!r}")
    cmp = crosscheck(args.a_dir, args.b_dir)
    for file, key, column, a, b in cmp.mismatches[: args.show]:
        print(f"MISMATCH {file} {key!r} {column}: A={a!r} B={b!r}")
    if len(cmp.mismatches) > args.show:
        print(f"... and {len(cmp.mismatches) - args.show} more")
    extra = f" ({cmp.skipped} near-threshold differences allowed)" if cmp.skipped else ""
    print(f"crosscheck: {cmp.compared} values compared, {len(cmp.mismatches)} mismatches{extra}")
    if oa.keys() & ob.keys():
        print(f"crosscheck: {len(oa.keys() & ob.keys())} layer operations compared, {len(differing)} differ")
    return 1 if cmp.mismatches or differing else 0


if __name__ == "__main__":
    sys.exit(main())
