# Builds one lab image with buildah on the control node, pushes it to the lab's registry and prints the pushed
# digest as `LAB_IMAGE REGISTRY/REPOSITORY@sha256:DIGEST`. Every failure names the image and the registry.
fail() {
  echo "image $image ($registry/$repository:$tag): $1" >&2
  exit 1
}
apt_pin "buildah=$buildah" "debootstrap=$debootstrap"

# The base: Ubuntu of the nodes' release, debootstrapped from the same pinned archive, kept in buildah's store
# under a name that says which archive it came from.
codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
base="localhost/lab/ubuntu-base:$codename-$(printf '%s' "$archive" | sha256sum | cut -c1-16)"
work=$(mktemp -d /var/tmp/lab-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
if ! buildah inspect --type image "$base" >/dev/null 2>&1; then
  debootstrap --variant=minbase --components=main,universe,multiverse --include=ca-certificates "$codename" "$work/rootfs" "$archive" >&2 \
    || fail "debootstrap of $codename from $archive failed"
  printf 'deb %s %s main universe multiverse\n' "$archive" "$codename" "$archive" "$codename-updates" "$archive" "$codename-security" >"$work/rootfs/etc/apt/sources.list"
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  container=$(buildah from scratch)
  buildah copy "$container" "$work/rootfs" / >/dev/null
  buildah commit --rm "$container" "$base" >&2 || fail "could not commit the base $base"
  rm -rf "$work/rootfs"
fi

# The context: the Containerfile and its files from the data block, and the node's own files it copies.
mkdir "$work/context"
for i in "${!context_files[@]}"; do
  base64 -d <<<"${context_base64[$i]}" >"$work/context/${context_files[$i]}"
  # Context files that start with #! are programs in the image.
  [ "$(head -c 2 "$work/context/${context_files[$i]}")" != '#!' ] || chmod 0755 "$work/context/${context_files[$i]}"
done
for i in "${!host_file_names[@]}"; do
  install -m 0755 "${host_file_paths[$i]}" "$work/context/${host_file_names[$i]}" || fail "missing ${host_file_paths[$i]} on this node"
done
args=(--build-arg "BASE=$base")
for a in "${build_args[@]}"; do
  args+=(--build-arg "$a")
done
buildah bud --pull=never --layers=false "${args[@]}" -f "$work/context/Containerfile" -t "$registry/$repository:$tag" "$work/context" >&2 \
  || fail "the build failed (its output is above)"

# Push over TLS with the lab CA, or over plain HTTP where the stack says the registry has no TLS.
if [ "$registry_tls" = true ]; then
  mkdir "$work/certs"
  cp "$ca_cert" "$work/certs/ca.crt" || fail "the lab CA $ca_cert is missing on this node (the os step installs it)"
  push_tls=(--cert-dir "$work/certs")
  curl_tls=(--cacert "$ca_cert")
  scheme=https
else
  push_tls=(--tls-verify=false)
  curl_tls=()
  scheme=http
fi
buildah push "${push_tls[@]}" --digestfile "$work/digest" "$registry/$repository:$tag" "docker://$registry/$repository:$tag" >&2 \
  || fail "the registry $registry refused the push"
digest=$(cat "$work/digest")
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || fail "buildah wrote no digest"
# What the Jobs will pull must resolve by digest in the registry before any probe runs.
curl -fsS -o /dev/null "${curl_tls[@]}" \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json' \
  "$scheme://$registry/v2/$repository/manifests/$digest" || fail "the pushed digest $digest does not resolve in $registry"
buildah --version
echo "LAB_IMAGE $registry/$repository@$digest"
