#!/usr/bin/env bash
# Records the Slurm stand-ins' records (../slurm/records) from a real single-node Slurm: slurmctld and slurmd on this
# machine with a temporary configuration, one `gpu` GRES backed by /dev/null (no GPU needed: Slurm allocates and reports
# it as it would a real one; NVML autodetection is what this cannot show). Run as root on Debian 12 with
# `apt-get install slurmctld slurmd slurm-client munge` and munged running; it prints where it wrote the records.
# It starts its own daemons on ports 16817/16818 and stops them (by their pid files) when done.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
work=$(mktemp -d)
out=$(mktemp -d)
node=$(hostname -s)
mkdir -p "$work/ctld" "$work/d" "$work/bin"
stop() {
  for pid in "$work/slurmd.pid" "$work/slurmctld.pid"; do
    if [ -f "$pid" ]; then kill "$(cat "$pid")" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap stop EXIT
conf() {
  cat <<CONF
ClusterName=labrecord
SlurmctldHost=$node
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
GresTypes=gpu
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmUser=root
StateSaveLocation=$work/ctld
SlurmdSpoolDir=$work/d
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
ReturnToService=2
NodeName=$node CPUs=1 RealMemory=500 $1 State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}
export SLURM_CONF=$work/slurm.conf
start() {
  conf "$1" >"$SLURM_CONF"
  echo "NodeName=$node Name=gpu File=/dev/null" >"$work/gres.conf"
  /usr/sbin/slurmctld -f "$SLURM_CONF"
  /usr/sbin/slurmd -f "$SLURM_CONF"
  for _ in $(seq 1 30); do sinfo --noheader >/dev/null 2>&1 && break; sleep 1; done
  scontrol update nodename="$node" state=resume 2>/dev/null || true
  sleep 2
}
restart() {
  kill "$(cat "$work/slurmd.pid")" "$(cat "$work/slurmctld.pid")"
  sleep 3
  start "$1"
}
# The job's GPU tool: lists one GPU after 3 s (a job of measurable length), or finds none (exit 6, as nvidia-smi does).
printf '#!/bin/sh\nsleep 3\necho "GPU 0: Stand-in (UUID: GPU-0000)"\n' >"$work/bin/nvidia-smi"
chmod +x "$work/bin/nvidia-smi"
export PATH=$work/bin:$PATH
show() { scontrol --details --oneliner show job "$1"; }
# await JOB STATE: until scontrol says so (30 s at most).
await() {
  for _ in $(seq 1 30); do
    [ "$(show "$1" | tr ' ' '\n' | sed -n 's/^JobState=//p')" = "$2" ] && return
    sleep 1
  done
  echo "job $1 never reached $2" >&2
  exit 1
}
submit() { sbatch --parsable --gpus=1 --ntasks=1 --time=2 --job-name=lab-validation-gate --output=/dev/null --wrap='srun nvidia-smi -L'; }

start "Gres=gpu:1"
sinfo --noheader --Node --format='%N %G' >"$out/sinfo-gpu"
job=$(submit)
await "$job" RUNNING
show "$job" >"$out/running"
await "$job" COMPLETED
show "$job" >"$out/completed-gpu"
# Without --gpus: what a job that held no GPU looks like.
job=$(sbatch --parsable --ntasks=1 --time=2 --output=/dev/null --wrap='srun nvidia-smi -L')
await "$job" COMPLETED
show "$job" >"$out/completed-no-gpu"
printf '#!/bin/sh\necho "No devices were found"\nexit 6\n' >"$work/bin/nvidia-smi"
job=$(submit)
await "$job" FAILED
show "$job" >"$out/failed"
scontrol update nodename="$node" state=drain reason=record
job=$(submit)
await "$job" PENDING
show "$job" >"$out/pending"
scancel "$job"
await "$job" CANCELLED
show "$job" >"$out/cancelled"
restart ""
sinfo --noheader --Node --format='%N %G' >"$out/sinfo-no-gpu"
submit >/dev/null 2>"$out/sbatch-no-gpu" || true
echo "records written to $out:"
for f in "$out"/*; do
  echo "$(basename "$f"): $(tr ' ' '\n' <"$f" | grep -E '^(JobState|JOB_GRES|NodeList)=' | tr '\n' ' ')$(grep -v JobId "$f" | head -c 120)"
done
