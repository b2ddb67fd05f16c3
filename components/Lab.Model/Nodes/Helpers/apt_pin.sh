# apt_pin PKG=VERSION...: install exactly these versions where the installed one differs, then hold them.
# Only these packages may move past their hold (the lab pinned them; another version is a deliberate change).
apt_pin() {
  local spec pkg missing=() held=()
  if checking; then
    for spec in "$@"; do
      pkg=${spec%%=*}
      # shellcheck disable=SC2016 # dpkg-query's formats, not shell expansions
      converge "package $pkg" "${spec#*=}" "$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null | grep . || echo absent)"
      # shellcheck disable=SC2016
      converge "hold of $pkg" hold "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | cut -d ' ' -f 1 | grep . || echo absent)"
    done
    return 0
  fi
  for spec in "$@"; do
    pkg=${spec%%=*}
    # shellcheck disable=SC2016 # ${Version} is dpkg-query's format, not a shell expansion
    if [ "$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)" != "${spec#*=}" ]; then
      missing+=("$spec")
      held+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    # Release our own holds first, so apt cannot change any other held package along the way.
    apt-mark unhold "${held[@]}" >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades --no-install-recommends "${missing[@]}" >&2
    echo "changed: ${missing[*]}" >&2
  fi
  apt-mark hold "${@%%=*}" >/dev/null
}
