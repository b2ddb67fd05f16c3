# write_file PATH MODE < content: PATH holds exactly this content, with MODE, owned by root. An apply replaces
# what differs; a check compares the content's sha256, the mode and the owner.
write_file() {
  local tmp want have
  if checking; then
    want=sha256:$(sha256sum | cut -d ' ' -f 1)
    if [ ! -f "$1" ]; then
      drift "file $1" "$want" absent
      return 0
    fi
    have=sha256:$(sha256sum <"$1" | cut -d ' ' -f 1)
    if [ "$have" != "$want" ]; then
      drift "file $1" "$want" "$have"
    fi
  else
    tmp=$(mktemp)
    cat >"$tmp"
    if ! cmp -s "$tmp" "$1"; then
      install -D -m "$2" -o root -g root "$tmp" "$1"
      changed "$1"
    fi
    rm -f "$tmp"
  fi
  converge "mode of $1" "${2#0}" "$(stat -c %a "$1")" -- chmod "$2" "$1"
  converge "owner of $1" root:root "$(stat -c %U:%G "$1")" -- chown root:root "$1"
}
