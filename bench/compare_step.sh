#!/usr/bin/env bash
# One training step, C++ against its Python twin, same threads, same machine,
# one run. Variants show where the C++ gain comes from:
#   cpp                 as shipped (tuned allocator, CLS-row shortcut)
#   cpp_full            every row of the last block computed (as the twin does)
#   cpp_full_untuned    ... and glibc's default allocator thresholds
#   python              bench/step_twin.py under Debian's python3-torch
# Usage: bench/compare_step.sh [BUILD_DIR] [THREADS]
set -euo pipefail
build=${1:-build}
threads=${2:-1}
steps=${STEPS:-30}
ms() { sed -E 's/.*"ms_per_step": ([0-9.]+).*/\1/'; }
printf '%-12s %8s %10s %10s %12s %10s %14s\n' arch threads cpp cpp_full cpp_untuned python "python/cpp"
for arch in transformer lstm; do
  cpp=$("$build/bench/step_bench" --arch "$arch" --threads "$threads" --steps "$steps" | ms)
  full=$("$build/bench/step_bench" --arch "$arch" --threads "$threads" --steps "$steps" --full-last-block | ms)
  untuned=$("$build/bench/step_bench" --arch "$arch" --threads "$threads" --steps "$steps" --full-last-block --no-tune-allocator | ms)
  python=$(/usr/bin/python3 "$(dirname "$0")/step_twin.py" --arch "$arch" --threads "$threads" --steps "$steps" | ms)
  ratio=$(awk -v p="$python" -v c="$cpp" 'BEGIN { printf "%.2fx", p / c }')
  printf '%-12s %8s %8.1fms %8.1fms %10.1fms %8.1fms %14s\n' "$arch" "$threads" "$cpp" "$full" "$untuned" "$python" "$ratio"
done
