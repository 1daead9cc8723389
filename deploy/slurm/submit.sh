#!/bin/bash
# Plans a pipeline into N shards and submits the shard array and the dependent merge job.
#   deploy/slurm/submit.sh PIPELINE.yml N [extra sbatch options...]
# Prints the two job ids. Environment as in deploy/slurm/README.md.
set -euo pipefail
pipeline=$(realpath "$1"); n=$2; shift 2
here=$(dirname "$(realpath "$0")")
terrein=${TERREIN_BIN:-terrein}
export TERREIN_PIPELINE=$pipeline TERREIN_SHARDS=$n
export TERREIN_SHARDS_DIR=${TERREIN_SHARDS_DIR:-$(dirname "$pipeline")/shards}
export TERREIN_PLAN=${TERREIN_PLAN:-$TERREIN_SHARDS_DIR/plan.json}
mkdir -p "$TERREIN_SHARDS_DIR"
"$terrein" plan "$pipeline" --shards "$n" --out "$TERREIN_PLAN" --log-format json
array=$(sbatch --parsable --export=ALL --array="1-$n" "$@" "$here/terrein-array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" --kill-on-invalid-dep=yes "$@" "$here/terrein-merge.sbatch")
echo "array job $array (shards 1-$n), merge job ${merge%%;*}"
