loaded=$(cat "$loaded_version_file" 2>/dev/null || echo none)
echo "driver_loaded=$loaded"
if [ "$loaded" = "$driver_release" ]; then
  echo "reboot=none"
  exit 0
fi
if checking; then
  drift "loaded NVIDIA driver (an apply reboots to load it)" "$driver_release" "$loaded"
  exit 0
fi
# driver-loaded then waits for a boot other than this one.
install -d -m 0755 "$(dirname "$reboot_from_file")"
cat "$boot_id_file" >"$reboot_from_file"
if [ ! -e "$nologin_file" ]; then
  # From now until the new boot every login but root's is refused (pam_nologin), so driver-loaded's connection
  # keeps dialling through the shutdown and the boot. The file is written here, not by shutdown(8): logind
  # removes its own nologin file the moment a scheduled shutdown starts, while sshd still accepts logins, and
  # driver-loaded then logged in to the old boot (seen in the box). /run is a tmpfs: the file ends with this boot.
  echo "lab: rebooting to load NVIDIA driver $driver_release (running: $loaded)" >"$nologin_file"
  # Ten seconds ahead, so this step returns before sshd stops.
  if ! systemd-run --quiet --unit=lab-driver-reboot --on-active=10 /bin/systemctl reboot >&2; then
    echo "driver-reboot: could not schedule the reboot (systemd-run); nothing was scheduled" >&2
    rm -f "$nologin_file" "$reboot_from_file"
    exit 1
  fi
fi
echo "reboot=scheduled"
