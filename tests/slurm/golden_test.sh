#!/usr/bin/env bash
# The job scripts slurm/submit.sh generates, against golden files. If a
# template changes on purpose, regenerate the golden files with the commands
# below and review the diff.
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
compare() {  # compare GOLDEN ARGS...
  local golden=$1; shift
  if diff -u "$golden" <(slurm/submit.sh --print "$@"); then echo "ok   $golden"; else echo "FAIL $golden"; status=1; fi
}
compare tests/slurm/golden/length_ood.sbatch --ntasks 4 --gpus-per-task 1 --time 01:00:00 --partition gpu sweeps/length_ood.toml
compare tests/slurm/golden/tomita_array.sbatch --array 4 --cpus-per-task 2 sweeps/tomita.toml
# The templates themselves are what sbatch reads: their directives must stay.
for directive in '--signal=USR1@120' '--requeue' '--ntasks=' '--cpus-per-task=' '--time='; do
  grep -q -- "^#SBATCH $directive" slurm/sweep.sbatch || { echo "FAIL sweep.sbatch lacks $directive"; status=1; }
done
grep -q -- '--share "$share"' slurm/array.sbatch || { echo "FAIL array.sbatch does not pass --share"; status=1; }
# Bad input: exit 2 with one line.
out=$(slurm/submit.sh --print --array x sweeps/tomita.toml 2>&1); rc=$?
[ "$rc" = 2 ] && echo "ok   bad --array: exit 2" || { echo "FAIL bad --array: $rc $out"; status=1; }
out=$(slurm/submit.sh --print nowhere.toml 2>&1); rc=$?
[ "$rc" = 2 ] && echo "ok   missing spec: exit 2" || { echo "FAIL missing spec: $rc $out"; status=1; }
exit $status
