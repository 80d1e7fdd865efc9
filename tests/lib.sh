# Shared by the shell tests: sourced, not run. Each check prints one line.
failures=0
ok() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; failures=$((failures + 1)); }
check() { if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }
# A runs.csv or summary.csv without its timing columns, to compare runs across launches.
untimed() { "${REGAL_PYTHON:-/usr/bin/python3}" -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
drop = [i for i, c in enumerate(rows[0]) if c.startswith('train_seconds')]
for row in rows: print(','.join(c for i, c in enumerate(row) if i not in drop))" "$1"; }
