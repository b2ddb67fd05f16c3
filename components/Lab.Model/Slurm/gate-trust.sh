# The Slurm job probe's Secret in the gate's namespace: the gate's private key (made by the slurm-gate-key step) and a
# known_hosts line pinning the login service's host key. The probe checks the host key strictly: a login pod with any
# other key (a man in the middle, or Soperator's Secret made anew) fails the check as HostKeyMismatch until this runs again.
kubectl() { microk8s kubectl "$@"; }
key="$key_directory/id_ed25519"
if ! ssh-keygen -y -f "$key" >/dev/null 2>&1; then
  echo "no gate key at $key: the slurm-gate-key step makes it" >&2
  exit 1
fi
# Soperator generates the login's host keys into its Secret once the SlurmCluster is reconciled.
host_key=""
for _ in $(seq 1 "$wait_seconds"); do
  host_key=$(kubectl -n "$slurm_namespace" get secret "$host_keys_secret" -o "jsonpath={.data.${host_key_entry//./\\.}}" 2>/dev/null | base64 -d 2>/dev/null || true)
  [ -n "$host_key" ] && break
  sleep 1
done
if ! [[ $host_key =~ ^ssh-ed25519\ [A-Za-z0-9+/]+=*(\ |$) ]]; then
  echo "no ed25519 host key in $slurm_namespace/$host_keys_secret ($host_key_entry) after ${wait_seconds}s: is Soperator reconciling the SlurmCluster?" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%s %s\n' "$host_key_alias" "$(cut -d' ' -f1,2 <<<"$host_key")" >"$work/known_hosts"
# Server-side apply: no last-applied annotation, so the private key is stored once, in the Secret's data.
kubectl -n "$namespace" create secret generic "$secret" --from-file="$private_key_file=$key" --from-file="$known_hosts_file=$work/known_hosts" \
  --dry-run=client -o yaml | kubectl apply --server-side --force-conflicts --field-manager=lab-validation -f - >/dev/null
echo "slurm gate trust: $namespace/$secret pins $host_key_alias $(cut -d' ' -f1 <<<"$host_key") $(ssh-keygen -l -f "$work/known_hosts" | cut -d' ' -f2)"
