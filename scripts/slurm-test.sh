#!/usr/bin/env bash
# The Slurm proof (docs/large-runs.md): a single-node cluster on loopback, a 4-shard array
# job and the dependent merge job on benchmark scale S, their outputs compared byte for
# byte with a local single run. As root (as CI runs) it installs Debian's slurm-wlm and
# munge when missing, writes its own munge key and slurm.conf into a scratch folder, starts
# munged, slurmctld and slurmd, and stops them again on exit; as a plain user it skips.
#   bash scripts/slurm-test.sh [TERREIN_BIN]      (default .build/debug/terrein)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
terrein=$(realpath "${1:-.build/debug/terrein}")
shards=4

t0=$(date +%s); tstep=$t0; sname=""
step() {
  local now; now=$(date +%s)
  if [ -n "$sname" ]; then echo "   (slurm: $sname: $((now - tstep)) s)"; fi
  sname=$1; tstep=$now
  [ "$1" = done ] || echo "-- $1"
}

if [ "$(id -u)" != 0 ]; then
  echo "slurm test skipped: it installs slurm-wlm and munge and starts slurmctld, slurmd and munged, which needs root (CI runs as root)"
  exit 0
fi
[ -x "$terrein" ] || { echo "no terrein executable at $terrein: build it first (swift build)" >&2; exit 1; }

step "install slurm-wlm and munge (when missing)"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge >/dev/null; }
fi
echo "$(slurmctld -V), munge $(munged --version 2>&1 | head -1 | awk '{print $2}')"

# Everything of this cluster lives here; the daemons are ours and stopped on exit.
w=$(mktemp -d /tmp/terrein-slurm.XXXXXX)
chmod 755 "$w"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$status" != 0 ]; then
    for f in "$w"/slurmctld.log "$w"/slurmd.log "$w"/munged.log "$w"/jobs/*.log; do
      [ -f "$f" ] && { echo "--- $f (last lines)"; tail -20 "$f"; }
    done
  fi
  rm -rf "$w"
  exit "$status"
}
trap cleanup EXIT

step "start munged, slurmctld and slurmd on 127.0.0.1"
mkdir -p "$w/munge" "$w/state" "$w/spool" "$w/jobs"
chmod 755 "$w/munge"
dd if=/dev/urandom of="$w/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$w/munge/munge.key"
munged --foreground --force --key-file="$w/munge/munge.key" --socket="$w/munge/munge.socket" \
  --pid-file="$w/munge/munged.pid" --log-file="$w/munged.log" --seed-file="$w/munge/munge.seed" >"$w/munged.out" 2>&1 &
pids+=($!)
# Two free ports above 20000, by the port numbers in use.
used=$(ss -Htan 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u || true)
port=$((20000 + RANDOM % 20000))
while echo "$used" | grep -qx "$port\|$((port + 1))"; do port=$((port + 2)); done
cpus=$(nproc)
cat > "$w/slurm.conf" <<CONF
ClusterName=terreintest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$w/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$w/state
SlurmdSpoolDir=$w/spool
SlurmctldPidFile=$w/slurmctld.pid
SlurmdPidFile=$w/slurmd.pid
SlurmctldLogFile=$w/slurmctld.log
SlurmdLogFile=$w/slurmd.log
# One node, no cgroups: Linux process tracking and no task affinity.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
# No accounting database.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=600
MailProg=/bin/true
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=terrein Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$w/slurm.conf
for _ in $(seq 50); do [ -S "$w/munge/munge.socket" ] && break; sleep 0.1; done
slurmctld -D -i -f "$w/slurm.conf" >"$w/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N localhost -f "$w/slurm.conf" >"$w/slurmd.out" 2>&1 &
pids+=($!)
ready=""
for _ in $(seq 120); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
  case "$state" in idle*|mix*|alloc*) ready=1; break ;; esac
  sleep 0.5
done
[ -n "$ready" ] || { echo "the node did not come up (state: ${state:-none})" >&2; cat "$w"/slurmctld.out "$w"/slurmd.out >&2; exit 1; }
echo "node localhost $(sinfo -h -N -o '%T, %c CPUs'), slurmctld port $port"

step "benchmark data at scale S, and a local single run"
export SOURCE_DATE_EPOCH=1700000000
"$terrein" synth --scale S --seed 7 --out "$w/S" --quiet >/dev/null
"$terrein" run "$w/S/pipeline.yml" --output "$w/single" --quiet

step "plan, submit the $shards-shard array and the dependent merge job"
export TERREIN_BIN=$terrein TERREIN_SHARDS_DIR=$w/shards TERREIN_OUTPUT=$w/merged
export TERREIN_PLAN=$w/shards/plan.json
cd "$w/jobs"
out=$(bash "$repo/deploy/slurm/submit.sh" "$w/S/pipeline.yml" "$shards" --cpus-per-task=1 --mem=0)
echo "$out"
array=$(echo "$out" | awk '{print $3}'); merge=$(echo "$out" | awk '{print $NF}')
cd "$repo"

step "wait for the jobs (at most 10 minutes)"
deadline=$(( $(date +%s) + 600 ))
while [ -n "$(squeue -h -j "$array,$merge" -o %i 2>/dev/null)" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "the jobs did not finish in 10 minutes" >&2; squeue >&2; exit 1; }
  sleep 2
done
for id in "${array}_1" "${array}_2" "${array}_3" "${array}_4" "$merge"; do
  line=$(scontrol -o show job "$id")
  st=$(echo "$line" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2); ec=$(echo "$line" | grep -o ' ExitCode=[0-9:]*' | cut -d= -f2)
  echo "job $id: $st, exit $ec"
  [ "$st" = COMPLETED ] || { echo "job $id did not complete" >&2; exit 1; }
done

step "compare the merged outputs with the single run"
n=0
for f in "$w"/single/*; do
  name=$(basename "$f")
  [ "$name" = manifest.json ] && continue
  cmp "$f" "$w/merged/$name"
  n=$((n + 1))
done
[ "$(ls "$w/single" | sort)" = "$(ls "$w/merged" | sort)" ] || { echo "the merged folder holds other files" >&2; exit 1; }
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); s=m["sharded"]; assert len(s["shards"])==4, s; print("merged manifest: plan", s["plan_id"][:12], "shards", [x["shard"] for x in s["shards"]], "wall_s", [x["wall_s"] for x in s["shards"]])' "$w/merged/manifest.json"
echo "slurm: $n files byte-identical to the single run ($(($(wc -l < "$w/single/indicators.csv") - 1)) terreinen, $shards shards)"
step done
echo "   (slurm test total: $(( $(date +%s) - t0 )) s)"
