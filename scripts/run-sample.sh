#!/usr/bin/env bash
# One command on a fresh machine: install what is needed, build, run the sample pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --release
swift build -c release --product terrein
.build/release/terrein run Pipelines/sample.yml "$@"
echo "Results in Output/sample/: $(cd Output/sample && ls | tr "\n" " ")"
