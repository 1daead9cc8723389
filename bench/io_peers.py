#!/usr/bin/env python3
"""The Python side of the reading and zonal-statistics benchmarks (bench/io_bench.py).

    python3 bench/io_peers.py read FILE [--layer NAME] [--make-valid]
    python3 bench/io_peers.py zonal rasterstats|exactextract TERREINEN RASTER --out OUT.csv

`read`: `pyogrio.read_dataframe` into a GeoDataFrame, the way GeoPandas users read a layer
(GDAL's drivers for every format, GeoJSON included); with `--make-valid`, the invalid
polygons are found (`shapely.is_valid`) and made valid (`shapely.make_valid`), the work
Terrein's preparation steps do for every feature.

`zonal`: mean and count of the valid cells per terrein, with rasterstats
(`zonal_stats(..., stats=["mean", "count"])`: cells whose centre falls in the polygon, by
rasterio's rasterize, edges half-open) or exactextract (`exact_extract(..., ["mean",
"count"])`: every cell weighted by the fraction of it the polygon covers). Those are other
rules than the spec's (cell centres, boundary included), so the figures are reported, not
cross-checked. The terreinen are read with pyogrio in both.

Prints one JSON object: the counts and the seconds (wall and CPU) spent inside the process on
each step (imports excluded), so the harness can report in-process times beside the whole
process.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

t_start = time.perf_counter()
import geopandas  # noqa: E402,F401  (pyogrio.read_dataframe imports it on first use: not part of reading)
import numpy as np  # noqa: E402
import pyogrio  # noqa: E402
import shapely  # noqa: E402

t_imported = time.perf_counter()


def read(args) -> dict:
    t0, c0 = time.perf_counter(), time.process_time()
    gdf = pyogrio.read_dataframe(args.file, layer=args.layer)
    t1, c1 = time.perf_counter(), time.process_time()
    out = {"features": len(gdf), "read_s": round(t1 - t0, 4), "read_cpu_s": round(c1 - c0, 4)}
    if args.make_valid:
        geoms = np.asarray(gdf.geometry.values, dtype=object)
        invalid = ~shapely.is_valid(geoms)
        if invalid.any():
            geoms[invalid] = shapely.make_valid(geoms[invalid])
            gdf = gdf.set_geometry(geoms, crs=gdf.crs)
        out["invalid"] = int(invalid.sum())
        out["make_valid_s"] = round(time.perf_counter() - t1, 4)
        out["make_valid_cpu_s"] = round(time.process_time() - c1, 4)
    return out


def zonal(args) -> dict:
    t0 = time.perf_counter()
    terreinen = pyogrio.read_dataframe(args.terreinen)
    t1 = time.perf_counter()
    if args.tool == "rasterstats":
        from rasterstats import zonal_stats

        t_imp, c_imp = time.perf_counter(), time.process_time()
        stats = zonal_stats(terreinen, args.raster, stats=["mean", "count"])
        means = np.array([np.nan if s["mean"] is None else s["mean"] for s in stats], dtype=float)
        counts = np.array([s["count"] for s in stats], dtype=float)
    else:
        from exactextract import exact_extract

        t_imp, c_imp = time.perf_counter(), time.process_time()
        df = exact_extract(args.raster, terreinen, ["mean", "count"], output="pandas")
        means = df["mean"].to_numpy(dtype=float)
        counts = df["count"].to_numpy(dtype=float)  # coverage-weighted: fractions of cells
    t2, c2 = time.perf_counter(), time.process_time()
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write("id,mean,count\n")
        for i, m, c in zip(terreinen["id"], means, counts):
            fh.write(f"{i},{'' if np.isnan(m) else f'{m:.4f}'},{c:.4f}\n")
    with_cells = counts > 0
    return {"terreinen": len(terreinen), "read_s": round(t1 - t0, 4), "zonal_s": round(t2 - t_imp, 4), "zonal_cpu_s": round(c2 - c_imp, 4),
            "import_tool_s": round(t_imp - t1, 4), "cells": float(counts.sum()),
            "terreinen_with_cells": int(with_cells.sum()),
            "mean_of_means": float(np.nanmean(means)) if with_cells.any() else None}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    r = sub.add_parser("read")
    r.add_argument("file")
    r.add_argument("--layer")
    r.add_argument("--make-valid", action="store_true")
    z = sub.add_parser("zonal")
    z.add_argument("tool", choices=["rasterstats", "exactextract"])
    z.add_argument("terreinen")
    z.add_argument("raster")
    z.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    out = read(args) if args.what == "read" else zonal(args)
    out["imports_s"] = round(t_imported - t_start, 4)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
