gbits=""
for _ in $(seq 1 "$attempts"); do
  if out=$(iperf3 --client "$server" --port "$port" --time "$seconds" --parallel "$streams" --format g 2>/dev/null); then
    # The receiver's total over all streams: what arrived, not what was sent.
    gbits=$(awk '/^\[SUM\].*receiver/ { print $6 }' <<<"$out")
    break
  fi
  sleep "$retry_seconds"
done
if [ -z "$gbits" ]; then
  echo "no iperf3 test against $server:$port completed" >&2
  exit 1
fi
echo "LAB_RESULT check=$check value=$gbits unit=$unit"
