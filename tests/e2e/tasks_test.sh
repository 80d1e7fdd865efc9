#!/usr/bin/env bash
# k-class tasks as a user meets them: a spec with a generator, classes and a
# labelled file; online data, the end readout, per-prefix and next-symbol
# targets (alone and as an auxiliary loss); the
# tables; bad tasks refused with exit 2 and one line; --reevaluate.
set -uo pipefail
SWEEP=$(realpath "${1:?usage: tasks_test.sh path/to/sweep path/to/aggregate}")
AGGREGATE=$(realpath "${2:?usage: tasks_test.sh path/to/sweep path/to/aggregate}")
source "$(dirname "$0")/../lib.sh"
PY=${REGAL_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cat > two.json <<'JSON'
{"alphabet": "ab", "states": 3, "start": 0, "classes": ["no_a", "one_a", "more"],
 "labels": ["no_a", "one_a", "more"], "transitions": [[1, 0], [2, 1], [2, 2]]}
JSON
cat > tasks.toml <<'TOML'
[sweep]
name = "tasks"
[base]
"data.L_max" = 8
"data.L_test_max" = 12
"data.n_train" = 600
"data.n_val" = 100
"data.n_test_per_length" = 12
"model.arch" = "lstm"
"model.d_model" = 16
"model.n_layers" = 1
"train.steps" = 60
"train.eval_every" = 30
"train.lr" = 0.01
[grid]
language = ["cycle_navigation",
            { name = "eo", alphabet = "ab", classes = { even = "(b*ab*a)*b*", odd = "b*a(b*ab*a)*b*" } },
            { name = "file", fsm = "two.json" }]
"data.train_mode" = ["corpus", "online"]
[[zip]]
"model.pool" = ["cls", "end", "end", "end"]
"train.target" = ["string", "prefix", "next_symbols", "string"]
"train.aux_weight" = [0.0, 0.0, 0.0, 0.5]
TOML
"$SWEEP" --spec tasks.toml --no-report > out.txt 2>&1
check "a task sweep ends done" 0 "$?"
summary=$("$AGGREGATE" results/tasks --format csv)
check "24 runs in the summary" 24 "$(printf "%s\n" "$summary" | tail -n +2 | wc -l)"
"$PY" - results/tasks <<'PY' > checks.txt
import glob, json, sys, h5py
for path in sorted(glob.glob(sys.argv[1] + "/runs/*/*/metrics.json")):
    run = path.rsplit("/", 1)[0]
    e = json.load(open(run + "/experiment.json"))
    m = json.load(open(path))
    lang, target, aux = e["language"]["name"], e["train"]["target"], e["train"]["aux_weight"]
    k = len(m.get("classes", ["rejected", "accepted"]))
    with h5py.File(run + "/metrics.h5") as f:
        confusion = f["eval/test_id/confusion"][()]
    ok = confusion.size == k * k and confusion.sum() == m["n_test_id"]
    ok = ok and (k == 2 or len(m["confusion_test_id"]) == k) and 0 <= m["macro_f1_test_id"] <= 1
    ok = ok and ("acc_pos_test_id" in m) == (target == "prefix")
    ok = ok and ("acc_next_test_id" in m) == (target == "next_symbols" or aux > 0)
    ok = ok and all(0 <= m[x] <= 1 for x in m if x.startswith("acc_next_"))
    target += "+aux" if aux > 0 else ""
    ok = ok and "acc_test_border_short" in m and "acc_test_border_long" in m
    print(lang, target, e["data"]["train_mode"], k, "ok" if ok else "BAD " + json.dumps({x: m[x] for x in m if "test_id" in x}))
PY
check "every run has its classes' metrics" "24 0" "$(wc -l < checks.txt) $(grep -c BAD checks.txt)"
check "cycle navigation has 5 classes" 8 "$(grep -c '^cycle_navigation .* 5 ok' checks.txt)"
check "the labelled file has 3 classes" 8 "$(grep -c '^file .* 3 ok' checks.txt)"

# Re-evaluation: the same numbers from best.pt, recorded; a run without best.pt listed.
before=$(untimed results/tasks/aggregate/runs.csv)
"$SWEEP" --spec tasks.toml --no-report --reevaluate > re.txt 2>&1
check "--reevaluate ends done" 0 "$?"
check "re-evaluated runs give the same table" "$before" "$(untimed results/tasks/aggregate/runs.csv)"
if [ "$(nproc)" -gt 1 ]; then  # one process shares the runs among children, one per core
  grep -q "re-evaluating 24 runs in [0-9]* processes" re.txt && ok "--reevaluate: children share the runs" || bad "children: $(grep -m3 'evaluat' re.txt)"
fi
check "--reevaluate: each run once" 24 "$(grep -c 're-evaluated from best.pt' re.txt)"
check "status.json records it" 24 "$(grep -l '"reevaluated"' results/tasks/runs/*/*/status.json | wc -l)"
victim=$(ls -d results/tasks/runs/*/* | head -n 1)
rm "$victim/checkpoints/best.pt"
"$SWEEP" --spec tasks.toml --no-report --reevaluate > re2.txt 2>&1
check "a missing checkpoint: exit 1" 1 "$?"
check "and it is listed" 1 "$(grep -c "not re-evaluated: $(basename "$victim"): its checkpoint .*best.pt is missing" re2.txt)"

# Bad tasks stop before anything is written: exit 2, one line.
bad_spec() {  # bad_spec NAME LANGUAGE_TABLE EXPECTED_SUBSTRING [BASE_LINE]
  printf '[sweep]\nname = "%s"\n[base]\n%s\n[grid]\nlanguage = [%s]\n' "$1" "${4:-}" "$2" > "$1.toml"
  local err rc
  err=$("$SWEEP" --spec "$1.toml" 2>&1 >/dev/null); rc=$?
  check "$1: exit 2" 2 "$rc"
  check "$1: one line" 1 "$(printf '%s\n' "$err" | wc -l)"
  case "$err" in *"$3"*) ok "$1: message" ;; *) bad "$1: message: [$3] not in [$err]" ;; esac
  check "$1: nothing written" "" "$(ls results 2>/dev/null | grep -x "$1")"
}
bad_spec overlap '{ name = "o", alphabet = "ab", classes = { x = "a*b", y = "(a|b)*b" } }' \
  "language 'o': classes 'x' and 'y' overlap: both match 'b'"
printf '{"alphabet": "ab", "states": 2, "start": 0, "classes": ["x", "y"], "labels": ["x"], "transitions": [[1, 0], [0, 1]]}' > nolabel.json
bad_spec unlabelled '{ name = "f", fsm = "nolabel.json" }' "state 1 has no label"
printf '{"alphabet": "ab", "states": 2, "start": 0, "classes": ["x", "y", "z"], "labels": ["x", "y"], "transitions": [[1, 0], [0, 1]]}' > lost.json
bad_spec unreachable '{ name = "f", fsm = "lost.json" }' "class 'z' is carried by no state reachable from the start"
bad_spec short '{ name = "s", alphabet = "ab", classes = { one = "a", six = "a{6}" } }' \
  "class 'six' has no string of length 1..4" '"data.L_max" = 4'
bad_spec lookahead '"parity"' "model.pool = mean looks ahead" $'"train.target" = "prefix"\n"model.pool" = "mean"'
bad_spec aux_alone '"parity"' "train.target = next_symbols trains on that loss alone" \
  $'"train.target" = "next_symbols"\n"train.aux_weight" = 0.5'
bad_spec aux_cls '"parity"' "a CLS token in front would see only itself" $'"train.aux_weight" = 0.5\n"model.pool" = "cls"'

[ "$failures" -eq 0 ]
