#!/usr/bin/env bash
# Statistics as a reviewer reads them: usage: compare_test.sh SWEEP AGGREGATE
# A sweep with [[compare]] tables (LSTM against transformer by language, and
# a shuffled-label control arm) writes compare.csv, pairs.json, overall and
# profiles; compare.csv's mean differences equal those recomputed from
# runs.csv; aggregate --out rebuilds every table byte for byte; the CLI's
# comparison and power tables print; bad selectors, metrics and effects are
# exit 2 with nothing written.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
SWEEP=$(realpath "$1"); AGGREGATE=$(realpath "$2")
PY=${REGAL_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > cmp.toml <<'TOML'
[sweep]
name = "cmp"
[base]
experiment = "a_plus"
"train.steps" = 120
"train.eval_every" = 40
"data.L_max" = 8
"data.n_train" = 400
"data.n_val" = 100
"data.L_test_max" = 12
"data.n_test_per_length" = 16
"model.d_model" = 16
"model.n_layers" = 1
[grid]
language = ["parity", "no_aa"]
"model.arch" = ["lstm", "transformer"]
"train.shuffle_labels" = [false, true]
seed = [0, 1, 2]
[[compare]]
name = "lstm_vs_tf"
a = { "model.arch" = "lstm" }
b = { "model.arch" = "transformer" }
metrics = ["acc_test_len_ood", "acc_test_id"]
by = ["language"]
[[compare]]
name = "control"
a = { "train.shuffle_labels" = false }
b = { "train.shuffle_labels" = true }
metrics = ["acc_test_id"]
by = ["language", "model.arch"]
TOML
"$SWEEP" --spec cmp.toml --results r >out.txt 2>err.txt
check "sweep with [[compare]]: exit 0" 0 $?
for f in compare.csv compare.json pairs.json overall.csv profiles.csv stats.json summary.csv; do
  [ -s "r/cmp/aggregate/$f" ] && ok "wrote $f" || bad "missing $f"
done
check "compare rows: 2 languages x 2 metrics + 4 control cells" 8 "$(($(wc -l < r/cmp/aggregate/compare.csv) - 1))"
"$PY" - r/cmp/aggregate <<'PY' && ok "compare.csv's differences equal a recomputation from runs.csv" || bad "differences"
import csv, sys
folder = sys.argv[1]
runs = list(csv.DictReader(open(folder + "/runs.csv")))
axes = ["language", "model.arch", "train.shuffle_labels", "seed"]
def value(row, metric):
    return float(row[metric])
for row in csv.DictReader(open(folder + "/compare.csv")):
    arm = {"lstm_vs_tf": ("model.arch", "lstm", "transformer"), "control": ("train.shuffle_labels", "false", "true")}[row["comparison"]]
    axis, a, b = arm
    cell = {k: row[k] for k in ("language", "model.arch") if row.get(k)}
    match = [k for k in axes if k != axis and k not in cell]
    def pick(level):
        return {tuple(r[k] for k in match): r for r in runs
                if r[axis] == level and all(r[k] == v for k, v in cell.items())}
    arm_a, arm_b = pick(a), pick(b)
    diffs = [value(arm_a[k], row["metric"]) - value(arm_b[k], row["metric"]) for k in sorted(arm_a) if k in arm_b]
    assert len(diffs) == int(row["n"]), (row, len(diffs))
    expected = sum(diffs) / len(diffs)
    assert abs(float(row["diff"]) - expected) <= 1e-5 * max(1, abs(expected)), (row["diff"], expected)
    assert row["verdict"] in ("a", "b", "tie", "unclear")
PY
"$AGGREGATE" r/cmp --out rebuilt >/dev/null 2>&1
for f in runs.csv summary.csv summary.json overall.csv profiles.csv compare.csv compare.json pairs.json stats.json; do
  cmp -s "rebuilt/$f" "r/cmp/aggregate/$f" && ok "aggregate --out: $f equals the reducer's" || bad "aggregate --out: $f differs"
done
"$AGGREGATE" r/cmp --compare 'model.arch=lstm' 'model.arch=transformer' --by language >cli.txt 2>&1
check "aggregate --compare: exit 0" 0 $?
head -1 cli.txt | grep -q "language *metric *n *a *b *a - b \[95% CI\] *p (Holm) *P(a>b) *verdict" && ok "aggregate --compare: a table a reviewer can read" || bad "compare table: $(head -2 cli.txt)"
# 6 pairs (3 seeds x shuffle_labels), 8 rows: the smallest Holm p is 8 * 2/2^6 = 0.25; 8 * 2/2^9 = 0.031 is the first below 0.05.
grep -q "note: with 6 pair(s), no row can reach alpha after Holm over 8 rows (smallest possible p 0.25); a verdict needs at least 9 matched pairs" cli.txt &&
  ok "aggregate --compare: says when the seeds cannot give a verdict" || bad "floor note: $(tail -2 cli.txt)"
"$AGGREGATE" r/cmp --power --effect 0.05 >power.txt 2>&1
check "aggregate --power: exit 0" 0 $?
grep -q "seeds_needed" power.txt && ok "aggregate --power: seeds needed per cell" || bad "power: $(head -2 power.txt)"
# Bad input: exit 2, one line, nothing written.
err=$("$AGGREGATE" r/cmp --compare 'model.arch=lsmt' 'model.arch=transformer' --out bad 2>&1); rc=$?
check "selector matching no run: exit 2" 2 "$rc"
case "$err" in *"matches no run: model.arch is one of lstm, transformer (did you mean 'lstm'?)"*) ok "... names it" ;; *) bad "selector: $err" ;; esac
"$AGGREGATE" r/cmp --compare 'model.arch=lstm' 'model.arch=transformer' --metrics acc_tst_id --out bad >/dev/null 2>&1
check "unknown metric: exit 2" 2 $?
"$AGGREGATE" r/cmp --compare 'model.arch=lstm' --out bad >/dev/null 2>&1
check "one arm: exit 2" 2 $?
"$AGGREGATE" r/cmp --compare 'model.arch=lstm' 'model.arch=transformer' --effect -1 --out bad >/dev/null 2>&1
check "effect <= 0: exit 2" 2 $?
[ ! -e bad ] && ok "bad input: nothing written" || bad "bad/ written"
# A spec whose [[compare]] arm no planned run fills is refused before anything runs.
sed -e 's/^name = "cmp"/name = "cmp_bad"/' -e 's/"model.arch" = "transformer" }/"model.arch" = "tranformer" }/' cmp.toml >bad.toml
err=$("$SWEEP" --spec bad.toml --results r 2>&1); rc=$?
check "spec compare arm matching no run: exit 2" 2 "$rc"
case "$err" in *"bad.toml: [[compare]] lstm_vs_tf: "*"did you mean 'transformer'"*) ok "... names the spec and the value" ;; *) bad "spec arm: $err" ;; esac
[ ! -e r/cmp_bad ] && ok "... nothing written" || bad "r/cmp_bad written"
[ "$failures" -eq 0 ]
