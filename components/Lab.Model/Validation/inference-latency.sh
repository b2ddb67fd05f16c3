# One POST of the fixed chat completion; prints its time in seconds. --fail: a non-2xx answer is an error.
complete() {
  curl --silent --show-error --fail --output /dev/null --write-out '%{time_total}' \
    --max-time "$timeout_seconds" --header 'Content-Type: application/json' --data "$request_body" "$url"
}
# Warm-up: loads the model and fills caches; not timed.
for _ in $(seq 1 "$warm_up"); do
  complete >/dev/null 2>&1 || true
done
times=$(mktemp)
trap 'rm -f "$times"' EXIT
for _ in $(seq 1 "$requests"); do
  # Exactly one sample per request: a failed or timed-out one counts as the timeout (never faster).
  if ! seconds=$(complete 2>/dev/null); then
    seconds=$timeout_seconds
  fi
  echo "$seconds" >>"$times"
done
p95=$(sort -n "$times" | awk '{ v[NR] = $1 } END { i = int(NR * 0.95); if (i < NR * 0.95) i++; printf "%.1f", v[i] * 1000 }')
echo "LAB_RESULT check=$check value=$p95 unit=$unit"
