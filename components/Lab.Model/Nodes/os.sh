# Kubelet registers the node, and gets its serving certificate, under the OS hostname: it must be the lab's name.
# Read without D-Bus: a hostnamed slow to start (a loaded machine) must not read as another name.
converge hostname "$hostname $hostname" "$(uname -n) $(cat /etc/hostname 2>/dev/null || true)" -- hostnamectl set-hostname "$hostname"
# sudo and local tools resolve the hostname through Debian's 127.0.1.1 line; keep it naming the lab's name.
hosts=()
named=no
while IFS= read -r line || [ -n "$line" ]; do
  if [[ $line =~ ^127\.0\.1\.1[[:space:]] ]]; then
    line="127.0.1.1 $hostname"
    named=yes
  fi
  hosts+=("$line")
done <"$hosts_file"
if [ "$named" = no ]; then
  hosts+=("127.0.1.1 $hostname")
fi
printf '%s\n' "${hosts[@]}" | write_file "$hosts_file" 0644

# Ubuntu's archive as the stack pinned it: the snapshot of one instant (its -updates and -security pockets
# then keep every pinned version), or the lab's own mirror. This file replaces the installer's.
codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
if [ -n "$apt_mirror" ]; then
  archive=$apt_mirror
  security=$apt_mirror
  snapshot=()
else
  archive=http://archive.ubuntu.com/ubuntu/
  security=http://security.ubuntu.com/ubuntu/
  snapshot=("Snapshot: $apt_snapshot")
fi
{
  printf '%s\n' "Types: deb" "URIs: $archive" "Suites: $codename $codename-updates $codename-backports" \
    "Components: main restricted universe multiverse" "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg" "${snapshot[@]}" ""
  printf '%s\n' "Types: deb" "URIs: $security" "Suites: $codename-security" \
    "Components: main restricted universe multiverse" "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg" "${snapshot[@]}"
} | write_file /etc/apt/sources.list.d/ubuntu.sources 0644

apt_pin "${packages[@]}"
converge chrony "enabled active" "$(systemctl is-enabled chrony 2>/dev/null || true) $(systemctl is-active chrony 2>/dev/null || true)" -- systemctl enable -q --now chrony

printf '%s\n' tcp_bbr | write_file /etc/modules-load.d/lab-bbr.conf 0644
converge "module tcp_bbr" loaded "$(grep -qw bbr /proc/sys/net/ipv4/tcp_available_congestion_control && echo loaded || echo absent)" -- modprobe tcp_bbr
printf '%s\n' "${sysctls[@]}" | write_file "$sysctl_file" 0644
if checking; then
  for line in "${sysctls[@]}"; do
    # sysctl -n separates a vector's values with tabs; the file with spaces.
    converge "sysctl ${line%% = *}" "${line#* = }" "$(sysctl -n "${line%% = *}" 2>/dev/null | tr '\t' ' ' || echo unreadable)"
  done
else
  sysctl -q --load="$sysctl_file"
fi

congestion=$(sysctl -n net.ipv4.tcp_congestion_control)
if [ "$congestion" != bbr ] && ! checking; then
  echo "os: TCP congestion control is $congestion, expected bbr" >&2
  exit 1
fi
echo "tcp_congestion_control=$congestion"
echo "chrony=$(systemctl is-active chrony)"
echo "hostname=$(uname -n)"
