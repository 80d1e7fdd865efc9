#!/usr/bin/env bash
# Writes a concrete job script for one spec from slurm/sweep.sbatch (or
# array.sbatch with --array N) and submits it with sbatch; --print shows the
# script instead. Resource flags replace the template's #SBATCH defaults.
#
#   slurm/submit.sh [--ntasks N] [--cpus-per-task C] [--gpus-per-task G] [--time T]
#                   [--partition P] [--array N] [--print] SPEC
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
declare -A set_lines=()
array=""
print=0
spec=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ntasks|--cpus-per-task|--gpus-per-task|--time|--partition) set_lines[${1#--}]=$2; shift 2 ;;
    --array) array=$2; shift 2 ;;
    --print) print=1; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "submit.sh: unknown flag $1" >&2; exit 2 ;;
    *) spec=$1; shift ;;
  esac
done
[ -n "$spec" ] || { echo "submit.sh: give a spec file" >&2; exit 2; }
[ -f "$spec" ] || { echo "submit.sh: no such spec file: $spec" >&2; exit 2; }
template=$here/sweep.sbatch
if [ -n "$array" ]; then
  [[ "$array" =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: --array takes a task count" >&2; exit 2; }
  template=$here/array.sbatch
  set_lines[array]="0-$((array - 1))"
fi
name=$(basename "$spec" .toml)
script=$(awk -v name="$name" -v spec="$spec" -v settings="$(for k in "${!set_lines[@]}"; do printf '%s=%s\n' "$k" "${set_lines[$k]}"; done)" '
  BEGIN { n = split(settings, lines, "\n"); for (i = 1; i <= n; i++) if (lines[i] != "") { split(lines[i], kv, "="); value[kv[1]] = substr(lines[i], length(kv[1]) + 2) } }
  /^#SBATCH --job-name=/ { sub(/=.*/, "=regal-" name); print; next }
  /^#SBATCH --[a-z-]+=/ {
    key = $2; sub(/^--/, "", key); sub(/=.*/, "", key)
    if (key in value) { print "#SBATCH --" key "=" value[key]; used[key] = 1; next }
  }
  /^set -uo pipefail$/ {
    split("partition ntasks cpus-per-task gpus-per-task time array", order, " ")
    for (i = 1; i <= 6; i++) { k = order[i]; if ((k in value) && !(k in used)) print "#SBATCH --" k "=" value[k] }
    print; print "SPEC=${SPEC:-" spec "}"; next
  }
  { print }' "$template")
if [ "$print" = 1 ]; then
  printf '%s\n' "$script"
else
  printf '%s\n' "$script" | sbatch
fi
