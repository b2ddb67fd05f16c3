# A rebuilt worker's old member is NotReady: dqlite still knows it and refuses the rejoin until it is removed.
if microk8s kubectl get node "$node" >/dev/null 2>&1; then
  ready=$(microk8s kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')
  if [ "$ready" != True ]; then
    microk8s remove-node "$node" --force >&2
    echo "removed_stale_member=$node"
  fi
fi
microk8s add-node --token "$token" --token-ttl "$token_ttl" >/dev/null
unset token
echo "join_token=issued"
