# write_file PATH MODE < content: replace PATH only when its content differs.
write_file() {
  local tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if ! cmp -s "$tmp" "$1"; then
    install -D -m "$2" "$tmp" "$1"
    echo "changed: $1" >&2
  fi
  rm -f "$tmp"
}
