keyring=/etc/apt/keyrings/nvidia-container-toolkit.gpg
pinned_key "$toolkit_repository/gpgkey" "$toolkit_key_fingerprint" "$keyring"
# $(ARCH) is apt's own substitution in a sources line, not the shell's.
# shellcheck disable=SC2016
printf 'deb [signed-by=%s] %s/stable/deb/$(ARCH) /\n' "$keyring" "$toolkit_repository" \
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
