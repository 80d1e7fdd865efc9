#!/usr/bin/env bash
# Against a live one-node SLURM cluster that this test starts and stops:
#   srun --mpi=pmix -n 2 sweep completes, tables complete;
#   a run whose child is SIGKILLed under srun fails alone;
#   sbatch slurm/sweep.sbatch completes, its log where documented;
#   scancel --signal=USR1 mid-sweep: runs preempted, job exits 3, submitting
#     again finishes, tables equal an uninterrupted sweep;
#   the job requeues itself and the restart resumes (attempt = SLURM_RESTART_COUNT);
#   slurm/array.sbatch splits the plan over array tasks.
# usage: cluster_test.sh path/to/sweep
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
SWEEP=$(realpath "$1")
SOURCE=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
export REGAL_SLURM_STATE=$work/slurm-state
export SLURM_CONF=$REGAL_SLURM_STATE/slurm.conf
cleanup() {
  scancel --quiet --user="$(id -un)" 2>/dev/null || true
  "$SOURCE/slurm/local-cluster.sh" stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
"$SOURCE/slurm/local-cluster.sh" start >/dev/null || { echo "FAIL the local cluster did not start"; exit 1; }
cd "$work"
wait_job() {  # wait_job ID: until it leaves the queue (at most 4 minutes)
  for _ in $(seq 480); do [ -z "$(squeue -h -j "$1" -o %T 2>/dev/null)" ] && return 0; sleep 0.5; done
  return 1
}
job_field() { scontrol show job "$1" | grep -oE "$2=[^ ]+" | head -1 | cut -d= -f2; }
wait_training() {  # wait_training RESULTS: until some run has validated once
  for _ in $(seq 240); do ls "$1"/slow/runs/*/*/logs/history.jsonl >/dev/null 2>&1 && return 0; sleep 0.25; done
  return 1
}

cat > tiny.toml <<'TOML'
[sweep]
name = "tiny"
[base]
experiment = "a_plus"
"train.steps" = 30
"train.eval_every" = 15
"data.n_train" = 300
"data.n_val" = 100
"data.L_test_max" = 20
"data.n_test_per_length" = 20
[grid]
language = ["parity", "no_aa"]
seed = [0, 1]
TOML
cat > slow.toml <<'TOML'
[sweep]
name = "slow"
[base]
experiment = "a_plus"
"train.steps" = 900
"train.eval_every" = 50
"train.checkpoint_every" = 50
[grid]
seed = [0, 1, 2]
TOML

# srun: two ranks, every run done.
srun --mpi=pmix -n 2 "$SWEEP" --spec tiny.toml --results srun >/dev/null 2>srun.err
check "srun: exit 0" 0 $?
check "srun: all rows done" 4 "$(grep -c ',done,' srun/tiny/aggregate/runs.csv)"
grep -q "\[rank 1\]" srun.err && ok "srun: two ranks" || bad "srun: rank 1 missing"

# srun: a child killed by SIGKILL fails its run only.
victim=$(sed -n 2p srun/tiny/aggregate/runs.csv | cut -d, -f1)
REGAL_FAIL_STAGE=train:kill REGAL_FAIL_RUN=$victim srun --mpi=pmix -n 2 "$SWEEP" --spec tiny.toml --results crash >/dev/null 2>&1
check "crash: exit 1" 1 $?
check "crash: others done" 3 "$(grep -c ',done,' crash/tiny/aggregate/runs.csv)"
grep -q "^$victim,failed,.*signal 9" crash/tiny/aggregate/runs.csv && ok "crash: the killed run failed" || bad "crash row"

# sbatch: the template completes; the log is under the sweep's folder.
id=$(sbatch --parsable --export=ALL,SPEC=tiny.toml,SWEEP="$SWEEP",RESULTS=batch "$SOURCE/slurm/sweep.sbatch")
wait_job "$id" || bad "sbatch: job $id did not end"
check "sbatch: exit code" "0:0" "$(job_field "$id" ExitCode)"
grep -q "== sweep exited 0" "batch/tiny/slurm/job-$id.log" && ok "sbatch: log in results/tiny/slurm/" || bad "sbatch: log"
check "sbatch: all rows done" 4 "$(grep -c ',done,' batch/tiny/aggregate/runs.csv)"

# The reference: the slow sweep, never interrupted.
srun --mpi=pmix -n 2 "$SWEEP" --spec slow.toml --results whole >/dev/null 2>&1

# Preemption by scancel --signal=USR1: runs checkpoint, the job exits 3; submitting again finishes.
id=$(sbatch --parsable --export=ALL,SPEC=slow.toml,SWEEP="$SWEEP",RESULTS=cut,REGAL_REQUEUE=0 "$SOURCE/slurm/sweep.sbatch")
wait_training cut || bad "preempt: training did not start"
scancel --signal=USR1 "$id"
wait_job "$id" || bad "preempt: job did not end"
check "preempt: job exits 3" "3:0" "$(job_field "$id" ExitCode)"
[ "$(grep -c ',preempted,' cut/slow/aggregate/runs.csv)" -ge 1 ] && ok "preempt: runs preempted" || bad "preempt: $(cat cut/slow/aggregate/runs.csv)"
ls cut/slow/runs/*/*/checkpoints/last.pt >/dev/null 2>&1 && ok "preempt: checkpoints written" || bad "preempt: no last.pt"
id=$(sbatch --parsable --export=ALL,SPEC=slow.toml,SWEEP="$SWEEP",RESULTS=cut,REGAL_REQUEUE=0 "$SOURCE/slurm/sweep.sbatch")
wait_job "$id"
check "resubmit: exit code" "0:0" "$(job_field "$id" ExitCode)"
grep -qh "resuming from" cut/slow/runs/*/*/logs/run.log && ok "resubmit: resumed from last.pt" || bad "resubmit: no resume"
check "resubmit: tables equal an uninterrupted sweep" "$(untimed whole/slow/aggregate/runs.csv)" "$(untimed cut/slow/aggregate/runs.csv)"
check "resubmit: summary equal" "$(cut -d, -f1-8 whole/slow/aggregate/summary.csv)" "$(cut -d, -f1-8 cut/slow/aggregate/summary.csv)"

# The job requeues itself; the restart resumes and records the attempt.
id=$(sbatch --parsable --export=ALL,SPEC=slow.toml,SWEEP="$SWEEP",RESULTS=requeue "$SOURCE/slurm/sweep.sbatch")
wait_training requeue || bad "requeue: training did not start"
scancel --signal=USR1 "$id"
for _ in $(seq 240); do [ "$(job_field "$id" Restarts)" = 1 ] && [ "$(job_field "$id" JobState)" = PENDING ] && break; sleep 0.25; done
check "requeue: the job requeued itself" "1 PENDING" "$(job_field "$id" Restarts) $(job_field "$id" JobState)"
# SLURM holds a requeued job ~2 minutes (Reason=BeginTime) while the old
# instance is torn down; release it early, but only once that is over: a
# relaunch that overlaps the old step's cleanup fails at launch.
for _ in $(seq 240); do
  pgrep -f "slurmstepd: \[$id[].]" >/dev/null || pgrep -f "results requeue" >/dev/null || break
  sleep 0.25
done
sleep 2
for _ in $(seq 40); do
  scontrol update JobId="$id" StartTime=now 2>/dev/null
  [ "$(job_field "$id" Reason)" != BeginTime ] && break
  sleep 0.25
done
wait_job "$id"
check "requeue: exit code" "0:0" "$(job_field "$id" ExitCode)"
if [ "$(job_field "$id" ExitCode)" != "0:0" ]; then  # say what happened
  scontrol show job "$id" | grep -E "JobState|Restarts|ExitCode|Reason"
  cat requeue/slow/slurm/job-"$id".log 2>/dev/null | grep -v '^\[' | tail -20
  ls slurm-regal-"$id".out 2>/dev/null && tail -20 slurm-regal-"$id".out
fi
check "requeue: all done" 3 "$(grep -c ',done,' requeue/slow/aggregate/runs.csv)"
grep -q "restart 1" "requeue/slow/slurm/job-$id.log" && ok "requeue: restart logged" || bad "requeue: log"
[ "$(grep -h '"attempt": 1' requeue/slow/runs/*/*/status.json | wc -l)" -ge 1 ] && ok "requeue: attempt recorded" || bad "requeue: attempt"
check "requeue: tables equal an uninterrupted sweep" "$(untimed whole/slow/aggregate/runs.csv)" "$(untimed requeue/slow/aggregate/runs.csv)"

# A job array splits the plan.
id=$(sbatch --parsable --array=0-1 --export=ALL,SPEC=tiny.toml,SWEEP="$SWEEP",RESULTS=array "$SOURCE/slurm/array.sbatch")
for task in 0 1; do wait_job "${id}_${task}"; done
wait_job "$id"
check "array: all rows done" 4 "$(grep -c ',done,' array/tiny/aggregate/runs.csv)"
check "array: a log per task" 2 "$(ls array/tiny/slurm/array-"${id}"_*.log 2>/dev/null | wc -l)"
check "array: tables equal srun's" "$(untimed srun/tiny/aggregate/runs.csv)" "$(untimed array/tiny/aggregate/runs.csv)"

[ "$failures" -eq 0 ]
