#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for tests and trying things out:
# munge, slurmctld and slurmd from Debian's slurm-wlm, one node with this
# machine's cores in a `debug` partition, all state under one folder.
#
#   slurm/local-cluster.sh start|stop|status
#
# STATE (default /tmp/regal-slurm) holds slurm.conf, the daemons' state, logs
# and pid files. `start` waits until sinfo shows the node idle and prints the
# line to export: SLURM_CONF=$STATE/slurm.conf (srun, sbatch, sinfo read it).
# `stop` ends only the daemons this script started (by their pid files).
set -euo pipefail
STATE=${REGAL_SLURM_STATE:-/tmp/regal-slurm}
CONF=$STATE/slurm.conf
export SLURM_CONF=$CONF

write_conf() {
  local host cpus memory
  host=$(hostname)
  cpus=$(nproc)
  memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 8 / 10 ))
  mkdir -p "$STATE/ctld" "$STATE/d" "$STATE/log" "$STATE/munge"
  cat > "$CONF" <<CONF
ClusterName=regal-local
SlurmctldHost=$host
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
KillWait=30
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  command -v slurmctld >/dev/null || { echo "slurm-wlm is not installed: run scripts/bootstrap.sh" >&2; exit 2; }
  write_conf
  if ! running "$STATE/munged.pid"; then
    # Our own munge socket and pid, so a system munged is left alone.
    mkdir -p /run/munge
    munged --force --socket="$STATE/munge/munge.socket.2" --pid-file="$STATE/munged.pid" \
           --log-file="$STATE/log/munged.log" --seed-file="$STATE/munge/munge.seed"
    ln -sf "$STATE/munge/munge.socket.2" /run/munge/munge.socket.2
  fi
  running "$STATE/slurmctld.pid" || slurmctld -f "$CONF"
  running "$STATE/slurmd.pid" || slurmd -f "$CONF"
  for _ in $(seq 60); do
    if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      echo "export SLURM_CONF=$CONF"
      return 0
    fi
    sleep 0.5
  done
  echo "the node did not come up; logs in $STATE/log" >&2
  status >&2 || true
  exit 1
}

stop() {
  for daemon in slurmd slurmctld munged; do
    if running "$STATE/$daemon.pid"; then
      local pid
      pid=$(cat "$STATE/$daemon.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$STATE/$daemon.pid"
  done
  # Job state of this throwaway cluster does not outlive it.
  rm -rf "$STATE/ctld" "$STATE/d"
}

status() {
  for daemon in munged slurmctld slurmd; do
    if running "$STATE/$daemon.pid"; then echo "$daemon running (pid $(cat "$STATE/$daemon.pid"))"; else echo "$daemon stopped"; fi
  done
  sinfo 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
