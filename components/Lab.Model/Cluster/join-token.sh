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
# revoke: drops the token's line. The agent honours a token's first line only, and rewrites this file only
# when it consumes a token without expiry; a rename never leaves it half-written.
revoke() {
  local kept line
  listed || return 0
  kept=$(mktemp "$tokens.XXXXXX")
  while IFS= read -r line || [ -n "$line" ]; do
    if [ "${line%%|*}" != "$token" ]; then
      printf '%s\n' "$line"
    fi
  done <"$tokens" >"$kept"
  chmod --reference="$tokens" "$kept"
  chown --reference="$tokens" "$kept"
  mv -f "$kept" "$tokens"
}
if [ ! -e "$tokens" ]; then
  install -m 0660 /dev/null "$tokens"
  if getent group microk8s >/dev/null; then
    chgrp microk8s "$tokens"
  fi
fi
# Re-issued (this step re-ran, after a failed join or a rebuild): the old line goes first, so that no join
# running beside this step gets in before a stale member is gone; then a new line with a new expiry.
revoke

# A rebuilt worker's old member is NotReady: dqlite still knows it and refuses the rejoin until it is removed. Its
# labels' annotation carries the generation it was built with; a member of this generation that is only NotReady
# (rebooting while this step re-runs) is this worker, and stays.
if microk8s kubectl get node "$node" >/dev/null 2>&1; then
  ready=$(microk8s kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')
  generation=$(microk8s kubectl get node "$node" -o jsonpath="$rebuild_json_path")
  if [ "$ready" != True ] && [ "$generation" != "$rebuild" ]; then
    microk8s remove-node "$node" --force >&2
    echo "removed_stale_member=$node"
  fi
fi

# One append of one line, as add-node itself writes it (O_APPEND: no other writer's line is lost).
deadline=$((EPOCHSECONDS + token_ttl))
printf '%s|%s\n' "$token" "$deadline" >>"$tokens"
if ! listed; then
  echo "join-token: the token line did not stay in $tokens (rewritten concurrently?); run pulumi up again" >&2
  exit 1
fi
echo "join_token=issued"
echo "token_ttl=$token_ttl"

# The worker's join step runs beside this one. This step ends when the worker's Node is registered in this
# cluster, and revokes the token either way: a join that failed fails this step too, so the next `pulumi up`
# runs both again and the worker gets a token with a new expiry (no --replace).
until microk8s kubectl get node "$node" >/dev/null 2>&1; do
  if [ "$EPOCHSECONDS" -ge "$deadline" ]; then
    revoke
    echo "join-token: $node did not join within the token's $token_ttl s (its join step says why); the token is revoked, and the next pulumi up issues it again with a new expiry" >&2
    exit 1
  fi
  sleep "$poll_seconds"
done
revoke
echo "member=$node"
