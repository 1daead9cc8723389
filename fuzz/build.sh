#!/usr/bin/env bash
# Builds the libFuzzer harnesses into fuzz/build/ (git-ignored).
#
#   fuzz/build.sh            both harnesses
#   fuzz/build.sh geojson    the GeoJSON reader only
#   fuzz/build.sh pipeline   the pipeline loader only
#   fuzz/build.sh raster     the raster window code only (CellGrid, CellCentres, Raster)
#
# The GeoJSON reader needs TerreinIO and TerreinJSON (the scanner; TerreinIO hashes inputs with swift-crypto), the pipeline
# loader TerreinCore with Yams (C + Swift), GEOS and PROJ. SwiftPM cannot link a libFuzzer
# executable (it renames `main`; libFuzzer brings its own), so SwiftPM only compiles the
# package's library targets, with coverage and AddressSanitizer, into a private scratch
# path (.build-fuzz); each harness is then compiled with swiftc -sanitize=fuzzer,address
# and linked against those modules and object files.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/fuzz/build
mkdir -p "$OUT"
what=${1:-all}
# ld.gold warns once per ASan helper symbol ("Cannot export local symbol"): noise.
quiet_ld() { grep -v "Cannot export local symbol" >&2 || true; }

SCRATCH=$ROOT/.build-fuzz
# Coverage-instrumented, ASan-checked library code: -sanitize=fuzzer on a library target
# only instruments (nothing is linked, so libFuzzer's main does not clash with SwiftPM's).
# The raster harness needs only TerreinGDAL (and TerreinGeometry): a much shorter build.
target=TerreinCore
[[ $what == raster ]] && target=TerreinGDAL
swift build --scratch-path "$SCRATCH" --target "$target" \
    -Xswiftc -sanitize=fuzzer,address \
    -Xcc -fsanitize=address -Xcc -fsanitize=fuzzer-no-link
BIN=$(cd "$SCRATCH/debug" && pwd -P)   # a symlink: find would not enter it
# Every object file of the libraries TerreinCore links (not the executable, not tests).
mapfile -t OBJECTS < <(find "$BIN" -name '*.o' \
    \( -path '*/TerreinCore.build/*' -o -path '*/TerreinIO.build/*' -o -path '*/TerreinJSON.build/*' -o -path '*/TerreinGeometry.build/*' \
       -o -path '*/TerreinGDAL.build/*' \
       -o -path '*/CTerreinSupport.build/*' -o -path '*/Yams.build/*' -o -path '*/CYaml.build/*' \
       -o -path '*/GRDB.build/*' -o -path '*/Crypto.build/*' -o -path '*/CCryptoBoringSSL.build/*' \
       -o -path '*/CCryptoBoringSSLShims.build/*' -o -path '*/CryptoBoringWrapper.build/*' \
       -o -path '*/SwiftASN1.build/*' -o -path '*/Logging.build/*' \) | sort)
if [[ $what == raster ]]; then
    mapfile -t OBJECTS < <(printf '%s\n' "${OBJECTS[@]}" | grep -E '/(TerreinGDAL|TerreinGeometry)\.build/')
fi
# The C modules those Swift modules import: ours, and the dependencies' (from their checkouts).
MODULE_MAPS=("$ROOT/Sources/CGEOS/module.modulemap" "$ROOT/Sources/CPROJ/module.modulemap"
             "$ROOT/Sources/CGDAL/module.modulemap" "$BIN/CTerreinSupport.build/module.modulemap")
mapfile -t -O 4 MODULE_MAPS < <(find "$SCRATCH/checkouts" -path '*/Sources/*' -name module.modulemap \
    \( -path '*/GRDBSQLite/*' -o -path '*/CYaml/*' -o -path '*/CCryptoBoringSSL*' \))
MAP_FLAGS=()
for m in "${MODULE_MAPS[@]}"; do [[ -f $m ]] && MAP_FLAGS+=(-Xcc "-fmodule-map-file=$m"); done

link() {  # module binary
    local module=$1 binary=$2
    swiftc -sanitize=fuzzer,address -parse-as-library -g \
        -module-name "$module" \
        -I "$BIN/Modules" "${MAP_FLAGS[@]}" \
        "fuzz/$module.swift" "${OBJECTS[@]}" \
        $(pkg-config --cflags-only-I gdal | sed 's/-I/-Xcc -I/g') \
        -lgeos_c -lproj -lgdal -lsqlite3 -lstdc++ \
        -o "$OUT/$binary" 2> >(quiet_ld)
    echo "built $OUT/$binary"
}

[[ $what == all || $what == geojson ]] && link GeoJSONReaderFuzz geojson-reader-fuzz
[[ $what == all || $what == pipeline ]] && link PipelineLoaderFuzz pipeline-loader-fuzz
[[ $what == all || $what == raster ]] && link RasterWindowFuzz raster-window-fuzz
exit 0
