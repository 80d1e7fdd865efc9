#!/usr/bin/env bash
# The one-way layering, as the built binaries and the sources show it:
# usage: layering_test.sh SOURCE_DIR AGGREGATE FSM SWEEP
# aggregate and fsm load no LibTorch (nor HDF5's C++ library), nor does sweep
# (regal-run beside it does); only model/, train/ and eval/ include
# <torch/...>; aggregate/ includes nothing of experiment/, sweep/ or cli/.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
SOURCE=$1 AGGREGATE=$2 FSM=$3 SWEEP=$4
for tool in "$AGGREGATE" "$FSM"; do
  name=$(basename "$tool")
  linked=$(ldd "$tool" | grep -E 'libtorch|libc10|libhdf5_cpp|libhdf5_serial_cpp' | awk '{print $1}' | tr '\n' ' ')
  check "$name loads no LibTorch or HDF5 C++" "" "$linked"
done
# sweep plans, schedules and reduces; regal-run beside it executes the runs.
linked=$(ldd "$SWEEP" | grep -E 'libtorch|libc10' | awk '{print $1}' | tr '\n' ' ')
check "sweep loads no LibTorch (its ranks stay small)" "" "$linked"
[ -n "$(ldd "$(dirname "$SWEEP")/regal-run" | grep libtorch)" ] && ok "regal-run loads LibTorch (it trains)" || bad "regal-run does not load LibTorch"
outside=$(grep -rlE '#include *[<"](torch|ATen|c10)/' "$SOURCE/src" "$SOURCE/aggregate" | sed "s|^$SOURCE/||" | grep -vE '^src/(model|train|eval)/' | tr '\n' ' ')
check "torch headers only in model/, train/, eval/" "" "$outside"
upward=$(grep -rhoE '#include "(experiment|sweep|cli|model|train|eval)/[^"]*"' "$SOURCE/aggregate" | sort -u | tr '\n' ' ')
check "aggregate/ includes nothing above it" "" "$upward"
[ "$failures" -eq 0 ]
