# Load the GPU, skip the ramp-up, then sample utilisation and the clock event (throttle) reasons once a second
# while the load runs. Utilisation counts time with any kernel running, so a throttled GPU still reads ~100 %:
# gpu_burn's own Gflop/s and the throttle reasons say how fast it really ran.
burn_log=$(mktemp)
trap 'rm -f "$burn_log"' EXIT
gpu_burn "$burn_seconds" >"$burn_log" 2>&1 &
load=$!
sleep "$warm_up_seconds"
# Only gpu_burn's progress records printed while sampling count, not those of the ramp-up.
offset=$(wc -c <"$burn_log")
query="utilization.gpu$(printf ',clocks_event_reasons.%s' "${throttle_reasons[@]}")"
readings=()
for _ in $(seq 1 "$samples"); do
  readings+=("$(nvidia-smi --query-gpu="$query" --format=csv,noheader,nounits | head -n 1)")
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
average=$(printf '%s\n' "${readings[@]}" | awk -F', *' '$1 ~ /^[0-9]+(\.[0-9]+)?$/ { sum += $1; n++ } END { if (n == NR && n > 0) printf "%.1f", sum / n }')
if [ -z "$average" ]; then
  echo "nvidia-smi gave no utilisation readings" >&2
  exit 1
fi
# Every reason that was Active in any sample, in the order queried.
throttled=$(printf '%s\n' "${readings[@]}" | awk -F', *' -v names="${throttle_reasons[*]}" '
  BEGIN { n = split(names, name, " ") }
  { for (i = 1; i <= n; i++) if ($(i + 1) == "Active") seen[i] = 1 }
  END { for (i = 1; i <= n; i++) if (seen[i]) out = out (out == "" ? "" : ",") name[i]; print (out == "" ? "none" : out) }')
# gpu_burn's progress record: "\r12.5%  proc'd: N (G Gflop/s)   errors: ..." (one GPU per pod).
gflops=$(tail -c +"$((offset + 1))" "$burn_log" | tr '\r' '\n' | grep -o '([0-9]* Gflop/s)' | tr -dc '0-9\n' \
  | awk '$1 != "" { sum += $1; n++ } END { if (n > 0) printf "%.0f", sum / n }')
if [ -z "$gflops" ]; then
  echo "gpu_burn reported no Gflop/s while sampling" >&2
  exit 1
fi
echo "LAB_RESULT check=$check value=$average unit=$unit"
echo "LAB_DETAIL check=$check gflops=$gflops throttle=$throttled"
