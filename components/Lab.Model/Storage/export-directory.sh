if [ ! -d "$path" ]; then
  install -d -m 0775 "$path"
  echo "changed: created $path" >&2
fi
echo "path=$path"
echo "free_gb=$(df --output=avail -BG "$path" | tail -n 1 | tr -dc '0-9')"
if [ -n "$probe_directory" ]; then
  # The validation gate's NFS probe writes here as the probe account (root_squash maps root to nobody).
  if [ ! -d "$probe_directory" ]; then
    install -d -m 0770 -o "${probe_owner%%:*}" -g "${probe_owner##*:}" "$probe_directory"
    echo "created: $probe_directory" >&2
  elif [ "$(stat -c %u:%g "$probe_directory")" != "$probe_owner" ]; then
    chown "$probe_owner" "$probe_directory"
    echo "owner set: $probe_directory $probe_owner" >&2
  fi
  echo "probe_directory=$probe_directory"
fi
