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
  # A minute ahead, so this step returns before sshd stops. shutdown creates the nologin file at once: from
  # then on logins other than root's are refused (pam_nologin) until the new boot, and driver-loaded's
  # connection keeps dialling through that, the shutdown and the boot.
  shutdown -r +1 "lab: rebooting to load NVIDIA driver $driver_release (running: $loaded)" >&2
  for _ in $(seq 1 30); do
    if [ -e "$nologin_file" ]; then
      break
    fi
    sleep 1
  done
  if [ ! -e "$nologin_file" ]; then
    echo "driver-reboot: the scheduled shutdown does not refuse logins ($nologin_file is missing); cancelled it" >&2
    shutdown -c >&2 || true
    rm -f "$reboot_from_file"
    exit 1
  fi
fi
echo "reboot=scheduled"
