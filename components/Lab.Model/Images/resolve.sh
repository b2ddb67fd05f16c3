# An image the operator pinned by digest: the Jobs pull it from the lab's registry, so its manifest must be
# there before any Job exists. Prints `LAB_IMAGE REGISTRY/REPOSITORY@sha256:DIGEST`.
if [ "$registry_tls" = true ]; then
  tls=(--cacert "$ca_cert")
  scheme=https
else
  tls=()
  scheme=http
fi
if ! curl -fsS -o /dev/null "${tls[@]}" \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' \
  "$scheme://$registry/v2/$repository/manifests/$digest"; then
  echo "image $image ($registry/$repository@$digest, lab:validation.images.$image): the digest does not resolve in $registry" >&2
  exit 1
fi
echo "LAB_IMAGE $registry/$repository@$digest"
