"""Output tables of the indicator contract (shared/spec/indicators.md, "Formatting").

Used by bench/duckdb_impl.py only: column order, per-column number format, RFC 4180
quoting and the spreadsheet formula-injection guard.  Kept apart from the SQL so the
SQL file reads as the analysis and this one as the contract's presentation rules.
"""

from __future__ import annotations

import math
from pathlib import Path

# (column, kind, decimals); kind is one of id, text, num, int, bool, class
_TAIL = [
    ("n2k_overlap_m2", "num", 2), ("sealed_m2", "num", 2), ("green_m2", "num", 2), ("water_m2", "num", 2),
    ("paved_fraction", "num", 4), ("green_fraction", "num", 4), ("water_fraction", "num", 4),
    ("inundation_m2", "num", 2), ("deep_inundation_m2", "num", 2), ("inundation_fraction", "num", 4),
    ("deep_inundation_fraction", "num", 4), ("buildings_exposed", "int", 0), ("water_exposure", "class", 0),
    ("runoff_m3", "num", 2), ("storage_required_m3", "num", 2),
]
_SOLAR = [
    ("roof_faces", "int", 0), ("roof_area_m2", "num", 2), ("roof_surface_m2", "num", 2),
    ("solar_suitable_m2", "num", 2), ("solar_kwp", "num", 2), ("solar_mwh_yr", "num", 2),
    ("roof_coverage", "num", 4),
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def indicator_columns(bands: list[int]) -> list[tuple[str, str, int]]:
    return ([("id", "id", 0), ("name", "text", 0), ("region", "text", 0), ("area_m2", "num", 2)]
            + _SOLAR
            + [("n2k_distance_m", "num", 1), ("n2k_nearest", "text", 0)]
            + [(f"n2k_within_{b}m", "bool", 0) for b in bands]
            + _TAIL)


def region_columns(bands: list[int]) -> list[tuple[str, str, int]]:
    return ([("region", "text", 0), ("terreinen", "int", 0), ("area_m2", "num", 2)]
            + _SOLAR
            + [("n2k_distance_m", "num", 1)]
            + [(f"n2k_within_{b}m", "int", 0) for b in bands]
            + _TAIL)


def _is_null(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def format_value(v, kind: str, decimals: int) -> str:
    if _is_null(v):
        return ""
    if kind == "num":
        x = float(v)
        if not math.isfinite(x):
            return ""
        s = "%.*f" % (decimals, x)
        if s.startswith("-") and float(s) == 0.0:
            s = s[1:]  # never -0.00
        return s
    if kind == "int":
        return str(int(v))
    if kind == "bool":
        return "true" if v else "false"
    s = str(v)
    if kind == "text" and s.startswith(FORMULA_PREFIXES):
        s = "'" + s
    return s


def csv_field(s: str) -> str:
    if any(ch in s for ch in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def write_table(path: Path, columns: list[tuple[str, str, int]], rows: list[dict]) -> None:
    """UTF-8, RFC 4180 quoting, LF line ends, final newline."""
    out = [",".join(csv_field(c) for c, _, _ in columns)]
    for row in rows:
        out.append(",".join(csv_field(format_value(row.get(c), k, d)) for c, k, d in columns))
    path.write_bytes(("\n".join(out) + "\n").encode("utf-8"))
