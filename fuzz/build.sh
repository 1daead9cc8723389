#!/usr/bin/env bash
# Builds the libFuzzer harnesses into fuzz/build/ (git-ignored).
#
#   fuzz/build.sh            both harnesses
#   fuzz/build.sh geojson    the GeoJSON reader only
#   fuzz/build.sh pipeline   the pipeline loader only
#
# geojson: swiftc -sanitize=fuzzer,address on the harness plus the reader's four source
#   files, compiled into one module (no package build needed).
# pipeline: Pipeline.parse needs Yams (C + Swift), TerreinGeometry (GEOS, PROJ) and
#   TerreinIO; SwiftPM cannot link a libFuzzer executable (it renames `main`), so the
#   package's library targets are built by SwiftPM with sanitizer coverage and AddressSanitizer
#   into a private scratch path (.build-fuzz), and the harness is compiled and linked
#   with swiftc against their modules and object files.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/fuzz/build
mkdir -p "$OUT"
what=${1:-all}
# ld.gold warns once per ASan helper symbol ("Cannot export local symbol"): noise.
quiet_ld() { grep -v "Cannot export local symbol" >&2 || true; }

if [[ $what == all || $what == geojson ]]; then
    swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
        -module-name GeoJSONReaderFuzz \
        fuzz/GeoJSONReaderFuzz.swift \
        Sources/TerreinIO/JSONScanner.swift \
        Sources/TerreinIO/GeoJSONReader.swift \
        Sources/TerreinIO/JSONValue.swift \
        Sources/TerreinIO/InputError.swift \
        -o "$OUT/geojson-reader-fuzz" 2> >(quiet_ld)
    echo "built $OUT/geojson-reader-fuzz"
fi

if [[ $what == all || $what == pipeline ]]; then
    SCRATCH=$ROOT/.build-fuzz
    # Coverage-instrumented, ASan-checked library code (no libFuzzer main linked in).
    swift build --scratch-path "$SCRATCH" --target TerreinCore \
        -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp \
        -Xcc -fsanitize=address -Xcc -fsanitize=fuzzer-no-link
    BIN=$SCRATCH/debug
    # Every object file of the libraries TerreinCore links (not the executable, not tests).
    mapfile -t OBJECTS < <(find "$BIN" -name '*.o' \
        \( -path '*/TerreinCore.build/*' -o -path '*/TerreinIO.build/*' -o -path '*/TerreinGeometry.build/*' \
           -o -path '*/CTerreinSupport.build/*' -o -path '*/Yams.build/*' -o -path '*/CYaml.build/*' \
           -o -path '*/GRDB.build/*' -o -path '*/GRDBSQLite.build/*' -o -path '*/Crypto.build/*' -o -path '*/CCryptoBoringSSL.build/*' \
           -o -path '*/CCryptoBoringSSLShims.build/*' -o -path '*/CryptoBoringWrapper.build/*' -o -path '*/Logging.build/*' \) | sort)
    swiftc -sanitize=fuzzer,address -parse-as-library -g \
        -module-name PipelineLoaderFuzz \
        -I "$BIN/Modules" -I "$BIN" \
        -Xcc -fmodule-map-file="$ROOT/Sources/CGEOS/module.modulemap" \
        -Xcc -fmodule-map-file="$ROOT/Sources/CPROJ/module.modulemap" \
        -Xcc -I -Xcc "$ROOT/Sources/CTerreinSupport/include" \
        $(find "$BIN" -name module.modulemap -path '*/CYaml.build/*' -printf '-Xcc -fmodule-map-file=%p ') \
        fuzz/PipelineLoaderFuzz.swift "${OBJECTS[@]}" \
        -lgeos_c -lproj -lsqlite3 -lstdc++ \
        -o "$OUT/pipeline-loader-fuzz" 2> >(quiet_ld)
    echo "built $OUT/pipeline-loader-fuzz"
fi
