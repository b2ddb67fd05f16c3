# set_arg FILE FLAG VALUE: make FLAG=VALUE the file's only setting of FLAG; notes a change in args_changed.
set_arg() {
  if grep -qxF -- "$2=$3" "$1"; then
    return 0
  fi
  if checking; then
    drift "$2 in $1" "$3" "$(sed -n "s/^$2[= ]//p" "$1" | head -n 1 | grep . || echo unset)"
    return 0
  fi
  sed -i "/^$2[= ]/d" "$1"
  printf '%s=%s\n' "$2" "$3" >>"$1"
  # shellcheck disable=SC2034 # the step body reads it after its set_arg calls
  args_changed=yes
}
