# Reads the Pushgateway's exposition once. Per item: the time of its last good backup, which lab-backup pushes
# after each successful run (group job=lab_backup/item=ITEM), and its age in hours. An item without that series
# was never backed up (or the Pushgateway lost its groups): LAB_SHORT, never a pass. A Pushgateway that does not
# answer fails the probe.
exposition=$(curl --fail --silent --show-error --max-time 30 --retry 5 --retry-connrefused --retry-delay 2 "$url")
now=$(date +%s)
for i in "${!items[@]}"; do
  # The series of this metric whose labels hold job and item exactly (label values compared as strings, never as
  # patterns); where several groups carry it, the oldest counts, so a stray newer series cannot make a pass.
  when=$(awk -v metric="$metric" -v job="$job" -v item="${items[$i]}" '
    index($0, metric "{") == 1 {
      close_at = index($0, "} ")
      if (close_at == 0) next
      labels = "," substr($0, length(metric) + 2, close_at - length(metric) - 2) ","
      value = substr($0, close_at + 2)
      if (index(labels, ",job=\"" job "\",") == 0 || index(labels, ",item=\"" item "\",") == 0) next
      if (value !~ /^[0-9]+(\.[0-9]+)?([eE][+]?[0-9]+)?$/) next
      if (found == 0 || value + 0 < oldest) oldest = value + 0
      found = 1
    }
    END { if (found) printf "%.0f\n", oldest }' <<<"$exposition")
  if [ -z "$when" ]; then
    echo "backup-ages: no $metric{job=\"$job\",item=\"${items[$i]}\"} on $url: ${items[$i]} has no good backup on record" >&2
    echo "LAB_SHORT check=${checks[$i]} reason=never_backed_up"
    continue
  fi
  age=$((now - when))
  # Within the skew the clocks may differ by (chrony keeps them closer): a backup that just ended.
  if [ "$age" -lt 0 ] && [ "$age" -ge "-$skew_seconds" ]; then
    age=0
  fi
  echo "LAB_RESULT check=${checks[$i]} value=$(awk -v s="$age" 'BEGIN { printf "%.2f", s / 3600 }') unit=$unit"
done
