# The Jobs were created suspended; stage by stage, this resumes them and polls each until Kubernetes
# says Complete or Failed. A Job that ends neither way within its deadline plus the grace is given up.
kubectl() { microk8s kubectl -n "$namespace" "$@"; }
bound=0
stage_max=()
for i in "${!jobs[@]}"; do
  s=${stages[$i]}
  [ "${stage_max[$s]:-0}" -ge "${deadlines[$i]}" ] || stage_max[s]=${deadlines[$i]}
done
for s in "${!stage_max[@]}"; do
  bound=$((bound + stage_max[s] + grace_seconds))
done
echo "collector: ${#jobs[@]} jobs in ${#stage_max[@]} stages, done within ${bound}s (each stage: its longest deadline + ${grace_seconds}s), within $((2 * bound))s if vanished pods' Jobs run again"
echo "LAB_RUN started=$(date +%s)"

# state JOB: "complete", "failed REASON" or nothing while the Job runs.
state() {
  kubectl get "job/$1" -o jsonpath='{range .status.conditions[*]}{.type}={.status}:{.reason}{"\n"}{end}' 2>/dev/null \
    | awk -F'[=:]' '$1 == "Complete" && $2 == "True" { print "complete"; exit } $1 == "Failed" && $2 == "True" { print "failed " ($3 == "" ? "Failed" : $3); exit }' || true
}

# await JOB DEADLINE STARTED: sets `now` once the Job ended or its deadline plus the grace passed.
await() {
  until now=$(state "$1") && [ -n "$now" ]; do
    if [ $((SECONDS - $3)) -ge $(($2 + grace_seconds)) ]; then
      now="failed NoConditionWithinDeadline"
      return
    fi
    sleep "$poll_seconds"
  done
}

# vanished JOB: the Job ran (complete, or failed for its pod) but no pod of it is left: pod GC deleted it with
# its node, and its log with it. A deadline kill also removes the pod, but that is the probe's own outcome.
vanished() {
  case "$now" in
    complete | "failed BackoffLimitExceeded") ;;
    *) return 1 ;;
  esac
  local pods
  pods=$(kubectl get pods -l "job-name=$1" -o name) || return 1
  [ -z "$pods" ]
}

# gpu_holder NODE: the first pod that holds a replica of NODE's GPU (a probe of an earlier stage that still runs
# included), or nothing. Time-slicing shares the GPU with no isolation: beside such a pod, the probe measures its load too.
gpu_holder() {
  microk8s kubectl get pods --all-namespaces --field-selector "spec.nodeName=$1,status.phase!=Succeeded,status.phase!=Failed" \
    -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{" "}{.spec.containers[*].resources.limits.nvidia\.com/gpu}{"\n"}{end}' \
    | awk 'NF > 1 && !found { print $1; found = 1 }'
}

for s in "${!stage_max[@]}"; do
  started=$SECONDS
  outcome=()
  ran=()
  for i in "${!jobs[@]}"; do
    [ "${stages[$i]}" = "$s" ] || continue
    ran[i]=${jobs[$i]}
    if [ -n "${gpu_nodes[$i]}" ]; then
      if ! holder=$(gpu_holder "${gpu_nodes[$i]}"); then
        outcome[i]="failed reason=GpuCheckFailed"
        continue
      fi
      if [ -n "$holder" ]; then
        # Only the name's characters: the verdict reads this line.
        outcome[i]="not_measurable reason=GpuBusy pod=$(tr -cd 'a-z0-9./-' <<<"$holder" | cut -c1-317)"
        continue
      fi
    fi
    kubectl patch "job/${jobs[$i]}" --type=merge -p '{"spec":{"suspend":false}}' >/dev/null 2>&1 || true
  done
  # Wait for the stage; a Job whose pod vanished runs once more, all such at once, so a stage takes at most twice its bound.
  again=()
  for i in "${!ran[@]}"; do
    [ -z "${outcome[$i]:-}" ] || continue
    await "${jobs[$i]}" "${deadlines[$i]}" "$started"
    if vanished "${jobs[$i]}"; then
      again+=("$i")
      ran[i]=${reruns[$i]}
      echo "collector: the pod of ${jobs[$i]} is gone (its node left the cluster?); running it once more as ${reruns[$i]}" >&2
      kubectl patch "job/${reruns[$i]}" --type=merge -p '{"spec":{"suspend":false}}' >/dev/null 2>&1 || true
    else
      outcome[i]=$now
    fi
  done
  restarted=$SECONDS
  for i in "${again[@]}"; do
    await "${reruns[$i]}" "${deadlines[$i]}" "$restarted"
    if vanished "${reruns[$i]}"; then
      now="failed PodVanishedTwice"
    fi
    outcome[i]=$now
  done
  for i in "${!ran[@]}"; do
    job=${ran[$i]}
    case "${outcome[$i]}" in
      *=*)
        echo "LAB_JOB job=$job status=${outcome[$i]}"
        continue
        ;;
    esac
    read -r status reason <<<"${outcome[$i]}"
    # Only the reason's word: the verdict reads this line, and the API's text is not trusted either.
    reason=$(tr -cd 'A-Za-z' <<<"${reason:-}" | cut -c1-64)
    echo "LAB_JOB job=$job status=$status${reason:+ reason=$reason}"
    # The probe's own lines, and only its result, shortfall and detail lines: a probe cannot print a header.
    kubectl logs "job/$job" --tail=-1 2>/dev/null | grep -E '^LAB_(RESULT|SHORT|DETAIL) ' || true
  done
done
