if ! command -v exportfs >/dev/null; then
  echo "exports: exportfs not found; the NAS needs its NFS server running" >&2
  exit 1
fi
# A path that leaves the file is unexported; its directory and data stay.
if [ -f "$exports_file" ]; then
  while read -r path _; do
    case "$path" in '' | '#'*) continue ;; esac
    keep=no
    for w in "${wanted[@]}"; do
      if [ "$w" = "$path" ]; then keep=yes; fi
    done
    if [ "$keep" = no ] && ! checking; then
      echo "unexporting $path: it left the lab config; its directory and data stay on the NAS" >&2
      echo "unexported=$path"
    fi
  done <"$exports_file"
fi
printf '%s' "$exports" | write_file "$exports_file" 0644
if checking; then
  for w in "${wanted[@]}"; do
    converge "export $w" exported "$(exportfs -s | awk '{print $1}' | grep -qxF -- "$w" && echo exported || echo absent)"
  done
  exit 0
fi
exportfs -ra
for w in "${wanted[@]}"; do
  if ! exportfs -s | awk '{print $1}' | grep -qxF -- "$w"; then
    echo "exports: $w is not exported after exportfs -ra" >&2
    exit 1
  fi
done
echo "exports=${#wanted[@]}"
