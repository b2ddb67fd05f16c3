# Load the GPU, skip the ramp-up, then sample utilisation once a second while the load runs.
gpu_burn "$burn_seconds" >/dev/null 2>&1 &
load=$!
sleep "$warm_up_seconds"
values=()
for _ in $(seq 1 "$samples"); do
  values+=("$(nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits | head -n 1)")
  sleep 1
done
# A load that died early measured an idle GPU: fail the probe rather than report it.
if ! kill -0 "$load" 2>/dev/null; then
  wait "$load" || true
  echo "gpu_burn stopped before sampling ended" >&2
  exit 1
fi
kill "$load" 2>/dev/null || true
wait "$load" 2>/dev/null || true
average=$(printf '%s\n' "${values[@]}" | awk '$1 ~ /^[0-9]+(\.[0-9]+)?$/ { sum += $1; n++ } END { if (n == NR && n > 0) printf "%.1f", sum / n }')
if [ -z "$average" ]; then
  echo "nvidia-smi gave no utilisation readings" >&2
  exit 1
fi
echo "LAB_RESULT check=$check value=$average unit=$unit"
