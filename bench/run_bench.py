#!/usr/bin/env python3
"""Terrein against GeoPandas and DuckDB on the same synthetic national-scale data.

    python3 bench/run_bench.py --scales S,M [--time-limit SEC] [--threads N] [--out bench/results]

For every scale: generate the data with `terrein synth --scale X --seed 42` into bench/data/<X>/
(kept and reused while the seed and the terrein binary are the same), read every
input file once so all tools start from a warm page cache, then run, one after the other and
each in its own process group:

  terrein    terrein run bench/data/X/pipeline.yml --output ... --threads N --quiet
  geopandas  python3 reference/geopandas_impl.py bench/data/X/pipeline.yml --out ...
  duckdb     python3 bench/duckdb_impl.py bench/data/X/pipeline.yml --out ... --threads N

Each tool's wall time, CPU time (user + sys) and peak resident set size come from os.wait4 on
that tool's own process (so nothing of the other tools or of this script is mixed in). A tool
still running at --time-limit is killed (its whole process group) and reported as "> T s".
The tables are cross-checked with reference/crosscheck.py (Terrein vs GeoPandas, Terrein vs
DuckDB). Results: bench/results/<date>-<scale>.json per scale and bench/results/latest.md.

Scales real-s and real (`terrein synth-real`): real LoD2 roof faces tiled, with a BGT-shaped
land cover; `--extra all` adds Terrein runs with every output format, with the paved fast
path's sums (TERREIN_PAVED_PATH=fast, cross-checked) and with one thread (bytes compared). See bench/README.md.

Targets (issue 12, both at L and at real):
  * Terrein wall time <= 1/5 of the faster peer's; CPU time <= 1/3 of the peer with less CPU;
  * Terrein peak RSS <= 1/2 of the smaller peer's;
  * Terrein's time per roof face at L (real) within 1.2x of M's (real-s's);
  * every output format on: wall <= 1.15x CSV only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
BENCH = ROOT / "bench"
TOOLS = ("terrein", "geopandas", "duckdb")
LAYER_FILES = ("terreinen.geojson", "roofs.geojsonl", "natura2000.geojson", "landcover.geojsonl",
               "inundation.geojsonl")
# The real-roof scales (`terrein synth-real`): real LoD2 faces tiled, a BGT-shaped land cover.
REAL_SCALES = ("real-s", "real")
REAL_LAYER_FILES = ("terreinen.geojson", "roofs.geojsonl", "landcover.geojsonl")
REAL_LOD2 = ROOT.parent / "shared" / "data" / "real-lod2"
SCALE_ORDER = ("S", "M", "L", "real-s", "real")
# The largest scale and the one 1/10 its size, for the time-per-face target.
SCALING_PAIRS = {"L": "M", "real": "real-s"}
ALL_FORMATS = "formats: [csv, geojson, gpkg, report]"
TARGET_SPEEDUP = 5.0
TARGET_CPU_RATIO = 3.0
TARGET_RSS_RATIO = 2.0
TARGET_L_OVER_M = 1.2
TARGET_ALL_FORMATS = 1.15
PYTHON_PACKAGES = ("geopandas", "shapely", "pyproj", "pyogrio", "pandas", "numpy", "PyYAML", "duckdb",
                   "duckdb-ext-spatial")


# ----------------------------------------------------------------------------------------
# Measuring one child process
# ----------------------------------------------------------------------------------------


def measure(cmd: list[str], log_dir: Path, time_limit: float, cwd: Path = ROOT, env: dict | None = None) -> dict:
    """Run cmd in its own session; wall, CPU and peak RSS of that process (and what it waited for)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    with open(log_dir / "stdout.log", "wb") as out, open(log_dir / "stderr.log", "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=None if env is None else {**os.environ, **env})
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 0.0)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    return
                deadline = time.monotonic() + grace
                while time.monotonic() < deadline:
                    if proc_done.is_set():
                        return
                    time.sleep(0.1)

        proc_done = threading.Event()
        timer = threading.Timer(time_limit, kill)
        timer.daemon = True
        timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        except KeyboardInterrupt:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            proc.returncode = -signal.SIGKILL
            raise
        finally:
            proc_done.set()
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    # The process group may have left children behind (it should not): make sure they go.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return {
        "cmd": cmd,
        "exit_code": proc.returncode,
        "timed_out": timed_out.is_set(),
        "time_limit_s": time_limit,
        "wall_s": round(wall, 3),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 3),
        "user_s": round(ru.ru_utime, 3),
        "sys_s": round(ru.ru_stime, 3),
        "peak_rss_mb": round(ru.ru_maxrss / 1024.0, 1),  # Linux: KiB
        "loadavg_1min_before": round(load_before, 2),  # other work on the machine skews the numbers
        "stderr_tail": tail(log_dir / "stderr.log"),
    }


def tail(path: Path, lines: int = 6) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


# ----------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------


def count_lines(path: Path) -> int:
    n = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 24), b""):
            n += chunk.count(b"\n")
    return n


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_data(terrein: Path, scale: str, seed: int, data_root: Path, regenerate: bool) -> dict:
    """bench/data/<scale>/ made by `terrein synth`.

    Reused when the seed, the file sizes and the generating binary (its SHA-256) are the same;
    otherwise generated again (seconds, even for L), so the data always comes from the generator
    under test.
    """
    d = data_root / scale
    marker = d / "synth.json"
    binary = file_sha256(terrein)
    real = scale in REAL_SCALES
    layer_files = REAL_LAYER_FILES if real else LAYER_FILES
    if not regenerate and marker.is_file():
        try:
            info = json.loads(marker.read_text())
            files_ok = all((d / f).is_file() and (d / f).stat().st_size == info["bytes"].get(f)
                           for f in layer_files)
        except (OSError, json.JSONDecodeError, KeyError, AttributeError):
            info, files_ok = {}, False
        if (files_ok and info.get("seed") == seed and info.get("scale") == scale
                and info.get("terrein_sha256") == binary and (d / "pipeline.yml").is_file()):
            info["reused"] = True
            return info
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    if real:
        cmd = [str(terrein), "synth-real", "--lod2", str(REAL_LOD2), "--scale", scale, "--seed", str(seed), "--out", str(d)]
    else:
        cmd = [str(terrein), "synth", "--scale", scale, "--seed", str(seed), "--out", str(d)]
    print(f"[{scale}] generating data: {' '.join(cmd[1:])}", flush=True)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"terrein synth failed ({res.returncode}):\n{res.stderr}{res.stdout}")
    info = {
        "scale": scale, "seed": seed, "generated": dt.datetime.now().isoformat(timespec="seconds"),
        "terrein_sha256": binary,
        "synth_s": round(time.perf_counter() - t0, 2), "synth_summary": res.stdout.strip(),
        "bytes": {f: (d / f).stat().st_size for f in layer_files if (d / f).is_file()},
        "roof_faces": count_lines(d / "roofs.geojsonl"),
    }
    info["input_mb"] = round(sum(info["bytes"].values()) / 1e6, 1)
    marker.write_text(json.dumps(info, indent=2) + "\n")
    info["reused"] = False
    return info


def warm_cache(d: Path) -> None:
    for f in LAYER_FILES + REAL_LAYER_FILES:
        p = d / f
        if p.is_file():
            with p.open("rb") as fh:
                while fh.read(1 << 24):
                    pass


# ----------------------------------------------------------------------------------------
# Machine and versions
# ----------------------------------------------------------------------------------------


def machine_info(terrein: Path) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    packages = {}
    for name in PYTHON_PACKAGES:
        try:
            packages[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            packages[name] = None
    libs = {}
    try:
        import pyproj
        import shapely

        libs["shapely_geos"] = shapely.geos_version_string
        libs["pyproj_proj"] = pyproj.proj_version_str
    except ImportError:
        pass
    for lib in ("geos", "proj"):
        try:
            libs[f"system_{lib}"] = subprocess.run(["pkg-config", "--modversion", lib], capture_output=True,
                                                   text=True, timeout=10).stdout.strip() or None
        except (OSError, subprocess.TimeoutExpired):
            libs[f"system_{lib}"] = None
    swift = None
    try:
        swift = subprocess.run(["swift", "--version"], capture_output=True, text=True,
                               timeout=30).stdout.strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        pass
    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": mem_gb,
        "kernel": platform.release(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "python_packages": packages,
        "libraries": libs,
        "swift": swift,
        "terrein_binary": str(terrein),
    }


# ----------------------------------------------------------------------------------------
# One scale
# ----------------------------------------------------------------------------------------


def crosscheck(a: Path, b: Path, skip: tuple[str, ...] = ()) -> dict:
    extra = [arg for prefix in skip for arg in ("--skip-columns", prefix)]
    res = subprocess.run([sys.executable, str(ROOT / "reference" / "crosscheck.py"), str(a), str(b), "--show", "10"]
                         + extra, capture_output=True, text=True)
    lines = res.stdout.strip().splitlines()
    # The values line ("N values compared, M mismatches"), else the last one.
    summary = next((ln for ln in lines if "values compared" in ln), lines[-1] if lines else res.stderr.strip())
    return {"ok": res.returncode == 0, "exit_code": res.returncode, "summary": summary,
            "mismatches": [ln for ln in lines if ln.startswith("MISMATCH")][:10]}


def all_formats_pipeline(pipeline: Path) -> Path:
    """The same pipeline with every output format on (GeoJSON, GeoPackage, report), beside it."""
    text = pipeline.read_text(encoding="utf-8")
    if "formats: [csv]" not in text:
        raise SystemExit(f"{pipeline}: no 'formats: [csv]' line to turn every format on in")
    out = pipeline.with_name("pipeline-all-formats.yml")
    out.write_text(text.replace("formats: [csv]", ALL_FORMATS), encoding="utf-8")
    return out


# Extra Terrein runs beside the three tools: every output format on (the +15 % target), the
# paved family's fast path (TERREIN_PAVED_PATH=fast; its tables must equal the default general
# path's within the cross-check tolerance), and one thread (byte-identical tables).
EXTRA_RUNS = ("terrein-all-formats", "terrein-fast", "terrein-1-thread")


def tool_command(tool: str, terrein: Path, pipeline: Path, out: Path, threads: int) -> list[str]:
    if tool in ("terrein", "terrein-fast"):
        return [str(terrein), "run", str(pipeline), "--output", str(out), "--threads", str(threads), "--quiet"]
    if tool == "terrein-1-thread":
        return [str(terrein), "run", str(pipeline), "--output", str(out), "--threads", "1", "--quiet"]
    if tool == "terrein-all-formats":
        return [str(terrein), "run", str(all_formats_pipeline(pipeline)), "--output", str(out), "--threads", str(threads),
                "--quiet"]
    if tool == "geopandas":
        return [sys.executable, str(ROOT / "reference" / "geopandas_impl.py"), str(pipeline), "--out", str(out)]
    return [sys.executable, str(BENCH / "duckdb_impl.py"), str(pipeline), "--out", str(out),
            "--threads", str(threads)]


def run_scale(scale: str, args, terrein: Path) -> dict:
    data = ensure_data(terrein, scale, args.seed, args.data, args.regenerate)
    d = args.data / scale
    pipeline = d / "pipeline.yml"
    runs_dir = args.out / "runs" / scale
    print(f"[{scale}] {data['roof_faces']:,} roof faces, {data['input_mb']} MB of input"
          f"{' (reused)' if data.get('reused') else ''}", flush=True)
    warm_cache(d)
    results: dict[str, dict] = {}
    tools = list(args.tools) + ([x for x in EXTRA_RUNS if x in args.extra] if "terrein" in args.tools else [])
    for tool in tools:
        attempts = []
        for i in range(args.repeat):
            out = runs_dir / tool / "out"
            if out.exists():
                shutil.rmtree(out)
            print(f"[{scale}] {tool} (run {i + 1}/{args.repeat}) ...", end=" ", flush=True)
            m = measure(tool_command(tool, terrein, pipeline, out, args.threads), runs_dir / tool, args.time_limit,
                        env={"TERREIN_PAVED_PATH": "fast"} if tool == "terrein-fast" else None)
            m["output"] = str(out)
            attempts.append(m)
            status = ("TIMEOUT" if m["timed_out"] else f"exit {m['exit_code']}") if (
                m["timed_out"] or m["exit_code"] != 0) else "ok"
            print(f"{status}: wall {m['wall_s']:.2f} s, CPU {m['cpu_s']:.2f} s, peak RSS {m['peak_rss_mb']:.0f} MB",
                  flush=True)
            if m["timed_out"] or m["exit_code"] != 0:
                break
        ok = [a for a in attempts if not a["timed_out"] and a["exit_code"] == 0]
        best = dict(attempts[-1])
        if ok:
            best = dict(min(ok, key=lambda a: abs(a["wall_s"] - statistics.median(x["wall_s"] for x in ok))))
            best["wall_s_all"] = [a["wall_s"] for a in ok]
        best["ok"] = bool(ok) and len(ok) == len(attempts)
        results[tool] = best

    manifest = {}
    tpath = Path(results.get("terrein", {}).get("output", "")) / "manifest.json"
    if "terrein" in results and tpath.is_file():
        try:
            manifest = json.loads(tpath.read_text())
        except json.JSONDecodeError:
            manifest = {}
    checks = {}
    if "terrein" in results:
        t_out = Path(results["terrein"]["output"])
        for peer in ("geopandas", "duckdb"):
            if peer in results and results["terrein"]["ok"] and results[peer]["ok"]:
                # DuckDB reads no rasters: the three-way check covers the vector columns.
                checks[f"terrein_vs_{peer}"] = crosscheck(t_out, Path(results[peer]["output"]),
                                                          skip=("heat_",) if peer == "duckdb" else ())
        if results["terrein"]["ok"]:
            for extra in ("terrein-fast", "terrein-all-formats"):
                if extra in results and results[extra]["ok"]:
                    checks[f"terrein_vs_{extra}"] = crosscheck(t_out, Path(results[extra]["output"]))
            one = results.get("terrein-1-thread")
            if one and one["ok"]:
                same = all((t_out / f).read_bytes() == (Path(one["output"]) / f).read_bytes()
                           for f in ("indicators.csv", "regions.csv"))
                checks["terrein_threads_vs_1_thread_bytes"] = {
                    "ok": same, "exit_code": 0 if same else 1, "mismatches": [],
                    "summary": "indicators.csv and regions.csv byte-identical" if same else "tables differ in bytes"}
    if "geopandas" in results and "duckdb" in results and results["geopandas"]["ok"] and results["duckdb"]["ok"]:
        checks["geopandas_vs_duckdb"] = crosscheck(Path(results["geopandas"]["output"]),
                                                   Path(results["duckdb"]["output"]), skip=("heat_",))
    return {
        "scale": scale,
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "seed": args.seed,
        "threads": args.threads,
        "time_limit_s": args.time_limit,
        "repeat": args.repeat,
        "data": data,
        "tools": results,
        "crosscheck": checks,
        "terrein_manifest": {k: manifest.get(k) for k in ("terrein_version", "geos_version", "proj_version",
                                                             "gdal_version", "timings_s", "indicator_cpu_s")
                             if k in manifest},
    }


# ----------------------------------------------------------------------------------------
# Ratios, targets, report
# ----------------------------------------------------------------------------------------


def wall_text(r: dict) -> str:
    if r["timed_out"]:
        return f"> {r['time_limit_s']:.0f}"
    if r["exit_code"] != 0:
        return f"failed ({r['exit_code']})"
    return f"{r['wall_s']:.2f}"


def analyse(res: dict, previous_m: dict | None) -> dict:
    tools = res["tools"]
    faces = res["data"]["roof_faces"] or 1
    t = tools.get("terrein")
    out = {"per_tool": {}, "targets": {}}
    for name, r in tools.items():
        row = {"wall": wall_text(r), "cpu_s": r["cpu_s"] if r["ok"] else None,
               "peak_rss_mb": r["peak_rss_mb"] if r["ok"] else None,
               "us_per_roof_face": round(r["wall_s"] / faces * 1e6, 2) if r["ok"] else None}
        if t and t["ok"] and name != "terrein":
            # A peer that hit the time limit gives a lower bound on the ratio.
            if r["ok"] or r["timed_out"]:
                row["wall_ratio"] = round(r["wall_s"] / t["wall_s"], 2)
                row["wall_ratio_is_lower_bound"] = r["timed_out"]
            if r["ok"]:
                row["cpu_ratio"] = round(r["cpu_s"] / t["cpu_s"], 2) if t["cpu_s"] else None
                row["rss_ratio"] = round(r["peak_rss_mb"] / t["peak_rss_mb"], 2) if t["peak_rss_mb"] else None
        out["per_tool"][name] = row
    if not (t and t["ok"]):
        out["targets"] = {"wall": "n/a (Terrein did not finish)", "rss": "n/a", "scaling": "n/a"}
        return out
    peers = [(n, tools[n]) for n in ("geopandas", "duckdb") if n in tools and (tools[n]["ok"] or tools[n]["timed_out"])]
    if peers:
        name, fast = min(peers, key=lambda p: p[1]["wall_s"])
        ratio = fast["wall_s"] / t["wall_s"]
        bound = "≥ " if fast["timed_out"] else ""
        met = ratio >= TARGET_SPEEDUP
        out["targets"]["wall"] = (f"{'MET' if met else 'NOT MET'}: faster peer ({name}) / Terrein = {bound}{ratio:.2f}x "
                                  f"(target ≥ {TARGET_SPEEDUP:.0f}x)")
        out["targets"]["wall_met"] = met
        finished = [(n, r) for n, r in peers if r["ok"]]
        if finished and t["cpu_s"]:
            name, fast = min(finished, key=lambda p: p[1]["cpu_s"])
            ratio = fast["cpu_s"] / t["cpu_s"]
            met = ratio >= TARGET_CPU_RATIO
            out["targets"]["cpu"] = (f"{'MET' if met else 'NOT MET'}: CPU of the peer with less ({name}) / Terrein = "
                                     f"{ratio:.2f}x (target ≥ {TARGET_CPU_RATIO:.0f}x)")
            out["targets"]["cpu_met"] = met
        else:
            out["targets"]["cpu"] = "n/a (no peer finished)"
        if finished and t["peak_rss_mb"]:
            # The smaller of the peers' peaks (a peer killed at the time limit has no final peak).
            name, small = min(finished, key=lambda p: p[1]["peak_rss_mb"])
            ratio = small["peak_rss_mb"] / t["peak_rss_mb"]
            met = ratio >= TARGET_RSS_RATIO
            partial = " (only this peer finished)" if len(finished) < 2 else ""
            out["targets"]["rss"] = (f"{'MET' if met else 'NOT MET'}: smaller peer peak RSS ({name}) / Terrein = "
                                     f"{ratio:.2f}x (target ≥ {TARGET_RSS_RATIO:.0f}x){partial}")
            out["targets"]["rss_met"] = met
        else:
            out["targets"]["rss"] = "n/a (no peer finished)"
    else:
        out["targets"]["wall"] = out["targets"]["cpu"] = out["targets"]["rss"] = "n/a (no peer finished)"
    allf = tools.get("terrein-all-formats")
    if allf and allf["ok"]:
        growth = allf["wall_s"] / t["wall_s"]
        met = growth <= TARGET_ALL_FORMATS
        out["targets"]["formats"] = (f"{'MET' if met else 'NOT MET'}: wall with every format / CSV only = {growth:.3f} "
                                     f"(target ≤ {TARGET_ALL_FORMATS})")
        out["targets"]["formats_met"] = met
    else:
        out["targets"]["formats"] = "n/a (no all-formats run)"
    per_face = t["wall_s"] / faces
    out["terrein_us_per_roof_face"] = round(per_face * 1e6, 3)
    small = SCALING_PAIRS.get(res["scale"])
    if small and previous_m:
        m_face = previous_m["terrein_s_per_face"]
        ratio = per_face / m_face
        met = ratio <= TARGET_L_OVER_M
        out["targets"]["scaling"] = (f"{'MET' if met else 'NOT MET'}: time per roof face {res['scale']} / {small} = "
                                     f"{ratio:.2f} (target ≤ {TARGET_L_OVER_M}; {small} from {previous_m['source']})")
        out["targets"]["scaling_met"] = met
    else:
        out["targets"]["scaling"] = "n/a (needs L and M, or real and real-s)"
    return out


def previous_m_result(results_dir: Path, current: dict, small: str = "M") -> dict | None:
    """Terrein's time per roof face at the scale 1/10 the size (M for L, real-s for real): from
    this run, else the newest bench/results/*-<small>.json."""
    if small in current:
        r = current[small]
        t = r["tools"].get("terrein")
        if t and t["ok"]:
            return {"terrein_s_per_face": t["wall_s"] / r["data"]["roof_faces"], "source": "this run"}
    for p in sorted(results_dir.glob(f"*-{small}.json"), reverse=True):
        try:
            r = json.loads(p.read_text())
            t = r["tools"].get("terrein")
            if t and t["ok"]:
                return {"terrein_s_per_face": t["wall_s"] / r["data"]["roof_faces"], "source": p.name}
        except (OSError, json.JSONDecodeError, KeyError, ZeroDivisionError):
            continue
    return None


def _fmt(v, spec: str, suffix: str = "") -> str:
    return "" if v is None else format(v, spec) + suffix


def markdown(results: dict, machine: dict) -> str:
    lines = ["# Terrein benchmark", ""]
    pk = machine["python_packages"]
    lines.append(f"Machine: {machine['cpu_model']}, {machine['nproc']} cores, {machine['memory_gb']} GB RAM; "
                 f"Python {machine['python']}, geopandas {pk.get('geopandas')}, shapely {pk.get('shapely')} "
                 f"(GEOS {machine['libraries'].get('shapely_geos')}), duckdb {pk.get('duckdb')} + spatial "
                 f"{pk.get('duckdb-ext-spatial')}.")
    for scale, res in results.items():
        a = res["analysis"]
        tm = res.get("terrein_manifest") or {}
        lines += ["", f"## Scale {scale}", "",
                  f"{res['data']['roof_faces']:,} roof faces, {res['data']['input_mb']} MB of GeoJSON input, "
                  f"seed {res['seed']}, {res['threads']} threads for Terrein and DuckDB (GeoPandas is single-threaded), "
                  f"time limit {res['time_limit_s']:.0f} s, {res['date']}"
                  + (f" (an earlier run: {res['from_file']})." if res.get("from_file") else ".")
                  + (f" Terrein {tm.get('terrein_version')} (GEOS {tm.get('geos_version')}, "
                     f"PROJ {tm.get('proj_version')})." if tm else ""),
                  "",
                  "| tool | wall s | CPU s | peak RSS MB | wall / Terrein | CPU / Terrein | RSS / Terrein | µs per roof face |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name, row in a["per_tool"].items():
            wr = row.get("wall_ratio")
            wr_text = "" if wr is None else (("≥ " if row.get("wall_ratio_is_lower_bound") else "") + f"{wr:.2f}x")
            cells = [name, row["wall"], _fmt(row["cpu_s"], ".2f"), _fmt(row["peak_rss_mb"], ".0f"), wr_text,
                     _fmt(row.get("cpu_ratio"), ".2f", "x"), _fmt(row.get("rss_ratio"), ".2f", "x"),
                     _fmt(row["us_per_roof_face"], ".1f")]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        loads = ", ".join(f"{n} {r['loadavg_1min_before']:.1f}" for n, r in res["tools"].items()
                          if "loadavg_1min_before" in r)
        if loads:
            lines.append(f"- 1-min load average before each run ({res['machine']['nproc']} cores): {loads}")
        for name, c in res["crosscheck"].items():
            lines.append(f"- cross-check {name.replace('_', ' ')}: {'agree' if c['ok'] else 'DISAGREE'} ({c['summary']})")
        share = family_share(tm)
        if share:
            lines.append("- Terrein's indicator CPU per family: " + share)
        for key in ("wall", "cpu", "rss", "scaling", "formats"):
            lines.append(f"- target {key}: {a['targets'].get(key)}")
    return "\n".join(lines) + "\n"


def family_share(manifest: dict) -> str:
    """Each family's CPU seconds and share of the indicator CPU (the heat family's share
    is what the heat issue asks to see: one window read and one mask per terrein)."""
    cpu = manifest.get("indicator_cpu_s") or {}
    total = sum(cpu.values())
    if not total:
        return ""
    return ", ".join(f"{name} {seconds:.2f} s ({100 * seconds / total:.1f} %)"
                     for name, seconds in sorted(cpu.items(), key=lambda kv: -kv[1]))


def print_table(res: dict) -> None:
    a = res["analysis"]
    print(f"\n== scale {res['scale']}: {res['data']['roof_faces']:,} roof faces, {res['data']['input_mb']} MB input ==")
    print(f"{'tool':<10} {'wall s':>12} {'CPU s':>9} {'RSS MB':>8} {'wall/T':>8} {'CPU/T':>7} {'RSS/T':>7} {'us/face':>9}")
    for name, row in a["per_tool"].items():
        wr = row.get("wall_ratio")
        wr_text = "" if wr is None else (("≥" if row.get("wall_ratio_is_lower_bound") else "") + f"{wr:.2f}")
        print(f"{name:<10} {row['wall']:>12} {_fmt(row['cpu_s'], '.2f'):>9} {_fmt(row['peak_rss_mb'], '.0f'):>8} "
              f"{wr_text:>8} {_fmt(row.get('cpu_ratio'), '.2f'):>7} {_fmt(row.get('rss_ratio'), '.2f'):>7} "
              f"{_fmt(row['us_per_roof_face'], '.1f'):>9}")
    for name, c in res["crosscheck"].items():
        print(f"crosscheck {name}: {'OK' if c['ok'] else 'MISMATCH'} — {c['summary']}")
        for m in c["mismatches"][:5]:
            print(f"    {m}")
    share = family_share(res.get("terrein_manifest") or {})
    if share:
        print(f"indicator CPU per family: {share}")
    for key in ("wall", "cpu", "rss", "scaling", "formats"):
        print(f"target {key}: {a['targets'].get(key)}")


def find_terrein(explicit: str | None) -> Path:
    candidates = [Path(explicit)] if explicit else [ROOT / ".build" / "release" / "terrein",
                                                      ROOT / ".build" / "debug" / "terrein"]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            if c.parent.name == "debug" or "debug" in str(c.resolve()):
                print(f"warning: using a debug build ({c}); build with `swift build -c release` for real numbers",
                      file=sys.stderr)
            return c.resolve()
    raise SystemExit("terrein binary not found: run `swift build -c release` (or pass --terrein PATH)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="S,M", help="comma-separated: S, M, L, real-s, real (default S,M)")
    ap.add_argument("--extra", default="",
                    help="extra Terrein runs, comma-separated: terrein-all-formats (every output format on), "
                         "terrein-fast (the paved fast path, cross-checked), terrein-1-thread (bytes "
                         "compared); 'all' for every one (default none)")
    ap.add_argument("--time-limit", type=float, default=3600.0, help="per tool and run, seconds (default 3600)")
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                    help="for Terrein and DuckDB (default: all usable cores)")
    ap.add_argument("--out", type=Path, default=BENCH / "results", help="results folder (default bench/results)")
    ap.add_argument("--data", type=Path, default=BENCH / "data", help="data folder (default bench/data)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool; the median wall time is reported")
    ap.add_argument("--tools", default=",".join(TOOLS), help="subset of terrein,geopandas,duckdb")
    ap.add_argument("--terrein", help="the terrein binary (default .build/release/terrein)")
    ap.add_argument("--regenerate", action="store_true", help="regenerate the data even when present")
    ap.add_argument("--sections", default="main,reading,zonal",
                    help="main (the three tools on the pipeline), reading (per format, bench/io_bench.py), "
                         "zonal (heat raster per terrein); default all")
    ap.add_argument("--real", action="store_true", help="reading section: also the real LoD2 roof faces")
    args = ap.parse_args(argv)
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    if any(s not in ("main", "reading", "zonal") for s in args.sections):
        ap.error("--sections: choose from main, reading, zonal")
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if any(t not in TOOLS for t in args.tools):
        ap.error(f"--tools: choose from {', '.join(TOOLS)}")
    scales = [s.strip().upper() if s.strip().upper() in ("S", "M", "L") else s.strip().lower()
              for s in args.scales.split(",") if s.strip()]
    if any(s not in SCALE_ORDER for s in scales):
        ap.error("--scales: choose from S, M, L, real-s, real")
    args.extra = list(EXTRA_RUNS) if args.extra.strip() == "all" else [x.strip() for x in args.extra.split(",") if x.strip()]
    if any(x not in EXTRA_RUNS for x in args.extra):
        ap.error(f"--extra: choose from {', '.join(EXTRA_RUNS)} or all")
    args.out = args.out.resolve()
    args.data = args.data.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    terrein = find_terrein(args.terrein)
    machine = machine_info(terrein)
    print(f"machine: {machine['cpu_model']}, {machine['nproc']} cores, {machine['memory_gb']} GB; "
          f"terrein {terrein}; threads {args.threads}; time limit {args.time_limit:.0f} s", flush=True)
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"note: load average {load:.1f} before the start: other work on this machine will skew the timings",
              flush=True)
    results: dict[str, dict] = {}
    day = dt.date.today().isoformat()
    import io_bench  # the reading and zonal sections

    extra: dict[str, dict] = {}
    extra_sections = [s for s in args.sections if s != "main"]
    for scale in sorted(scales, key=SCALE_ORDER.index):
        if extra_sections and scale not in REAL_SCALES:
            ensure_data(terrein, scale, args.seed, args.data, args.regenerate)
            warm_cache(args.data / scale)
            extra[scale] = io_bench.run_sections(extra_sections, terrein, scale, args.data / scale, args.out / "runs",
                                                 measure, args.time_limit, max(args.repeat, 3), args.threads)
        if "main" not in args.sections:
            continue
        res = run_scale(scale, args, terrein)
        res["machine"] = machine
        small = SCALING_PAIRS.get(scale)
        res["analysis"] = analyse(res, previous_m_result(args.out, results, small) if small else None)
        results[scale] = res
        (args.out / f"{day}-{scale}.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
        print_table(res)
    if args.real and "reading" in args.sections:
        real = io_bench.real_roofs(terrein, args.data)
        if real:
            extra["real"] = io_bench.run_sections(["reading"], terrein, "real", real.parent, args.out / "runs", measure,
                                                  args.time_limit, max(args.repeat, 3), args.threads)
    if extra:
        (args.out / f"{day}-io.json").write_text(json.dumps(extra, indent=2) + "\n", encoding="utf-8")
        print(io_bench.markdown(extra))
    # latest.md: this run's scales, and for the other scales the newest earlier result.
    table = {}
    for scale in SCALE_ORDER:
        if scale in results:
            table[scale] = results[scale]
            continue
        for p in sorted(args.out.glob(f"*-{scale}.json"), reverse=True):
            try:
                earlier = json.loads(p.read_text())
                earlier["from_file"] = p.name
                table[scale] = earlier
                break
            except (OSError, json.JSONDecodeError):
                continue
    md = markdown(table, machine) if table else "# Terrein benchmark\n"
    if not extra:  # the reading and zonal tables: this run's, else the newest earlier ones
        for p in sorted(args.out.glob("*-io.json"), reverse=True):
            try:
                extra = json.loads(p.read_text())
                break
            except (OSError, json.JSONDecodeError):
                continue
    (args.out / "latest.md").write_text(md + (io_bench.markdown(extra) if extra else ""), encoding="utf-8")
    print(f"\nwrote {', '.join([f'{day}-{s}.json' for s in results] + ([f'{day}-io.json'] if extra else []))} "
          f"and latest.md to {args.out}")
    ok = all(c["ok"] for r in results.values() for c in r["crosscheck"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
