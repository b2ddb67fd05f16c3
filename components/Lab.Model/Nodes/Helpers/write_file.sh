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
    # Atomic: the new content goes to a temporary file beside PATH, reaches the disk, and replaces PATH in one
    # rename, so an SSH drop or a power cut mid-write leaves the old file or the new one, never a part of either.
    # A temporary file a cut left behind is removed by the next run (its dot name keeps the tools that read the
    # folder, apt, systemd, sysctl and sudo, from taking it as one of theirs).
    mkdir -p "$(dirname "$1")"
    rm -f "$(dirname "$1")/.$(basename "$1").lab-new."*
    tmp=$(mktemp "$(dirname "$1")/.$(basename "$1").lab-new.XXXXXX")
    cat >"$tmp"
    if cmp -s "$tmp" "$1"; then
      rm -f "$tmp"
    else
      chmod "$2" "$tmp"
      sync "$tmp"
      mv -f "$tmp" "$1"
      sync "$(dirname "$1")"
      changed "$1"
    fi
  fi
  converge "mode of $1" "${2#0}" "$(stat -c %a "$1")" -- chmod "$2" "$1"
  converge "owner of $1" root:root "$(stat -c %U:%G "$1")" -- chown root:root "$1"
}
