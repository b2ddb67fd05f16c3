# Sourced by every stand-in. record NAME ARGS...: appends the call (arguments space-separated) to the
# machine's stand-in log, so tests can check what the scripts asked of what is not real here.
record() {
  local name=$1
  shift
  mkdir -p /var/log/lab-box
  { printf '%s' "$name"; printf ' %s' "$@"; printf '\n'; } >>/var/log/lab-box/stand-ins.log
}
