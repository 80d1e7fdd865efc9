#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints its figures. Usage: bench/run.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
"$build/bench/fsm_bench" --benchmark_counters_tabular=true
"$build/bench/data_bench" --benchmark_counters_tabular=true
"$build/bench/stats_bench" --benchmark_counters_tabular=true
"$build/bench/report_bench" 1000 40
"$build/bench/notebook_bench" --benchmark_counters_tabular=true
bash "$(dirname "$0")/compare_step.sh" "$build" 1
bash "$(dirname "$0")/faults_bench.sh" "$build" 3
bash "$(dirname "$0")/search_bench.sh" "$build"
"$build/bench/sim_bench" --measure-writer 100000
"$build/bench/sim_bench" --scaling --write-fixed 0.01 --write-per-record 1.8e-6 --write-per-change 1.25e-4
