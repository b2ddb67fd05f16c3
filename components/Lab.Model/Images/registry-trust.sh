# containerd (MicroK8s) reads this file at each pull from the lab's registry: no restart needed.
printf '%s' "$hosts_toml" | write_file "$hosts_file" 0644
echo "registry trust: $hosts_file"
