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

# Ubuntu's archive as the stack pinned it: every pocket at the snapshot of one instant (each pinned version
# stays installable however far the live pockets move on), or the lab's own mirror. Security fixes are a
# decision, not an accident: with the snapshot, Ubuntu's live -security pocket is read too, so every package
# the lab does not pin gets its fixes (apt upgrade, unattended-upgrades); a pinned package is held and moves
# only when its pin does. This file replaces the installer's.
codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
suites="Suites: $codename $codename-updates $codename-backports $codename-security"
components="Components: main restricted universe multiverse"
signed="Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg"
{
  if [ -n "$apt_mirror" ]; then
    printf '%s\n' "Types: deb" "URIs: $apt_mirror" "$suites" "$components" "$signed"
  else
    printf '%s\n' "Types: deb" "URIs: http://archive.ubuntu.com/ubuntu/" "$suites" "$components" "$signed" "Snapshot: $apt_snapshot" ""
    printf '%s\n' "Types: deb" "URIs: http://security.ubuntu.com/ubuntu/" "Suites: $codename-security" "$components" "$signed"
  fi
} | write_file /etc/apt/sources.list.d/ubuntu.sources 0644

# The lab CA (every node's trust for lab TLS: vault-agent's ca_cert, the registry), in the system trust store.
trusted_before=$(sha256sum "$ca_cert" 2>/dev/null || true)
lab_ca "$ca_cert" "$ca_pem" "$vault_endpoint"
trust=current
if [ "$(sha256sum "$ca_cert" 2>/dev/null || true)" != "$trusted_before" ] || [ ! -e "/etc/ssl/certs/$(basename "$ca_cert" .crt).pem" ]; then
  trust=stale
fi
refresh_trust() { update-ca-certificates >/dev/null; }
converge "system trust store" current "$trust" -- refresh_trust

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
