#!/usr/bin/env bash
# A sweep over MPI ranks as a user runs it: usage: sweep_mpi_test.sh SWEEP AGGREGATE RANKS
# A tiny sweep completes with all rows; a run whose child is SIGKILLed is
# recorded failed while the others finish; a rerun skips done runs; the
# aggregate tool's tables equal the reducer's; a single process gives the same
# metrics; spec errors and spec changes are refused with exit 2.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
SWEEP=$(realpath "$1"); AGGREGATE=$(realpath "$2"); RANKS=$3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN=(mpiexec -n "$RANKS" --oversubscribe)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cat > spec.toml <<'TOML'
[sweep]
name = "tiny"
description = "test sweep"
exclude = [{ language = "no_aa", seed = 1 }]

[base]
experiment = "a_plus"
"train.steps" = 30
"train.eval_every" = 15
"data.n_train" = 300
"data.n_val" = 100
"data.L_test_max" = 20
"data.n_test_per_length" = 20

[grid]
language = ["parity", "no_aa", { name = "ab_plus", regex = "(ab)+", alphabet = "ab" }]
seed = [0, 1]
TOML

# Which run to crash: the plan is deterministic, so a dry run names it.
"$SWEEP" --spec spec.toml --dry-run --results r > plan.txt
victim=$(awk '$2 == "new" && $3 == "no_aa" {print $1}' plan.txt)
[ -n "$victim" ] && ok "dry run lists the runs" || bad "dry run lists the runs"
[ ! -e r ] && ok "dry run writes nothing" || bad "dry run wrote files"

REGAL_FAIL_STAGE=train:kill REGAL_FAIL_RUN=$victim "${MPIRUN[@]}" "$SWEEP" --spec spec.toml --results r >out.txt 2>err.txt
check "a failed run: exit 1" 1 $?
check "every run has a row" 5 "$(($(wc -l < r/tiny/aggregate/runs.csv) - 1))"
check "four done" 4 "$(grep -c ',done,' r/tiny/aggregate/runs.csv)"
grep -q "^$victim,failed,.*killed by signal 9" r/tiny/aggregate/runs.csv && ok "the killed run is failed, with the signal" || bad "killed run row: $(grep "$victim" r/tiny/aggregate/runs.csv)"
grep -q "\[5/5\]" err.txt && ok "progress lines" || bad "progress lines"
grep -q "$victim failed in train" err.txt && ok "the failure's line names stage" || bad "failure line"
grep -q "rank $((RANKS - 1))" err.txt && ok "every rank took part" || bad "rank $((RANKS - 1)) missing"
for f in spec.toml plan.json plan_full.json aggregate/summary.csv aggregate/summary.json aggregate/runs.json aggregate/sweep.h5; do
  [ -s "r/tiny/$f" ] && ok "wrote $f" || bad "missing $f"
done
"${REGAL_PYTHON:-/usr/bin/python3}" - r/tiny/aggregate/sweep.h5 <<'PY' && ok "sweep.h5 holds every run's curves" || bad "sweep.h5"
import h5py, sys
f = h5py.File(sys.argv[1])
runs = f["runs"]
assert len(runs) == 5
done = [r for r in runs if runs[r].attrs["status"] == "done"]
assert len(done) == 4
for r in done:
    assert len(runs[r]["history/val_acc"]) >= 1 and len(runs[r]["eval/test_id/accuracy"]) >= 1
PY

# The offline tool rebuilds the same tables from the run folders alone.
"$AGGREGATE" r/tiny --out agg >/dev/null 2>&1
for t in runs.csv summary.csv runs.json summary.json; do
  cmp -s "agg/$t" "r/tiny/aggregate/$t" && ok "aggregate $t equals the reducer's" || bad "aggregate $t differs"
done

# A rerun skips done runs; --retry-failed reruns the failed one only.
"${MPIRUN[@]}" "$SWEEP" --spec spec.toml --results r >/dev/null 2>err2.txt
check "rerun: failed run stays failed, exit 1" 1 $?
grep -q "0 to run" err2.txt && ok "rerun: nothing to run" || bad "rerun: $(grep 'to run' err2.txt)"
"${MPIRUN[@]}" "$SWEEP" --spec spec.toml --results r --retry-failed >/dev/null 2>err3.txt
check "retry: exit 0" 0 $?
grep -q "1 to run" err3.txt && ok "retry: only the failed run" || bad "retry: $(grep 'to run' err3.txt)"
check "retry: all done" 5 "$(grep -c ',done,' r/tiny/aggregate/runs.csv)"

# Run folders are sharded by the run id's first two hex digits.
[ -d "r/tiny/runs/${victim:0:2}/$victim" ] && ok "run folders are sharded" || bad "no runs/${victim:0:2}/$victim"
# A sweep written before the sharding (flat runs/<id>/) still reads and resumes.
cp -r r old && for d in old/tiny/runs/??/*/; do mv "$d" old/tiny/runs/; done && rmdir old/tiny/runs/??
"$AGGREGATE" old/tiny --out old_agg >/dev/null 2>&1
cmp -s old_agg/runs.csv r/tiny/aggregate/runs.csv && ok "older flat layout: aggregate reads it" || bad "older flat layout: aggregate differs"
"${MPIRUN[@]}" "$SWEEP" --spec spec.toml --results old >/dev/null 2>err_old.txt
check "older flat layout: rerun exit 0" 0 $?
grep -q "0 to run" err_old.txt && ok "older flat layout: done runs are found" || bad "older flat layout: $(grep 'to run' err_old.txt)"
[ -z "$(ls -d old/tiny/runs/??/ 2>/dev/null)" ] && ok "older flat layout: no run moved to a shard" || bad "older flat layout: shards appeared"

# One process gives the same metrics (timings aside).
"$SWEEP" --spec spec.toml --results single >/dev/null 2>&1
check "single process = $RANKS ranks" "$(untimed r/tiny/aggregate/runs.csv)" "$(untimed single/tiny/aggregate/runs.csv)"

# Re-evaluation shared among the ranks: every rank a share, the same tables.
before=$(untimed r/tiny/aggregate/runs.csv)
"${MPIRUN[@]}" "$SWEEP" --spec spec.toml --results r --reevaluate --no-report >re.txt 2>re_err.txt
check "--reevaluate under mpiexec: exit 0" 0 $?
grep -q "re-evaluating 5 runs on $RANKS ranks" re_err.txt && grep -q "re-evaluated 5 of 5 runs" re_err.txt \
  && ok "--reevaluate: said once, counted over the ranks" || bad "--reevaluate: $(grep -i 'evaluat' re_err.txt | head -5)"
check "--reevaluate: every rank took a share" "$RANKS" "$(grep '=== fsm (re-evaluation) ===' re_err.txt | grep -o '\[rank [0-9]*\]' | sort -u | wc -l)"
check "--reevaluate: no run twice" 5 "$(grep -c '=== fsm (re-evaluation) ===' re_err.txt)"
check "--reevaluate: each run once" 5 "$(grep -l '"reevaluated"' r/tiny/runs/*/*/status.json | wc -l)"
check "--reevaluate on $RANKS ranks: the same tables" "$before" "$(untimed r/tiny/aggregate/runs.csv)"

# A dedicated coordinator (rank 0 runs nothing), checkpoint retention and the
# tables written after every result give the same tables.
"${MPIRUN[@]}" "$SWEEP" --spec spec.toml --results lean --coordinator-only --keep-checkpoints best --table-interval 0 \
  >/dev/null 2>err_lean.txt
check "coordinator-only: exit 0" 0 $?
grep -q "rank 0 only schedules and reduces (--coordinator-only); the other $((RANKS - 1)) rank(s) run" err_lean.txt \
  && ok "coordinator-only: said" || bad "coordinator-only: $(grep 'rank 0' err_lean.txt | head -3)"
check "coordinator-only: no attempt on rank 0" 0 "$(awk -F, 'NR > 1 && $NF == 0' lean/experiment_log.csv | wc -l)"
check "coordinator-only = every rank runs" "$(untimed r/tiny/aggregate/runs.csv)" "$(untimed lean/tiny/aggregate/runs.csv)"
check "--keep-checkpoints best: no last.pt" 0 "$(find lean/tiny/runs -name 'last.pt*' | wc -l)"
check "--keep-checkpoints best: every best.pt" 5 "$(find lean/tiny/runs -name best.pt | wc -l)"
! grep -q 'last.pt' lean/tiny/runs/*/*/status.json && ok "status.json vouches for the kept ones only" || bad "status.json names last.pt"
"${MPIRUN[@]}" "$SWEEP" --spec spec.toml --results lean >/dev/null 2>err_lean2.txt
grep -q "0 to run" err_lean2.txt && ok "--keep-checkpoints best: the runs stay done" || bad "kept: $(grep 'to run\|again' err_lean2.txt)"

# An edit that changes no run (a comment, the description) goes on by itself
# and keeps the old spec; one that changes runs is refused, unless allowed.
sed 's/^description = .*/description = "test sweep, described again"  # edited/' spec.toml > spec2.toml && cp spec2.toml spec.toml
"$SWEEP" --spec spec.toml --results r >/dev/null 2>err_same.txt
check "edit with the same runs: exit 0" 0 $?
grep -q "spec changed but none of its 5 runs did; the old one is kept as spec\..*\.toml" err_same.txt \
  && ok "edit with the same runs: said" || bad "edit with the same runs: $(cat err_same.txt)"
check "edit with the same runs: old spec kept" 1 "$(ls r/tiny/spec.*.toml | wc -l)"
cmp -s spec.toml r/tiny/spec.toml && ok "edit with the same runs: new spec stored" || bad "spec.toml not the new one"
grep -q '"description": "test sweep, described again"' r/tiny/plan.json && ok "plan.json has the new description" \
  || bad "plan.json: $(grep description r/tiny/plan.json)"
sed 's/seed = \[0, 1\]/seed = [0, 1, 2]/' spec.toml > spec2.toml && cp spec2.toml spec.toml
"$SWEEP" --spec spec.toml --results r >/dev/null 2>err4.txt
check "changed spec: exit 2" 2 $?
grep -q "3 run(s) added, 0 removed, 5 kept" err4.txt && ok "changed spec: summary" || bad "changed spec: $(cat err4.txt)"
check "refused change: nothing archived" 1 "$(ls r/tiny/spec.*.toml | wc -l)"
"$SWEEP" --spec spec.toml --results r --allow-spec-change >/dev/null 2>&1
check "allowed change: exit 0" 0 $?
check "allowed change: old spec kept" 2 "$(ls r/tiny/spec.*.toml | wc -l)"
check "allowed change: 8 rows" 8 "$(($(wc -l < r/tiny/aggregate/runs.csv) - 1))"

# Spec errors: exit 2 before anything runs, naming file, line and key.
printf '[sweep]\nname = "bad"\n[grid]\n"data.Lmax" = [1]\n' > bad.toml
err=$("${MPIRUN[@]}" "$SWEEP" --spec bad.toml --results r 2>&1 >/dev/null); rc=$?
check "bad spec: exit 2" 2 "$rc"
case "$err" in *"bad.toml:4: unknown axis 'data.Lmax' (did you mean 'data.L_max'?)"*) ok "bad spec: message" ;; *) bad "bad spec: $err" ;; esac
[ ! -e r/bad ] && ok "bad spec: nothing written" || bad "bad spec wrote r/bad"

# Bad flags of the scale settings: exit 2, one line naming the flag, nothing written.
for args in "--keep-checkpoints some" "--table-interval -1" "--coordinator-only=maybe" "--list-runs"; do
  err=$("$SWEEP" --spec spec.toml --results flags $args 2>&1 >/dev/null); rc=$?
  flag=${args%% *}; flag=${flag%%=*}
  [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ "$err" == *"$flag"* ]] && ok "bad $flag: exit 2, one line" \
    || bad "bad $flag: rc $rc: $err"
done
err=$("$SWEEP" --spec spec.toml --results flags --coordinator-only 2>&1 >/dev/null); rc=$?
check "--coordinator-only on one rank: exit 2" 2 "$rc"
[ ! -e flags ] && ok "bad flags: nothing written" || bad "bad flags wrote flags/"

[ "$failures" -eq 0 ]
