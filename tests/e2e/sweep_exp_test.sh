#!/usr/bin/env bash
# `sweep --exp` as a user runs it: artifacts, determinism, overrides, errors,
# injected failures, SIGTERM and resume, --dry-run, --until, --exp-file.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
SWEEP=$(realpath "${1:?usage: sweep_exp_test.sh path/to/sweep}")
SOURCE=$(cd "$(dirname "$0")/../.." && pwd)
PY=${REGAL_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$SOURCE"
tiny=(--exp a_plus --steps 40 --set train.eval_every=20 --set data.n_train=400 --set data.L_test_max=24)

# A whole run: every artifact present and parseable.
out=$("$SWEEP" "${tiny[@]}" --results "$work/r1" 2>"$work/log1"); rc=$?
check "run exits 0" 0 "$rc"
run_dir=$out
[ -d "$run_dir" ] && ok "prints the run folder" || bad "prints the run folder ($out)"
for f in experiment.json fsm.json fsm.dot data/telemetry.json checkpoints/last.pt checkpoints/best.pt \
         logs/history.jsonl logs/run.log metrics.json metrics.h5 env.json status.json; do
  [ -s "$run_dir/$f" ] && ok "artifact $f" || bad "artifact $f missing"
done
grep -q "=== train ===" "$work/log1" && grep -q "... done in" "$work/log1" && ok "stage banners" || bad "stage banners"
$PY - "$run_dir" <<'PYEOF' && ok "artifacts parse" || bad "artifacts parse"
import h5py, json, sys, os
d = sys.argv[1]
for name in ["experiment.json", "fsm.json", "data/telemetry.json", "metrics.json", "env.json", "status.json"]:
    json.load(open(os.path.join(d, name)))
for line in open(os.path.join(d, "logs/history.jsonl")):
    json.loads(line)
assert json.load(open(os.path.join(d, "status.json")))["status"] == "done"
m = json.load(open(os.path.join(d, "metrics.json")))
for key in ["acc_test_id", "acc_test_len_ood", "horizon", "parameters", "train_seconds", "ood_gap_len"]:
    assert key in m, key
with h5py.File(os.path.join(d, "metrics.h5")) as f:
    assert f.attrs["run_id"] == m["run_id"]
    assert json.loads(f.attrs["experiment"])["name"] == "a_plus"
    assert len(f["history/step"]) >= 2
    assert set(f["eval"]) >= {"test_id", "test_len_ood", "test_border"}
    for field in ["length", "n", "accuracy", "loss"]:
        assert len(f["eval/test_id"][field]) > 0
    assert abs(f["summary"].attrs["acc_test_id"] - m["acc_test_id"]) < 1e-12
env = json.load(open(os.path.join(d, "env.json")))
for key in ["regal_version", "git_commit", "git_dirty", "compiler", "libtorch", "mpi", "hdf5", "boost", "os",
            "host", "cpu", "cores", "threads", "command_line", "overrides", "started", "ended"]:
    assert key in env, key
PYEOF
grep -q '"cache_hit": false' "$run_dir/data/telemetry.json" && ok "first run generates the corpus" || bad "cache miss recorded"
ls "$work/r1/a_plus/cache/data/"*/corpus.h5 >/dev/null 2>&1 && ok "corpus in the cache" || bad "corpus in the cache"

# A rerun of a done run does nothing and says so.
msg=$("$SWEEP" "${tiny[@]}" --results "$work/r1" 2>&1 >/dev/null); rc=$?
check "done run: exit 0" 0 "$rc"
case "$msg" in *"already done"*) ok "done run: says so" ;; *) bad "done run: says so ($msg)" ;; esac

# Same seed, another folder: identical metrics save timings; the corpus is a cache hit in a shared root.
"$SWEEP" "${tiny[@]}" --results "$work/r2" >/dev/null 2>&1
strip() { $PY -c "import json,sys; m=json.load(open(sys.argv[1])); [m.pop(k) for k in ('train_seconds','strings_per_second','eval_seconds')]; print(json.dumps(m, sort_keys=True))" "$1"; }
check "same seed, same metrics" "$(strip "$run_dir/metrics.json")" "$(strip "$work"/r2/a_plus/runs/*/*/metrics.json)"
"$SWEEP" "${tiny[@]}" --results "$work/r1" --seed 1 >/dev/null 2>&1
grep -q '"cache_hit": false' "$work"/r1/a_plus/runs/*/*/data/telemetry.json && ok "another seed, another corpus" || bad "seed corpus"
"$SWEEP" "${tiny[@]}" --results "$work/r1" --seed 1 --set model.d_model=16 >/dev/null 2>&1
[ "$(grep -l '"cache_hit": true' "$work"/r1/a_plus/runs/*/*/data/telemetry.json | wc -l)" -ge 1 ] && ok "same data, cache hit" || bad "cache hit"

# Overrides land in experiment.json; --exp-file of it gives the same run id.
over=$("$SWEEP" "${tiny[@]}" --results "$work/r3" --lr 0.002 --set model.arch=lstm 2>/dev/null)
check "override lr recorded" "0.002" "$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['train']['lr'])" "$over/experiment.json")"
check "override arch recorded" "lstm" "$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['model']['arch'])" "$over/experiment.json")"
again=$("$SWEEP" --exp-file "$over/experiment.json" --results "$work/r3" 2>/dev/null)
check "experiment.json reloads into the same run" "$over" "$again"

# Bad input: exit 2, one line, nothing written.
expect_error() {
  local name=$1 needle=$2; shift 2
  local err rc
  err=$("$SWEEP" "$@" --results "$work/bad" 2>&1 >/dev/null); rc=$?
  check "$name: exit 2" 2 "$rc"
  case "$err" in *"$needle"*) ok "$name: message" ;; *) bad "$name: message [$err]" ;; esac
  [ ! -e "$work/bad" ] && ok "$name: nothing written" || bad "$name: wrote $work/bad"
}
expect_error "unknown experiment" "unknown experiment 'a_plu' (did you mean 'a_plus'?)" --exp a_plu
expect_error "unknown key" "unknown key train.lrr (did you mean 'train.lr'?)" --exp a_plus --set train.lrr=1
expect_error "ill-typed value" "train.steps must be a whole number" --exp a_plus --set train.steps=many
expect_error "bad regex" "(column 2: '(b')" --exp a_plus --set 'language.regex=a(b'
expect_error "bad until" "--until must be" --exp a_plus --until nowhere

# --dry-run prints the plan and writes nothing.
plan=$("$SWEEP" "${tiny[@]}" --results "$work/dry" --dry-run); rc=$?
check "dry run: exit 0" 0 "$rc"
case "$plan" in *"writes $work/dry/a_plus/runs/"*"/metrics.h5"*) ok "dry run: lists paths" ;; *) bad "dry run: lists paths" ;; esac
[ ! -e "$work/dry" ] && ok "dry run: writes nothing" || bad "dry run: wrote files"

# --until data stops after the corpus: status pending, no checkpoints.
part=$("$SWEEP" "${tiny[@]}" --results "$work/until" --until data 2>/dev/null)
check "until: status" "pending" "$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['status'])" "$part/status.json")"
[ -s "$part/data/telemetry.json" ] && [ ! -e "$part/checkpoints" ] && ok "until: stopped after data" || bad "until: stages"

# An injected failure: exit 1, status failed with the stage, artifacts so far kept.
REGAL_FAIL_STAGE=train "$SWEEP" "${tiny[@]}" --results "$work/fail" >/dev/null 2>&1; rc=$?
check "failure: exit 1" 1 "$rc"
fail_dir=$(ls -d "$work"/fail/a_plus/runs/*/*)
check "failure: status" "failed train" "$($PY -c "import json,sys; s=json.load(open(sys.argv[1])); print(s['status'], s['stage'])" "$fail_dir/status.json")"
[ -s "$fail_dir/fsm.json" ] && [ -s "$fail_dir/data/telemetry.json" ] && ok "failure: earlier artifacts kept" || bad "failure: artifacts"
[ -z "$(find "$work/fail" -name '.*.tmp.*')" ] && ok "failure: no temporary files" || bad "failure: temporary files left"

# SIGTERM mid-training: exit 3, preempted; the rerun resumes and equals an uninterrupted run.
long=(--exp a_plus --steps 400 --set train.eval_every=20 --set data.n_train=400 --set data.L_test_max=24)
"$SWEEP" "${long[@]}" --results "$work/whole" >/dev/null 2>&1
"$SWEEP" "${long[@]}" --results "$work/cut" >/dev/null 2>"$work/cut.log" &
pid=$!
for _ in $(seq 200); do [ -n "$(ls "$work"/cut/a_plus/runs/*/*/logs/history.jsonl 2>/dev/null)" ] && break; sleep 0.05; done
grep -q "=== train ===" "$work"/cut/a_plus/runs/*/*/logs/run.log && ok "run.log is written as the run goes" || bad "run.log empty mid-run"
kill -TERM "$pid"; wait "$pid"; rc=$?
check "SIGTERM: exit 3" 3 "$rc"
cut_dir=$(ls -d "$work"/cut/a_plus/runs/*/*)
check "SIGTERM: status" "preempted" "$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['status'])" "$cut_dir/status.json")"
[ -s "$cut_dir/checkpoints/last.pt" ] && ok "SIGTERM: last.pt written" || bad "SIGTERM: last.pt"
"$SWEEP" "${long[@]}" --results "$work/cut" 2>"$work/resume.log" >/dev/null; rc=$?
check "resume: exit 0" 0 "$rc"
grep -q "resuming from" "$work/resume.log" && ok "resume: from last.pt" || bad "resume: from last.pt"
check "resume equals uninterrupted" "$(strip "$work"/whole/a_plus/runs/*/*/metrics.json)" "$(strip "$cut_dir/metrics.json")"

# Experiments discovered in a folder; a duplicate name is an error.
mkdir -p "$work/exps"
printf 'name = "mine"\ndescription = "x"\n[language]\nregex = "b+"\n' > "$work/exps/mine.toml"
REGAL_EXPERIMENTS="$work/exps" "$SWEEP" --list | grep -q "^mine " && ok "discovered experiment listed" || bad "discovery"
printf 'name = "parity"\n' > "$work/exps/parity.toml"
err=$(REGAL_EXPERIMENTS="$work/exps" "$SWEEP" --list 2>&1); rc=$?
check "duplicate name: exit 2" 2 "$rc"
case "$err" in *"'parity' is already defined"*) ok "duplicate name: message" ;; *) bad "duplicate: $err" ;; esac
printf 'name = "typo"\n[train]\nlrr = 1\n' > "$work/exps/parity.toml"
err=$(REGAL_EXPERIMENTS="$work/exps" "$SWEEP" --list 2>&1)
case "$err" in *"parity.toml:3: unknown key train.lrr (did you mean 'train.lr'?)"*) ok "TOML error names file and line" ;; *) bad "TOML line: $err" ;; esac

[ "$failures" -eq 0 ]
