# Shared by the shell tests: sourced, not run. Each check prints one line.
failures=0
ok() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; failures=$((failures + 1)); }
check() { if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }
# A runs.csv or summary.csv without its timing columns, to compare runs across launches.
untimed() { "${REGAL_PYTHON:-/usr/bin/python3}" -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
drop = [i for i, c in enumerate(rows[0]) if c.startswith(('train_seconds', 'eval_seconds'))]
for row in rows: print(','.join(c for i, c in enumerate(row) if i not in drop))" "$1"; }
# A small sweep spec on stdout: small_spec NAME STEPS SEEDS... (a_plus, tiny
# corpus; a run takes about a second at 30 steps).
small_spec() {
  local name=$1 steps=$2; shift 2
  cat <<TOML
[sweep]
name = "$name"
description = "A small sweep: $name"
[base]
experiment = "a_plus"
"train.steps" = $steps
"train.eval_every" = 10
"data.n_train" = 300
"data.n_val" = 100
"data.L_test_max" = 20
"data.n_test_per_length" = 20
[grid]
seed = [$(IFS=,; echo "$*")]
TOML
}
