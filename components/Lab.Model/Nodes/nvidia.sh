if [ ! -s /etc/apt/keyrings/nvidia-container-toolkit.gpg ]; then
  install -d -m 0755 /etc/apt/keyrings
  curl -fsSL "$toolkit_repository/gpgkey" | gpg --batch --yes --dearmor -o /etc/apt/keyrings/nvidia-container-toolkit.gpg
fi
# $(ARCH) is apt's own substitution in a sources line, not the shell's.
# shellcheck disable=SC2016
printf 'deb [signed-by=/etc/apt/keyrings/nvidia-container-toolkit.gpg] %s/stable/deb/$(ARCH) /\n' "$toolkit_repository" \
  | write_file /etc/apt/sources.list.d/nvidia-container-toolkit.list 0644
apt_pin "${packages[@]}"

# The kernel keeps the old module until the next boot; say so rather than reboot mid-run.
loaded=$(cat /sys/module/nvidia/version 2>/dev/null || echo none)
echo "driver_version=$driver_release"
echo "driver_loaded=$loaded"
if [ "$loaded" = "$driver_release" ]; then
  echo "reboot_required=false"
else
  echo "reboot_required=true"
fi
echo "container_toolkit=$container_toolkit"
