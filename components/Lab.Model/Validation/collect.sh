for job in "${jobs[@]}"; do
  # Complete or failed, each job ends within its deadline; a failed one simply reports nothing.
  microk8s kubectl -n "$namespace" wait "job/$job" --for=condition=complete --timeout="${deadline}s" >/dev/null 2>&1 || true
  echo "LAB_JOB job=$job"
  microk8s kubectl -n "$namespace" logs "job/$job" --tail=-1 2>/dev/null | grep '^LAB_RESULT ' || true
done
