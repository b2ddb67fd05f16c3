# shellcheck shell=bash
# tool_usage: the tool's header comment (the lines between the shebang and `set -euo pipefail`), as its usage.
tool_usage() {
  sed -n '2,/^set -euo pipefail$/p' "$0" | sed '$d; /^# shellcheck /d; s/^# \{0,1\}//'
}

# help_or_go ARGS...: with -h or --help among a tool's arguments, prints its usage and exits 0, before the
# tool reads or changes anything.
help_or_go() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      -h | --help)
        tool_usage
        exit 0
        ;;
    esac
  done
}
