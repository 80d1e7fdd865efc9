#!/usr/bin/env bash
# An install as a site would make it, used from another folder:
# usage: install_test.sh BUILD_DIR
# `cmake --install` into a temporary prefix; with P/bin first on PATH, a sweep
# runs from an unrelated folder (a built-in experiment, the installed ready
# experiments discovered), aggregate and fsm work, the templates and the
# module file are in place, the templates find `sweep` on PATH, and CPack's
# .deb declares its Debian dependencies; without regal-run beside it sweep
# stops with a clear message.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
BUILD=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$BUILD" --prefix "$prefix" >"$work/install.log" 2>&1
check "install: exit 0" 0 $?
for f in bin/sweep bin/regal-run bin/aggregate bin/fsm share/regal/slurm/sweep.sbatch share/regal/slurm/submit.sh \
         share/regal/sweeps/quickstart.toml share/regal/sweeps/experiments/div3_binary.toml share/doc/regal/README.md \
         share/doc/regal/spec.md share/regal/modulefiles/regal/0.1.0.lua; do
  [ -e "$prefix/$f" ] && ok "installed $f" || bad "missing $f"
done
grep -q "local prefix = \"$prefix\"" "$prefix/share/regal/modulefiles/regal/0.1.0.lua" && ok "module file names the prefix" || bad "module prefix"

mkdir -p "$work/elsewhere" && cd "$work/elsewhere"
export PATH=$prefix/bin:$PATH
[ "$(command -v sweep)" = "$prefix/bin/sweep" ] && ok "sweep on PATH" || bad "sweep on PATH: $(command -v sweep)"
sweep --list | grep -q "^div3_binary " && ok "installed experiments discovered from another folder" || bad "discovery"
run_help=$(regal-run --help); sweep_help=$(sweep --help)
grep -q "Type sweep instead" <<<"$run_help" && ok "regal-run --help says to type sweep" || bad "regal-run --help: ${run_help:0:300}"
[[ "$sweep_help" == "sweep: run regal experiments"* ]] && ok "sweep --help starts with its flags" || bad "sweep --help: ${sweep_help:0:100}"
cat > spec.toml <<'TOML'
[sweep]
name = "installed"
[base]
experiment = "div3_binary"
"train.steps" = 20
"train.eval_every" = 10
"data.n_train" = 200
"data.n_val" = 50
"data.L_max" = 8
"data.L_test_max" = 14
"data.n_test_per_length" = 10
[grid]
seed = [0, 1]
TOML
sweep --spec spec.toml >out.txt 2>err.txt
check "sweep from another folder: exit 0" 0 $?
check "both runs done" 2 "$(grep -c ',done,' results/installed/aggregate/runs.csv)"
[ -s results/installed/report/report.html ] && ok "installed sweep writes its report" || bad "no report.html"
aggregate results/installed >/dev/null 2>&1 && ok "aggregate runs" || bad "aggregate"
check "fsm runs" "1" "$(echo 110 | fsm -r '(0|1(01*0)*1)*' -a 01 --classify)"
# The templates resolve SWEEP to the installed binary when it is unset.
grep -q 'SWEEP=${SWEEP:-$(command -v sweep' "$prefix/share/regal/slurm/sweep.sbatch" && ok "template takes sweep from PATH" || bad "template SWEEP"
# sweep without the regal-run that executes its runs: a sweep stops before
# anything is written (exit 2, naming it); --exp cannot start (exit 1).
mkdir -p "$work/lonely" && cp "$prefix/bin/sweep" "$work/lonely/"
"$work/lonely/sweep" --spec spec.toml --results lonely_results >lonely.txt 2>&1
check "sweep without regal-run: exit 2" 2 $?
grep -q "regal-run is missing" lonely.txt && ok "the message names regal-run" || bad "lonely: $(cat lonely.txt)"
[ ! -e lonely_results/installed/plan.json ] && ok "nothing planned on disk" || bad "lonely wrote plan.json"
"$work/lonely/sweep" --exp div3_binary --results lonely_results >lonely_exp.txt 2>&1
check "sweep --exp without regal-run: exit 1" 1 $?
grep -q "cannot start .*regal-run" lonely_exp.txt && ok "--exp says it cannot start regal-run" || bad "lonely --exp: $(cat lonely_exp.txt)"
# The Debian package declares what the binaries load, mpirun, gnuplot and dot.
(cd "$BUILD" && cpack -G DEB -B "$work/package" >"$work/cpack.log" 2>&1)
deb=$(ls "$work"/package/regal_*.deb 2>/dev/null)
[ -n "$deb" ] && ok "cpack builds a .deb" || bad "cpack: $(tail -3 "$work/cpack.log")"
depends=$(dpkg-deb -f "$deb" Depends 2>/dev/null)
for package in openmpi-bin gnuplot-nox graphviz libopenmpi3 libhdf5-103-1 libtorch libboost-program-options; do
  case "$depends" in *"$package"*) ok ".deb depends on $package" ;; *) bad ".deb lacks $package: $depends" ;; esac
done
[ "$failures" -eq 0 ]
