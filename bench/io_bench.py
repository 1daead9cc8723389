#!/usr/bin/env python3
"""Reading speed per format, and raster zonal statistics per terrein (issue 10).

Two sections of `bench/run_bench.py` (`--sections reading,zonal`; both are in the default),
also runnable alone:

    python3 bench/io_bench.py --scales S,M [--real] [--sections reading,zonal] [--repeat 3]

reading
    The roof layer and the terreinen of a scale (`terrein synth`, bench/data/<X>/), and with
    `--real` the real LoD2 roof faces (/work/shared/data/real-lod2/ through
    `terrein roofs-from-cityjson`), converted once with `ogr2ogr` into GeoJSON, GeoJSONSeq,
    GeoPackage, Shapefile, FlatGeobuf and GML (cached in bench/data/<X>/reading/). Per file:

      terrein     `terrein inspect FILE`: parsing (Terrein's reader for GeoJSON, GDAL/OGR for
                  the rest), building every GEOS geometry and the spec's preparation steps
                  (ring closing, degenerate parts, validity check, MakeValid where invalid),
                  the work a run does for a layer, and counts;
      pyogrio     `pyogrio.read_dataframe(FILE)` into a GeoDataFrame;
      pyogrio+mv  the same, then `shapely.is_valid` on every polygon and `shapely.make_valid`
                  on the invalid ones: the same work as Terrein's.

    Whole process (start-up and imports included) by os.wait4, as the main benchmark; the
    Python side also reports its time inside the process (imports excluded). Ratios:
    peer / Terrein, whole process, and the conservative one: the peer's in-process time /
    Terrein's whole process. Targets: GeoJSON and GeoJSONSeq ≥ 3×, the OGR formats ≥ 1×
    (pyogrio+mv against Terrein).

zonal
    Mean and count of the heat raster's cells per terrein (bench/data/<X>/heat.tif and
    terreinen.geojson):

      terrein       `terrein run` of a pipeline with the terreinen, a one-face roof layer and
                    the heat layer (CSV only): the heat family, one window read and one
                    cell-centre mask per terrein, plus reading the terreinen, hashing the
                    raster and writing the tables;
      rasterstats   `zonal_stats(terreinen, heat.tif, stats=["mean", "count"])`
                    (centre-in-polygon by rasterize, half-open edges);
      exactextract  `exact_extract(heat.tif, terreinen, ["mean", "count"])` (coverage-weighted).

    The rules differ (the spec's cell centres with the boundary included; half-open edges;
    coverage fractions), so the values are reported side by side, not cross-checked. Target:
    Terrein ≥ 3× faster than rasterstats (whole process).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
REAL_LOD2 = ROOT.parent / "shared" / "data" / "real-lod2"
# name → (ogr2ogr driver, file name suffix); geojsonseq of the synthetic roofs is the file itself.
FORMATS = {
    "GeoJSON": ("GeoJSON", ".geojson"),
    "GeoJSONSeq": ("GeoJSONSeq", ".geojsonl"),
    "GeoPackage": ("GPKG", ".gpkg"),
    "Shapefile": ("ESRI Shapefile", ".shp"),
    "FlatGeobuf": ("FlatGeobuf", ".fgb"),
    "GML": ("GML", ".gml"),
}
GEOJSON_FORMATS = ("GeoJSON", "GeoJSONSeq")
TARGET_GEOJSON = 3.0
TARGET_OGR = 1.0
TARGET_ZONAL = 3.0


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def files_of(path: Path) -> list[Path]:
    """Every file a reader of `path` reads (a Shapefile's sidecars, GML's schema)."""
    if path.suffix == ".shp":
        return [p for p in (path.with_suffix(s) for s in (".shp", ".shx", ".dbf", ".prj", ".cpg")) if p.is_file()]
    if path.suffix == ".gml":
        return [p for p in (path, path.with_suffix(".xsd")) if p.is_file()]
    return [path]


def convert(source: Path, out_dir: Path, stem: str) -> dict[str, Path]:
    """`source` in every format, by ogr2ogr, once: kept while the source's SHA-256 is the same."""
    out_dir.mkdir(parents=True, exist_ok=True)
    marker = out_dir / f"{stem}.source.json"
    digest = sha256(source)
    paths = {name: out_dir / f"{stem}{suffix}" for name, (_, suffix) in FORMATS.items()}
    try:
        if json.loads(marker.read_text()).get("sha256") == digest and all(p.is_file() for p in paths.values()):
            return paths
    except (OSError, json.JSONDecodeError):
        pass
    for name, (driver, _) in FORMATS.items():
        target = paths[name]
        own = {".shp": (".shx", ".dbf", ".prj", ".cpg"), ".gml": (".xsd", ".gfs")}.get(target.suffix, ())
        for f in [target] + [target.with_suffix(s) for s in own]:
            f.unlink(missing_ok=True)
        cmd = ["ogr2ogr", "-f", driver, str(target), str(source), "-nln", stem, "-a_srs", "EPSG:28992"]
        if driver == "ESRI Shapefile":
            cmd += ["-lco", "ENCODING=UTF-8"]
        print(f"    ogr2ogr → {target.name}", flush=True)
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise SystemExit(f"ogr2ogr failed for {target}:\n{res.stderr}")
    marker.write_text(json.dumps({"source": str(source), "sha256": digest}) + "\n")
    return paths


def real_roofs(terrein: Path, data_root: Path) -> Path | None:
    """The real LoD2 roof faces as GeoJSON, by `terrein roofs-from-cityjson` (not in git)."""
    models = sorted(REAL_LOD2.glob("*.city.json"))
    if not models:
        return None
    out = data_root / "real" / "roofs.geojson"
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.is_file():
        res = subprocess.run([str(terrein), "roofs-from-cityjson", *map(str, models), "-o", str(out), "--quiet"],
                             capture_output=True, text=True)
        if res.returncode != 0:
            raise SystemExit(f"terrein roofs-from-cityjson failed:\n{res.stderr}")
    return out


def median_run(measure, cmd: list[str], log_dir: Path, time_limit: float, repeat: int) -> dict:
    runs = []
    for i in range(repeat):
        m = measure(cmd, log_dir, time_limit)
        m["stdout"] = (log_dir / "stdout.log").read_text(encoding="utf-8", errors="replace")
        runs.append(m)
        if m["timed_out"] or m["exit_code"] != 0:
            m["ok"] = False
            return m
    mid = statistics.median(r["wall_s"] for r in runs)
    best = dict(min(runs, key=lambda r: abs(r["wall_s"] - mid)))
    best["wall_s_all"] = [r["wall_s"] for r in runs]
    best["ok"] = True
    return best


def terrein_counts(stdout: str) -> dict:
    out = {}
    for line in stdout.splitlines():
        for key, prefix in (("features", "features: "), ("repair", "a run would repair: "), ("skip", "a run would skip: ")):
            if line.startswith(prefix):
                out[key] = int(line[len(prefix):].split()[0])
    return out


def python_json(stdout: str) -> dict:
    for line in reversed(stdout.strip().splitlines()):
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            continue
    return {}


def reading(terrein: Path, label: str, layers: dict[str, Path], work: Path, measure, time_limit: float,
            repeat: int) -> dict:
    """Every layer in every format: Terrein's inspect against pyogrio (with and without make_valid)."""
    rows = []
    for stem, source in layers.items():
        print(f"[{label}] reading: {stem} from {source.name}", flush=True)
        paths = convert(source, source.parent / "reading", stem)
        for fmt, path in paths.items():
            size = sum(f.stat().st_size for f in files_of(path))
            logs = work / label / "reading" / f"{stem}-{fmt}"
            t = median_run(measure, [str(terrein), "inspect", str(path)], logs / "terrein", time_limit, repeat)
            p = median_run(measure, [sys.executable, str(BENCH / "io_peers.py"), "read", str(path)],
                           logs / "pyogrio", time_limit, repeat)
            mv = median_run(measure, [sys.executable, str(BENCH / "io_peers.py"), "read", str(path), "--make-valid"],
                            logs / "pyogrio-mv", time_limit, repeat)
            tc, pj, mj = terrein_counts(t["stdout"]), python_json(p["stdout"]), python_json(mv["stdout"])
            row = {"layer": stem, "format": fmt, "file": str(path), "bytes": size,
                   "features": tc.get("features") if t["ok"] else pj.get("features"),
                   "terrein": slim(t), "pyogrio": slim(p), "pyogrio_mv": slim(mv),
                   "terrein_counts": tc, "pyogrio_in_process_s": pj.get("read_s"),
                   "pyogrio_mv_in_process_s": (mj.get("read_s") or 0) + (mj.get("make_valid_s") or 0) if mj else None,
                   "pyogrio_in_process_cpu_s": pj.get("read_cpu_s"),
                   "pyogrio_mv_in_process_cpu_s": round((mj.get("read_cpu_s") or 0) + (mj.get("make_valid_cpu_s") or 0), 4)
                   if mj else None,
                   "pyogrio_features": pj.get("features"), "pyogrio_invalid": mj.get("invalid")}
            if t["ok"]:
                n, mb = row["features"] or 0, size / 1e6
                # Rates per wall second and per CPU second (on a busy machine the wall time
                # includes waiting for a core; the CPU time does not).
                row["terrein_features_per_s"] = round(n / t["wall_s"]) if t["wall_s"] else None
                row["terrein_mb_per_s"] = round(mb / t["wall_s"], 1) if t["wall_s"] else None
                row["terrein_features_per_cpu_s"] = round(n / t["cpu_s"]) if t["cpu_s"] else None
                row["terrein_mb_per_cpu_s"] = round(mb / t["cpu_s"], 1) if t["cpu_s"] else None
                for key, peer, inproc, inproc_cpu in (
                        ("pyogrio", p, row["pyogrio_in_process_s"], row["pyogrio_in_process_cpu_s"]),
                        ("pyogrio_mv", mv, row["pyogrio_mv_in_process_s"], row["pyogrio_mv_in_process_cpu_s"])):
                    if peer["ok"]:
                        row[f"{key}_features_per_s"] = round(n / peer["wall_s"]) if peer["wall_s"] else None
                        row[f"{key}_ratio"] = round(peer["wall_s"] / t["wall_s"], 2)
                        row[f"{key}_cpu_ratio"] = round(peer["cpu_s"] / t["cpu_s"], 2) if t["cpu_s"] else None
                        if inproc:
                            row[f"{key}_in_process_ratio"] = round(inproc / t["wall_s"], 2)
                        if inproc_cpu and t["cpu_s"]:
                            row[f"{key}_in_process_features_per_cpu_s"] = round(n / inproc_cpu)
                            row[f"{key}_in_process_cpu_ratio"] = round(inproc_cpu / t["cpu_s"], 2)
                target = TARGET_GEOJSON if fmt in GEOJSON_FORMATS else TARGET_OGR
                ratio, cpu = row.get("pyogrio_mv_ratio"), row.get("pyogrio_mv_cpu_ratio")
                strict = row.get("pyogrio_mv_in_process_cpu_ratio")
                row["target"] = None if ratio is None else {
                    "target": target, "met": ratio >= target, "met_cpu": cpu is not None and cpu >= target,
                    "met_in_process_cpu": strict is not None and strict >= target}
            rows.append(row)
            print(f"    {fmt:<11} {size / 1e6:7.1f} MB  terrein {t['wall_s']:.2f} s ({t['cpu_s']:.2f} CPU)  "
                  f"pyogrio+mv {mv['wall_s']:.2f} s ({mv['cpu_s']:.2f} CPU; in process {row['pyogrio_mv_in_process_cpu_s']} CPU)  "
                  f"ratio wall {row.get('pyogrio_mv_ratio')}, CPU {row.get('pyogrio_mv_cpu_ratio')}, "
                  f"in-process CPU {row.get('pyogrio_mv_in_process_cpu_ratio')}", flush=True)
    return {"rows": rows}


def slim(m: dict) -> dict:
    return {k: m.get(k) for k in ("ok", "exit_code", "timed_out", "wall_s", "wall_s_all", "cpu_s", "peak_rss_mb",
                                  "loadavg_1min_before", "stderr_tail")}


ZONAL_ROOF = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
              '{"helling": 0, "orientatie": 180, "pand_id": "bench"}, "geometry": {"type": "Polygon", '
              '"coordinates": [[[155000, 463000], [155010, 463000], [155010, 463010], [155000, 463010], '
              '[155000, 463000]]]}}]}\n')


def zonal_pipeline(d: Path) -> Path:
    """terreinen + a one-face roof layer + heat, CSV only: the run measures the heat family."""
    z = d / "zonal"
    z.mkdir(exist_ok=True)
    (z / "roof.geojson").write_text(ZONAL_ROOF, encoding="utf-8")
    p = z / "pipeline.yml"
    p.write_text(f"""# Zonal statistics benchmark (bench/io_bench.py): the heat family alone.
name: zonal-{d.name}
work_crs: EPSG:28992
layers:
  terreinen:
    path: ../terreinen.geojson
    fields: {{id: id, name: naam, region: gemeente}}
  roofs:
    path: roof.geojson
    crs: EPSG:28992
    fields: {{slope_deg: helling, azimuth_deg: orientatie, building_id: pand_id}}
  heat:
    path: ../heat.tif
outputs:
  formats: [csv]
""", encoding="utf-8")
    return p


def zonal(terrein: Path, label: str, d: Path, work: Path, measure, time_limit: float, repeat: int,
          threads: int) -> dict:
    heat, terreinen = d / "heat.tif", d / "terreinen.geojson"
    if not heat.is_file():
        return {"skipped": f"{heat} is missing"}
    print(f"[{label}] zonal statistics: {terreinen.name} over {heat.name} ({heat.stat().st_size / 1e6:.0f} MB)",
          flush=True)
    pipeline = zonal_pipeline(d)
    logs = work / label / "zonal"
    res = {"raster_bytes": heat.stat().st_size}
    out = logs / "terrein" / "out"
    if out.exists():
        shutil.rmtree(out)
    t = median_run(measure, [str(terrein), "run", str(pipeline), "--output", str(out), "--threads", str(threads),
                             "--quiet"], logs / "terrein", time_limit, repeat)
    res["terrein"] = slim(t)
    if t["ok"]:
        manifest = json.loads((out / "manifest.json").read_text())
        res["terrein_heat_cpu_s"] = (manifest.get("indicator_cpu_s") or {}).get("heat")
        res["terrein_timings_s"] = manifest.get("timings_s")
        means = []
        with (out / "indicators.csv").open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        means = [float(r["heat_pet_mean_c"]) for r in rows if r.get("heat_pet_mean_c")]
        res["terrein_values"] = {"terreinen": len(rows), "terreinen_with_cells": len(means),
                                 "mean_of_means": round(statistics.fmean(means), 4) if means else None}
        res["terrein_values"]["cells"] = regions_cells(out)
    for tool in ("rasterstats", "exactextract"):
        m = median_run(measure, [sys.executable, str(BENCH / "io_peers.py"), "zonal", tool, str(terreinen), str(heat),
                                 "--out", str(logs / f"{tool}.csv")], logs / tool, time_limit, repeat)
        res[tool] = slim(m)
        res[f"{tool}_values"] = python_json(m["stdout"])
        if t["ok"] and m["ok"]:
            res[f"{tool}_ratio"] = round(m["wall_s"] / t["wall_s"], 2)
            res[f"{tool}_cpu_ratio"] = round(m["cpu_s"] / t["cpu_s"], 2) if t["cpu_s"] else None
            inproc = res[f"{tool}_values"].get("zonal_cpu_s")
            if inproc and t["cpu_s"]:
                res[f"{tool}_zonal_only_cpu_ratio"] = round(inproc / t["cpu_s"], 2)
    if "rasterstats_ratio" in res:
        res["target"] = {"target": TARGET_ZONAL, "met": res["rasterstats_ratio"] >= TARGET_ZONAL,
                         "met_cpu": (res.get("rasterstats_cpu_ratio") or 0) >= TARGET_ZONAL,
                         "met_zonal_only_cpu": (res.get("rasterstats_zonal_only_cpu_ratio") or 0) >= TARGET_ZONAL}
    print(f"    terrein {t['wall_s']:.2f} s ({t['cpu_s']:.2f} CPU), rasterstats {res['rasterstats']['wall_s']:.2f} s "
          f"({res.get('rasterstats_ratio')}x, CPU {res.get('rasterstats_cpu_ratio')}x), exactextract "
          f"{res['exactextract']['wall_s']:.2f} s ({res.get('exactextract_ratio')}x, CPU {res.get('exactextract_cpu_ratio')}x)",
          flush=True)
    return res


def regions_cells(out: Path) -> int | None:
    """Σ heat_cells over the regions (regions.csv carries the accumulators), when present."""
    p = out / "regions.csv"
    try:
        with p.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        if rows and "heat_cells" in rows[0]:
            return int(sum(float(r["heat_cells"] or 0) for r in rows))
    except (OSError, ValueError):
        pass
    return None


def markdown(results: dict) -> str:
    """The reading and zonal tables of every scale, for bench/results/latest.md."""
    lines = []
    for label, res in results.items():
        r = res.get("reading")
        if r:
            lines += ["", f"## Reading speed, {label}", "",
                      "`terrein inspect FILE` (parse + GEOS geometry + validity check and repair) against "
                      "`pyogrio.read_dataframe` + `is_valid`/`make_valid` (*pyogrio+mv*, the same work); median of "
                      f"{res.get('repeat', 1)} runs; ratios = peer / Terrein: whole process by wall and by CPU "
                      "time, and *in-process*: the peer's CPU inside the process (no Python start-up and imports) "
                      "/ Terrein's whole-process CPU. Rates per CPU second.", "",
                      "| layer | format | MB | features | Terrein wall s | Terrein CPU s | Terrein feat/CPU s | "
                      "Terrein MB/CPU s | pyogrio+mv wall s | pyogrio+mv CPU s | in-process CPU s | in-process feat/CPU s | "
                      "ratio wall | ratio CPU | ratio in-process CPU | read only, in-process CPU | target (CPU; in-process) |",
                      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
            for row in r["rows"]:
                tgt = row.get("target")
                t, mv = row["terrein"], row["pyogrio_mv"]
                lines.append("| " + " | ".join(str(x) for x in [
                    row["layer"], row["format"], f"{row['bytes'] / 1e6:.1f}", f"{row['features'] or 0:,}",
                    f"{t['wall_s']:.2f}" if t["ok"] else "failed", f"{t['cpu_s']:.2f}" if t["ok"] else "",
                    f"{row.get('terrein_features_per_cpu_s') or 0:,}", row.get("terrein_mb_per_cpu_s", ""),
                    f"{mv['wall_s']:.2f}" if mv["ok"] else "failed", f"{mv['cpu_s']:.2f}" if mv["ok"] else "",
                    row.get("pyogrio_mv_in_process_cpu_s") or "",
                    f"{row.get('pyogrio_mv_in_process_features_per_cpu_s') or 0:,}",
                    _x(row.get("pyogrio_mv_ratio")), _x(row.get("pyogrio_mv_cpu_ratio")),
                    _x(row.get("pyogrio_mv_in_process_cpu_ratio")), _x(row.get("pyogrio_in_process_cpu_ratio")),
                    "" if not tgt else f"≥ {tgt['target']:.0f}x: {'met' if tgt['met_cpu'] else 'NOT met'}; "
                                       f"{'met' if tgt['met_in_process_cpu'] else 'NOT met'}"]) + " |")
        z = res.get("zonal")
        if z and "terrein" in z:
            tv, rv, ev = z.get("terrein_values") or {}, z.get("rasterstats_values") or {}, z.get("exactextract_values") or {}
            lines += ["", f"## Zonal statistics per terrein, {label}", "",
                      f"Mean and count of the heat raster's cells ({z['raster_bytes'] / 1e6:.0f} MB GeoTIFF) per "
                      "terrein; whole process; ratio = peer / Terrein. The rules differ (values reported, not "
                      "cross-checked).", "",
                      "| tool | wall s | CPU s | peak RSS MB | ratio wall | ratio CPU | zonal step's CPU / Terrein's CPU | terreinen with cells | cells | mean of means |",
                      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
            for name, m, v in (("terrein", z["terrein"], tv), ("rasterstats", z["rasterstats"], rv),
                               ("exactextract", z["exactextract"], ev)):
                cells = v.get("cells")
                lines.append("| " + " | ".join(str(x) for x in [
                    name, f"{m['wall_s']:.2f}" if m["ok"] else "failed", m["cpu_s"], f"{m['peak_rss_mb']:.0f}",
                    _x(z.get(f"{name}_ratio")), _x(z.get(f"{name}_cpu_ratio")), _x(z.get(f"{name}_zonal_only_cpu_ratio")),
                    v.get("terreinen_with_cells", ""),
                    "" if cells is None else f"{cells:,.1f}" if name == "exactextract" else f"{int(cells):,}",
                    "" if v.get("mean_of_means") is None else f"{v['mean_of_means']:.3f}"]) + " |")
            if z.get("terrein_heat_cpu_s") is not None:
                lines.append("")
                lines.append(f"- Terrein's heat family: {z['terrein_heat_cpu_s']:.3f} s CPU (from its manifest)")
            if z.get("target"):
                g = z["target"]
                lines.append(f"- target rasterstats / Terrein ≥ {TARGET_ZONAL:.0f}x: wall {z['rasterstats_ratio']:.2f}x "
                             f"({'met' if g['met'] else 'NOT met'}), CPU {z.get('rasterstats_cpu_ratio')}x "
                             f"({'met' if g['met_cpu'] else 'NOT met'}), zonal step only "
                             f"{z.get('rasterstats_zonal_only_cpu_ratio')}x ({'met' if g['met_zonal_only_cpu'] else 'NOT met'})")
    return "\n".join(lines) + "\n"


def _x(v) -> str:
    return "" if v is None else f"{v:.2f}x"


def run_sections(sections: list[str], terrein: Path, label: str, d: Path, work: Path, measure, time_limit: float,
                 repeat: int, threads: int) -> dict:
    """The reading and/or zonal section for one data folder (a synth scale or "real")."""
    out = {"repeat": repeat}
    if "reading" in sections:
        layers = {"roofs": d / "roofs.geojsonl", "terreinen": d / "terreinen.geojson"} if label != "real" \
            else {"roofs": d / "roofs.geojson"}
        out["reading"] = reading(terrein, label, {k: v for k, v in layers.items() if v.is_file()}, work, measure,
                                 time_limit, repeat)
    if "zonal" in sections and label != "real":
        out["zonal"] = zonal(terrein, label, d, work, measure, time_limit, repeat, threads)
    return out


def main(argv=None) -> int:
    sys.path.insert(0, str(BENCH))
    import run_bench  # the same measuring, data and binary lookup as the main benchmark

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="S,M")
    ap.add_argument("--real", action="store_true", help="also the real LoD2 roof faces (reading only)")
    ap.add_argument("--sections", default="reading,zonal")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--time-limit", type=float, default=3600.0)
    ap.add_argument("--out", type=Path, default=BENCH / "results")
    ap.add_argument("--data", type=Path, default=BENCH / "data")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--terrein")
    args = ap.parse_args(argv)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    terrein = run_bench.find_terrein(args.terrein)
    args.out, args.data = args.out.resolve(), args.data.resolve()
    results = {}
    for scale in [s.strip().upper() for s in args.scales.split(",") if s.strip()]:
        run_bench.ensure_data(terrein, scale, args.seed, args.data, False)
        run_bench.warm_cache(args.data / scale)
        results[scale] = run_sections(sections, terrein, scale, args.data / scale, args.out / "runs", run_bench.measure,
                                      args.time_limit, args.repeat, args.threads)
    if args.real:
        real = real_roofs(terrein, args.data)
        if real:
            results["real"] = run_sections(sections, terrein, "real", real.parent, args.out / "runs", run_bench.measure,
                                           args.time_limit, args.repeat, args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "io-latest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    md = markdown(results)
    (args.out / "io-latest.md").write_text("# Reading and zonal statistics\n" + md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
