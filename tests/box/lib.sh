# shellcheck shell=bash
# shellcheck disable=SC2154 # box, work and state are the sourcing suite's
# What every box suite shares: its verdict counters and a root shell on a machine. Sourced after the suite sets
# box (scripts/box), work (its report folder), state (its LAB_BOX_STATE) and LAB_BOX_NETNS.
failures=0

fail() {
  echo "box proof FAILED: $*" >&2
  failures=$((failures + 1))
}
pass() {
  echo "box proof: $*"
}

# on MACHINE CMD...: CMD as root on the running machine over the box's SSH, each argument quoted for the remote shell.
on() {
  local host
  host=$(cat "$state/machines/$1/host")
  shift
  ip netns exec "$LAB_BOX_NETNS" ssh -q -i "$state/id_ed25519" -o BatchMode=yes -o UserKnownHostsFile="$state/known_hosts" \
    "labops@$host" "sudo -n $(printf '%q ' "$@")"
}

# apply NAME [MACHINE]: scripts/box apply with $LAB_BOX_STACK; keeps its report folder as $work/NAME.
apply() {
  local rc=0
  "$box" apply ${2:+"$2"} >"$work/$1.log" 2>&1 || rc=$?
  rm -rf "${work:?}/$1"
  cp -a "$state/apply" "$work/$1"
  return "$rc"
}

# changed RUN: the steps that printed `changed:` lines, as "machine step".
changed() {
  local f
  for f in "$work/$1"/*.stderr; do
    grep -q '^changed: ' "$f" && cut -f 1,2 "${f%.stderr}.step" | tr '\t' ' '
  done
  return 0
}
