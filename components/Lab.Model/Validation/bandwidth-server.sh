# One test per worker, one at a time: a client that finds the server busy retries later.
for _ in $(seq 1 "$clients"); do
  iperf3 --server --one-off --port "$port" >/dev/null || true
done
