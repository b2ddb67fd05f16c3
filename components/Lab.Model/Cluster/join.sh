# A worker keeps the cluster's CA as certs/ca.remote.crt (join.py store_remote_ca); its own ca.crt is not the cluster's.
remote_ca="$snap_data/certs/ca.remote.crt"
member_of() {
  [ -s "$remote_ca" ] && [ "$(sha256sum "$remote_ca" | cut -d ' ' -f 1)" = "$1" ]
}
# Read whole: grep -q in a pipe could end microk8s with SIGPIPE, and pipefail would call a member a stranger.
status=$(microk8s status 2>/dev/null || true)
if [[ $status == *'acting as a node in a cluster'* ]]; then
  if member_of "$cluster_ca"; then
    echo "joined=already"
    exit 0
  fi
  echo "this node belongs to an older cluster (its CA differs from the control node's); leaving it" >&2
  microk8s leave >&2
  echo "left=older-cluster"
fi
# The control node's token step runs beside this one: until it has issued the token (and removed a stale
# member of this node), the cluster-agent refuses the join. Retried until the token's lifetime has passed.
# join has no other way to take its connection string than its argument: the token is visible in this one
# process's argv while the join runs; join.py checks the control node's certificate against server_cert_check.
deadline=$((EPOCHSECONDS + token_ttl))
until microk8s join "$control_host:25000/$token/$server_cert_check" --worker >&2; do
  if [ "$EPOCHSECONDS" -ge "$deadline" ]; then
    echo "join: the control node refused every join for the token's $token_ttl s (see above); the next pulumi up issues the token again" >&2
    exit 1
  fi
  sleep "$poll_seconds"
done
if ! member_of "$cluster_ca"; then
  echo "join: after joining, $remote_ca is not the control node's CA" >&2
  exit 1
fi
echo "joined=now"
