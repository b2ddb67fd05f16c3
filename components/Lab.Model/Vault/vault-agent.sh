keyring=/etc/apt/keyrings/hashicorp.gpg
pinned_key "$repository/gpg" "$repository_key_fingerprint" "$keyring"
printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$repository" "$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)" \
  | write_file /etc/apt/sources.list.d/hashicorp.list 0644
apt_pin "${packages[@]}"

install -d -m 0755 "$config_dir/templates"
for i in "${!files[@]}"; do
  printf '%s' "${contents[$i]}" | write_file "${files[$i]}" 0644
done
# The AppRole credentials: 0600 files written by builtins from stdin-fed variables.
umask 077
printf '%s\n' "$role_id" >"$role_id_file.new"
printf '%s\n' "$secret_id" >"$secret_id_file.new"
mv "$role_id_file.new" "$role_id_file"
mv "$secret_id_file.new" "$secret_id_file"
unset role_id secret_id

systemctl daemon-reload
systemctl enable vault-agent >/dev/null
systemctl restart vault-agent

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
  echo "vault-agent: $absent of ${#waits[@]} files not written after 30 s; see: journalctl -u vault-agent" >&2
  exit 1
fi
echo "vault_agent=$(systemctl is-active vault-agent)"
echo "secret_files=$((${#waits[@]} - 1))"
