# key_fingerprint FILE: the primary key's fingerprint in an OpenPGP key file (armored or not).
key_fingerprint() {
  gpg --batch --show-keys --with-colons "$1" 2>/dev/null | awk -F: '$1 == "pub" { p = 1; next } p && $1 == "fpr" { print $10; exit }'
}
# pinned_key URL FINGERPRINT KEYRING: installs the repository key at URL as KEYRING (binary, for apt's signed-by)
# only when its fingerprint is the pinned one; a keyring already holding that key is left alone. A check compares
# the keyring's fingerprint and fetches nothing.
pinned_key() {
  local url=$1 fingerprint=$2 keyring=$3 fetched
  if checking; then
    converge "key $keyring" "$fingerprint" "$(key_fingerprint "$keyring" | grep . || echo absent)"
    return 0
  fi
  if [ -s "$keyring" ] && [ "$(key_fingerprint "$keyring")" = "$fingerprint" ]; then
    return 0
  fi
  install -d -m 0755 "$(dirname "$keyring")"
  fetched=$(mktemp)
  curl -fsSL "$url" -o "$fetched"
  if [ "$(key_fingerprint "$fetched")" != "$fingerprint" ]; then
    echo "$lab_step: the key at $url is not $fingerprint; nothing installed" >&2
    rm -f "$fetched"
    return 1
  fi
  gpg --batch --yes --dearmor -o "$keyring" "$fetched"
  rm -f "$fetched"
  echo "changed: $keyring" >&2
}
