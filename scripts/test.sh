#!/usr/bin/env bash
# One command on a fresh machine: install what is needed, build, run every test:
# the Swift unit and end-to-end tests, the reference implementation's own tests, and
# the cross-check of the sample's tables against the independent GeoPandas implementation.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --python --browser

echo "== swift test"
swift build --build-tests
log=$(mktemp)
set +e
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log" | grep -vE "^Test Case .*(started|passed)"
status=${PIPESTATUS[0]}
set -e
if [ "$status" != 0 ]; then echo "swift test failed (exit $status)" >&2; exit "$status"; fi
swift_total=$(grep -E "Test Suite 'All tests' (passed|failed)" -A1 "$log" | grep -oE "Executed [0-9]+" | grep -oE "[0-9]+" | tail -1)
swift_skipped=$(grep -E "Test Suite 'All tests' (passed|failed)" -A1 "$log" | grep -oE "[0-9]+ tests? skipped" | grep -oE "^[0-9]+" | tail -1)
rm -f "$log"

echo "== cross-check: Terrein vs the GeoPandas reference on the sample"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
.build/debug/terrein run Pipelines/sample.yml --output "$out/terrein" --quiet
python3 reference/geopandas_impl.py Pipelines/sample.yml --out "$out/geopandas"
python3 reference/crosscheck.py "$out/terrein" "$out/geopandas"

lod2="../shared/data/real-lod2"
if ls "$lod2"/*.city.json >/dev/null 2>&1; then
  echo "== cross-check on real LoD2 roofs ($lod2)"
  python3 scripts/real-lod2-check.py .build/debug/terrein "$lod2" "$out/real-lod2"
else
  echo "== cross-check on real LoD2 roofs: skipped, $lod2 is not beside this checkout"
fi

echo "== reference implementation tests"
plog=$(mktemp)
python3 -m pytest -q reference/tests bench/test_duckdb_impl.py | tee "$plog"
py_passed=$(grep -oE "[0-9]+ passed" "$plog" | grep -oE "[0-9]+" | tail -1)
rm -f "$plog"

swift_skipped=${swift_skipped:-0}
echo "== summary: swift test ${swift_total:-0} executed (${swift_skipped} skipped), cross-check ok, pytest ${py_passed:-0} passed"
echo "$(( ${swift_total:-0} - swift_skipped + ${py_passed:-0} + 1 )) passed, 0 failed, ${swift_skipped} skipped"
