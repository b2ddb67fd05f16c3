# Check mode: the runner passes --check after the script (sudo -n /bin/bash -s -- --check), so the script's
# text, and its hash in the step's triggers, is the same in both modes. A check compares instead of changing:
# one `drift: WHAT expected=… actual=…` line per difference on stdout, nothing changed, exit 3 on any drift.
lab_check=no
if [ "${1:-}" = --check ]; then
  lab_check=yes
fi
lab_drifts=0
lab_changes=0
# The counters live in this shell: the last command of a pipeline (printf … | write_file) runs here too.
shopt -s lastpipe
# lab_exit: a check that ran through and found drift exits 3 (the EXIT trap; exit there sets the status).
lab_exit() {
  local status=$?
  if [ "$status" -eq 0 ] && [ "$lab_drifts" -gt 0 ]; then
    exit 3
  fi
}
trap lab_exit EXIT

# checking: is this run a check?
checking() {
  [ "$lab_check" = yes ]
}

# drift WHAT EXPECTED ACTUAL: one difference found by a check.
drift() {
  printf 'drift: %s expected=%s actual=%s\n' "$1" "$2" "$3"
  lab_drifts=$((lab_drifts + 1))
}

# changed WHAT: one change made by an apply.
changed() {
  echo "changed: $1" >&2
  lab_changes=$((lab_changes + 1))
}

# converge WHAT EXPECTED ACTUAL -- CMD...: where ACTUAL is not EXPECTED, an apply runs CMD and says so;
# a check reports the drift and runs nothing.
converge() {
  local what=$1 expected=$2 actual=$3
  shift 3
  if [ "${1:-}" = -- ]; then
    shift
  fi
  if [ "$expected" = "$actual" ]; then
    return 0
  fi
  if checking; then
    drift "$what" "$expected" "$actual"
  else
    "$@"
    changed "$what"
  fi
}
