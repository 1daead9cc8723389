#!/usr/bin/env bash
# Runs one libFuzzer harness for a while, under nice, keeping everything it makes in
# fuzz/artifacts/<harness>/ (git-ignored): the growing corpus, crashers, the log.
#
#   fuzz/run.sh geojson 1800          # 30 minutes on the GeoJSON reader
#   fuzz/run.sh pipeline 1800 -jobs=1 # extra arguments go to libFuzzer
#
# Build first with fuzz/build.sh. The seed corpus in fuzz/corpus/<harness>/ is only read.
# Crashers land in fuzz/artifacts/<harness>/crash-*; copy each into
# Tests/TerreinTests/Fixtures/fuzz-regressions/<harness>/ once fixed.
set -euo pipefail
cd "$(dirname "$0")"
name=${1:?usage: fuzz/run.sh geojson|pipeline|raster SECONDS [libFuzzer args...]}
seconds=${2:-60}
shift 2 || true
case $name in
    geojson)  bin=build/geojson-reader-fuzz;  dict=geojson.dict ;;
    pipeline) bin=build/pipeline-loader-fuzz; dict=pipeline.dict ;;
    raster)   bin=build/raster-window-fuzz;   dict= ;;
    *) echo "unknown harness $name (geojson, pipeline or raster)" >&2; exit 2 ;;
esac
[[ -x $bin ]] || { echo "$bin is missing: run fuzz/build.sh $name" >&2; exit 2; }
work=artifacts/$name
mkdir -p "$work/corpus"
log=$work/fuzz-$(date +%Y%m%d-%H%M%S).log
echo "fuzzing $name for $seconds s; log: fuzz/$log" >&2
# ASan: report leaks off (Swift runtime caches look like leaks); keep going after nothing.
# The Swift runtime's backtracer would catch a trap before libFuzzer saves the input: off.
SWIFT_BACKTRACE=enable=no \
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1} \
nice -n 10 "$bin" "$work/corpus" "corpus/$name" \
    ${dict:+-dict="$dict"} -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -artifact_prefix="$work/" -print_final_stats=1 "$@" 2>&1 | tee "$log" | grep -E "^#[0-9]+.*(pulse|DONE)|ERROR|SUMMARY|crash-|timeout-|oom-|stat::" >&2 || true
status=${PIPESTATUS[0]}
echo "exit $status; crashers: $(ls "$work" | grep -cE '^(crash|timeout|oom|leak)-' || true)" >&2
exit "$status"
