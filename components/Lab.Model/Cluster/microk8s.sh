if snap list microk8s >/dev/null 2>&1; then
  converge "microk8s channel" "$channel" "$(snap info microk8s | sed -n 's/^tracking:[[:space:]]*//p')" -- snap refresh microk8s --channel="$channel"
else
  converge "microk8s channel" "$channel" absent -- snap install microk8s --classic --channel="$channel"
  if checking; then
    exit 0
  fi
fi
converge "groups of $ssh_user" microk8s "$(id -nG "$ssh_user" | tr ' ' '\n' | grep -x microk8s || echo none)" -- usermod -a -G microk8s "$ssh_user"
microk8s status --wait-ready --timeout 300 >/dev/null

args_changed=no
# The OS hostname (os step) names the node; a --hostname-override left by an earlier version goes.
if grep -q -- '^--hostname-override[= ]' "$args_dir/kubelet"; then
  converge "kubelet --hostname-override" absent present -- sed -i '/^--hostname-override[= ]/d' "$args_dir/kubelet"
  args_changed=yes
fi
for i in "${!arg_files[@]}"; do
  set_arg "$args_dir/${arg_files[$i]}" "${arg_flags[$i]}" "${arg_values[$i]}"
done
if [ "$args_changed" = yes ] && ! checking; then
  snap restart microk8s.daemon-kubelite
  microk8s status --wait-ready --timeout 300 >/dev/null
fi
echo "microk8s=$(snap list microk8s | awk 'NR == 2 {print $2}')"
echo "channel=$channel"
