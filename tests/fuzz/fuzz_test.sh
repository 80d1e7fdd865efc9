#!/usr/bin/env bash
# Builds the fuzz targets (clang, libFuzzer, ASan, UBSan; only the libraries
# they need), replays the seed corpora in tests/fuzz/corpus/ and fuzzes each
# target for SECONDS. A crash fails the test and leaves its input in
# BUILD_DIR/crashes/: add it to the corpus once fixed, as a regression.
#   fuzz_test.sh SOURCE_DIR BUILD_DIR [SECONDS]     (CI: 30; `make fuzz`: 600)
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
SOURCE=$(realpath "$1"); BUILD=$2; SECONDS_PER_TARGET=${3:-30}
mkdir -p "$BUILD"
BUILD=$(realpath "$BUILD")
if ! cmake -S "$SOURCE" -B "$BUILD" -G Ninja -DREGAL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
     -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >"$BUILD/configure.log" 2>&1; then
  tail -20 "$BUILD/configure.log"; bad "configure the fuzz build"; exit 1
fi
if ! cmake --build "$BUILD" -j "$(nproc)" >"$BUILD/build.log" 2>&1; then
  tail -30 "$BUILD/build.log"; bad "build the fuzz targets"; exit 1
fi
mkdir -p "$BUILD/crashes"
for target in regex spec; do
  fuzzer=$BUILD/fuzz/${target}_fuzzer
  seeds=$SOURCE/tests/fuzz/corpus/$target
  work=$BUILD/corpus-$target   # grows across runs; the seeds stay as committed
  mkdir -p "$work"
  # Replay: every seed (regressions included) must pass as it is.
  "$fuzzer" -runs=0 "$seeds" >"$BUILD/$target-replay.log" 2>&1 && ok "$target: the seed corpus replays" \
    || { tail -30 "$BUILD/$target-replay.log"; bad "$target: a seed input fails"; }
  "$fuzzer" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$BUILD/crashes/$target-" "$work" "$seeds" >"$BUILD/$target-fuzz.log" 2>&1
  rc=$?
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$BUILD/$target-fuzz.log")
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$BUILD/$target-fuzz.log")
  cov=$(grep -oE 'cov: [0-9]+' "$BUILD/$target-fuzz.log" | tail -1)
  echo "     ($target: ${execs:-0} inputs in ${SECONDS_PER_TARGET} s, ${rate:-0}/s, $cov)"
  if [ "$rc" -eq 0 ]; then ok "$target: no crash in ${SECONDS_PER_TARGET} s"; else tail -40 "$BUILD/$target-fuzz.log"; bad "$target: the fuzzer found a crash (see $BUILD/crashes)"; fi
done
[ "$failures" -eq 0 ]
