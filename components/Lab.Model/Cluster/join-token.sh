# A rebuilt worker's old member is NotReady: dqlite still knows it and refuses the rejoin until it is removed.
if microk8s kubectl get node "$node" >/dev/null 2>&1; then
  ready=$(microk8s kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')
  if [ "$ready" != True ]; then
    microk8s remove-node "$node" --force >&2
    echo "removed_stale_member=$node"
  fi
fi

# The token goes where add-node's --token option would put it, without ever being an argument: the
# cluster-agent (1.32, pkg/util/token.go) accepts a line TOKEN|EXPIRY (unix seconds) of this file until
# EXPIRY and does not remove it on use. Only bash builtins touch the token: it is in no process's argv.
tokens="$snap_data/credentials/cluster-tokens.txt"
listed() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    if [ "${line%%|*}" = "$token" ]; then
      return 0
    fi
  done <"$tokens"
  return 1
}
if [ ! -e "$tokens" ]; then
  install -m 0660 /dev/null "$tokens"
  if getent group microk8s >/dev/null; then
    chgrp microk8s "$tokens"
  fi
fi
if listed; then
  # Re-issued (this step re-ran): the agent honours the first line of a token, so drop the old one. The
  # agent rewrites this file only when it consumes a token without expiry; a rename never leaves it half-written.
  kept=$(mktemp "$tokens.XXXXXX")
  while IFS= read -r line || [ -n "$line" ]; do
    if [ "${line%%|*}" != "$token" ]; then
      printf '%s\n' "$line"
    fi
  done <"$tokens" >"$kept"
  chmod --reference="$tokens" "$kept"
  chown --reference="$tokens" "$kept"
  mv -f "$kept" "$tokens"
fi
# One append of one line, as add-node itself writes it (O_APPEND: no other writer's line is lost).
printf '%s|%s\n' "$token" "$((EPOCHSECONDS + token_ttl))" >>"$tokens"
if ! listed; then
  echo "join-token: the token line did not stay in $tokens (rewritten concurrently?); run pulumi up again" >&2
  exit 1
fi
echo "join_token=issued"
echo "token_ttl=$token_ttl"
# What the worker checks: the cluster's CA (it keeps it as certs/ca.remote.crt) and, as `add-node` prints in
# its connection string, the first 12 hex digits of the sha256 of this node's API server certificate.
echo "ca_sha256=$(sha256sum "$snap_data/certs/ca.crt" | cut -d ' ' -f 1)"
echo "server_cert_check=$(openssl x509 -in "$snap_data/certs/server.crt" -outform der | sha256sum | cut -c 1-12)"
