apt_pin "${packages[@]}"
systemctl enable --now chrony >/dev/null

printf '%s\n' tcp_bbr | write_file /etc/modules-load.d/lab-bbr.conf 0644
modprobe tcp_bbr
printf '%s\n' "${sysctls[@]}" | write_file "$sysctl_file" 0644
sysctl -q --load="$sysctl_file"

congestion=$(sysctl -n net.ipv4.tcp_congestion_control)
if [ "$congestion" != bbr ]; then
  echo "os: TCP congestion control is $congestion, expected bbr" >&2
  exit 1
fi
echo "tcp_congestion_control=$congestion"
echo "chrony=$(systemctl is-active chrony)"
