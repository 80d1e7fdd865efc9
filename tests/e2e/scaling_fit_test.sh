#!/usr/bin/env bash
# Scaling-law fits on real runs: usage: scaling_fit_test.sh SWEEP AGGREGATE
# A small model.params sweep with a [[fit]] table writes fit.csv and
# fit.json (both laws, alpha with its interval, residuals that equal the
# mean error minus the law, recomputed here), the report shows the fits and
# their figure, aggregate --out rebuilds the same bytes, aggregate --fit
# prints them, and a fit over a column that is not numeric, or a y that is
# not an accuracy or an error, is exit 2 with nothing written.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
SWEEP=$(realpath "$1"); AGGREGATE=$(realpath "$2")
PY=${REGAL_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > fit.toml <<'TOML'
[sweep]
name = "fits"
[base]
"model.arch" = "lstm"
"train.steps" = 100
"train.eval_every" = 50
"data.L_max" = 8
"data.L_test_max" = 12
"data.n_train" = 600
"data.n_val" = 100
"data.n_test_per_length" = 16
[grid]
language = ["tomita4"]
"model.params" = [500, 2000, 8000, 32000]
seed = [0, 1]
[[fit]]
x = "parameters"
y = "acc_test_len_ood"
TOML
"$SWEEP" --spec fit.toml --results r >out.txt 2>err.txt
check "sweep with [[fit]]: exit 0" 0 $?
for f in fit.csv fit.json; do [ -s "r/fits/aggregate/$f" ] && ok "wrote $f" || bad "missing $f"; done
check "fit.csv: one row per law" 2 "$(($(wc -l < r/fits/aggregate/fit.csv) - 1))"
"$PY" - r/fits/aggregate/fit.json <<'PY' && ok "fit.json: 4 sizes, alpha inside its interval, residuals = mean error - law" || bad "fit.json"
import json, sys
fits = json.load(open(sys.argv[1]))["fits"]
assert [f["law"] for f in fits] == ["saturating", "power"], fits
for f in fits:
    assert f["sizes"] == 4 and f["runs"] == 8, f
    lo, hi = f["alpha_interval"]
    assert lo <= f["alpha"] <= hi or abs(f["alpha"] - lo) < 1e-9 or abs(f["alpha"] - hi) < 1e-9, f
    by_x = {}
    for r in f["run_points"]:
        by_x.setdefault(r["x"], []).append(r["error"])
    for p in f["points"]:
        law = f["E"] + f["A"] * p["x"] ** -f["alpha"]
        mean = sum(by_x[p["x"]]) / len(by_x[p["x"]])
        assert abs(p["mean_error"] - mean) < 1e-12 and abs(p["residual"] - (mean - law)) < 1e-9, (p, mean, law)
    assert f["holdout"]["x"] == max(by_x), f["holdout"]
PY
grep -q 'id="fits"' r/fits/report/report.html && ok "report: a scaling-law fits section" || bad "report lacks the fits"
[ -s r/fits/report/figures/fit.svg ] && [ -s r/fits/report/figures/fit.gp ] && ok "report: the fit figure with its script" || bad "no fit figure"
"$AGGREGATE" r/fits --out rebuilt >/dev/null 2>&1
for f in fit.csv fit.json; do cmp -s "rebuilt/$f" "r/fits/aggregate/$f" && ok "aggregate --out: $f equals the reducer's" || bad "$f differs"; done
"$AGGREGATE" r/fits --fit 'x=parameters,y=acc_test_id' >cli.txt 2>cli.err
check "aggregate --fit: exit 0" 0 $?
head -1 cli.txt | grep -q "fit *language *law *runs *sizes *alpha *alpha 95%" && ok "aggregate --fit: a table" || bad "fit table: $(head -2 cli.txt)"
"$AGGREGATE" r/fits --fit 'x=model.params,y=loss_test_len_ood,by=' --format csv >cli.csv 2>/dev/null
check "aggregate --fit over an axis, one group, csv: two rows" 2 "$(($(wc -l < cli.csv) - 1))"
err=$("$AGGREGATE" r/fits --fit 'x=language,y=acc_test_id' --out bad 2>&1); rc=$?
check "fit over a column that is not numeric: exit 2" 2 "$rc"
case "$err" in *"x = language is not numeric"*) ok "... names it" ;; *) bad "not numeric: $err" ;; esac
err=$("$AGGREGATE" r/fits --fit 'x=parameters,y=horizon' --out bad 2>&1); rc=$?
check "fit of a y that is not an error: exit 2" 2 "$rc"
"$AGGREGATE" r/fits --fit 'x=parameters' --out bad >/dev/null 2>&1
check "fit without y: exit 2" 2 $?
[ ! -e bad ] && ok "bad input: nothing written" || bad "bad/ written"
sed -e 's/^name = "fits"/name = "fits_bad"/' -e 's/^y = "acc_test_len_ood"/y = "acc_test_lenood"/' fit.toml >bad.toml
err=$("$SWEEP" --spec bad.toml --results r 2>&1); rc=$?
check "spec with a bad [[fit]]: exit 2" 2 "$rc"
case "$err" in *"bad.toml:"*"unknown metric y = acc_test_lenood (did you mean 'acc_test_len_ood'?)"*) ok "... names file, line and key" ;; *) bad "spec fit: $err" ;; esac
[ ! -e r/fits_bad ] && ok "... nothing written" || bad "r/fits_bad written"
[ "$failures" -eq 0 ]
