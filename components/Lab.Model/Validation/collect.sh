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
echo "collector: ${#jobs[@]} jobs in ${#stage_max[@]} stages, done within ${bound}s (each stage: its longest deadline + ${grace_seconds}s)"

# state JOB: "complete", "failed REASON" or nothing while the Job runs.
state() {
  kubectl get "job/$1" -o jsonpath='{range .status.conditions[*]}{.type}={.status}:{.reason}{"\n"}{end}' 2>/dev/null \
    | awk -F'[=:]' '$1 == "Complete" && $2 == "True" { print "complete"; exit } $1 == "Failed" && $2 == "True" { print "failed " ($3 == "" ? "Failed" : $3); exit }' || true
}

for s in "${!stage_max[@]}"; do
  started=$SECONDS
  for i in "${!jobs[@]}"; do
    [ "${stages[$i]}" = "$s" ] || continue
    kubectl patch "job/${jobs[$i]}" --type=merge -p '{"spec":{"suspend":false}}' >/dev/null 2>&1 || true
  done
  for i in "${!jobs[@]}"; do
    [ "${stages[$i]}" = "$s" ] || continue
    job=${jobs[$i]}
    until now=$(state "$job") && [ -n "$now" ]; do
      if [ $((SECONDS - started)) -ge $((deadlines[i] + grace_seconds)) ]; then
        now="failed NoConditionWithinDeadline"
        break
      fi
      sleep "$poll_seconds"
    done
    read -r status reason <<<"$now"
    # Only the reason's word: the verdict reads this line, and the API's text is not trusted either.
    reason=$(tr -cd 'A-Za-z' <<<"${reason:-}" | cut -c1-64)
    echo "LAB_JOB job=$job status=$status${reason:+ reason=$reason}"
    # The probe's own lines, and only its result lines: a probe cannot print a header.
    kubectl logs "job/$job" --tail=-1 2>/dev/null | grep '^LAB_RESULT ' || true
  done
done
