# key_fingerprint FILE: the primary key's fingerprint in an OpenPGP key file (armored or not).
key_fingerprint() {
  gpg --batch --show-keys --with-colons "$1" 2>/dev/null | awk -F: '$1 == "pub" { p = 1; next } p && $1 == "fpr" { print $10; exit }'
}
keyring=/etc/apt/keyrings/nvidia-container-toolkit.gpg
if checking; then
  converge "key $keyring" "$toolkit_key_fingerprint" "$(key_fingerprint "$keyring" | grep . || echo absent)"
elif [ ! -s "$keyring" ] || [ "$(key_fingerprint "$keyring")" != "$toolkit_key_fingerprint" ]; then
  install -d -m 0755 /etc/apt/keyrings
  fetched=$(mktemp)
  curl -fsSL "$toolkit_repository/gpgkey" -o "$fetched"
  # Trust the downloaded key only when it is the pinned one.
  if [ "$(key_fingerprint "$fetched")" != "$toolkit_key_fingerprint" ]; then
    echo "nvidia: the key at $toolkit_repository/gpgkey is not $toolkit_key_fingerprint; nothing installed" >&2
    rm -f "$fetched"
    exit 1
  fi
  gpg --batch --yes --dearmor -o "$keyring" "$fetched"
  rm -f "$fetched"
fi
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
