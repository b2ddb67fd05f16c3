# apt_pin PKG=VERSION...: install exactly these versions where the installed one differs, then hold them.
# apt moves a package to a lower version only at a pin priority of 1000 or more: a preferences file of this step
# pins at 1001 exactly these versions and the versions they require exactly (a driver metapackage's libraries), so
# rolling a pin back converges as moving it forward does. A failed install leaves the previous holds and pins in place.
apt_pin() {
  local spec pkg previous prefs missing=() held=()
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
  prefs=/etc/apt/preferences.d/lab-$lab_step.pref
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
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    previous=$(mktemp)
    cp "$prefs" "$previous" 2>/dev/null || rm -f "$previous"
    for spec in "$@"; do
      printf 'Package: %s\nPin: version %s\nPin-Priority: 1001\n\n' "${spec%%=*}" "${spec#*=}"
      # Depends: name (= version), ... : the exact versions this one needs move with it.
      apt-cache show --no-all-versions "$spec" | sed -n 's/^\(Pre-\)\{0,1\}Depends: //p' | tr ',|' '\n' |
        sed -n 's/^ *\([a-z0-9][a-z0-9+.-]*\)\(:[a-z0-9]*\)\{0,1\} *(= *\([^ )]*\)).*$/Package: \1\nPin: version \3\nPin-Priority: 1001\n/p'
    done | write_file "$prefs" 0644
    # Release our own holds first, so apt cannot change any other held package along the way.
    apt-mark unhold "${held[@]}" >/dev/null 2>&1 || true
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades --no-install-recommends "${missing[@]}" >&2; then
      apt-mark hold "${held[@]}" >/dev/null 2>&1 || true
      if [ -e "$previous" ]; then
        mv -f "$previous" "$prefs"
      else
        rm -f "$prefs"
      fi
      echo "$lab_step: installing ${missing[*]} failed; what was installed stays installed, held and pinned" >&2
      return 1
    fi
    rm -f "$previous"
    echo "changed: ${missing[*]}" >&2
  fi
  apt-mark hold "${@%%=*}" >/dev/null
}
