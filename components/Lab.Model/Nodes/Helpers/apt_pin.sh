# apt_pin PKG=VERSION...: install exactly these versions where the installed one differs, then hold them.
# apt moves a package to a lower version only at a pin priority of 1000 or more: a preferences file of this step
# pins at 1001 exactly these versions and the versions they require exactly (a driver metapackage's libraries), so
# rolling a pin back converges as moving it forward does. A failed install leaves the previous holds and pins in place.
# A package counts as there only when dpkg says it is installed: one a cut run left unpacked is installed again.
apt_pin() {
  local spec pkg previous prefs missing=() held=()
  if checking; then
    # dpkg --audit names the packages a cut run left half-done (its exit status varies with dpkg's version).
    converge "dpkg" settled "$(dpkg --audit 2>/dev/null | grep -q . && echo interrupted || echo settled)"
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
  dpkg_settle
  for spec in "$@"; do
    pkg=${spec%%=*}
    # shellcheck disable=SC2016 # dpkg-query's format, not shell expansions
    if [ "$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$pkg" 2>/dev/null || true)" != "installed ${spec#*=}" ]; then
      missing+=("$spec")
      held+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_wait[@]}" update -q >&2
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
    if ! DEBIAN_FRONTEND=noninteractive apt-get "${apt_wait[@]}" install -y -q --allow-downgrades --no-install-recommends "${missing[@]}" >&2; then
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

# apt waits for dpkg's lock rather than failing at once: the session of a run whose connection dropped may still hold it.
apt_wait=(-o DPkg::Lock::Timeout=300)

# dpkg_settle: finish what a cut run left half-done. An SSH drop or a power cut mid-install leaves dpkg's journal or
# half-configured packages, and apt refuses to go on until `dpkg --configure -a`; the lock may still be held by that
# run, so this waits for it as apt does (apt_wait).
dpkg_settle() {
  local out deadline=$((SECONDS + 300))
  until out=$(dpkg --configure -a 2>&1); do
    if [[ $out != *lock* ]] || [ "$SECONDS" -ge "$deadline" ]; then
      printf '%s\n' "$out" >&2
      echo "$lab_step: dpkg could not finish an earlier, interrupted run (dpkg --configure -a, above)" >&2
      return 1
    fi
    sleep 2
  done
  if [ -n "$out" ]; then
    printf '%s\n' "$out" >&2
    changed "dpkg: finished an interrupted run (dpkg --configure -a)"
  fi
}
