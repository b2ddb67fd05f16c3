boot_id=$(cat "$boot_id_file")
if [ -s "$reboot_from_file" ]; then
  if [ "$(cat "$reboot_from_file")" = "$boot_id" ]; then
    echo "driver-loaded: the machine has not rebooted since driver-reboot scheduled it (was the reboot cancelled: systemctl list-timers lab-driver-reboot?)." >&2
    echo "driver-loaded: reboot it (sudo reboot) and run pulumi up again." >&2
    exit 1
  fi
  rm -f "$reboot_from_file"
  echo "rebooted=yes"
else
  echo "rebooted=no"
fi
loaded=$(cat "$loaded_version_file" 2>/dev/null || echo none)
if [ "$loaded" != "$driver_release" ]; then
  echo "driver-loaded: the kernel runs NVIDIA driver $loaded, not the pinned $driver_release." >&2
  echo "driver-loaded: check the DKMS build (dkms status) and Secure Boot (mokutil --sb-state) on $(hostname)." >&2
  exit 1
fi
if ! gpus=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader); then
  echo "driver-loaded: nvidia-smi cannot talk to driver $loaded." >&2
  exit 1
fi
echo "driver_loaded=$loaded"
echo "gpus=$(wc -l <<<"$gpus")"
echo "boot_id=$boot_id"
