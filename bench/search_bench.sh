#!/usr/bin/env bash
# Successive halving against the full grid it searches: usage: bench/search_bench.sh [BUILD_DIR]
# Two languages, LSTM, 6 learning rates x 3 batch sizes = 18 configurations;
# sha and asha against the grid.
# The grid trains all 18 to 1350 steps; sha (eta 3) trains 18 to 50, the
# best 6 on to 150, 2 to 450, 1 to 1350. Prints, per language, the grid's best
# validation accuracy, that of sha's choice, the gap, the steps each spent
# and the wall time of each sweep (the final seed is the search seed, so no
# extra training either way).
set -euo pipefail
build=$(realpath "${1:-build}")
PY=${REGAL_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
spec() {
  cat <<TOML
[sweep]
name = "$1"
[base]
"model.arch" = "lstm"
"model.d_model" = 16
"train.eval_every" = 50
"train.warmup" = 20
"data.L_max" = 10
"data.L_test_max" = 20
"data.n_train" = 2000
"data.n_val" = 300
"data.n_test_per_length" = 10
[grid]
language = ["parity", "tomita3"]
[search]
method = "$1"
min_resource = 50
max_resource = 1350
eta = 3
seed = 0
final_seeds = [0]
[search.space]
"train.lr" = { choice = [3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1] }
"train.batch_size" = { choice = [16, 64, 256] }
TOML
}
for method in grid sha asha; do
  spec "$method" >"$method.toml"
  start=$(date +%s.%N)
  "$build/sweep" --spec "$method.toml" --results r --no-report >"$method.log" 2>&1
  echo "$method $(echo "$(date +%s.%N) - $start" | bc)" >>times.txt
done
"$PY" - r times.txt <<'PY'
import csv, glob, json, os, sys
root, times = sys.argv[1], dict(line.split() for line in open(sys.argv[2]))
def cells(method):
    out = {}
    for d in sorted(glob.glob(f"{root}/{method}/search/*/")):
        best = json.load(open(d + "best.json"))
        rows = list(csv.DictReader(open(d + "trials.csv")))
        out[best["cell"]["language"]] = (best, rows)
    return out
grid = cells("grid")
steps = lambda rows: sum(int(r["resource"]) - ([0] + [int(q["resource"]) for q in rows if q["trial"] == r["trial"] and int(q["rung"]) == int(r["rung"]) - 1])[-1] for r in rows)
print(f"{'method':<6} {'language':<12} {'grid best':>9} {'choice':>7} {'gap':>7} {'steps / grid steps':>22}")
for method in ("sha", "asha"):
    found = cells(method)
    for language in grid:
        gbest, grows = grid[language]
        best, rows = found[language]
        # Every configuration's full-budget validation accuracy, from the grid.
        full = {(r["train.batch_size"], r["train.lr"]): float(r["best_val_acc"]) for r in grows}
        chosen = full[(str(best["values"]["train.batch_size"]), f'{best["values"]["train.lr"]:.6g}')]
        print(f"{method:<6} {language:<12} {gbest['score']:>9.4f} {chosen:>7.4f} {gbest['score'] - chosen:>7.4f} {steps(rows):>10} / {steps(grows):<10}")
print(f"wall time: grid {float(times['grid']):.1f} s, sha {float(times['sha']):.1f} s ({float(times['sha']) / float(times['grid']):.2f}x), "
      f"asha {float(times['asha']):.1f} s ({float(times['asha']) / float(times['grid']):.2f}x)")
PY
