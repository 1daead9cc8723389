#!/usr/bin/env bash
# One command on a fresh machine: install what is needed, build, run every test:
# the Swift unit and end-to-end tests, the reference implementation's own tests, and
# the cross-check of the sample's tables against the independent GeoPandas implementation.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --python --browser

echo "== swift test"
swift build --build-tests
set +e
swift test --skip-build 2>&1 | grep -vE "^Test Case .*(started|passed)"
status=${PIPESTATUS[0]}
set -e
if [ "$status" != 0 ]; then echo "swift test failed (exit $status)" >&2; exit "$status"; fi

echo "== cross-check: Terrein vs the GeoPandas reference on the sample"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
.build/debug/terrein run Pipelines/sample.yml --output "$out/terrein" --quiet
python3 reference/geopandas_impl.py Pipelines/sample.yml --out "$out/geopandas"
python3 reference/crosscheck.py "$out/terrein" "$out/geopandas"

echo "== reference implementation tests"
python3 -m pytest -q reference/tests
