# In the host's mount namespace (through PID 1), where systemd and the snap's units live.
on_host() { nsenter --target 1 --mount -- "$@"; }
# Give the watcher time to see the node Ready first.
sleep "$settle_seconds"
# The restart is scheduled on the host before the stop: kubelite comes back even if this pod dies.
on_host systemd-run --collect --unit="lab-drill-restart-$(date +%s)" --on-active="${down_seconds}s" \
  --timer-property=AccuracySec=1s systemctl start "$kubelite_unit" >&2
# The instant the stop was requested: the drill's detection time is measured from here.
echo "LAB_DRILL stopped_at=$(date +%s.%N)"
on_host systemctl stop "$kubelite_unit"
# Until the timer has restarted it; a kubelite still down is a failed drill, not a silent one.
for _ in $(seq 1 "$((down_seconds + ready_wait_seconds))"); do
  if on_host systemctl is-active --quiet "$kubelite_unit"; then
    exit 0
  fi
  sleep 1
done
echo "$kubelite_unit did not come back after the drill" >&2
exit 1
