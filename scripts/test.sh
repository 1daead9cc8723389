#!/usr/bin/env bash
# One command on a fresh machine: install what is needed, build, run every test:
# the Swift unit and end-to-end tests, the reference implementation's own tests, and
# the cross-check of the sample's tables against the independent GeoPandas implementation.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step says how long the one before it took (GDAL, Chromium and a cold build take minutes).
script_start=$(date +%s)
step_start=$script_start
step_name=""
step() {
  local now
  now=$(date +%s)
  if [ -n "$step_name" ]; then echo "   ($step_name: $((now - step_start)) s)"; fi
  step_name=$1
  step_start=$now
  [ "$1" = done ] || echo "== $1"
}

step "setup (system packages, Python stack)"
bash scripts/setup.sh --python --test-tools

step "swift test"
swift build --build-tests
log=$(mktemp)
set +e
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log" | grep -vE "^Test Case .*(started|passed)"
status=${PIPESTATUS[0]}
set -e
if [ "$status" != 0 ]; then echo "swift test failed (exit $status)" >&2; exit "$status"; fi
swift_total=$(grep -E "Test Suite 'All tests' (passed|failed)" -A1 "$log" | grep -oE "Executed [0-9]+" | grep -oE "[0-9]+" | tail -1 || true)
swift_skipped=$(grep -E "Test Suite 'All tests' (passed|failed)" -A1 "$log" | grep -oE "[0-9]+ tests? skipped" | grep -oE "^[0-9]+" | tail -1 || true)
rm -f "$log"

step "cross-check: Terrein vs the GeoPandas reference on the sample"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
.build/debug/terrein run Pipelines/sample.yml --output "$out/terrein" --history "$out/history.gpkg" --quiet
python3 reference/geopandas_impl.py Pipelines/sample.yml --out "$out/geopandas"
python3 reference/crosscheck.py "$out/terrein" "$out/geopandas"

step "cross-check: the sample with its inundation as polygons (Pipelines/sample-polygons.yml)"
.build/debug/terrein run Pipelines/sample-polygons.yml --output "$out/terrein-polygons" --quiet
python3 reference/geopandas_impl.py Pipelines/sample-polygons.yml --out "$out/geopandas-polygons"
python3 reference/crosscheck.py "$out/terrein-polygons" "$out/geopandas-polygons"

step "outputs read by independent tools"
python3 - "$out/terrein/indicators.geojson" <<'PY'
import json, sys, geojson_validator
d = json.load(open(sys.argv[1]))
structure = geojson_validator.validate_structure(d)
geometries = geojson_validator.validate_geometries(d)
assert structure == {}, structure
assert geometries["invalid"] == {} and geometries["problematic"] == {}, geometries
print(f"geojson-validator: {len(d['features'])} features, no structure errors, no invalid or problematic geometries")
PY
ogrinfo -al -so "$out/terrein/indicators.gpkg" terreinen > "$out/ogrinfo.txt" 2> "$out/ogrinfo.err"
if [ -s "$out/ogrinfo.err" ]; then cat "$out/ogrinfo.err" >&2; echo "ogrinfo warned about indicators.gpkg" >&2; exit 1; fi
for col in id name region area_m2 solar_mwh_yr n2k_within_500m water_exposure storage_required_m3; do
  grep -q "^$col: " "$out/ogrinfo.txt" || { echo "ogrinfo does not list column $col" >&2; cat "$out/ogrinfo.txt" >&2; exit 1; }
done
# GDAL reads the schema extension: the class column's enum constraint is its field domain.
grep -q "^water_exposure: String (0.0), domain name=water_exposure_classes" "$out/ogrinfo.txt" \
  || { echo "ogrinfo does not see the water_exposure domain (gpkg_data_column_constraints)" >&2; exit 1; }
echo "ogrinfo: layer terreinen with $(grep -c ': ' "$out/ogrinfo.txt") lines, every checked column listed, no warnings"
# GDAL's GeoPackage validator (gdal-utils' validate_gpkg.py) on the python that has GDAL's
# bindings (Debian's python3-gdal), every requirement it knows, warnings counted as errors.
validate_gpkg=$(python3 -c 'import importlib.util as u; print(u.find_spec("osgeo_utils.samples.validate_gpkg").origin)')
gdal_python=$(for p in python3 /usr/bin/python3; do "$p" -c 'import osgeo.ogr' 2>/dev/null && { command -v "$p"; break; }; done)
[ -n "$gdal_python" ] || { echo "no python3 with GDAL's bindings (osgeo): install python3-gdal" >&2; exit 1; }
"$gdal_python" "$validate_gpkg" -k --warning-as-error "$out/terrein/indicators.gpkg"
echo "validate_gpkg.py (gdal-utils $(python3 -c 'import importlib.metadata as m; print(m.version("gdal-utils"))'), GDAL $("$gdal_python" -c 'from osgeo import gdal; print(gdal.__version__)')): indicators.gpkg, no error or warning"
# The run history (docs/history.md) after a second run of the sample: also a valid GeoPackage.
.build/debug/terrein run Pipelines/sample.yml --output "$out/terrein-again" --history "$out/history.gpkg" --quiet
"$gdal_python" "$validate_gpkg" -k --warning-as-error "$out/history.gpkg"
echo "validate_gpkg.py: the run history with $(.build/debug/terrein history "$out/history.gpkg" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["runs"]))') runs, no error or warning"
# The Frictionless data package: the descriptor, both CSVs against their Table Schema, bytes and hashes.
frictionless validate "$out/terrein/datapackage.json" > "$out/frictionless.txt" 2>&1 \
  || { cat "$out/frictionless.txt" >&2; echo "frictionless: datapackage.json is not valid" >&2; exit 1; }
echo "frictionless $(python3 -c 'import importlib.metadata as m; print(m.version("frictionless"))'): datapackage.json valid ($(grep -c VALID "$out/frictionless.txt") resources)"

step "determinism at benchmark scale S: --threads 1 and 2 give the same bytes"
.build/debug/terrein synth --scale S --seed 7 --out "$out/S" --quiet > /dev/null
# Every format (the benchmark pipeline writes CSV only): the report and profiles are compared too.
sed 's/^  formats: \[csv\]$/  formats: [csv, geojson, gpkg, report]/' "$out/S/pipeline.yml" > "$out/S/all-formats.yml"
grep -q 'formats: \[csv, geojson, gpkg, report\]' "$out/S/all-formats.yml"
.build/debug/terrein run "$out/S/all-formats.yml" --output "$out/S1" --threads 1 --quiet
.build/debug/terrein run "$out/S/all-formats.yml" --output "$out/S2" --threads 2 --quiet
cmp "$out/S1/indicators.csv" "$out/S2/indicators.csv"
cmp "$out/S1/regions.csv" "$out/S2/regions.csv"
echo "scale S: $(($(wc -l < "$out/S1/indicators.csv") - 1)) terreinen, identical with 1 and 2 threads"

step "report and profiles in headless Chromium (DevTools protocol): load, console, hover, search, filter, sort, profile, A4 PDF"
# scripts/browser-check.py starts and stops Chromium itself; its docstring lists every check.
python3 scripts/browser-check.py "$out/terrein" --pdf
python3 scripts/browser-check.py "$out/S1"
diff -r "$out/S1/profiles" "$out/S2/profiles" && cmp "$out/S1/report.html" "$out/S2/report.html"
echo "scale S: report.html and $(ls "$out/S1/profiles" | wc -l) profiles identical with 1 and 2 threads"

step "sharded run on a single-node Slurm cluster: 4-shard array + merge at scale S == a single run (scripts/slurm-test.sh)"
bash scripts/slurm-test.sh .build/debug/terrein

lod2="../shared/data/real-lod2"
if ls "$lod2"/*.city.json >/dev/null 2>&1; then
  step "cross-check on real LoD2 roofs ($lod2)"
  python3 scripts/real-lod2-check.py .build/debug/terrein "$lod2" "$out/real-lod2"
else
  step "cross-check on real LoD2 roofs: skipped, $lod2 is not beside this checkout"
fi

step "reference implementation tests, and the JSON Schema against the pipeline-file corpus"
plog=$(mktemp)
python3 -m pytest -q reference/tests bench/test_duckdb_impl.py schema/tests | tee "$plog"
py_passed=$(grep -oE "[0-9]+ passed" "$plog" | grep -oE "[0-9]+" | tail -1 || true)
rm -f "$plog"

step done
swift_skipped=${swift_skipped:-0}
echo "== total $(( $(date +%s) - script_start )) s"
echo "== summary: swift test ${swift_total:-0} executed (${swift_skipped} skipped), cross-check ok, pytest ${py_passed:-0} passed"
echo "$(( ${swift_total:-0} - swift_skipped + ${py_passed:-0} + 1 )) passed, 0 failed, ${swift_skipped} skipped"
