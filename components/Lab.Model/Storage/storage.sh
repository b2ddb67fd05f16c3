for i in "${!unit_files[@]}"; do
  printf '%s' "${unit_contents[$i]}" | write_file "/etc/systemd/system/${unit_files[$i]}" 0644
done

# remove_unit UNIT: unmount and remove an export's units (the NAS and its data are untouched).
remove_unit() {
  systemctl disable --now "$1.automount" >/dev/null 2>&1 || true
  systemctl stop "$1.mount" >/dev/null 2>&1 || true
  rm -f "/etc/systemd/system/$1.automount" "/etc/systemd/system/$1.mount" "/var/lib/lab-storage/$1.mount"
}
# Units of exports this node no longer uses: unmount and remove them. Nothing on the NAS is touched.
for file in /etc/systemd/system/*.automount; do
  [ -e "$file" ] || continue
  grep -qxF -- "$marker" "$file" || continue
  unit=$(basename "$file" .automount)
  keep=no
  for u in "${units[@]}"; do
    if [ "$u" = "$unit" ]; then keep=yes; fi
  done
  if [ "$keep" = no ]; then
    converge "mount unit $unit" absent present -- remove_unit "$unit"
  fi
done
if checking; then
  # A check changes nothing: each automount must be enabled and active as an apply leaves it.
  for u in "${units[@]}"; do
    converge "$u.automount" "enabled active" "$(systemctl is-enabled "$u.automount" 2>/dev/null || true) $(systemctl is-active "$u.automount" 2>/dev/null || true)"
  done
  exit 0
fi
# A mount is renewed only where its unit changed since this step last renewed it (the unit's sha256 kept in
# /var/lib/lab-storage; a boot mounts from the unit as written): a run that changes nothing leaves the NAS mounted
# under the jobs using it. A run cut after writing a unit still renews it: the kept sha256 is the old one.
renew=()
for i in "${!units[@]}"; do
  if [ "$(cat "/var/lib/lab-storage/${units[$i]}.mount" 2>/dev/null)" != "$(sha256sum <"/etc/systemd/system/${units[$i]}.mount" | cut -d ' ' -f 1)" ]; then
    renew+=("$i")
  fi
done
if [ "$lab_changes" -gt 0 ] || [ "${#renew[@]}" -gt 0 ]; then
  systemctl daemon-reload
fi

# A NAS that is down fails the step within a minute, named, before any mount is touched: a hard mount to it holds
# each unmount for systemd's 90 s and each first access for its 60 s. The units above are written; the next run mounts.
nas_deadline=$((SECONDS + 60))
# shellcheck disable=SC2016 # $1 expands in the inner bash
until timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/2049"' _ "$nas_host" 2>/dev/null; do
  if [ "$SECONDS" -ge "$nas_deadline" ]; then
    echo "storage: the NAS $nas_host does not answer on NFS's port 2049 (tried for 60 s); nothing was mounted or unmounted. Bring the NAS back and run again." >&2
    exit 1
  fi
  sleep 2
done
mkdir -p /var/lib/lab-storage
for i in "${renew[@]}"; do
  # Its options may have changed: unmount so the next access mounts with the new ones.
  if systemctl stop "${units[$i]}.mount" >/dev/null 2>&1; then
    sha256sum <"/etc/systemd/system/${units[$i]}.mount" | cut -d ' ' -f 1 >"/var/lib/lab-storage/${units[$i]}.mount"
  else
    echo "storage: ${mount_points[$i]} is busy; new options apply at its next mount" >&2
  fi
done
problems=0
for i in "${!units[@]}"; do
  converge "${units[$i]}.automount" "enabled active" \
    "$(systemctl is-enabled "${units[$i]}.automount" 2>/dev/null || true) $(systemctl is-active "${units[$i]}.automount" 2>/dev/null || true)" \
    -- systemctl --quiet enable --now "${units[$i]}.automount"
  if ! timeout 60 stat -t "${mount_points[$i]}/." >/dev/null 2>&1; then
    echo "storage: ${mount_points[$i]} does not answer (NAS $nas_host)" >&2
    problems=$((problems + 1))
    continue
  fi
  options=$(findmnt -rn -o FSTYPE,OPTIONS --mountpoint "${mount_points[$i]}" | tail -n 1)
  case "$options" in
    nfs4\ "${access[$i]}",*) echo "mount_${names[$i]//-/_}=${access[$i]}" ;;
    *)
      echo "storage: ${mount_points[$i]} is mounted as '${options:-nothing}', expected nfs4 ${access[$i]}" >&2
      problems=$((problems + 1))
      ;;
  esac
done
if [ "$problems" -gt 0 ]; then
  exit 1
fi
