# shellcheck shell=bash
# Sourced by scripts/host-keys and scripts/dr-rebuild.
# scan_host_key HOST PORT: prints the machine's ed25519 host key as "TYPE BASE64" (ssh-keyscan).
scan_host_key() {
  local scanned
  scanned=$(ssh-keyscan -T 10 -p "$2" -t ed25519 "$1" 2>/dev/null | awk '$1 !~ /^#/ && $2 == "ssh-ed25519" { print $2, $3; exit }')
  [ -n "$scanned" ] || return 1
  printf '%s\n' "$scanned"
}

# fingerprint_of "TYPE BASE64": the SHA256 fingerprint as ssh-keygen -lf prints it.
fingerprint_of() {
  ssh-keygen -lf - <<<"$1" | awk '{ print $2 }'
}

# pin_known_host FILE HOST PORT "TYPE BASE64": FILE becomes a known_hosts file holding only that key,
# for ssh -o UserKnownHostsFile=FILE -o StrictHostKeyChecking=yes.
pin_known_host() {
  if [ "$3" = 22 ]; then
    printf '%s %s\n' "$2" "$4" >"$1"
  else
    printf '[%s]:%s %s\n' "$2" "$3" "$4" >"$1"
  fi
}
