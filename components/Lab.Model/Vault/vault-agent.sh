keyring=/etc/apt/keyrings/hashicorp.gpg
pinned_key "$repository/gpg" "$repository_key_fingerprint" "$keyring"
printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$repository" "$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)" \
  | write_file /etc/apt/sources.list.d/hashicorp.list 0644
apt_pin "${packages[@]}"

converge "directory $config_dir/templates" present "$([ -d "$config_dir/templates" ] && echo present || echo absent)" -- install -d -m 0755 "$config_dir/templates"
before=$lab_changes
for i in "${!files[@]}"; do
  printf '%s' "${contents[$i]}" | write_file "${files[$i]}" 0644
done
# The AppRole credentials: 0600 files written by builtins from stdin-fed variables. A check is never sent
# them: it compares each file's mode and owner, not its content.
credential() {
  if [ -f "$1" ] && [ "$(<"$1")" = "$2" ] && [ "$(stat -c '%a %U:%G' "$1")" = "600 root:root" ]; then
    return 0
  fi
  printf '%s\n' "$2" >"$1.new"
  mv "$1.new" "$1"
  changed "$1"
}
if checking; then
  for f in "$role_id_file" "$secret_id_file"; do
    converge "mode of $f" "600 root:root" "$(stat -c '%a %U:%G' "$f" 2>/dev/null || echo absent)"
  done
  converge "$service service" "enabled active" "$(systemctl is-enabled "$service" 2>/dev/null || true) $(systemctl is-active "$service" 2>/dev/null || true)"
  for f in "${waits[@]}"; do
    converge "file $f" written "$([ -s "$f" ] && echo written || echo absent)"
  done
  exit 0
fi
umask 077
credential "$role_id_file" "$role_id"
credential "$secret_id_file" "$secret_id"
unset role_id secret_id

systemctl daemon-reload
converge "$service enabled" enabled "$(systemctl is-enabled "$service" 2>/dev/null || true)" -- systemctl enable -q "$service"
# Restart only for new configuration or credentials: a restart on every run would change the machine every run.
if [ "$lab_changes" -ne "$before" ]; then
  systemctl restart "$service"
else
  converge "$service service" active "$(systemctl is-active "$service" 2>/dev/null || true)" -- systemctl start "$service"
fi

# Wait for auth and every secret file; never print their contents.
for _ in $(seq 1 30); do
  absent=0
  for f in "${waits[@]}"; do
    [ -s "$f" ] || absent=$((absent + 1))
  done
  [ "$absent" -eq 0 ] && break
  sleep 1
done
if [ "$absent" -gt 0 ]; then
  echo "$service: $absent of ${#waits[@]} files not written after 30 s; see: journalctl -u $service" >&2
  exit 1
fi
echo "vault_agent=$(systemctl is-active "$service")"
echo "secret_files=$((${#waits[@]} - 1))"
