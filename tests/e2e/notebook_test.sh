#!/usr/bin/env bash
# The lab notebook and the guardrails (issue 15), as a user meets them:
# usage: notebook_test.sh SWEEP AGGREGATE
#  1 two sweeps started at once into one results root: both in `aggregate --list`,
#    one experiment_log.csv row per run, a README in each sweep folder; `sweep --exp` too
#  2 `sweep --check` and the same checks before a sweep: each failure exit 2, one line, nothing written
#  3 the thermal guard through a sensor file: pause, stay paused (hysteresis), resume;
#    abort (exit 4, thermal_abort, the temperature recorded), then resume to the
#    tables of an uninterrupted sweep; one hot rank of two: its runs resume on the other
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
SWEEP=$(realpath "$1"); AGGREGATE=$(realpath "$2")
PY=${REGAL_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
cleanup() {
  pkill -9 -f "$work" 2>/dev/null
  mountpoint -q "$work/tiny" 2>/dev/null && umount "$work/tiny"
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
unset REGAL_THERMAL_SENSOR

write_spec() {  # write_spec FILE NAME STEPS SEEDS...
  local file=$1; shift
  small_spec "$@" > "$file"
}
rows_of() { "$PY" -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
print('\n'.join(r['sweep'] + ' ' + r['run_id'] + ' ' + r['status'] for r in rows))" "$1"; }

# 1. Two sweeps at once into one root.
write_spec one.toml one 30 0 1 2
write_spec two.toml two 30 5 6
"$SWEEP" --spec one.toml --results R --no-report >one.log 2>&1 & p1=$!
"$SWEEP" --spec two.toml --results R --no-report >two.log 2>&1 & p2=$!
wait $p1; check "1. sweep one: exit 0" 0 $?
wait $p2; check "1. sweep two: exit 0" 0 $?
"$AGGREGATE" --list --results R --format csv > list.csv
check "1. both in aggregate --list" "one two" "$(tail -n +2 list.csv | cut -d, -f1 | sort | tr '\n' ' ' | sed 's/ $//')"
grep -q '^one,sweep,.*,3 done,one.toml,' list.csv && ok "1. ... with kind, runs and spec path" || bad "1. list: $(cat list.csv)"
"$AGGREGATE" --list --results R --format json | "$PY" -c "
import json, sys
entries = json.load(sys.stdin)
assert {e['name'] for e in entries} == {'one', 'two'}, entries
assert all(e['last_finished'] >= e['last_started'] and e['host'] and '--spec' in e['command_line'] for e in entries), entries" \
  && ok "1. --format json: times, host, command line" || bad "1. list json"
rows_of R/experiment_log.csv | sort > rows.txt
check "1. one log row per run, all done" 5 "$(grep -c ' done$' rows.txt)"
ls R/one/runs/*/* R/two/runs/*/* -d | xargs -n1 basename | sort > ids.txt
check "1. ... and every run id has its row" "$(cat ids.txt)" "$(cut -d' ' -f2 rows.txt | sort)"
"$PY" - R <<'PY' 2>py.err && ok "1. rows carry axes, metrics, hyperparameters, the corpus hashes as telemetry.json says" || bad "1. row contents: $(tail -1 py.err)"
import csv, glob, hashlib, json, sys
root = sys.argv[1]
for row in csv.DictReader(open(root + '/experiment_log.csv', newline='')):
    run = glob.glob(f"{root}/{row['sweep']}/runs/*/{row['run_id']}")[0]
    metrics = json.load(open(run + '/metrics.json'))
    telemetry = json.load(open(run + '/data/telemetry.json'))
    assert json.loads(row['axes'])['seed'] in (0, 1, 2, 5, 6), row
    assert float(row['acc_test_id']) == metrics['acc_test_id'] and float(row['best_val_acc']) == metrics['best_val_acc'], row
    assert json.loads(row['hyperparameters'])['train']['steps'] == 30, row
    corpus = glob.glob(f"{root}/{row['sweep']}/cache/data/{telemetry['cache_key']}/corpus.h5")[0]
    data = open(corpus, 'rb').read()
    assert row['corpus_md5'] == hashlib.md5(data).hexdigest() == telemetry['corpus_md5'], row
    assert row['corpus_sha256'] == hashlib.sha256(data).hexdigest(), row
    assert float(row['best_val_loss']) > 0 and row['experiment'] == 'a_plus' and row['rank'] == '0', row
PY
for s in one two; do
  grep -q "A small sweep: $s" R/$s/README.md && grep -q -- "--spec $s.toml --results R --no-report" R/$s/README.md \
    && ok "1. R/$s/README.md: description, the command again" || bad "1. README $s: $(head -20 R/$s/README.md)"
done
grep -q "^3 done\.$" R/one/README.md && ok "1. ... runs by state" || bad "1. README counts"
"$SWEEP" --exp a_plus --set train.steps=20 --results R --no-report >exp.out 2>exp.err
check "1. sweep --exp: exit 0" 0 $?
"$AGGREGATE" --list --results R > list.txt
grep -q "^a_plus  *experiment " list.txt && ok "1. the experiment is in the list" || bad "1. list: $(cat list.txt)"
head -2 list.txt | tail -1 | grep -q "^a_plus" && ok "1. ... newest first" || bad "1. order: $(cat list.txt)"
grep -q "sweep --exp a_plus --set train.steps=20 --results R --no-report" R/a_plus/README.md && ok "1. R/a_plus/README.md" || bad "1. experiment README"
check "1. its attempt is logged" "1" "$("$AGGREGATE" --log --results R --sweep a_plus --format csv | tail -n +2 | wc -l)"
check "1. --log --status failed: none" "1" "$("$AGGREGATE" --log --results R --status failed --format csv | wc -l)"
check "1. --log --since tomorrow: none" "1" "$("$AGGREGATE" --log --results R --since 2999-01-01 --format csv | wc -l)"
"$AGGREGATE" --log --results R --since 20260101 >/dev/null 2>e1.txt
check "1. a bad --since: exit 2" 2 $?
"$AGGREGATE" --log --results R --status finished >/dev/null 2>e1.txt
check "1. a bad --status: exit 2" 2 $?

# Under mpiexec: each rank logs the attempts it ran; the README says how to launch it again.
write_spec mpi.toml mpi 30 0 1 2 3
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
  mpiexec -n 2 "$SWEEP" --spec mpi.toml --results R --no-report >mpi.log 2>&1
check "1. mpiexec -n 2: exit 0" 0 $?
"$PY" - R <<'PY' 2>py.err && ok "1. ... one row per run, from the rank that ran it" || bad "1. mpi rows: $(tail -1 py.err)"
import csv, glob, json, sys
rows = [r for r in csv.DictReader(open(sys.argv[1] + '/experiment_log.csv', newline='')) if r['sweep'] == 'mpi']
assert len(rows) == 4 and len({r['run_id'] for r in rows}) == 4, rows
for r in rows:
    status = json.load(open(glob.glob(f"{sys.argv[1]}/mpi/runs/*/{r['run_id']}/status.json")[0]))
    assert r['rank'] == str(status['rank']) and r['rank'] in ('0', '1'), (r, status)
PY
grep -q "^    mpirun -n 2 .*sweep --spec mpi.toml --results R --no-report$" R/mpi/README.md && ok "1. ... README: mpirun -n 2 in front" || bad "1. mpi README: $(grep -A2 'Run it again' R/mpi/README.md)"

# 2. Pre-flight checks.
"$SWEEP" --spec one.toml --results R --check > c0.txt; rc=$?
check "2. --check on a good sweep: exit 0" 0 $rc
check "2. ... every check ok" 8 "$(grep -c '^ok ' c0.txt)"
grep -q "^ok .*run binary.*regal-run" c0.txt && ok "2. ... regal-run beside sweep checked" || bad "2. no run binary check: $(cat c0.txt)"
grep -q "^ok    disk space *0 run(s) to do (3 done)" c0.txt && ok "2. ... done runs need no space" || bad "2. $(cat c0.txt)"
touch afile
"$SWEEP" --spec one.toml --results afile --check > c1.txt; check "2. results root a file: --check exit 2" 2 $?
grep -q "^FAIL  results root  *--results afile is a file, not a folder" c1.txt && ok "2. ... says what" || bad "2. $(cat c1.txt)"
"$SWEEP" --spec one.toml --results afile/below >o.txt 2>e.txt; check "2. ... and before a sweep: exit 2" 2 $?
check "2. ... one line" 1 "$(wc -l < e.txt)"
"$SWEEP" --spec one.toml --results M --memory-per-run 1M --check > c2.txt; check "2. memory: --check exit 2" 2 $?
grep -q "^FAIL  memory per run  *run .* one run may use 1.0 MiB (--memory-per-run)" c2.txt && ok "2. ... names the run and the limit" || bad "2. $(cat c2.txt)"
[ ! -e M ] && ok "2. --check writes nothing" || bad "2. M/ written"
mkdir tiny
if mount -t tmpfs -o size=1m tmpfs tiny 2>/dev/null; then
  "$SWEEP" --spec one.toml --results tiny/R --check > c3.txt; check "2. disk: --check exit 2" 2 $?
  grep -q "^FAIL  disk space  *3 run(s) to do (0 done) need about .* free at .*/tiny" c3.txt && ok "2. ... the need and the free space" || bad "2. $(cat c3.txt)"
  "$SWEEP" --spec one.toml --results tiny/R >o.txt 2>e.txt; check "2. disk: the sweep does not start, exit 2" 2 $?
  check "2. ... one line" 1 "$(wc -l < e.txt)"
  check "2. ... nothing written" "" "$(ls -A tiny)"
  umount tiny
else
  echo "SKIP 2. disk: cannot mount a small tmpfs here"
fi
sed 's/^experiment = "a_plus"/experiment = "a_plus"\ndevice = "cuda"/' one.toml > gpu.toml
if ! command -v nvidia-smi >/dev/null; then
  "$SWEEP" --spec gpu.toml --results G --check > c4.txt; check "2. cuda without a GPU: --check exit 2" 2 $?
  grep -q "^FAIL  GPU  *run .* asks for device cuda, and no GPU is visible here" c4.txt && ok "2. ... says so" || bad "2. $(cat c4.txt)"
fi
mkdir nogp
for f in /usr/bin/* /usr/local/bin/*; do
  case "$(basename "$f")" in gnuplot*|dot) ;; *) ln -s "$f" "nogp/$(basename "$f")" 2>/dev/null ;; esac
done
PATH="$work/nogp" "$SWEEP" --spec one.toml --results R --check > c5.txt; check "2. no gnuplot: --check exit 2" 2 $?
grep -q "^FAIL  report tools  .*gnuplot" c5.txt && ok "2. ... names the tool" || bad "2. $(cat c5.txt)"
PATH="$work/nogp" "$SWEEP" --spec one.toml --results R --check --no-report >/dev/null; check "2. ... not needed with --no-report" 0 $?
printf '[sweep]\nname = "wide"\n[grid]\nlanguage = [{ name = "wide", regex = "(a|b)*a(a|b){20}", alphabet = "ab" }]\n' > wide.toml
"$SWEEP" --spec wide.toml --results W --check > c6.txt; check "2. a language over its state budget: --check exit 2" 2 $?
grep -q "^FAIL  languages  *wide.toml:4: language 'wide': the DFA needs more than 100000 states" c6.txt && ok "2. ... names file and line" || bad "2. $(cat c6.txt)"

# 3. The thermal guard, driven through a sensor file.
export REGAL_THERMAL_SENSOR="$work/temperature"
write_spec heat.toml heat 30 0 1 2
echo 90 > temperature
"$SWEEP" --spec heat.toml --results H --no-report --thermal-interval 0.2 >h.log 2>&1 & pid=$!
for i in $(seq 100); do grep -q "no new run starts here" h.log && break; sleep 0.1; done
grep -q "90 °C at or above 85 °C (rank 0, file .*temperature): no new run starts here until below 80 °C" h.log \
  && ok "3. 90 °C: the rank pauses" || bad "3. pause: $(cat h.log)"
sleep 1.5
check "3. ... and starts nothing" "" "$(ls H/heat/runs 2>/dev/null)"
echo 82 > temperature; sleep 1.5
check "3. 82 °C: still paused (below 80 to resume)" "" "$(ls H/heat/runs 2>/dev/null)"
echo 70 > temperature
wait $pid; check "3. 70 °C: it resumes and finishes, exit 0" 0 $?
grep -q "cooled to 70 °C (rank 0, .*): runs start again" h.log && ok "3. ... saying so" || bad "3. resume: $(cat h.log)"
"$PY" -c "
import glob, json
for f in glob.glob('H/heat/runs/*/*/status.json'):
    assert json.load(open(f))['max_temperature'] == 70, f
for f in glob.glob('H/heat/runs/*/*/metrics.json'):
    assert json.load(open(f))['max_temperature'] == 70, f" && ok "3. max_temperature in status.json and metrics.json" || bad "3. max temperature"

# Abort: longer runs, so that the heat arrives mid-training.
write_spec hot.toml hot 600 0 1 2
echo 40 > temperature
"$SWEEP" --spec hot.toml --results REF --no-report >/dev/null 2>&1; check "3. the uninterrupted reference: exit 0" 0 $?
"$SWEEP" --spec hot.toml --results A --no-report --thermal-interval 0.2 >a.log 2>&1 & pid=$!
for i in $(seq 300); do grep -qs '"stage": "train"' A/hot/runs/*/*/status.json && break; sleep 0.1; done
echo 99 > temperature
wait $pid; rc=$?
check "3. 99 °C: the sweep stops for heat, exit 4" 4 $rc
grep -q "stopped for heat: 99 °C at or above 95 °C (rank 0, file .*temperature); checkpointing" a.log && ok "3. ... saying why" || bad "3. abort: $(cat a.log)"
"$PY" - <<'PY' 2>py.err && ok "3. stopped runs: thermal_abort, 99 °C, last.pt kept; the log has their rows" || bad "3. thermal_abort records: $(tail -1 py.err)"
import csv, glob, json, os
stopped = [json.load(open(f)) for f in glob.glob('A/hot/runs/*/*/status.json')]
heat = [s for s in stopped if s['status'] == 'thermal_abort']
assert heat, stopped
for s in heat:
    assert s['max_temperature'] == 99 and s['error'].startswith('stopped for heat'), s
    # A run stopped in training keeps its last.pt (one stopped as its child started has none yet).
    assert s['stage'] != 'train' or glob.glob(f"A/hot/runs/*/{s['run_id']}/checkpoints/last.pt"), s
assert any(s['stage'] == 'train' for s in heat), heat
rows = [r for r in csv.DictReader(open('A/experiment_log.csv', newline='')) if r['status'] == 'thermal_abort']
assert sorted(r['run_id'] for r in rows) == sorted(s['run_id'] for s in heat), rows
assert all(r['max_temperature'] == '99' for r in rows), rows
PY
"$AGGREGATE" --log --results A --status thermal_abort | grep -q "thermal_abort" && ok "3. aggregate --log --status thermal_abort lists them" || bad "3. --log thermal"
echo 40 > temperature
"$SWEEP" --spec hot.toml --results A --no-report --thermal-interval 0.2 >a2.log 2>&1; check "3. cooled, the same command resumes: exit 0" 0 $?
check "3. ... to the tables of the uninterrupted sweep" "$(untimed REF/hot/aggregate/runs.csv)" "$(untimed A/hot/aggregate/runs.csv)"

# Two ranks, one hot (each rank its own sensor file): the hot rank's runs stop
# for heat and resume on the cool one; every run ends done, exit 0, the same
# tables as the uninterrupted sweep, and the log keeps the stopped attempts.
echo 40 > cool; echo 40 > hot1
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
  mpiexec -n 1 -x REGAL_THERMAL_SENSOR="$work/cool" "$SWEEP" --spec hot.toml --results B --no-report --thermal-interval 0.2 : \
          -n 1 -x REGAL_THERMAL_SENSOR="$work/hot1" "$SWEEP" --spec hot.toml --results B --no-report --thermal-interval 0.2 \
  >b.log 2>&1 & pid=$!
for i in $(seq 300); do
  grep -ls '"stage": "train"' B/hot/runs/*/*/status.json 2>/dev/null | xargs -r grep -qs '"rank": 1' && break; sleep 0.1
done
echo 99 > hot1
wait $pid; check "3. one hot rank of two: its runs resume on the other, exit 0" 0 $?
grep -q "stopped for heat: 99 °C at or above 95 °C (rank 1, .*hot1).*; back in the queue for a cooler rank" b.log \
  && ok "3. ... saying each goes back to the queue" || bad "3. re-placed: $(grep -i heat b.log)"
grep -q "rank(s) 1 stopped runs for heat; other ranks resumed them" b.log && ok "3. ... and warning at the end" || bad "3. end: $(tail -3 b.log)"
"$PY" - <<'PY' 2>py.err && ok "3. ... each stopped attempt logged on rank 1, then done on rank 0" || bad "3. re-placed rows: $(tail -1 py.err)"
import csv
rows = [r for r in csv.DictReader(open('B/experiment_log.csv', newline='')) if r['sweep'] == 'hot']
heat = [r for r in rows if r['status'] == 'thermal_abort']
assert heat and all(r['rank'] == '1' and r['max_temperature'] == '99' for r in heat), heat
for stopped in heat:
    later = [r for r in rows if r['run_id'] == stopped['run_id'] and r['status'] == 'done']
    assert len(later) == 1 and later[0]['rank'] == '0' and int(later[0]['attempt']) > int(stopped['attempt']), (stopped, later)
assert sorted(r['run_id'] for r in rows if r['status'] == 'done') == sorted({r['run_id'] for r in rows}), rows
PY
check "3. ... to the tables of the uninterrupted sweep" "$(untimed REF/hot/aggregate/runs.csv)" "$(untimed B/hot/aggregate/runs.csv)"

"$SWEEP" --spec hot.toml --results A --thermal-pause 90 --thermal-abort 80 --check >/dev/null 2>e3.txt; check "3. --thermal-pause above --thermal-abort: exit 2" 2 $?
check "3. ... one line" "error: --thermal-pause (90 °C) must be below --thermal-abort (80 °C)" "$(cat e3.txt)"
"$SWEEP" --exp a_plus --thermal-abort 90 --results A >/dev/null 2>e3.txt; check "3. --thermal-abort without --spec: exit 2" 2 $?

exit $((failures > 0))
