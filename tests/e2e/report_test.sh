#!/usr/bin/env bash
# The report as a reader opens it: usage: report_test.sh SWEEP AGGREGATE
# A small sweep (one language named like an HTML tag, a description with a
# script, two model sizes, two seeds, a [[compare]]) writes report/ and every
# run's visualizations/; Chromium loads report.html from a local server and
# asks for nothing else, finds every figure in the DOM, shows the names as
# text, and draws a page that is not blank; a second build gives the same
# bytes; figure data equal the tables; a partial sweep says so; no gnuplot
# means exit 2 before anything is written; sweep --exp draws its figures.
set -u
source "$(dirname "$0")/../lib.sh"
SWEEP=$(realpath "$1"); AGGREGATE=$(realpath "$2")
PY=${REGAL_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
cat > rep.toml <<'TOML'
[sweep]
name = "rep"
description = "<script>alert('description')</script> sizes & seeds"
[base]
experiment = "a_plus"
"model.arch" = "lstm"
"train.steps" = 60
"train.eval_every" = 20
"data.L_max" = 6
"data.n_train" = 300
"data.n_val" = 60
"data.L_test_max" = 10
"data.n_test_per_length" = 8
"model.n_layers" = 1
[grid]
language = [{ name = "<img src=x onerror=alert(1)>", regex = "(a|b)*a", alphabet = "ab" }, "parity"]
"model.d_model" = [8, 16]
seed = [0, 1]
[[compare]]
name = "small_vs_large"
a = { "model.d_model" = 8 }
b = { "model.d_model" = 16 }
metrics = ["acc_test_len_ood"]
by = ["language"]
TOML
"$SWEEP" --spec rep.toml --results r >out.txt 2>err.txt
check "sweep: exit 0" 0 $?
R=r/rep/report
grep -q "report: $R/report.html" err.txt && ok "sweep: says where the report is" || bad "report line: $(tail -3 err.txt)"
missing=
for f in report.html report.md; do [ -s "$R/$f" ] || missing+=" $f"; done
sweep_figures="accuracy_by_length learning_curves_accuracy learning_curves_loss heatmap overall profiles forest scaling"
for fig in $sweep_figures; do
  for ext in png svg dat gp; do [ -s "$R/figures/$fig.$ext" ] || missing+=" $fig.$ext"; done
done
for f in dfa-1.svg dfa-1.png dfa-2.svg dfa-2.png; do [ -s "$R/figures/$f" ] || missing+=" $f"; done
[ -z "$missing" ] && ok "report/: html, md, every figure as png, svg, data and script, the automata" || bad "missing:$missing"
runs=0; drawn=0
for v in r/rep/runs/*/*/; do
  runs=$((runs + 1))
  all=1
  for f in learning_curves.png learning_curves.svg learning_curves.gp learning_curves.dat accuracy_by_length.png \
           accuracy_by_length.svg dfa.svg dfa.png figures.json; do
    [ -s "$v/visualizations/$f" ] || all=0
  done
  drawn=$((drawn + all))
done
check "every run has its visualizations/" "8 8" "$runs $drawn"
(cd "$R/figures" && gnuplot heatmap.gp 2>/dev/null && [ -s heatmap.png ]) && ok "a figure redraws by hand: gnuplot heatmap.gp" || bad "gnuplot heatmap.gp by hand"

# The figures' numbers are the tables' numbers.
"$PY" - "$R/figures" r/rep/aggregate <<'PY' && ok "heatmap.dat and forest.dat equal summary.csv and compare.csv" || bad "figure data differ from the tables"
import csv, re, sys
figures, tables = sys.argv[1], sys.argv[2]
gp = open(figures + "/heatmap.gp").read()
labels = lambda axis: [l.replace("''", "'") for l, _ in re.findall(r"'((?:[^']|'')*)' (\d+)", re.search(r"set " + axis + r" \((.*)\)", gp).group(1))]
configs, languages = labels("xtics"), labels("ytics")
cells = {}
for line in open(figures + "/heatmap.dat"):
    if line.startswith("#") or not line.strip(): continue
    x, y, iqm = line.split()[:3]
    cells[(languages[int(float(y))], configs[int(float(x))])] = float(iqm)
summary = {(r["language"], "d_model=" + r["model.d_model"]): float(r["acc_test_len_ood_iqm"]) for r in csv.DictReader(open(tables + "/summary.csv"))}
assert len(cells) == 4 and cells.keys() == summary.keys(), (cells, summary)
assert all(abs(cells[k] - summary[k]) < 1e-9 for k in cells), (cells, summary)
forest = [float(l.split()[0]) for l in open(figures + "/forest.dat") if l.strip() and not l.startswith("#")]
compare = [float(r["diff"]) for r in csv.DictReader(open(tables + "/compare.csv"))]
assert forest == compare, (forest, compare)
PY

# In a browser, from a server that logs every request.
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$R" && exec "$PY" -m http.server "$port" --bind 127.0.0.1 >"$work/server.log" 2>&1) &
server=$!
for _ in $(seq 50); do "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/report.html')" 2>/dev/null && break; sleep 0.1; done
: >"$work/server.log"
browser=(chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --disable-background-networking
         --disable-component-update --no-first-run --user-data-dir="$work/chromium")
"${browser[@]}" --dump-dom "http://127.0.0.1:$port/report.html" >dom.html 2>chromium.err
check "chromium: loads the report" 0 $?
requests=$(grep -ao '"GET [^ ]*' server.log | sort | uniq | tr '\n' ' ')
check "the page asks for nothing but itself" '"GET /report.html ' "$requests"
"$PY" - dom.html "$R/figures" <<'PY' && ok "DOM: every figure inline, names shown as text, no script, no img" || bad "DOM check"
import glob, re, sys
dom = open(sys.argv[1]).read()
figures = len(glob.glob(sys.argv[2] + "/*.gp"))
inline = re.findall(r'<figure id="fig-[^"]*">\s*<svg', dom)
assert len(inline) == figures == 8, (len(inline), figures)
assert dom.count("<svg") == figures + 2  # and the two automata
assert "<img" not in dom and "<script" not in dom
assert "&lt;img src=x onerror=alert(1)&gt;" in dom and "&lt;script&gt;alert('description')&lt;/script&gt;" in dom
PY
"${browser[@]}" --window-size=1280,2400 --screenshot="$work/shot.png" "http://127.0.0.1:$port/report.html" >/dev/null 2>&1
"$PY" - shot.png <<'PY' && ok "screenshot: a page, not a blank" || bad "screenshot looks blank"
import sys
from PIL import Image, ImageStat
im = Image.open(sys.argv[1]).convert("L")
stat = ImageStat.Stat(im)
dark = sum(1 for p in im.getdata() if p < 200) / (im.width * im.height)
print(f"   screenshot {im.width}x{im.height}: variance {stat.var[0]:.0f}, {dark:.1%} ink")
assert stat.var[0] > 200 and dark > 0.02
PY

# Same run folders, same bytes; the runs' figures are not drawn again.
cp -r "$R" first
"$AGGREGATE" r/rep --report >again.txt 2>again.err
check "aggregate --report: exit 0" 0 $?
check "aggregate --report: prints the path" "$(realpath "$R/report.html")" "$(realpath "$(cat again.txt)")"
diff -r first "$R" >/dev/null && ok "a second build: byte-identical report, figures, data and scripts" || bad "report differs: $(diff -rq first "$R" | head -3)"
grep -q "figures of 0 run(s) drawn" again.err && ok "run figures already drawn are kept" || bad "run figures: $(cat again.err)"

# A sweep still running: the report says partial.
mkdir -p p && cp -r r/rep p/
rm "$(ls -d p/rep/runs/*/* | head -1)/status.json"
"$AGGREGATE" p/rep --report --no-run-figures >/dev/null 2>p.err
check "partial sweep: exit 0" 0 $?
grep -q "Partial report" p/rep/report/report.html && grep -q "Partial report" p/rep/report/report.md &&
  ok "partial sweep: the report says partial" || bad "partial: $(grep -c Partial p/rep/report/report.html)"

# No gnuplot: exit 2 naming the package, nothing written.
mkdir nogp
for f in /usr/bin/* /usr/local/bin/*; do
  case "$(basename "$f")" in gnuplot*|dot) ;; *) ln -s "$f" "nogp/$(basename "$f")" 2>/dev/null ;; esac
done
err=$(PATH="$work/nogp" "$AGGREGATE" r/rep --report --out nope 2>&1); rc=$?
check "aggregate --report without gnuplot: exit 2" 2 "$rc"
case "$err" in *"gnuplot-nox"*"--report"*) ok "... names the package and the way out" ;; *) bad "message: $err" ;; esac
[ ! -e nope ] && ok "... nothing written" || bad "nope/ written"
sed 's/name = "rep"/name = "rep2"/' rep.toml >rep2.toml
err=$(PATH="$work/nogp" "$SWEEP" --spec rep2.toml --results r 2>&1); rc=$?
check "sweep without gnuplot: exit 2" 2 "$rc"
case "$err" in *"gnuplot-nox"*"--no-report"*) ok "... names the package and --no-report" ;; *) bad "message: $err" ;; esac
[ ! -e r/rep2 ] && ok "... before anything is written" || bad "r/rep2 written"

# sweep --exp: the run's figures at its end.
run=$("$SWEEP" --exp a_plus --steps 40 --set train.eval_every=20 --set data.n_train=300 --set data.L_test_max=24 \
      --results ex 2>/dev/null)
check "sweep --exp: exit 0" 0 $?
[ -s "$run/visualizations/accuracy_by_length.svg" ] && [ -s "$run/visualizations/dfa.png" ] &&
  ok "sweep --exp: visualizations/ drawn" || bad "sweep --exp visualizations: $(ls "$run/visualizations" 2>&1)"
[ "$failures" -eq 0 ]
