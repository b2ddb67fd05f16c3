converge "directory $path" present "$([ -d "$path" ] && echo present || echo absent)" -- install -d -m 0775 "$path"
echo "path=$path"
echo "free_gb=$(df --output=avail -BG "$path" | tail -n 1 | tr -dc '0-9')"
if [ -n "$probe_directory" ]; then
  # The validation gate's NFS probe writes here as the probe account (root_squash maps root to nobody).
  if [ ! -d "$probe_directory" ]; then
    converge "directory $probe_directory" present absent -- install -d -m 0770 -o "${probe_owner%%:*}" -g "${probe_owner##*:}" "$probe_directory"
  else
    converge "owner of $probe_directory" "$probe_owner" "$(stat -c %u:%g "$probe_directory")" -- chown "$probe_owner" "$probe_directory"
  fi
  echo "probe_directory=$probe_directory"
fi
