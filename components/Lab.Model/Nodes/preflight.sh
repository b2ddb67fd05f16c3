problems=0

# shellcheck source=/dev/null
. /etc/os-release
if [ "${ID:-}" != ubuntu ] || [ "${VERSION_ID:-}" != "$expected_ubuntu" ]; then
  echo "preflight: expected Ubuntu $expected_ubuntu, found ${PRETTY_NAME:-an unknown OS}" >&2
  problems=$((problems + 1))
fi

cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1 | sed 's/([RTMC]*)//g')
if ! grep -qiF -- "$expected_cpu" <<<"$cpu"; then
  echo "preflight: expected CPU $expected_cpu, found ${cpu:-none}" >&2
  problems=$((problems + 1))
fi

memory_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
memory_gb=$((memory_kb / 1000000))
# Firmware reserves a little: accept 90 % of the nominal size.
if [ $((memory_kb / 10000)) -lt $((expected_memory_gb * 90)) ]; then
  echo "preflight: expected ${expected_memory_gb} GB of memory, found ${memory_gb} GB" >&2
  problems=$((problems + 1))
fi

gpus=$(lspci -mm -d 10de: | grep -cF -- "$expected_gpu" || true)
if [ "$gpus" -lt "$expected_gpus" ]; then
  echo "preflight: expected $expected_gpus x $expected_gpu, found $gpus" >&2
  problems=$((problems + 1))
fi

free_gb=$(df --output=avail -BG / | tail -n 1 | tr -dc '0-9')
if [ "$free_gb" -lt "$min_free_gb" ]; then
  echo "preflight: ${free_gb} GB free on /, need ${min_free_gb} GB" >&2
  problems=$((problems + 1))
fi

# Not a problem: the os step renames the machine. Said here so the operator knows before anything changes.
hostname=$(hostname)
if [ "$hostname" != "$expected_hostname" ]; then
  echo "preflight: hostname is $hostname; the os step renames it to $expected_hostname" >&2
fi

echo "hostname=$hostname"
echo "os=${PRETTY_NAME:-unknown}"
echo "kernel=$(uname -r)"
echo "cpu=$cpu"
echo "memory_gb=$memory_gb"
echo "gpu_model=$expected_gpu"
echo "gpu_count=$gpus"
echo "disk_free_gb=$free_gb"
if [ "$problems" -gt 0 ]; then
  echo "preflight: $problems problem(s) on $(hostname); nothing was changed" >&2
  exit 1
fi
