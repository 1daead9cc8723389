#!/usr/bin/env python3
"""Incremental runs at scale (docs/incremental.md): a full run, then the features of 1 % of the
terreinen changed (a clustered day's mutations), then an incremental run into the same folder,
a full run of the mutated data into another folder, and a run that finds the same inputs.

Reports the wall times, CPU times and peak RSS of each (os.wait4 on the terrein process), the
ratio incremental / full, and checks that the incremental folder is byte-identical to the full
run's (every file but the manifest; the manifest without timestamps, timings and reuse counts).

    python3 bench/incremental_bench.py --scale L            # bench/data/incr-L, a release build
    python3 bench/incremental_bench.py --scale S --terrein .build/debug/terrein

Not a test: it takes minutes at L. Exit 1 when the bytes differ.
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, log_path, env=None):
    """Runs cmd; returns (wall s, cpu s, peak RSS MB, exit status)."""
    with open(log_path, "w") as log:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=log, stderr=log, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, code


def bbox_of(coords):
    xs, ys = [], []

    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for x in c:
                walk(x)
    walk(coords)
    return min(xs), min(ys), max(xs), max(ys)


def inside(b, box):
    return b[0] >= box[0] and b[1] >= box[1] and b[2] <= box[2] and b[3] <= box[3]


def touches(b, box):
    return b[0] <= box[2] and b[2] >= box[0] and b[1] <= box[3] and b[3] >= box[1]


FIRST_XY = re.compile(rb'"coordinates"\s*:\s*\[+\s*(-?[0-9.eE+-]+)\s*,\s*(-?[0-9.eE+-]+)')


def mutate(data, fraction, seed):
    """Changes the features of `fraction` of the terreinen, the nearest ones to a random
    terrein (a cluster): in each, one roof face moved by 0.4 m, one land cover polygon deleted,
    one inundation depth raised by 0.1 m. Returns the ids and the counts."""
    rng = random.Random(seed)
    with open(os.path.join(data, "terreinen.geojson")) as f:
        fc = json.load(f)
    boxes = [(feat["properties"]["id"], bbox_of(feat["geometry"]["coordinates"])) for feat in fc["features"]]
    k = max(1, math.ceil(len(boxes) * fraction))
    seed_box = rng.choice(boxes)[1]
    sx, sy = (seed_box[0] + seed_box[2]) / 2, (seed_box[1] + seed_box[3]) / 2
    chosen = sorted(boxes, key=lambda ib: ((ib[1][0] + ib[1][2]) / 2 - sx) ** 2 + ((ib[1][1] + ib[1][3]) / 2 - sy) ** 2)[:k]
    targets = [b for _, b in chosen]
    lo_x = min(b[0] for b in targets); hi_x = max(b[2] for b in targets)
    lo_y = min(b[1] for b in targets); hi_y = max(b[3] for b in targets)
    counts = {"roofs_moved": 0, "landcover_deleted": 0, "depths_changed": 0}

    def rewrite(name, edit):
        path = os.path.join(data, name)
        out = path + ".new"
        done = set()
        with open(path, "rb") as src, open(out, "wb") as dst:
            for line in src:
                m = FIRST_XY.search(line)
                if m:
                    x, y = float(m.group(1)), float(m.group(2))
                    if lo_x - 500 <= x <= hi_x + 500 and lo_y - 500 <= y <= hi_y + 500:
                        feat = json.loads(line)
                        b = bbox_of(feat["geometry"]["coordinates"])
                        hit = next((i for i, t in enumerate(targets) if i not in done and edit[0](b, t)), None)
                        if hit is not None:
                            done.add(hit)
                            new = edit[1](feat)
                            if new is not None:
                                dst.write((json.dumps(new, separators=(",", ":")) + "\n").encode())
                            continue
                dst.write(line)
        os.replace(out, path)
        return len(done)

    def move(feat):
        def shift(c):
            return [c[0] + 0.4, c[1]] + c[2:] if isinstance(c[0], (int, float)) else [shift(x) for x in c]
        feat["geometry"]["coordinates"] = shift(feat["geometry"]["coordinates"])
        return feat

    def deeper(feat):
        for key in ("waterdiepte", "depth_m"):
            if isinstance(feat["properties"].get(key), (int, float)):
                feat["properties"][key] = round(feat["properties"][key] + 0.1, 3)
        return feat

    counts["roofs_moved"] = rewrite("roofs.geojsonl", (inside, move))
    counts["landcover_deleted"] = rewrite("landcover.geojsonl", (touches, lambda f: None))
    counts["depths_changed"] = rewrite("inundation.geojsonl", (touches, deeper))
    return [i for i, _ in chosen], counts


def snapshot(folder):
    """Every file under `folder` (profiles/ too), by its path relative to it."""
    out = {}
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(top, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, folder)] = f.read()
    return out


def comparable_manifest(raw):
    m = json.loads(raw)
    for k in ("started", "finished", "timings_s", "indicator_cpu_s", "incremental"):
        m.pop(k, None)
    m.get("pipeline", {}).pop("output_directory", None)
    m.get("options", {}).pop("threads", None)
    for i in m.get("inputs", []):
        i.pop("cpu_s", None)
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="L")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--fraction", type=float, default=0.01, help="share of the terreinen whose features change")
    ap.add_argument("--terrein", default=os.path.join(ROOT, ".build/release/terrein"))
    ap.add_argument("--data", help="folder for the data (default bench/data/incr-<scale>)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/results/incremental.json"))
    ap.add_argument("--pristine", help="keep the synthesised data in this folder and copy it from there on later "
                                         "runs (synthesising scale L takes minutes); default: synthesise every time")
    args = ap.parse_args()

    data = args.data or os.path.join(ROOT, "bench/data", f"incr-{args.scale}")
    if os.path.exists(data):
        shutil.rmtree(data)
    t0 = time.monotonic()
    source = args.pristine or data
    marker = os.path.join(source, "pristine.json")
    made = {"scale": args.scale, "seed": args.seed}
    if not (args.pristine and os.path.exists(marker) and json.load(open(marker)) == made):
        if os.path.exists(source):
            shutil.rmtree(source)
        os.makedirs(source)
        subprocess.run([args.terrein, "synth", "--scale", args.scale, "--seed", str(args.seed), "--out", source],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"synth {args.scale}: {time.monotonic() - t0:.1f} s", flush=True)
        if args.pristine:
            with open(marker, "w") as f:
                json.dump(made, f)
    if args.pristine:
        shutil.copytree(args.pristine, data, ignore=shutil.ignore_patterns("pristine.json"))
        print(f"copied the data from {args.pristine}", flush=True)
    pipeline = os.path.join(data, "pipeline.yml")
    inc, full = os.path.join(data, "out-incremental"), os.path.join(data, "out-full")
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    base = [args.terrein, "run", pipeline, "--threads", str(args.threads)]
    logs = os.path.join(data, "logs")
    os.makedirs(logs)
    results = {"scale": args.scale, "seed": args.seed, "threads": args.threads, "fraction": args.fraction}

    def step(name, cmd):
        wall, cpu, rss, code = timed(cmd, os.path.join(logs, name + ".log"), env)
        if code != 0:
            sys.exit(f"{name}: exit {code}, see {logs}/{name}.log")
        results[name] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(rss)}
        print(f"{name:<14} {wall:8.2f} s wall {cpu:8.2f} s CPU {rss:7.0f} MB", flush=True)

    step("full_base", base + ["--output", inc])
    step("same_inputs", base + ["--output", inc])
    t0 = time.monotonic()
    ids, counts = mutate(data, args.fraction, args.seed)
    print(f"mutated {len(ids)} terreinen ({counts}) in {time.monotonic() - t0:.1f} s", flush=True)
    results["mutated_terreinen"], results["mutations"] = len(ids), counts
    step("incremental", base + ["--output", inc])
    step("full_mutated", base + ["--full", "--output", full])

    with open(os.path.join(inc, "manifest.json")) as f:
        results["reuse"] = json.load(f).get("incremental")
    a, b = snapshot(inc), snapshot(full)
    same = set(a) == set(b) and all(a[n] == b[n] for n in a if n != "manifest.json") \
        and comparable_manifest(a["manifest.json"]) == comparable_manifest(b["manifest.json"])
    differing = sorted(n for n in set(a) | set(b) if n != "manifest.json" and a.get(n) != b.get(n))
    results["identical_to_full"] = same
    results["ratio_incremental_over_full"] = round(results["incremental"]["wall_s"] / results["full_mutated"]["wall_s"], 3)
    r = results["reuse"] or {}
    print(f"reuse: {r.get('reused')} reused, {r.get('recomputed')} recomputed, reasons {r.get('reasons')}")
    print(f"incremental / full (wall): {results['ratio_incremental_over_full']:.3f} "
          f"(target <= 0.2: {'met' if results['ratio_incremental_over_full'] <= 0.2 else 'not met'})")
    print("bytes identical to the full run: " + ("yes" if same else f"NO ({differing or 'manifest'})"))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
