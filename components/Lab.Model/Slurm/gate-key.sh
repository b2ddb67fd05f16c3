# The validation gate's SSH identity for the Slurm login service: made once, root-only, on the control node.
# Only the public key leaves the machine (it goes into the SlurmCluster's sshRootPublicKeys); a control-node
# rebuild makes a new pair, and the SlurmCluster made again on the new cluster lists the new public key.
install -d -m 0700 "$key_directory"
key="$key_directory/id_ed25519"
if ! ssh-keygen -y -f "$key" >/dev/null 2>&1; then
  rm -f "$key" "$key.pub"
  ssh-keygen -q -t ed25519 -N '' -C "$comment" -f "$key"
fi
chmod 0600 "$key"
echo "LAB_GATE_KEY $(ssh-keygen -y -f "$key" | cut -d' ' -f1,2) $comment"
