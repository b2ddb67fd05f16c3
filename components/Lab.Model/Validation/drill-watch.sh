ready() { kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'; }
for _ in $(seq 1 "$ready_wait_seconds"); do
  [ "$(ready)" = True ] && break
  sleep 1
done
if [ "$(ready)" != True ]; then
  echo "$node is not Ready before the drill: nothing to time" >&2
  exit 1
fi
# Watch the node as the API server serves it; the first status that is not True is the detection.
left=""
while IFS= read -r status; do
  if [ -n "$status" ] && [ "$status" != True ]; then
    left=$(date +%s.%N)
    break
  fi
done < <(timeout "$watch_seconds" kubectl get node "$node" --watch -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}{"\n"}' || true)
if [ -z "$left" ]; then
  echo "$node stayed Ready for ${watch_seconds}s after the drill started" >&2
  exit 1
fi
# The stop Job's own timestamp; its log is readable once its node's kubelet is back.
stopped=""
for _ in $(seq 1 "$((log_wait_seconds / 5))"); do
  stopped=$(kubectl -n "$namespace" logs "job/$stop_job" 2>/dev/null | sed -n 's/^LAB_DRILL stopped_at=\([0-9]*\.[0-9]*\)$/\1/p' | head -n 1 || true)
  [ -n "$stopped" ] && break
  sleep 5
done
if [ -z "$stopped" ]; then
  echo "the stop Job $stop_job printed no stop time" >&2
  exit 1
fi
seconds=$(awk -v left="$left" -v stopped="$stopped" 'BEGIN { printf "%.1f", left - stopped }')
echo "LAB_RESULT check=$check value=$seconds unit=$unit"
