# Runs as the lab's probe account, which owns the probe directory (the NAS step creates it; root_squash
# would map root to nobody). Writes and removes one file of its own; nothing else on the export is touched.
if [ ! -w "$probe_directory" ]; then
  echo "$probe_directory is missing or not writable by uid $(id -u): the NAS step creates it for the probe account" >&2
  exit 1
fi
file="$probe_directory/probe-$(hostname)-$$"
trap 'rm -f "$file"' EXIT
bytes=$((size_mib * 1048576))
# dd's summary: "N bytes (...) copied, S s, R MB/s"; the rate is recomputed from bytes and seconds.
rate() { awk -v bytes="$bytes" '/copied/ { n = split($0, part, ", "); split(part[n - 1], t, " "); if (t[1] > 0) printf "%.1f", bytes / t[1] / 1000000 }'; }
# O_DIRECT both ways: the client's page cache neither absorbs the write nor serves the read.
written=$(dd if=/dev/zero of="$file" bs=1M count="$size_mib" oflag=direct conv=fsync 2>&1 | rate)
readback=$(dd if="$file" of=/dev/null bs=1M iflag=direct 2>&1 | rate)
if [ -z "$written" ] || [ -z "$readback" ]; then
  echo "dd reported no transfer" >&2
  exit 1
fi
echo "LAB_RESULT check=$write_check value=$written unit=$unit"
echo "LAB_RESULT check=$read_check value=$readback unit=$unit"
