for i in "${!unit_files[@]}"; do
  printf '%s' "${unit_contents[$i]}" | write_file "/etc/systemd/system/${unit_files[$i]}" 0644
done

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
    systemctl disable --now "$unit.automount" >/dev/null 2>&1 || true
    systemctl stop "$unit.mount" >/dev/null 2>&1 || true
    rm -f "/etc/systemd/system/$unit.automount" "/etc/systemd/system/$unit.mount"
    echo "changed: removed mount unit $unit (the NAS and its data are untouched)" >&2
  fi
done
systemctl daemon-reload

problems=0
for i in "${!units[@]}"; do
  # Options may have changed: unmount so the next access mounts with the new ones.
  systemctl stop "${units[$i]}.mount" >/dev/null 2>&1 || echo "storage: ${mount_points[$i]} is busy; new options apply at its next mount" >&2
  systemctl enable --now "${units[$i]}.automount" >/dev/null
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
