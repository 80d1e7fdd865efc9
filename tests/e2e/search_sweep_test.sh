#!/usr/bin/env bash
# A [search] sweep as a user runs it: usage: search_sweep_test.sh SWEEP AGGREGATE
# Successive halving over two cells: the same choices (best.json,
# trials.csv) from one process, mpiexec -n 2 and -n 3, and after kill -9 of
# the whole sweep mid-search and the same command again; a promoted trial's
# metrics equal those of its configuration trained straight (its own folder
# elsewhere); the final runs carry the chosen values as columns; asha's
# logged decisions survive kill -9; bad [search] tables are exit 2 naming the
# line, with nothing written.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
SWEEP=$(realpath "$1"); AGGREGATE=$(realpath "$2")
PY=${REGAL_PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
work=$(mktemp -d)
trap 'pkill -9 -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
cat > s.toml <<'TOML'
[sweep]
name = "srch"
[base]
"model.arch" = "lstm"
"model.d_model" = 12
"train.eval_every" = 40
"train.warmup" = 10
"data.L_max" = 7
"data.L_test_max" = 10
"data.n_train" = 300
"data.n_val" = 80
"data.n_test_per_length" = 10
[grid]
language = ["parity", "no_aa"]
[search]
method = "sha"
trials = 6
min_resource = 40
max_resource = 120
eta = 3
seed = 3
final_seeds = [3, 4]
[search.space]
"train.lr" = { log_uniform = [1e-3, 5e-2] }
"train.batch_size" = { choice = [16, 32] }
TOML
# What one cell's search leaves, without timings: trials.csv and best.json.
choices() { for d in "$1"/srch/search/*/; do echo "$(basename "$d")"; cat "$d/trials.csv" "$d/best.json"; done; }

"$SWEEP" --spec s.toml --results one >one.out 2>one.err
check "search, one process: exit 0" 0 $?
check "two cells searched" 2 "$(ls one/srch/search | wc -l)"
[ -s one/srch/aggregate/search_summary.csv ] && ok "search_summary.csv" || bad "no search_summary.csv"
check "trials.csv: 6 trials at rung 0, 2 promoted to rung 1" "6 2" \
  "$(cut -d, -f4 "$(ls -d one/srch/search/*/ | head -1)"trials.csv | grep -c '^0$') $(cut -d, -f4 "$(ls -d one/srch/search/*/ | head -1)"trials.csv | grep -c '^1$')"
check "final runs: 2 cells x 2 seeds, with the chosen values as columns" 4 "$(grep -c ',done,' one/srch/aggregate/runs.csv)"
head -1 one/srch/aggregate/runs.csv | grep -q 'language,train.batch_size,train.lr,seed' && ok "runs.csv columns: cell, chosen values, seed" || bad "columns: $(head -1 one/srch/aggregate/runs.csv)"
grep -q 'id="search"' one/srch/report/report.html && ok "report: the search section" || bad "report lacks the search"
choices one >one.choices

for ranks in 2 3; do
  mpiexec -n "$ranks" --oversubscribe "$SWEEP" --spec s.toml --results "mpi$ranks" --no-report >"mpi$ranks.out" 2>&1
  check "mpiexec -n $ranks: exit 0" 0 $?
  choices "mpi$ranks" >"mpi$ranks.choices"
  cmp -s one.choices "mpi$ranks.choices" && ok "mpiexec -n $ranks: the same trials and choices" || bad "mpiexec -n $ranks chose otherwise: $(diff one.choices mpi$ranks.choices | head -5)"
  check "mpiexec -n $ranks: the same final runs" "$(untimed one/srch/aggregate/runs.csv)" "$(untimed mpi$ranks/srch/aggregate/runs.csv)"
done

# kill -9 of the whole sweep once some trials are done, then the same command.
setsid "$SWEEP" --spec s.toml --results killed --no-report >killed.out 2>&1 &
leader=$!
for _ in $(seq 1 600); do
  [ "$(grep -ls '"status": "done"' killed/srch/runs/*/*/status.json 2>/dev/null | wc -l)" -ge 5 ] && break
  sleep 0.1
done
kill -9 -- -"$leader" 2>/dev/null; wait "$leader" 2>/dev/null
[ ! -s killed/srch/aggregate/runs.csv ] && ok "kill -9 landed mid-search" || bad "the search had finished before kill -9"
"$SWEEP" --spec s.toml --results killed --no-report >restart.out 2>&1
check "restart after kill -9: exit 0" 0 $?
choices killed >killed.choices
cmp -s one.choices killed.choices && ok "restart: the same trials and choices as an uninterrupted search" || bad "restart chose otherwise: $(diff one.choices killed.choices | head -5)"
check "restart: the same final runs" "$(untimed one/srch/aggregate/runs.csv)" "$(untimed killed/srch/aggregate/runs.csv)"

# A promoted trial (continued from its rung-0 checkpoint) equals its configuration trained straight.
promoted=$(awk -F, '$4 == "1" { print $6; exit }' "$(ls -d one/srch/search/*/ | head -1)"trials.csv)
folder=$(ls -d one/srch/runs/*/"$promoted")
grep -q "resuming from .* at step 40" "$folder/logs/run.log" && ok "the promoted trial continued from step 40" || bad "no continuation in $folder"
"$SWEEP" --exp-file "$folder/experiment.json" --results straight --no-report >/dev/null 2>&1
"$PY" - "$folder" straight/srch/runs/*/"$promoted" <<'PY' && ok "promoted trial = trained straight: metrics and history bit for bit" || bad "continuation differs"
import json, sys
def metrics(d):
    m = json.load(open(d + "/metrics.json"))
    return {k: v for k, v in m.items() if k not in ("train_seconds", "strings_per_second", "eval_seconds")}
def history(d):
    return [{k: v for k, v in json.loads(l).items() if k not in ("elapsed_seconds", "strings_per_second")} for l in open(d + "/logs/history.jsonl")]
a, b = sys.argv[1], sys.argv[2]
assert metrics(a) == metrics(b), (metrics(a), metrics(b))
assert history(a) == history(b)
PY

# asha: promotions as results arrive, each logged before its run starts;
# after kill -9 the log's decisions stay taken (the old log is a prefix of
# the new one), and every decision's run is done; over mpiexec -n 2 too.
sed -e 's/^method = "sha"/method = "asha"/' s.toml >a.toml
setsid "$SWEEP" --spec a.toml --results asha --no-report >asha.out 2>&1 &
leader=$!
for _ in $(seq 1 600); do
  [ "$(cat asha/srch/search/*/asha.log 2>/dev/null | wc -l)" -ge 2 ] && break
  sleep 0.1
done
kill -9 -- -"$leader" 2>/dev/null; wait "$leader" 2>/dev/null
for d in asha/srch/search/*/; do cp "$d/asha.log" "$d/asha.before" 2>/dev/null || : >"$d/asha.before"; done
"$SWEEP" --spec a.toml --results asha --no-report >asha2.out 2>&1
check "asha: restart after kill -9: exit 0" 0 $?
"$PY" - asha/srch <<'PY' && ok "asha: logged decisions kept across kill -9, each promoted trial done, the choice the best of the top rung" || bad "asha state"
import csv, glob, json, os, sys
root = sys.argv[1]
cells = sorted(glob.glob(root + "/search/*/"))
assert len(cells) == 2, cells
for d in cells:
    before, after = open(d + "asha.before").read(), open(d + "asha.log").read()
    assert after.startswith(before), (before, after)
    decisions = [json.loads(l) for l in after.splitlines()]
    assert decisions and len({x["trial"] for x in decisions}) == len(decisions), decisions  # asynchronous: can exceed sha's 2
    rows = list(csv.DictReader(open(d + "trials.csv")))
    top = {int(r["trial"]): r for r in rows if r["rung"] == "1"}
    assert sorted(top) == sorted(x["trial"] for x in decisions), (top.keys(), decisions)
    assert all(r["state"] == "done" for r in top.values()), top
    best = json.load(open(d + "best.json"))
    scores = {t: float(r["best_val_acc"]) for t, r in top.items()}
    assert best["chosen_trial"] == min(t for t in scores if scores[t] == max(scores.values())), (best, scores)
PY
check "asha: final runs with the choices" 4 "$(grep -c ',done,' asha/srch/aggregate/runs.csv)"
mpiexec -n 2 --oversubscribe "$SWEEP" --spec a.toml --results asha_mpi --no-report >asha_mpi.out 2>&1
check "asha: mpiexec -n 2: exit 0" 0 $?
check "asha: mpiexec -n 2: final runs" 4 "$(grep -c ',done,' asha_mpi/srch/aggregate/runs.csv)"

# Bad [search] tables: exit 2, the line named, nothing written.
sed -e 's/^name = "srch"/name = "bad"/' -e 's/^method = "sha"/method = "sah"/' s.toml >bad.toml
err=$("$SWEEP" --spec bad.toml --results one 2>&1); rc=$?
check "unknown method: exit 2" 2 "$rc"
case "$err" in *"bad.toml:16: search.method must be grid, random, sha or asha (got \"sah\") (did you mean 'sha'?)"*) ok "... names file and line" ;; *) bad "method: $err" ;; esac
sed -e 's/^name = "srch"/name = "bad"/' -e 's/^min_resource = 40/min_resource = 400/' s.toml >bad.toml
"$SWEEP" --spec bad.toml --results one >/dev/null 2>&1
check "min_resource > max_resource: exit 2" 2 $?
sed -e 's/^name = "srch"/name = "bad"/' -e 's/^"train.lr" = .*/"model.arch" = { log_uniform = [1, 2] }/' s.toml >bad.toml
"$SWEEP" --spec bad.toml --results one >/dev/null 2>&1
check "a log-uniform model.arch: exit 2" 2 $?
sed -e 's/^name = "srch"/name = "bad"/' -e 's/^min_resource = 40/min_resource = 30/' s.toml >bad.toml
err=$("$SWEEP" --spec bad.toml --results one 2>&1); rc=$?
check "a rung that is not a multiple of eval_every: exit 2" 2 "$rc"
[ ! -e one/bad ] && ok "bad input: nothing written" || bad "one/bad written"
[ "$failures" -eq 0 ]
