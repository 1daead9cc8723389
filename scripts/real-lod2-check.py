#!/usr/bin/env python3
"""Cross-check on real roof geometry: CityJSON LoD2 models -> `terrein roofs-from-cityjson`
-> a grid of terreinen over each model -> `terrein run` and the GeoPandas reference ->
reference/crosscheck.py.  Usage: real-lod2-check.py TERREIN_BINARY LOD2_DIR WORK_DIR
The real data stays outside the repository; everything is written to WORK_DIR."""
import json
import subprocess
import sys
from pathlib import Path

terrein, lod2, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
work.mkdir(parents=True, exist_ok=True)
repo = Path(__file__).resolve().parent.parent


def run(*args):
    subprocess.run([str(a) for a in args], check=True)


features, roofs = [], []
for city in sorted(lod2.glob("*.city.json")):
    out = work / (city.name.split(".")[0] + ".geojson")
    run(terrein, "roofs-from-cityjson", city, "-o", out, "--quiet")
    fc = json.loads(out.read_text())
    roofs += fc["features"]
    xs = [p[0] for f in fc["features"] for p in f["geometry"]["coordinates"][0]]
    ys = [p[1] for f in fc["features"] for p in f["geometry"]["coordinates"][0]]
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    n, name = 3, city.name.split(".")[0]
    dx, dy = (x1 - x0) / n, (y1 - y0) / n
    for i in range(n):
        for j in range(n):
            # Cells overlap by 1 m, so faces on the lines are split between terreinen.
            a, b = x0 + i * dx - 1, y0 + j * dy - 1
            c, d = a + dx + 2, b + dy + 2
            features.append({"type": "Feature", "properties": {"id": f"{name}-{i}{j}", "region": name},
                             "geometry": {"type": "Polygon", "coordinates": [[[a, b], [c, b], [c, d], [a, d], [a, b]]]}})
if not roofs:
    sys.exit(f"no *.city.json in {lod2}")
(work / "terreinen.geojson").write_text(json.dumps(
    {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:28992"}}, "features": features}))
with (work / "roofs.geojsonl").open("w") as fh:
    for f in roofs:
        fh.write(json.dumps(f) + "\n")
(work / "real.yml").write_text(
    "name: real-lod2\nlayers:\n  terreinen: {path: terreinen.geojson}\n"
    "  roofs: {path: roofs.geojsonl, crs: EPSG:28992}\noutputs: {directory: out, formats: [csv]}\n")
run(terrein, "run", work / "real.yml", "--quiet")
run(sys.executable, repo / "reference/geopandas_impl.py", work / "real.yml", "--out", work / "geopandas", "--quiet")
run(sys.executable, repo / "reference/crosscheck.py", work / "out", work / "geopandas")
print(f"real LoD2: {len(roofs)} roof faces in {len(features)} terreinen cross-checked")
