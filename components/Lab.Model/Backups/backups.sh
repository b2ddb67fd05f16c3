apt_pin "${packages[@]}"

# A schedule systemd would not parse is a timer that never fires: refuse it before any unit is written.
for schedule in "${schedules[@]}"; do
  if ! systemd-analyze calendar "$schedule" >/dev/null 2>&1; then
    echo "backups: '$schedule' is not a calendar expression systemd accepts here (systemd-analyze calendar); fix it in lab:backups" >&2
    exit 1
  fi
done

if [ "$password_from_stdin" = true ]; then
  # No vault-agent here: the control node's vault-agent file arrived on stdin (base64); written 0600, only when it differs.
  install -d -m 0700 "$(dirname "$password_file")"
  umask 077
  printf '%s' "${repository_password_b64:?the repository password was not fed on stdin}" | base64 -d >"$password_file.new"
  if cmp -s "$password_file.new" "$password_file"; then
    rm -f "$password_file.new"
  else
    mv "$password_file.new" "$password_file"
    echo "changed: $password_file" >&2
  fi
  # The same password on disk, encrypted with this machine's credential key: the tmpfs file is gone after a reboot,
  # and no step runs again then; lab-backup writes the file back from it. Rewritten only when it holds another one.
  if ! systemd-creds decrypt --name="$password_credential" "$password_store" - 2>/dev/null | cmp -s - "$password_file"; then
    install -d -m 0700 "$(dirname "$password_store")"
    systemd-creds encrypt --name="$password_credential" "$password_file" "$password_store.new"
    mv "$password_store.new" "$password_store"
    echo "changed: $password_store" >&2
  fi
  umask 022
  unset repository_password_b64
elif [ ! -s "$password_file" ]; then
  echo "backups: $password_file is missing: vault-agent writes it (lab:vault.agentFiles); see journalctl -u vault-agent" >&2
  exit 1
fi

rewritten=false
for i in "${!files[@]}"; do
  printf '%s' "${contents[$i]}" | cmp -s - "${files[$i]}" || rewritten=true
  printf '%s' "${contents[$i]}" | write_file "${files[$i]}" "${modes[$i]}"
done
systemctl daemon-reload
for timer in "${timers[@]}"; do
  if ! systemctl is-enabled --quiet "$timer" || ! systemctl is-active --quiet "$timer"; then
    systemctl enable --now "$timer" >/dev/null 2>&1
    echo "changed: enabled $timer" >&2
  elif [ "$rewritten" = true ]; then
    # A running timer keeps its old schedule until restarted.
    systemctl restart "$timer"
  fi
done
echo "backup_timers=${#timers[@]}"
if [ "$share_password" = true ]; then
  # For the NAS's step (this output is a Pulumi secret and never logged).
  echo "repository_password_b64=$(base64 -w 0 <"$password_file")"
fi
echo "restic=$(restic version | cut -d ' ' -f 2)"
