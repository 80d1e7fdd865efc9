#!/usr/bin/env bash
# Latencies of the fault handling (issue 11), medians of REPEAT runs:
#   refusal  a spec change refused on rank 0 ends every rank (mpiexec -n 2, -n 3);
#            against the same launch doing a dry run, to take MPI's start-up out
#   stop     SIGTERM to a run in its data stage (2 million strings) until it has exited
#   timeout  a run hung in training until its sweep ends, with --run-timeout 2
# Usage: bench/faults_bench.sh [BUILD_DIR] [REPEAT]
set -uo pipefail
build=$(realpath "${1:-build}")
repeat=${2:-3}
SWEEP=$build/sweep
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
spec() {  # spec FILE SEEDS
  printf '[sweep]\nname = "bench"\n[base]\nexperiment = "a_plus"\n"train.steps" = 30\n"data.n_train" = 300\n"data.L_test_max" = 20\n"data.n_test_per_length" = 20\n[grid]\nseed = [%s]\n' "$2" > "$1"
}
spec a.toml "0, 1"
spec b.toml "0, 1, 2"
"$SWEEP" --spec a.toml --results r >/dev/null 2>&1
for ranks in 2 3; do
  refusal=$(for _ in $(seq "$repeat"); do s=$(date +%s%N); mpiexec -n "$ranks" "$SWEEP" --spec b.toml --results r >/dev/null 2>&1; ms "$s"; done | median)
  dry=$(for _ in $(seq "$repeat"); do s=$(date +%s%N); mpiexec -n "$ranks" "$SWEEP" --spec a.toml --results r --dry-run >/dev/null 2>&1; ms "$s"; done | median)
  echo "refusal   mpiexec -n $ranks: every rank gone after $refusal ms; a dry run of the same launch takes $dry ms"
done
stop=$(for i in $(seq "$repeat"); do
  "$SWEEP" --exp a_plus --set data.n_train=2000000 --set data.L_max=30 --set data.L_test_max=32 --results "s$i" >/dev/null 2>&1 &
  pid=$!
  until grep -qs "=== data ===" "s$i"/a_plus/runs/*/*/logs/run.log; do sleep 0.02; done
  sleep 0.3
  s=$(date +%s%N); kill -TERM "$pid"; wait "$pid"; ms "$s"
done | median)
echo "stop      SIGTERM in the data stage to exit 3: $stop ms"
victim=$("$SWEEP" --spec a.toml --results h --dry-run | awk '$2 == "new" {print $1; exit}')
timeout=$(for i in $(seq "$repeat"); do
  s=$(date +%s%N); REGAL_FAIL_STAGE=train:hang REGAL_FAIL_RUN=$victim "$SWEEP" --spec a.toml --results "h$i" --run-timeout 2 >/dev/null 2>&1; ms "$s"
done | median)
echo "timeout   a sweep of 2 runs, one hung, --run-timeout 2: ends after $timeout ms (2 s of silence, then TERM, 2 s grace, KILL)"
