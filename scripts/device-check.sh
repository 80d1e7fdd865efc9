#!/usr/bin/env bash
# On the GPU machine, in one lease: builds regal against the machine's CUDA
# LibTorch, runs the test suite with the torch tests on CUDA, and takes the
# GPU figures of bench/README.md. Everything lands in one folder.
#   scripts/device-check.sh [OUT_DIR] [STAGES...]
# Stages: probe build test guards figures sweeps (default: all of them), gdb
# (a backtrace of the torch tests, for a crash).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-${OUT:-device-results}}
shift || true
stages=${*:-probe build test guards figures sweeps}
mkdir -p "$out"
source scripts/device-env.sh
build=build-cuda
has() { [[ " $stages " == *" $1 "* ]]; }
stamp() { echo "== $(date +%T) $*"; }

if has probe; then
  stamp probe
  {
    nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv
    grep PRETTY_NAME /etc/os-release; uname -r; nproc; free -g | head -2
    g++ --version | head -1; cmake --version | head -1; nvcc --version | tail -2
    python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())'
    for tool in nvidia-cuda-mps-control pkg-config dpkg-deb; do echo "$tool: $(command -v $tool || echo missing)"; done
  } 2>&1 | tee "$out/probe.txt"
fi

if has build; then
  stamp build
  start=$(date +%s)
  scripts/device-build.sh "$build" >"$out/build.log" 2>&1
  status=$?
  tail -25 "$out/build.log"
  echo "build: exit $status in $(( $(date +%s) - start )) s"
  [ $status -eq 0 ] || exit $status
fi

if has test; then
  stamp test
  # The SLURM tests need a local cluster (slurmctld, munge), which this machine lacks.
  (cd "$build" && REGAL_TEST_DEVICE=cuda ctest -LE slurm -j 4 --timeout 400 --output-on-failure) >"$out/ctest.log" 2>&1
  echo "ctest: exit $?"; grep -E "tests passed|Failed|\*\*\*|Test +#" "$out/ctest.log" | tail -30
fi

if has guards; then
  # What the CPU machine cannot show: the pre-flight checks and the thermal
  # guard reading the GPU through nvidia-smi (a pause threshold below the
  # GPU's temperature must pause the sweep before any run starts; the stop
  # that ends it exits 3), and a [search] end to end on CUDA.
  stamp guards
  work=/tmp/regal-guards
  rm -rf "$work" && mkdir -p "$work"
  run_sweep() { "$REGAL_ROOT/$build/sweep" "$@"; }
  run_sweep --spec bench/gpu_sweep.toml --results "$work/check" --no-report --check >"$out/check.txt" 2>&1
  echo "sweep --check: exit $? (0: every check ok)"; cat "$out/check.txt"
  gpu_temp=$(nvidia-smi --query-gpu=temperature.gpu --format=csv,noheader,nounits -i 0 2>/dev/null | head -1)
  pause=$(( ${gpu_temp:-40} > 11 ? ${gpu_temp:-40} - 10 : 1 ))
  timeout --preserve-status -s TERM 30 "$REGAL_ROOT/$build/sweep" --spec bench/gpu_sweep.toml --results "$work/pause" --no-report \
    --thermal-pause "$pause" --thermal-abort 150 --thermal-interval 1 >"$out/thermal-pause.log" 2>&1
  echo "--thermal-pause $pause with the GPU at ${gpu_temp:-?} °C: exit $? (3: paused, then stopped)"
  grep -E "sensor|no new run starts here|stop signal" "$out/thermal-pause.log" | head -5
  echo "run folders made while paused: $(find "$work/pause" -name status.json 2>/dev/null | wc -l) (0 expected)"
  sed 's/^\[base\]$/[base]\ndevice = "cuda"/' sweeps/search_per_budget.toml >"$work/search.toml"
  start=$(date +%s)
  run_sweep --spec "$work/search.toml" --results "$work/search" --no-report >"$out/search.log" 2>&1
  echo "search_per_budget on cuda: exit $? in $(( $(date +%s) - start )) s"; tail -4 "$out/search.log"
  cp "$work"/search/search_per_budget/aggregate/{search_summary,fit}.csv "$out/" 2>/dev/null
fi

if has gdb; then
  # A crash in the torch tests: each test alone on CUDA and on the CPU, then a
  # backtrace from the machine's cuda-gdb (it has no gdb). A jump to address 0
  # leaves no frame to unwind: the words at the stack pointer name the caller.
  stamp gdb
  for device in cuda cpu; do
    for test in $("$build/tests/learning_test" --gtest_list_tests | awk '/^[A-Za-z]/ {suite=$1} /^  / {print suite $1}'); do
      REGAL_TEST_DEVICE=$device "$build/tests/learning_test" --gtest_filter="$test" >/dev/null 2>&1
      echo "$device $test: exit $?"
    done
  done | tee "$out/tests-alone.txt"
  REGAL_TEST_DEVICE=cuda cuda-gdb -q -batch -ex run -ex bt -ex 'x/16a $sp' -ex 'info sharedlibrary' \
    --args "$build/tests/learning_test" >"$out/gdb.txt" 2>&1
  grep -A22 "received signal" "$out/gdb.txt" | grep -v "^warning" | head -30
fi

if has figures; then
  stamp figures
  figures=$out/figures.jsonl
  : >"$figures"
  # Step time, C++ against its PyTorch twin on the same GPU.
  for arch in transformer lstm; do
    for length in 40 500; do
      "$build/bench/step_bench" --arch "$arch" --device cuda --batch 128 --length "$length" --steps 200 >>"$figures"
      python3 bench/step_twin.py --arch "$arch" --device cuda --batch 128 --length "$length" --steps 200 >>"$figures"
    done
  done
  # Evaluation over lengths 1..500 (every test split; 100 strings per length and split).
  for arch in transformer lstm; do
    "$build/bench/step_bench" --eval --arch "$arch" --device cuda --max-length 500 >>"$figures"
  done
  cat "$figures"
fi

if has sweeps; then
  # Throughput of a small-model sweep (bench/gpu_sweep.toml, 64 runs) in runs
  # per hour: K children per GPU, with and without MPS, against the CPU cores.
  stamp sweeps
  sweeps=$out/sweeps.tsv
  printf 'variant\truns_per_gpu\tseconds\truns_done\truns_per_hour\texit\n' >"$sweeps"
  work=/tmp/regal-sweeps
  rm -rf "$work" && mkdir -p "$work"
  sed 's/^device = "cuda"/device = "cpu"/' bench/gpu_sweep.toml >"$work/cpu_sweep.toml"
  deadline=$(( $(date +%s) + ${SWEEP_BUDGET_S:-420} ))
  sweep() {  # NAME K SPEC [launcher...]
    local name=$1 k=$2 spec=$3; shift 3
    if [ -n "${SWEEP_VARIANTS:-}" ] && [[ " $SWEEP_VARIANTS " != *" $name "* ]]; then return; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "skipped $name: over the time budget"; return; fi
    local start end code done
    start=$(date +%s.%N)
    "$@" "$REGAL_ROOT/$build/sweep" --spec "$spec" --results "$work/$name" --runs-per-gpu "$k" >"$work/$name.log" 2>&1
    code=$?
    end=$(date +%s.%N)
    done=$(grep -rl --include=status.json '"status": "done"' "$work/$name" | wc -l)
    awk -v n="$name" -v k="$k" -v s="$start" -v e="$end" -v d="$done" -v c="$code" \
      'BEGIN { t = e - s; printf "%s\t%s\t%.1f\t%s\t%.0f\t%s\n", n, k, t, d, d / t * 3600, c }' | tee -a "$sweeps"
  }
  cores=$(nproc)
  sweep cpu "$cores" "$work/cpu_sweep.toml"
  for k in 8 4; do sweep "gpu_k$k" "$k" bench/gpu_sweep.toml; done
  if command -v nvidia-cuda-mps-control >/dev/null; then
    export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
    mkdir -p "$CUDA_MPS_PIPE_DIRECTORY" "$CUDA_MPS_LOG_DIRECTORY"
    if nvidia-cuda-mps-control -d; then
      for k in 8 4; do sweep "mps_k$k" "$k" bench/gpu_sweep.toml; done
      echo quit | nvidia-cuda-mps-control
      unset CUDA_MPS_PIPE_DIRECTORY CUDA_MPS_LOG_DIRECTORY
    else
      echo "MPS: nvidia-cuda-mps-control -d failed" | tee -a "$sweeps"
    fi
  fi
  sweep mpirun2_k2 2 bench/gpu_sweep.toml mpirun -n 2
  for k in 2 1; do sweep "gpu_k$k" "$k" bench/gpu_sweep.toml; done
  sweep mpirun2_k1 1 bench/gpu_sweep.toml mpirun -n 2
  # One run's env.json, to show what is recorded of the GPU.
  find "$work/gpu_k8" -name env.json | head -1 | xargs cat >"$out/env.json" 2>/dev/null
  tar -czf "$out/sweep-logs.tar.gz" -C "$work" --exclude='*.pt' --exclude='corpus.h5' . 2>/dev/null
  cat "$sweeps"
fi
