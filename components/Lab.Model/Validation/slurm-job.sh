# A one-GPU batch job submitted through the login service, as a researcher submits one: ssh with the gate's own
# key (never an operator's), the login's host key pinned, then sbatch, scontrol until the job ends, and its
# allocation read back. Any failure prints one `LAB_DETAIL check=ID fault=WORD` line, says why on stderr, and
# fails the Job: LoginUnreachable, HostKeyMismatch, KeyRefused, SlurmUnavailable, NoGpuNode, SubmitFailed, JobNotCompleted
# (cancelled with scancel), JobFailed, NoGpuAllocated.
fault() {
  echo "LAB_DETAIL check=$check fault=$1"
  echo "slurm job check: $2" >&2
  exit 1
}

err=$(mktemp)
trap 'rm -f "$err"' EXIT

# login COMMAND: runs COMMAND (one constant line, or a validated job id in it) on the login node. StrictHostKeyChecking=yes with
# only the pinned known_hosts (no ~/.ssh, no ssh_config: -F /dev/null), BatchMode: no prompt can hang the probe.
login() {
  ssh -F /dev/null -n -T -p "$port" -i "$key_file" \
    -o BatchMode=yes -o IdentitiesOnly=yes -o IdentityAgent=none -o PasswordAuthentication=no \
    -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$known_hosts" -o GlobalKnownHostsFile=/dev/null \
    -o HostKeyAlias="$host_key_alias" -o ConnectTimeout="$connect_timeout_seconds" \
    -o ServerAliveInterval=15 -o ServerAliveCountMax=3 -o LogLevel=ERROR \
    "$user@$host" "$1" 2>"$err"
}

# ssh exits 255 for its own errors; which one, only its message says (OpenSSH's wording).
ssh_fault() {
  local message
  message=$(tr -s '\n' ' ' <"$err" | cut -c1-300)
  case "$message" in
    *"Host key verification failed"* | *"IDENTIFICATION HAS CHANGED"* | *"host key is known"*)
      fault HostKeyMismatch "the login service's host key is not the pinned one ($known_hosts): $message" ;;
    *"Permission denied"*)
      fault KeyRefused "the login node refused the gate's key (not in the SlurmCluster's sshRootPublicKeys?): $message" ;;
    *)
      fault LoginUnreachable "cannot reach the login service $host:$port: $message" ;;
  esac
}

started=$SECONDS
if ! login true; then
  ssh_fault
fi

# Any node whose GRES lists a GPU (sinfo %G: gpu:1, gpu:TYPE:2(S:0), …; (null) without one).
rc=0
nodes=$(login "sinfo --noheader --Node --format='%N %G'") || rc=$?
if [ "$rc" -eq 255 ]; then
  ssh_fault
elif [ "$rc" -ne 0 ]; then
  fault SlurmUnavailable "sinfo failed on the login node (slurmctld down?): $(tr -s '\n' ' ' <"$err" | cut -c1-300)"
fi
if ! awk '$2 ~ /(^|,)gpu[:(]/ { found = 1 } END { exit !found }' <<<"$nodes"; then
  fault NoGpuNode "no Slurm node offers a GPU (sinfo: $(tr -s '\n' ' ' <<<"$nodes" | cut -c1-300))"
fi

# --parsable prints JOBID or JOBID;CLUSTER. The job's own time limit backs up this probe's bound.
rc=0
submitted=$(login "sbatch --parsable --gpus=1 --ntasks=1 --time=$time_limit_minutes --job-name=lab-validation-gate --output=/dev/null --wrap='srun nvidia-smi -L'") || rc=$?
if [ "$rc" -eq 255 ]; then
  ssh_fault
elif [ "$rc" -ne 0 ]; then
  message=$(tr -s '\n' ' ' <"$err" | cut -c1-300)
  case "$message" in
    *"Requested node configuration is not available"*) fault NoGpuNode "Slurm has no node that can give a job one GPU: $message" ;;
    *) fault SubmitFailed "sbatch refused the job: $message" ;;
  esac
fi
job=${submitted%%;*}
if ! [[ $job =~ ^[0-9]+$ ]]; then
  fault SubmitFailed "sbatch printed no job id: $(cut -c1-100 <<<"$submitted")"
fi
echo "slurm job check: job $job submitted through $host:$port" >&2

# One line of KEY=VALUE fields (scontrol -o); -d adds JOB_GRES, the GRES the job was allocated (with or without accounting:
# the lab's SlurmCluster runs no slurmdbd, so sacct has nothing to say).
field() { tr ' ' '\n' <<<"$record" | sed -n "s/^$1=//p" | head -n 1; }
state=""
while :; do
  rc=0
  record=$(login "scontrol --details --oneliner show job $job") || rc=$?
  if [ "$rc" -eq 0 ]; then
    state=$(field JobState)
    case "$state" in
      PENDING | RUNNING | CONFIGURING | COMPLETING | SUSPENDED | REQUEUED | REQUEUE_HOLD | REQUEUE_FED | RESIZING | SIGNALING | STAGE_OUT | STOPPED) ;;
      *) break ;;
    esac
  elif [ "$rc" -ne 255 ]; then
    fault JobFailed "scontrol lost job $job: $(tr -s '\n' ' ' <"$err" | cut -c1-300)"
  fi
  # An ssh error while polling is retried until the bound: the job runs on whether or not the probe can see it.
  if [ $((SECONDS - started)) -ge "$bound_seconds" ]; then
    login "scancel $job" || echo "slurm job check: scancel $job failed: $(tr -s '\n' ' ' <"$err" | cut -c1-300)" >&2
    fault JobNotCompleted "job $job was ${state:-not seen} after ${bound_seconds}s: cancelled"
  fi
  sleep "$poll_seconds"
done

nodelist=$(field NodeList)
if [ "$state" != COMPLETED ]; then
  fault JobFailed "job $job ended $state (reason $(field Reason), exit $(field ExitCode)) on ${nodelist:-no node}"
fi
# GPUs allocated: JOB_GRES (gpu:N, gpu:TYPE:N, with an index list in parentheses), or gres/gpu=N in the TRES.
gpus=$( { field JOB_GRES | sed 's/([^)]*)//g' | tr ',' '\n' | awk -F: '$1 == "gpu" { print $NF }'
  { field AllocTRES; field TRES; } | tr ',' '\n' | sed -n 's/^gres\/gpu=//p'; } | awk '/^[0-9]+$/ && $1 > max { max = $1 } END { print max + 0 }')
if [ "$gpus" -lt 1 ]; then
  fault NoGpuAllocated "job $job completed on ${nodelist:-no node} without a GPU allocated (JOB_GRES=$(field JOB_GRES), TRES=$(field TRES)$(field AllocTRES))"
fi
# From submission to the end, by slurmctld's own clock (both times in its time zone).
submit=$(date -d "$(field SubmitTime)" +%s)
end=$(date -d "$(field EndTime)" +%s)
echo "slurm job check: job $job COMPLETED on $nodelist with $gpus GPU(s) in $((end - submit))s" >&2
echo "LAB_RESULT check=$check value=$((end - submit)) unit=$unit"
